"""gunicorn as production runs it: `gunicorn -c gunicorn.conf.py dpa_portal.wsgi`, behind a
proxy that keeps its upstream connections open. bench/pages.py serves its 32-client phase with
this file, so the benchmark measures this configuration. The variants tried and their figures:
docs/adr/0005-long-lists-in-pages.md ("Serving", December 2, 2026)."""

import os

# One process per core (the GIL lets one process run Python on one core at a time), threads to
# overlap the waits for PostgreSQL and Redis. Tried on two cores, interleaved: 2 x 1 and 2 x 2
# threads served the API list slower than 2 x 8; 4 x 1-2 threads and 3-6 single-threaded sync
# processes were no faster over repeated runs (6 clearly slower), with sessions in Redis as here.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
worker_class = "gthread"
threads = 8
# The proxy's connections stay open between calls, so each call skips a TCP handshake.
keepalive = 5
timeout = 30
graceful_timeout = 30
# Python's thread switch interval stays at its 5 ms default: 0.5 ms and 1 ms (set per worker in
# post_fork) served no faster (a shorter interval hands the GIL over more often, which costs as
# much as the wait it saves).
