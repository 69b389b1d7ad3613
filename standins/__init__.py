"""Local stand-ins for what a deployed stack provides: databases, DynamoDB, the DMS full load.

Each writes or uses outputs in the shape of ``contract.outputs``, so the workloads run against
the local engines exactly as they run against a deployed stack. Tests, benchmarks and
``scripts/local-run.sh`` import or run them; nothing here is deployed.
"""
