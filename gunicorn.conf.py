"""Gunicorn settings for production and the benchmarks (gunicorn reads this file from the working
directory by itself; the command line still wins)."""

import os

# the worker heartbeat touches a temporary file on every request; on a disk-backed /tmp that call
# can block a worker (gunicorn's own advice): keep it in memory where the system offers it
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
