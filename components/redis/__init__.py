"""RedisCluster: an ElastiCache replication group, Redis 7 or Valkey 8 (`dbtier:redis`)."""
