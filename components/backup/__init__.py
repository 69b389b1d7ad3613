"""Backup: an AWS Backup vault, plan and selection over every stateful resource (`dbtier:backup`)."""
