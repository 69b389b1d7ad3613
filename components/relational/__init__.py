"""RelationalTier: RDS MySQL with Multi-AZ and read replicas (`dbtier:relational`)."""
