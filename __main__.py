"""The dbtier Pulumi program: read the stack config, build the tier, export its outputs."""

from components.stack import main

main()
