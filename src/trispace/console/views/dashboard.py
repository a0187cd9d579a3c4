"""The back-office home: who you are and where to start."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from trispace.console.views.common import scope_of, staff_required


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    return render(request, "console/home.html", {"scope": scope})


urlpatterns = [path("", home, name="home")]
