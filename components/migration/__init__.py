"""Migration: AWS DMS from the RelationalTier to the ServerlessAurora cluster (`dbtier:migration`)."""
