"""Gunicorn settings for production and the benchmarks (gunicorn reads this file from the working
directory by itself; the command line and ``WEB_CONCURRENCY`` still win)."""

import os

# a sync worker waits on the database for about a third of a request, so with PostgreSQL on
# another machine one worker more than there are cores keeps them busy. Where PostgreSQL shares
# the cores, one worker per core is best (set WEB_CONCURRENCY): on this 2-core machine, in
# alternating rounds at 100 bookings a second, 2 workers took 10% less CPU a booking than 3 and
# had the lower p95 in every round (74 against 102 ms, median of four, in a slow spell); 4 workers
# did worse again
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)

# the worker heartbeat touches a temporary file on every request; on a disk-backed /tmp that call
# can block a worker (gunicorn's own advice): keep it in memory where the system offers it
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
