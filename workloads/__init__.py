"""dbtier workload tools: exercise each database of a stack through its stack outputs.

One package per workload (``relational``, ``aurora_load``, ``warehouse``, ``migration_check``,
``dynamo``, ``redis_workload``): the package is the library (what the workload does, returning
typed results), its ``cli`` module the command line (flags, rendering, exit codes). The shared
helpers live in ``workloads.common``; ``python -m workloads --help`` lists the workloads.

This file imports nothing: the MySQL workloads must be able to load mysql-connector's C extension
before anything loads the system's OpenSSL (see ``workloads.mysql_driver``).
"""
