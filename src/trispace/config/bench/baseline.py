"""The checkout benchmark's baseline: plain Django views, a raw cursor, the same rows written.

For every order, what the real API writes, written by hand in as few statements as SQL allows:
the order, its line, the stock reservation (operation, conditional UPDATE, move), the audit
rows, the outbox events (marked dispatched), the payment, the notification, the payment's and
the order's state changes, the balanced ledger transaction and the two cached balances, the
handler's processed-event row. The request goes through the same middleware (sessions, CSRF
exemption aside, the ``Idempotency-Key`` middleware), authenticates with the same bearer token
and verifies the notification with the same code (``notify_v3.parse``); what it leaves out is
the framework above the SQL: the ORM, django-ninja, pydantic, savepoints, the services' checks
and the outbox dispatcher.

Mounted only by the bench urlconf (``trispace.config.bench.urls``), never in production.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from trispace.kernel import ids
from trispace.kernel import time as ktime
from trispace.ledger.chart import CUSTOMER_PAYMENTS, PSP_CLEARING
from trispace.payments.adapters.base import NoticeInvalid
from trispace.payments.adapters.simulated import SimulatedAdapter
from trispace.payments.services.payments import PAYMENT_TTL

CODE_ATTEMPTS = 8
UNPAID_TIMEOUT = dt.timedelta(minutes=30)  # the default order policy
PAYMENT_SELECT = (
    "SELECT id, amount_fen, source_id, merchant_id, app_id, status FROM payments_payment"
)
_accounts: dict[str, int] = {}


def _dt(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fail(status: int, code: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": code}, status=status)


def _buyer(request: HttpRequest) -> int | None:
    """The bearer token's active user (as ``accounts.tokens.token_user``), one SELECT."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    raw = header[7:] if header.startswith("Bearer ") else ""
    if not raw.startswith("ts_"):
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.user_id FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id"
            " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
            " AND u.is_active",
            [digest, _dt(ktime.now())],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _outbox(cursor: Any, name: str, payload: dict[str, Any], now: Any) -> None:
    """An outbox event, dispatched in the same statement (the baseline has no dispatcher)."""
    cursor.execute(
        "INSERT INTO kernel_outboxevent (id, name, payload, created_at, dispatched_at,"
        " attempts, last_error) VALUES (%s, %s, %s, %s, %s, 0, '')",
        [uuid.uuid4().hex, name, _json(payload), now, now],
    )


def _audit(cursor: Any, actor_id: int | None, action: str, target: str, pk: int, now: Any) -> None:
    cursor.execute(
        "INSERT INTO kernel_auditlog (at, actor_id, action, target_type, target_id, reason, data)"
        " VALUES (%s, %s, %s, %s, %s, '', '{}')",
        [now, actor_id, action, target, str(pk)],
    )


def _state(cursor: Any, target: str, pk: int, old: str, new: str, now: Any) -> None:
    cursor.execute(
        "INSERT INTO kernel_statechange (at, target_type, target_id, from_status, to_status,"
        " actor_id, reason) VALUES (%s, %s, %s, %s, %s, NULL, '')",
        [now, target, str(pk), old, new],
    )


@csrf_exempt
@require_POST
def place(request: HttpRequest) -> JsonResponse:
    """POST {"store_id", "variant_id"}: one unit, pickup, member price, reserved at the shelf."""
    buyer_id = _buyer(request)
    if buyer_id is None:
        return _fail(401, "unauthorized")
    try:
        data = json.loads(request.body)
        store_id, variant_id = int(data["store_id"]), int(data["variant_id"])
    except (ValueError, KeyError, TypeError):
        return _fail(400, "invalid")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.price_fen, l.id, v.product_id, pr.name, v.name, v.sku, v.unit"
            " FROM catalog_variant v JOIN catalog_product pr ON pr.id = v.product_id"
            " JOIN catalog_pricelist pl ON pl.organization_id = pr.brand_id"
            " AND pl.channel = 'member'"
            " JOIN catalog_price p ON p.price_list_id = pl.id AND p.variant_id = v.id"
            " JOIN inventory_location l ON l.organization_id = %s AND l.is_default"
            " WHERE v.id = %s",
            [store_id, variant_id],
        )
        row = cursor.fetchone()
    if row is None:
        return _fail(404, "not_found")
    price, location_id, product_id, product_name, variant_name, sku, unit = row
    for attempt in range(CODE_ATTEMPTS):
        now = ktime.now()
        number = ids.order_number()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                at = _dt(now)
                cursor.execute(
                    "INSERT INTO orders_order (number, buyer_id, store_id, channel, fulfilment,"
                    " status, recipient_name, recipient_phone, region_code, address,"
                    " tracking_no, subtotal_fen, discount_fen, shipping_fen, total_fen,"
                    " refunded_fen, pickup_code, created_at, expires_at, cancel_reason,"
                    " share_token) VALUES (%s, %s, %s, 'member', 'pickup', 'pending_payment',"
                    " '', '', '', '', '', %s, 0, 0, %s, 0, %s, %s, %s, '', '') RETURNING id",
                    [
                        number,
                        buyer_id,
                        store_id,
                        price,
                        price,
                        ids.numeric_code(6),
                        at,
                        _dt(now + UNPAID_TIMEOUT),
                    ],
                )
                order_id = int(cursor.fetchone()[0])
                reference = f"order:{order_id}"
                cursor.execute(
                    "INSERT INTO inventory_stockoperation (location_id, reference, reason, lines,"
                    " actor_id, at) VALUES (%s, %s, 'reserve', %s, %s, %s)",
                    [location_id, reference, _json([[variant_id, 1]]), buyer_id, at],
                )
                cursor.execute(
                    "UPDATE inventory_stock SET reserved = reserved + 1 WHERE location_id = %s"
                    " AND variant_id = %s AND shard = 0 AND on_hand >= reserved + 1",
                    [location_id, variant_id],
                )
                if cursor.rowcount != 1:
                    raise _OutOfStock
                cursor.execute(
                    "INSERT INTO inventory_stockmove (variant_id, location_id, shard,"
                    " delta_on_hand, delta_reserved, reason, reference, note, actor_id, at)"
                    " VALUES (%s, %s, 0, 0, 1, 'reserve', %s, '', %s, %s)",
                    [variant_id, location_id, reference, buyer_id, at],
                )
                cursor.execute(
                    "INSERT INTO orders_orderline (order_id, variant_id, product_id,"
                    " product_name, variant_name, sku, unit, price_channel, unit_price_fen,"
                    " quantity, subtotal_fen, discount_fen, paid_fen, pending_quantity,"
                    " pending_fen, refunded_quantity, refunded_fen) VALUES (%s, %s, %s, %s,"
                    " %s, %s, %s, 'member', %s, 1, %s, 0, %s, 0, 0, 0, 0)",
                    [
                        order_id,
                        variant_id,
                        product_id,
                        product_name,
                        variant_name,
                        sku,
                        unit,
                        price,
                        price,
                        price,
                    ],
                )
                _audit(cursor, buyer_id, "order_place", "orders.order", order_id, at)
                _outbox(cursor, "orders.OrderPlaced", {"order_id": order_id}, at)
        except _OutOfStock:
            return _fail(409, "out_of_stock")
        except IntegrityError:  # a pickup code taken by another open order: draw again
            if attempt == CODE_ATTEMPTS - 1:
                return _fail(409, "conflict")
            continue
        return JsonResponse({"id": order_id, "number": number, "total_fen": price}, status=201)
    return _fail(409, "conflict")  # pragma: no cover - the loop returns


class _OutOfStock(Exception):
    pass


@csrf_exempt
@require_POST
def pay(request: HttpRequest, order_id: int) -> JsonResponse:
    """POST: start a simulated payment of the buyer's pending order."""
    buyer_id = _buyer(request)
    if buyer_id is None:
        return _fail(401, "unauthorized")
    now = ktime.now()
    at = _dt(now)
    adapter = SimulatedAdapter()
    out_trade_no = ids.order_number(prefix="P")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT number, total_fen, store_id FROM orders_order WHERE id = %s"
                " AND buyer_id = %s AND status = 'pending_payment'",
                [order_id, buyer_id],
            )
            row = cursor.fetchone()
            if row is None:
                return _fail(404, "not_found")
            number, total_fen, store_id = row
            cursor.execute(
                "INSERT INTO payments_payment (source_type, source_id, amount_fen, provider,"
                " status, out_trade_no, provider_txn_id, description, payer_id,"
                " organization_id, merchant_id, app_id, created_at, expires_at)"
                " VALUES ('order', %s, %s, 'simulated', 'created', %s, '', %s, %s, %s, %s,"
                " %s, %s, %s) RETURNING id",
                [
                    order_id,
                    total_fen,
                    out_trade_no,
                    number,
                    buyer_id,
                    store_id,
                    adapter.merchant_id,
                    adapter.app_id,
                    at,
                    _dt(now + PAYMENT_TTL),
                ],
            )
            payment_id = int(cursor.fetchone()[0])
            _audit(cursor, buyer_id, "payment_start", "payments.payment", payment_id, at)
    except IntegrityError:
        return _fail(409, "payment_already_open")
    return JsonResponse({"out_trade_no": out_trade_no, "amount_fen": total_fen})


def _account_ids() -> tuple[int, int]:
    """The two platform accounts a capture posts to (made by the benchmark's setup)."""
    if not _accounts:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT purpose, id FROM ledger_account WHERE owner_type = 'platform'"
                " AND owner_id = 0 AND purpose IN (%s, %s)",
                [PSP_CLEARING.purpose, CUSTOMER_PAYMENTS.purpose],
            )
            _accounts.update(dict(cursor.fetchall()))
    return _accounts[PSP_CLEARING.purpose], _accounts[CUSTOMER_PAYMENTS.purpose]


@csrf_exempt
@require_POST
def notify(request: HttpRequest) -> JsonResponse:
    """A simulated provider's signed notification: capture the payment, pay the order."""
    adapter = SimulatedAdapter()
    try:
        notice = adapter.parse_notification(request.headers, request.body)
    except NoticeInvalid:
        return JsonResponse({"code": "FAIL", "message": "invalid"}, status=400)
    clearing, customer = _account_ids()
    now = ktime.now()
    at = _dt(now)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            lock = _for_update()
            cursor.execute(
                f"{PAYMENT_SELECT} WHERE out_trade_no = %s{lock}",
                [notice.out_trade_no],
            )
            row = cursor.fetchone()
            if row is None:
                return JsonResponse({"code": "FAIL", "message": "unknown"}, status=404)
            payment_id, amount, order_id, merchant_id, app_id, status = row
            if (amount, merchant_id, app_id) != (
                notice.amount_fen,
                notice.merchant_id,
                notice.app_id,
            ):
                return JsonResponse({"code": "FAIL", "message": "mismatch"}, status=400)
            cursor.execute(
                "INSERT INTO payments_notification (provider, event_id, kind, status,"
                " out_trade_no, out_refund_no, amount_fen, payment_id, received_at, outcome,"
                " detail) VALUES ('simulated', %s, 'payment', %s, %s, '', %s, %s, %s,"
                " 'accepted', '')",
                [notice.event_id, notice.status, notice.out_trade_no, amount, payment_id, at],
            )
            if status != "created":
                return JsonResponse({"code": "SUCCESS", "message": ""})
            cursor.execute(
                "UPDATE payments_payment SET status = 'succeeded', succeeded_at = %s,"
                " provider_txn_id = %s WHERE id = %s AND status = 'created'",
                [_dt(notice.occurred_at or now), notice.provider_txn_id[:64], payment_id],
            )
            _state(cursor, "payments.payment", payment_id, "created", "succeeded", at)
            _outbox(cursor, "payments.PaymentSucceeded", {"payment_id": payment_id}, at)
            cursor.execute(
                "INSERT INTO ledger_journaltransaction (key, source_type, source_id, memo,"
                " created_at) VALUES (%s, 'payment', %s, %s, %s) RETURNING id",
                [f"payment:{payment_id}", str(payment_id), f"simulated {notice.out_trade_no}", at],
            )
            journal_id = int(cursor.fetchone()[0])
            cursor.execute(
                "INSERT INTO ledger_entry (transaction_id, account_id, debit_fen, credit_fen)"
                " VALUES (%s, %s, %s, 0), (%s, %s, 0, %s)",
                [journal_id, clearing, amount, journal_id, customer, amount],
            )
            cursor.execute(
                "UPDATE ledger_account SET balance_fen = balance_fen + CASE WHEN id = %s"
                " THEN %s ELSE %s END WHERE id IN (%s, %s)",
                [clearing, amount, -amount, clearing, customer],
            )
            _audit(cursor, None, "payment_succeeded", "payments.payment", payment_id, at)
            # The order's side (a handler of PaymentSucceeded in the real thing).
            cursor.execute(
                "INSERT INTO kernel_processedevent (handler, event_id, processed_at)"
                " VALUES ('bench.baseline.notify', %s, %s)",
                [uuid.uuid4().hex, at],
            )
            cursor.execute(
                "UPDATE orders_order SET status = 'paid', paid_at = %s, payment_id = %s,"
                " expires_at = NULL WHERE id = %s AND status = 'pending_payment'"
                " AND total_fen = %s",
                [at, payment_id, order_id, amount],
            )
            if cursor.rowcount == 1:
                _state(cursor, "orders.order", order_id, "pending_payment", "paid", at)
                _outbox(cursor, "orders.OrderPaid", {"order_id": order_id}, at)
                _audit(cursor, None, "order_paid", "orders.order", order_id, at)
    except IntegrityError:  # the same notification again
        return JsonResponse({"code": "SUCCESS", "message": ""})
    return JsonResponse({"code": "SUCCESS", "message": ""})
