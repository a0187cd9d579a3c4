"""H5 pages: consumers log in with an SMS code (the account is created on first login)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from trispace.accounts import phones, services, sms
from trispace.accounts.ratelimit import client_ip
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url

BACKEND = "trispace.accounts.backends.PhonePasswordBackend"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "138 1234 5678"}
        ),
    )


class CodeLoginForm(PhoneForm):
    code = forms.CharField(
        label=gettext_lazy("SMS code"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


def home_url() -> str:
    try:
        return reverse("h5:home")
    except NoReverseMatch:  # the shop's home page is another module's
        return "/"


def _form_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _send_code(request: HttpRequest) -> dict[str, Any]:
    """Send a code to the posted phone; the status shown under the phone field."""
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return {"sms_error": form.errors["phone"][0]}
    try:
        row = services.sms_code_send(
            actor=request.user, phone=form.cleaned_data["phone"], request_ip=client_ip(request)
        )
    except DomainError as exc:
        return {"sms_error": exc.message}
    status: dict[str, Any] = {"sms_sent": True, "sms_masked": phones.mask(row.phone)}
    if sms.is_fake():  # development: show the code, since nothing is really sent
        status["sms_dev_code"] = sms.FakeSms.last_code_for(row.phone)
    return status


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request, "")
    status: dict[str, Any] = {}
    if request.method == "POST" and request.POST.get("action") == "send":
        status = _send_code(request)
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "h5/_sms_status.html", status)
        form = CodeLoginForm(initial={"phone": request.POST.get("phone", "")[:32]})
    elif request.method == "POST":
        form = CodeLoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.sms_login(
                    actor=request.user,
                    phone=form.cleaned_data["phone"],
                    code=form.cleaned_data["code"],
                    request_ip=client_ip(request),
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                auth_login(request, user, backend=BACKEND)
                return redirect(next_url or home_url())
    else:
        if request.user.is_authenticated:
            return redirect(next_url or home_url())
        form = CodeLoginForm()
    context = {"form": form, "next": next_url, **status}
    return render(request, "h5/login.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, _("You have logged out."))
    return redirect(home_url())


urlpatterns = [
    path("login/", login, name="login"),
    path("logout/", logout, name="logout"),
]
