"""Gunicorn settings for production and the benchmarks (gunicorn reads this file from the working
directory by itself; the command line and ``WEB_CONCURRENCY`` still win)."""

import os

# a sync worker waits on the database for about a third of a request, so one worker more than
# there are cores keeps them busy; more only contend for them (on this 2-core machine, which also
# runs PostgreSQL, 4 workers took 10% more CPU a booking than 3 and their p95 at 100 bookings a
# second was 73 against 50 ms, in alternating rounds)
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)

# the worker heartbeat touches a temporary file on every request; on a disk-backed /tmp that call
# can block a worker (gunicorn's own advice): keep it in memory where the system offers it
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
