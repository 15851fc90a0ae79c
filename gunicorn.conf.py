"""Gunicorn settings for production and the benchmarks (gunicorn reads this file from the working
directory by itself; the command line and ``WEB_CONCURRENCY`` still win)."""

import os

# a sync worker waits on the database for about a third of a request, so one worker more than
# there are cores keeps them busy, also where PostgreSQL shares the cores: on this 2-core machine,
# since a booking is one round trip of writes, 3 workers against 2 at 100 bookings a second took
# the same CPU a booking and had a p95 of 69 against 108 ms (medians of eight and four alternating
# rounds, in a slow spell); 4 did no better than 3
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)

# the worker heartbeat touches a temporary file on every request; on a disk-backed /tmp that call
# can block a worker (gunicorn's own advice): keep it in memory where the system offers it
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
