"""What the H5 order and workbench pages share: logging in first, refusal pages, next URLs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trispace.h5.views.shop import page
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url


def login_url(next_url: str) -> str:
    return f"{reverse('h5:login')}?{urlencode({'next': next_url})}"


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous shoppers go to the H5 login page and come back here afterwards (a POST comes
    back to the page it was posted from)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.method == "GET":
                back = request.get_full_path()
            else:
                back = safe_next_url(request, reverse("h5:home"))
            return redirect(login_url(back))
        return view(request, *args, **kwargs)

    return wrapper


def refused(request: HttpRequest, message: Any, status: int, *, title: Any = None) -> HttpResponse:
    """A page that says why the request was refused (not found, not allowed)."""
    return page(
        request,
        "h5/orders/refused.html",
        {
            "title": title or (_("Not found") if status == 404 else _("Not allowed")),
            "message": message,
        },
        status=status,
    )


def not_found(request: HttpRequest) -> HttpResponse:
    return refused(request, _("This does not exist, or it is not yours to see."), 404)


def forbidden(request: HttpRequest, message: Any = None) -> HttpResponse:
    return refused(request, message or _("You are not allowed to do this."), 403)


def refusal_page(request: HttpRequest, error: DomainError) -> HttpResponse | None:
    """The page for a refusal that is not about the input (404, 403), else None."""
    if error.status == 404 and error.field in (None, ""):
        return not_found(request)
    if error.status == 403:
        return forbidden(request, error.message)
    return None


def form_error(form: Any, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top."""
    field = (aliases or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)
