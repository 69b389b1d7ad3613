"""The version of dbtier, in one place: the Python distribution (pyproject.toml reads it), the
component package's schema (`sdk/schema.json`) and the plugin the provider reports all use it.
A release tags the commit `v<version>` and adds its entry at the top of CHANGELOG.md."""

__version__ = "0.2.0"
