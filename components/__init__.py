"""dbtier's component resources, one package per part of the tier, and the stack that wires them.

In each package, `config` parses the part's `dbtier:` key into a frozen dataclass, `resources`
holds its ComponentResource (whose `outputs()` is the part's stack export and `watches()` what
the alarms watch on it), and `watches` builds those watches. `settings` is the config reader
every parser shares, `stack_config` parses the whole stack config, `parts` wires the enabled
parts together, and `stack` builds the tier.
"""
