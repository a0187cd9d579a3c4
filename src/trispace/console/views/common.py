"""What every back-office page shares: staff-only access, pagination, domain errors on forms
and pages, and the "valid form → service → message and redirect" step of a form page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from trispace.kernel.errors import DomainError
from trispace.network.scoping import Scope, scope_for

PER_PAGE = 20

T = TypeVar("T")


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


def refusal_page(request: HttpRequest, error: DomainError) -> HttpResponse | None:
    """The page for a refusal that is not about the input: 404 or 403, else None."""
    if error.status == 404:
        return not_found(request)
    if error.status == 403:
        return forbidden(request, error.message)
    return None


def refuse_back(request: HttpRequest, error: DomainError, default_url: str) -> HttpResponse:
    """A refusal of a button (no form to show it on): 404, 403, or the message and back.

    "Back" is the page the request came from, else ``default_url``.
    """
    page = refusal_page(request, error)
    if page is not None:
        return page
    messages.error(request, error.message)
    referer = request.META.get("HTTP_REFERER", "")
    on_site = referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(referer if on_site else default_url)


def submit(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str],
    redirect_to: str | Callable[[T], str],
) -> HttpResponse | None:
    """Run a form page's service call when the form was posted and is valid.

    ``call`` gets the cleaned data and returns the service's result. Done → the ``success``
    message and a redirect to ``redirect_to`` (either may be computed from the result). Refused
    with 404 or 403 → that page. Otherwise None: nothing was posted, the form is not valid, or
    the refusal is now on the form, which the caller renders again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except DomainError as error:
        page = refusal_page(request, error)
        if page is None:
            add_domain_error(form, error)
        return page
    messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def scope_of(request: HttpRequest) -> Scope:
    return getattr(request, "scope", None) or scope_for(request.user)
