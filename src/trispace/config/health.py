"""``/healthz``: is the database reachable, does the jobs backend answer."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from trispace.kernel import jobs


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database: dict[str, object] = {"vendor": connection.vendor}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database["ok"] = True
    except Exception as exc:
        database.update(ok=False, error=type(exc).__name__)
    job_state = jobs.health()
    ok = bool(database["ok"]) and bool(job_state["ok"])
    return JsonResponse(
        {"ok": ok, "database": database, "jobs": job_state}, status=200 if ok else 503
    )
