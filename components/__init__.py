"""dbtier's component resources, their configuration, and the stack that wires them together."""
