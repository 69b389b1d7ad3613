"""Alarms: one SNS topic, a CloudWatch alarm per `Watch` the components ask for, one dashboard."""
