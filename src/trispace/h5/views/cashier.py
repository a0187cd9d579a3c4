"""H5 pages: the simulated cashier (模拟收银台) at /pay/<out_trade_no>/.

It stands in for WeChat's payment sheet in the demo: it shows what is being paid and a "Pay"
button. Pressing it makes the server send the payment a signed WeChat Pay v3 style notification
(``payments.services.payment_simulate_pay``), then returns to ``next``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trispace.h5.views.shop import page
from trispace.kernel.errors import DomainError
from trispace.kernel.http import safe_next_url
from trispace.kernel.money import format_fen
from trispace.payments import selectors, services
from trispace.payments.models import Provider
from trispace.payments.services.simulated import may_pay
from trispace.payments.states import PaymentStatus


@require_http_methods(["GET", "POST"])
def cashier(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    payment = selectors.payment_by_number(out_trade_no)
    actor = request.user  # anonymous or not: never None, which would be the system
    if payment is None or payment.provider != Provider.SIMULATED or not may_pay(actor, payment):
        return page(request, "h5/cashier.html", {"payment": None}, status=404)
    here = reverse("h5:cashier", args=[payment.out_trade_no])
    next_url = safe_next_url(request, default=here)
    if request.method == "POST":
        if payment.status != PaymentStatus.SUCCEEDED:
            try:
                services.payment_simulate_pay(actor=actor, payment=payment)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(here)
            messages.success(
                request, _("Paid %(amount)s.") % {"amount": format_fen(payment.amount_fen)}
            )
        return redirect(next_url)
    return page(
        request,
        "h5/cashier.html",
        {
            "payment": payment,
            "amount": format_fen(payment.amount_fen),
            "payable": payment.status == PaymentStatus.CREATED,
            "next": next_url if next_url != here else "",
        },
    )


urlpatterns = [path("pay/<str:out_trade_no>/", cashier, name="cashier")]
