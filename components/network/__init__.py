"""DatabaseNetwork: where the tier lives and who may reach it (`dbtier:network`)."""
