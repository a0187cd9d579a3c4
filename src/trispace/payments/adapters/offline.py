"""Offline payments (线下支付): cash at the counter or a bank transfer, confirmed by staff.

Nothing is sent anywhere: ``start`` returns instructions, staff confirm the money arrived with
``payment_confirm_offline``, and a refund is paid back by hand (it succeeds at once here).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from trispace.kernel.money import format_fen
from trispace.payments.adapters.base import Notice, NoticeInvalid, RefundResult, StartResult
from trispace.payments.models import Payment, Refund


class OfflineAdapter:
    name = "offline"
    merchant_id = ""
    app_id = ""

    def is_configured(self) -> bool:
        return True

    def start(self, payment: Payment, *, payer_openid: str = "") -> StartResult:
        text = _("Pay %(amount)s at the store or by transfer, quoting %(number)s.") % {
            "amount": format_fen(payment.amount_fen),
            "number": payment.out_trade_no,
        }
        return StartResult(action="instructions", instructions=text)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notice:
        raise NoticeInvalid("offline payments are confirmed by staff, not notified")

    def refund(self, refund: Refund) -> RefundResult:
        return RefundResult(status="succeeded", provider_refund_id="")

    def close(self, payment: Payment) -> None:
        return None
