"""The one verification module shared by WeChat Pay and the simulated cashier (no database)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from trispace.kernel import time as ktime
from trispace.payments.adapters import notify_v3
from trispace.payments.adapters.base import NoticeInvalid

NOW = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def keys() -> notify_v3.SigningKeys:
    return notify_v3.generate_signing_keys()


@pytest.fixture(scope="module")
def other_keys() -> notify_v3.SigningKeys:
    return notify_v3.generate_signing_keys()


def payment_resource(**overrides: object) -> dict[str, object]:
    resource = notify_v3.transaction_resource(
        app_id="wxd678efh567hg6787",
        merchant_id="1230000109",
        out_trade_no="P2603011200000000000000ABCD",
        transaction_id="4200000000202603010000000001",
        amount_fen=1999,
        success_time=NOW,
    )
    resource.update(overrides)
    return resource


def signed(
    keys: notify_v3.SigningKeys, *, at: dt.datetime = NOW, **overrides: object
) -> tuple[dict[str, str], bytes]:
    return notify_v3.build(
        keys=keys,
        event_type="TRANSACTION.SUCCESS",
        resource=payment_resource(**overrides),
        event_id="EV-2018022511223320873",
        at=at,
    )


def parse(headers: dict[str, str], body: bytes, keys: notify_v3.SigningKeys) -> object:
    with ktime.freeze(NOW):
        return notify_v3.parse(headers, body, keys.platform_keys())


def reason(headers: dict[str, str], body: bytes, keys: notify_v3.SigningKeys) -> str:
    with pytest.raises(NoticeInvalid) as info:
        parse(headers, body, keys)
    return info.value.reason


def test_a_genuine_payment_notification_reads_as_a_notice(keys):
    headers, body = signed(keys)
    notice = parse(headers, body, keys)
    assert notice.event_id == "EV-2018022511223320873"
    assert notice.kind == "payment"
    assert notice.status == "SUCCESS"
    assert notice.out_trade_no == "P2603011200000000000000ABCD"
    assert notice.provider_txn_id == "4200000000202603010000000001"
    assert notice.amount_fen == 1999
    assert notice.app_id == "wxd678efh567hg6787"
    assert notice.merchant_id == "1230000109"
    assert notice.occurred_at == NOW


def test_the_envelope_is_shaped_like_wechat_pay_v3(keys):
    headers, body = signed(keys)
    envelope = json.loads(body)
    assert envelope["resource_type"] == "encrypt-resource"
    assert envelope["resource"]["algorithm"] == "AEAD_AES_256_GCM"
    assert envelope["resource"]["original_type"] == "transaction"
    assert "1999" not in envelope["resource"]["ciphertext"]
    assert set(headers) >= {
        "Wechatpay-Timestamp",
        "Wechatpay-Nonce",
        "Wechatpay-Signature",
        "Wechatpay-Serial",
        "Wechatpay-Signature-Type",
    }
    assert headers["Wechatpay-Timestamp"] == str(int(NOW.timestamp()))


def test_header_names_are_folded_like_django_meta(keys):
    headers, body = signed(keys)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    assert parse(meta, body, keys).amount_fen == 1999
    lower = {k.lower(): v for k, v in headers.items()}
    assert parse(lower, body, keys).amount_fen == 1999


def test_a_tampered_body_does_not_verify(keys):
    headers, body = signed(keys)
    tampered = body.replace(b'"summary":"', b'"summary":"x')
    assert reason(headers, tampered, keys) == "signature does not verify"


def test_a_notification_signed_with_another_key_does_not_verify(keys, other_keys):
    forged = notify_v3.SigningKeys(other_keys.private_key, keys.serial, keys.apiv3_key)
    headers, body = signed(forged)
    assert reason(headers, body, keys) == "signature does not verify"


def test_a_resource_encrypted_with_another_apiv3_key_does_not_decrypt(keys, other_keys):
    wrong = notify_v3.SigningKeys(keys.private_key, keys.serial, other_keys.apiv3_key)
    headers, body = signed(wrong)
    assert reason(headers, body, keys) == "resource does not decrypt"


def test_an_unknown_serial_is_refused(keys):
    headers, body = signed(keys)
    headers["Wechatpay-Serial"] = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    assert reason(headers, body, keys) == "unknown platform key serial"


def test_the_serial_matches_whatever_its_case(keys):
    headers, body = signed(keys)
    headers["Wechatpay-Serial"] = keys.serial.lower()
    assert parse(headers, body, keys).amount_fen == 1999


@pytest.mark.parametrize("skew", [dt.timedelta(minutes=5, seconds=1), -dt.timedelta(minutes=6)])
def test_a_stale_or_future_timestamp_is_refused(keys, skew):
    headers, body = signed(keys, at=NOW - skew)
    assert reason(headers, body, keys) == "timestamp not within 5 minutes"


def test_five_minutes_old_is_still_fresh(keys):
    headers, body = signed(keys, at=NOW - dt.timedelta(minutes=5))
    assert parse(headers, body, keys).amount_fen == 1999


@pytest.mark.parametrize(
    ("header", "value", "why"),
    [
        ("Wechatpay-Signature", "", "signature headers missing"),
        ("Wechatpay-Nonce", "", "signature headers missing"),
        ("Wechatpay-Timestamp", "12ab", "timestamp malformed"),
        ("Wechatpay-Timestamp", "9" * 40, "timestamp malformed"),
        ("Wechatpay-Signature", "%%%not-base64", "signature malformed"),
        ("Wechatpay-Signature-Type", "WECHATPAY2-SM2-WITH-SM3", "unsupported signature type"),
    ],
)
def test_broken_headers_are_refused(keys, header, value, why):
    headers, body = signed(keys)
    headers[header] = value
    assert reason(headers, body, keys) == why


def _resign(keys: notify_v3.SigningKeys, body: str) -> tuple[dict[str, str], bytes]:
    """A correctly signed notification around any body (to test what comes after the signature)."""
    timestamp = str(int(NOW.timestamp()))
    headers = {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": "N" * 32,
        "Wechatpay-Signature": notify_v3.sign(keys.private_key, timestamp, "N" * 32, body),
        "Wechatpay-Serial": keys.serial,
    }
    return headers, body.encode()


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("not json", "body is not JSON"),
        ("[1, 2]", "body is not a JSON object"),
        ('{"resource_type": "plain"}', "resource is not encrypted"),
        ('{"resource_type": "encrypt-resource"}', "resource missing"),
        (
            '{"resource_type": "encrypt-resource", "resource": {"algorithm": "SM4"}}',
            "unsupported resource algorithm",
        ),
        (
            '{"resource_type": "encrypt-resource", "resource": {"algorithm": "AEAD_AES_256_GCM",'
            ' "nonce": "abcdefabcdef", "ciphertext": "!!"}}',
            "resource does not decrypt",
        ),
    ],
)
def test_well_signed_nonsense_is_refused(keys, body, why):
    headers, raw = _resign(keys, body)
    assert reason(headers, raw, keys) == why


def test_a_body_that_is_not_utf8_is_refused(keys):
    headers, _ = signed(keys)
    assert reason(headers, b"\xff\xfe", keys) == "body is not UTF-8"


def test_a_huge_body_is_refused_before_any_work(keys):
    headers, _ = signed(keys)
    assert reason(headers, b"x" * (notify_v3.MAX_BODY_BYTES + 1), keys) == "body too large"


def _encrypted(keys: notify_v3.SigningKeys, resource: dict[str, object], event_type: str) -> str:
    envelope = {
        "id": "EV-1",
        "create_time": NOW.isoformat(),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "resource": notify_v3.encrypt_resource(
            resource, keys.apiv3_key, original_type="transaction", associated_data="transaction"
        ),
    }
    return json.dumps(envelope)


@pytest.mark.parametrize(
    ("resource", "event_type", "why"),
    [
        (payment_resource(), "SOMETHING.ELSE", "unknown event type"),
        (payment_resource(amount="lots"), "TRANSACTION.SUCCESS", "amount missing"),
        (
            payment_resource(amount={"total": "1999"}),
            "TRANSACTION.SUCCESS",
            "amount total malformed",
        ),
        (payment_resource(amount={"total": -1}), "TRANSACTION.SUCCESS", "amount total malformed"),
        (payment_resource(amount={"total": True}), "TRANSACTION.SUCCESS", "amount total malformed"),
        (payment_resource(out_trade_no=""), "TRANSACTION.SUCCESS", "out_trade_no missing"),
        (payment_resource(out_trade_no=7), "TRANSACTION.SUCCESS", "out_trade_no malformed"),
        (payment_resource(mchid="x" * 200), "TRANSACTION.SUCCESS", "mchid malformed"),
        (payment_resource(out_trade_no="P\x00"), "TRANSACTION.SUCCESS", "out_trade_no malformed"),
    ],
)
def test_a_resource_that_does_not_read_as_a_notice_is_refused(keys, resource, event_type, why):
    headers, raw = _resign(keys, _encrypted(keys, resource, event_type))
    assert reason(headers, raw, keys) == why


def test_a_refund_notification_reads_as_a_refund_notice(keys):
    resource = notify_v3.refund_resource(
        merchant_id="1230000109",
        out_trade_no="P1",
        transaction_id="4200000000202603010000000001",
        out_refund_no="R1",
        refund_id="50000000382019052709732678859",
        refund_fen=500,
        total_fen=1999,
        success_time=NOW,
    )
    headers, body = notify_v3.build(
        keys=keys, event_type="REFUND.SUCCESS", resource=resource, event_id="EV-R1", at=NOW
    )
    notice = parse(headers, body, keys)
    assert (notice.kind, notice.status, notice.amount_fen, notice.total_fen) == (
        "refund",
        "SUCCESS",
        500,
        1999,
    )
    assert (notice.out_refund_no, notice.provider_refund_id, notice.app_id) == (
        "R1",
        "50000000382019052709732678859",
        "",
    )


def test_the_signature_covers_timestamp_nonce_and_body(keys):
    headers, body = signed(keys)
    message = f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n{body.decode()}\n"
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    keys.private_key.public_key().verify(
        base64.b64decode(headers["Wechatpay-Signature"]),
        message.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
