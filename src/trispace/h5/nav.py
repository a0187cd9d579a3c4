"""The H5 shop's tab bar and current store."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

TABS = [("h5:home", _("Home")), ("h5:products", _("Products")), ("h5:me", _("Me"))]


@dataclass(frozen=True)
class Tab:
    url: str
    label: object
    active: bool


def context(request: HttpRequest) -> dict[str, object]:
    if request.path.startswith(("/console/", "/api/")):
        return {}
    tabs = []
    for name, label in TABS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        tabs.append(Tab(url=url, label=label, active=active))
    return {"h5_tabs": tabs}
