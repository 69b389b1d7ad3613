"""The component package's provider: `python -m dbtier.provider <engine-address>`, which the
plugin's entry point (`provider/__main__.py`, next to its PulumiPlugin.yaml) runs.

Pulumi's component provider host infers the schema from `dbtier.hosted`, starts a gRPC
ResourceProvider on a free port and prints the port on stdout for the engine; each Construct
builds one of the hosted components against the engine's resource monitor.
"""

from pulumi.provider.experimental import component_provider_host

from dbtier.hosted import COMPONENTS
from dbtier.schema import PACKAGE
from dbtier.version import __version__


def main() -> None:
    component_provider_host(list(COMPONENTS), name=PACKAGE, version=__version__)


if __name__ == "__main__":
    main()
