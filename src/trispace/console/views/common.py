"""What every back-office page shares: staff-only access, pagination, domain errors on forms."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from trispace.kernel.errors import DomainError
from trispace.network.scoping import Scope, scope_for

PER_PAGE = 20


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → the login page; a consumer (or anyone without a staff role) → 403 page.

    The view receives ``request.scope`` (the user's ``Scope``).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('console:login')}?next={request.get_full_path()}")
        scope = scope_for(request.user)
        if not scope.is_staff:
            return forbidden(request)
        request.scope = scope  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(request, "console/403.html", {"message": message}, status=403)


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "console/404.html", status=404)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PER_PAGE) -> Page[Any]:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def scope_of(request: HttpRequest) -> Scope:
    return getattr(request, "scope", None) or scope_for(request.user)
