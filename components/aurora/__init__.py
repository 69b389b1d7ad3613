"""ServerlessAurora: an Aurora Serverless v2 cluster with a writer and readers (`dbtier:aurora`)."""
