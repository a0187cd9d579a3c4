"""Settings of the checkout benchmark's servers: the real settings, plus the baseline's views.

The benchmark starts its servers with ``DJANGO_SETTINGS_MODULE=trispace.config.bench.settings``
so the baseline views are mounted (``trispace.config.bench.urls``) without ever being part of
the production urlconf. ``TRISPACE_BENCH_DATABASE`` names the throwaway database the benchmark
made (the rest of the connection comes from ``DATABASE_URL`` as usual); jobs run in the request
(``immediate``) unless ``TRISPACE_JOBS`` says otherwise, so ``PaymentSucceeded``'s handler has
paid the order by the time the notification is answered and no task lands in a real queue.
"""

import os

from trispace.config.settings import *  # noqa: F403

ROOT_URLCONF = os.environ.get("TRISPACE_ROOT_URLCONF", "trispace.config.bench.urls")
_bench_database = os.environ.get("TRISPACE_BENCH_DATABASE", "")
if _bench_database:
    DATABASES["default"]["NAME"] = _bench_database  # noqa: F405
JOBS = {**JOBS, "backend": os.environ.get("TRISPACE_JOBS", "immediate")}  # noqa: F405
LOGGING = {
    **LOGGING,  # noqa: F405
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
