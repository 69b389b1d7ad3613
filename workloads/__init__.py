"""dbtier workload tools: exercise each database of a stack through its stack outputs.

Run ``python -m workloads --help``; the shared framework lives in ``workloads.common``.
"""

# First, before anything can load the system's OpenSSL (ssl, hashlib, boto3, psycopg2, redis
# ...): mysql-connector's C extension needs the newer OpenSSL it vendors, and one process gets one
# libssl.so.3. This package's __init__ is the first of our code to run both in
# `python -m workloads` and in spawned worker processes; see workloads/mysql_driver.py.
from workloads import mysql_driver as _mysql_driver

_mysql_driver.preload()
