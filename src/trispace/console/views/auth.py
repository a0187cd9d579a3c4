"""Back-office pages of accounts: staff log in with phone and password, and log out."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from trispace.accounts import services
from trispace.accounts.ratelimit import client_ip
from trispace.console.views.common import add_domain_error
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url
from trispace.network.scoping import scope_for

BACKEND = "trispace.accounts.backends.PhonePasswordBackend"


class LoginForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "tel", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request, "")
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.password_login(
                    request_ip=client_ip(request),
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if scope_for(user).is_staff:
                    auth_login(request, user, backend=BACKEND)
                    return redirect(next_url or reverse("console:home"))
                form.add_error(
                    None,
                    _("This account has no back-office role. Consumers log in on the shop."),
                )
    else:
        if request.user.is_authenticated and scope_for(request.user).is_staff:
            return redirect(next_url or reverse("console:home"))
        form = LoginForm()
    return render(request, "console/login.html", {"form": form, "next": next_url})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("console:login")


urlpatterns = [
    path("login/", login, name="login"),
    path("logout/", logout, name="logout"),
]
