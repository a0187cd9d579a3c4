"""Property: any sequence of receive, reserve, release, commit, stocktake and split keeps every
shard within 0 ≤ reserved ≤ on_hand, keeps the moves summing to the stock, and agrees with a
plain model of what each call should do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trispace.inventory import services
from trispace.inventory.tests.conftest import assert_books_balance, totals
from trispace.kernel.errors import DomainError

pytestmark = pytest.mark.django_db

VARIANTS = 2
qty = st.integers(min_value=1, max_value=6)
variant_index = st.integers(min_value=0, max_value=VARIANTS - 1)
ref_index = st.integers(min_value=0, max_value=7)
lines = st.lists(st.tuples(variant_index, qty), min_size=1, max_size=3)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), variant_index, st.integers(1, 12)),
        st.tuples(st.just("reserve"), ref_index, lines),
        st.tuples(st.just("release"), ref_index),
        st.tuples(st.just("release_part"), ref_index, st.integers(0, 2), lines),
        st.tuples(st.just("commit"), ref_index),
        st.tuples(st.just("adjust"), variant_index, st.integers(0, 20)),
        st.tuples(st.just("split"), variant_index, st.integers(1, 5)),
    ),
    max_size=30,
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from the same database: everything it wrote is undone after it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class Model:
    """What the books should say, kept without a database."""

    def __init__(self) -> None:
        self.on_hand = [0] * VARIANTS
        self.reserved = [0] * VARIANTS
        self.lines: dict[int, dict[int, int]] = {}  # reference → {variant: quantity} reserved
        self.held: dict[int, dict[int, int]] = {}
        self.done: set[tuple[int, str]] = set()
        self.parts: dict[tuple[int, int], dict[int, int]] = {}  # (reference, part) → lines

    def available(self, v: int) -> int:
        return self.on_hand[v] - self.reserved[v]


def merged(raw: list[tuple[int, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for v, q in raw:
        out[v] = out.get(v, 0) + q
    return out


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_keeps_the_books(shelf, variant, variant2, ops):
    variants = [variant, variant2]
    with rolled_back():
        model = Model()
        for op in ops:
            step(model, shelf, variants, op)
            for v, obj in enumerate(variants):
                assert totals(shelf, obj) == (model.on_hand[v], model.reserved[v]), op
        assert_books_balance()


def step(model: Model, shelf, variants, op) -> None:
    kind = op[0]
    if kind == "receive":
        _, v, q = op
        services.receive(actor=None, location=shelf, variant=variants[v], quantity=q)
        model.on_hand[v] += q
    elif kind == "reserve":
        _, ref, raw = op
        want = merged(raw)
        call = [(variants[v].pk, q) for v, q in raw]
        reference = f"order:{ref}"
        if (ref, "reserve") in model.done:
            if want == model.lines[ref]:
                services.reserve(actor=None, location=shelf, lines=call, reference=reference)
            else:
                with pytest.raises(DomainError, match="reference_reused"):
                    services.reserve(actor=None, location=shelf, lines=call, reference=reference)
            return
        if all(model.available(v) >= q for v, q in want.items()):
            services.reserve(actor=None, location=shelf, lines=call, reference=reference)
            model.done.add((ref, "reserve"))
            model.lines[ref] = want
            model.held[ref] = dict(want)
            for v, q in want.items():
                model.reserved[v] += q
        else:
            with pytest.raises(DomainError, match="out_of_stock"):
                services.reserve(actor=None, location=shelf, lines=call, reference=reference)
    elif kind in ("release", "commit"):
        _, ref = op
        if ref not in model.lines:
            return
        call = [(variants[v].pk, q) for v, q in model.lines[ref].items()]
        fn = services.release if kind == "release" else services.commit
        if (ref, kind) in model.done:
            fn(actor=None, location=shelf, lines=call, reference=f"order:{ref}")
            return
        held = model.held[ref]
        if kind == "commit" and any(held[v] < q for v, q in model.lines[ref].items()):
            with pytest.raises(DomainError, match="not_reserved"):
                fn(actor=None, location=shelf, lines=call, reference=f"order:{ref}")
            return
        fn(actor=None, location=shelf, lines=call, reference=f"order:{ref}")
        model.done.add((ref, kind))
        for v in list(held):
            model.reserved[v] -= held[v]
            if kind == "commit":
                model.on_hand[v] -= held[v]
            held[v] = 0
    elif kind == "release_part":
        _, ref, part, raw = op
        want = merged(raw)
        call = [(variants[v].pk, q) for v, q in raw]
        kwargs = {"reference": f"order:{ref}", "key": f"order:{ref}:part:{part}"}
        if (ref, part) in model.parts:
            if want == model.parts[(ref, part)]:
                services.release(actor=None, location=shelf, lines=call, **kwargs)
            else:
                with pytest.raises(DomainError, match="reference_reused"):
                    services.release(actor=None, location=shelf, lines=call, **kwargs)
            return
        services.release(actor=None, location=shelf, lines=call, **kwargs)
        model.parts[(ref, part)] = want
        held = model.held.get(ref, {})
        for v, q in want.items():
            back = min(held.get(v, 0), q)
            if back:
                held[v] -= back
                model.reserved[v] -= back
    elif kind == "adjust":
        _, v, counted = op
        if counted < model.reserved[v]:
            with pytest.raises(DomainError, match="stock_below_reserved"):
                services.adjust(
                    actor=None, location=shelf, variant=variants[v], counted=counted, reason=""
                )
            return
        services.adjust(actor=None, location=shelf, variant=variants[v], counted=counted, reason="")
        model.on_hand[v] = counted
    elif kind == "split":
        _, v, n = op
        services.split(actor=None, location=shelf, variant=variants[v], shards=n)
