"""Warehouse: Redshift, provisioned (RA3) or Serverless (`dbtier:warehouse`)."""
