"""DynamoTable: DynamoDB tables with GSIs, autoscaling and a stream processor (`dbtier:dynamo`)."""
