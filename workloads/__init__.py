"""dbtier workload tools: exercise each database of a stack through its stack outputs.

Run ``python -m workloads --help``; the shared framework lives in ``workloads.common``.
"""
