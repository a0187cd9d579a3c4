"""HTTP helpers shared by every layer of pages (back office, H5 shop and workbench)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter (posted, else in the query) when it points back into this site.

    Anything else — missing, another host, ``javascript:``, plain http behind https — gives
    ``default``, so a link can never send the user off-site after a login or a form.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
