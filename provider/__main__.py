"""The dbtier component package's entry point: Pulumi's Python host runs this folder with the
engine's address, and `dbtier.provider` serves the components (see PulumiPlugin.yaml)."""

from dbtier.provider import main

main()
