"""Use cases of a payment: start it, confirm an offline one, close an unpaid one."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from trispace.kernel import audit, ids
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.transitions import transition
from trispace.network.models import Organization, Role
from trispace.network.scoping import actor_scope
from trispace.payments import errors
from trispace.payments.adapters import get_adapter
from trispace.payments.adapters.base import ProviderError, StartResult
from trispace.payments.models import Payment, Provider
from trispace.payments.services._common import capture, check_amount, clean_text
from trispace.payments.states import PAYMENT_STATES, PaymentStatus

log = logging.getLogger("trispace.payments")

# How long a payment waits for the payer before ``payment_close`` may close it.
PAYMENT_TTL = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class PaymentStarted:
    payment: Payment
    next: StartResult  # what the payer does next (cashier page, wx.requestPayment, instructions)


def _clean_source(source_type: Any, source_id: Any) -> tuple[str, int]:
    if not isinstance(source_type, str) or not 0 < len(source_type) <= 40:
        raise errors.SOURCE_INVALID(field="source_type")
    if isinstance(source_id, bool) or not isinstance(source_id, int) or source_id < 0:
        raise errors.SOURCE_INVALID(field="source_id")
    return source_type, source_id


def payment_start(
    *,
    actor: Any,
    source_type: str,
    source_id: int,
    amount_fen: int,
    provider: str,
    description: str,
    organization: Organization | None = None,
    payer_openid: str = "",
) -> PaymentStarted:
    """Start collecting ``amount_fen`` for ``(source_type, source_id)`` through ``provider``.

    The actor is the payer. ``organization`` receives the money (its staff may see the payment
    and confirm it when offline). A source has one open payment at a time: starting again with
    the same amount and provider returns that one (a double tap pays once); with another amount
    or provider it is ``PAYMENT_ALREADY_OPEN`` until the open one is closed.
    """
    adapter = get_adapter(provider)
    source_type, source_id = _clean_source(source_type, source_id)
    check_amount(amount_fen)
    try:
        description = clean_text(description, field="description", max_length=127, required=True)
    except DomainError:
        raise errors.DESCRIPTION_INVALID(field="description") from None
    payer_openid = clean_text(payer_openid, field="payer_openid", max_length=128, strict=True)
    if not adapter.is_configured():
        raise errors.PROVIDER_NOT_CONFIGURED(field="provider")
    if getattr(adapter, "needs_openid", False) and not payer_openid:
        raise errors.INVALID(field="payer_openid")
    payer_id = getattr(actor, "pk", None) if actor is not None else None

    def open_payment() -> Payment | None:
        found: Payment | None = (
            Payment.objects.select_for_update()
            .filter(source_type=source_type, source_id=source_id, status=PaymentStatus.CREATED)
            .first()
        )
        if found is not None and (found.amount_fen, found.provider) != (amount_fen, provider):
            raise errors.PAYMENT_ALREADY_OPEN(field="source_id")
        return found

    with transaction.atomic():
        payment = open_payment()
        if payment is None:
            now = ktime.now()
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        source_type=source_type,
                        source_id=source_id,
                        amount_fen=amount_fen,
                        provider=provider,
                        out_trade_no=ids.order_number(prefix="P"),
                        description=description,
                        payer_id=payer_id,
                        organization=organization,
                        merchant_id=adapter.merchant_id,
                        app_id=adapter.app_id,
                        created_at=now,
                        expires_at=now + PAYMENT_TTL,
                    )
            except IntegrityError:  # another request opened one for this source just now
                payment = open_payment()
                if payment is None:
                    raise errors.CONFLICT() from None
            else:
                audit.record(
                    actor=actor,
                    action="payment_start",
                    target=payment,
                    data={
                        "provider": provider,
                        "amount_fen": amount_fen,
                        "source": f"{source_type}:{source_id}",
                    },
                )
    try:
        started = adapter.start(payment, payer_openid=payer_openid)
    except ProviderError as exc:
        log.warning("starting %s at %s failed: %s", payment.out_trade_no, provider, exc)
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == PaymentStatus.CREATED:
                transition(
                    locked,
                    machine=PAYMENT_STATES,
                    to=PaymentStatus.FAILED,
                    actor=actor,
                    reason=str(exc)[:255],
                )
        raise errors.PROVIDER_UNAVAILABLE() from exc
    return PaymentStarted(payment=payment, next=started)


def can_confirm_offline(actor: Any, organization: Organization) -> bool:
    """Brand admins, the dealer admins above ``organization`` and its store owners."""
    scope = actor_scope(actor)
    if scope.can_manage(organization):
        return True
    return any(g.organization_id == organization.pk for g in scope.grants_for(Role.STORE_OWNER))


def payment_confirm_offline(
    *,
    actor: Any,
    payment: Payment,
    reference: str,
    organization: Organization | None = None,
) -> Payment:
    """Staff confirm that an offline payment's money arrived (cash at the counter, a transfer).

    ``organization`` is who received the money (the payment's source is opaque here): its brand
    admins, dealer admins above it and, for a store, its owners may confirm. When the payment
    names its organization, that one decides and another given one is refused. ``reference``
    is the receipt or transfer number. Confirming a confirmed payment changes nothing.
    """
    org = organization if organization is not None else payment.organization
    if org is None:
        scope = actor_scope(actor)
        if not scope.is_brand_admin:
            raise errors.PERMISSION_DENIED()
    else:
        if payment.organization_id is not None and org.pk != payment.organization_id:
            raise errors.PERMISSION_DENIED()
        if not can_confirm_offline(actor, org):
            raise errors.PERMISSION_DENIED()
    if payment.provider != Provider.OFFLINE:
        raise errors.PAYMENT_NOT_OFFLINE()
    reference = clean_text(reference, field="reference", max_length=64)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == PaymentStatus.SUCCEEDED:
            return locked
        capture(
            locked,
            actor=actor,
            provider_txn_id=reference,
            at=ktime.now(),
            reason="confirmed offline",
        )
        audit.record(
            actor=actor,
            action="payment_confirm_offline",
            target=locked,
            reason=reference,
            data={"amount_fen": locked.amount_fen, "organization_id": org.pk if org else None},
        )
    return locked


def payment_close(*, actor: Any, payment: Payment, reason: str = "unpaid timeout") -> Payment:
    """Close an unpaid payment (the payer gave up, or it timed out); closed stays closed.

    A paid payment cannot be closed (``TRANSITION_NOT_ALLOWED``: refund it instead). The
    provider is told after commit, best effort; a capture that still arrives is recorded.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == PaymentStatus.CLOSED:
            return locked
        transition(
            locked,
            machine=PAYMENT_STATES,
            to=PaymentStatus.CLOSED,
            actor=actor,
            reason=reason,
            updates={"closed_at": ktime.now()},
        )
        audit.record(actor=actor, action="payment_close", target=locked, reason=reason)
        adapter = get_adapter(locked.provider)
        transaction.on_commit(lambda: adapter.close(locked))
    return locked
