"""The base of every published event (the dataclasses themselves live in ``contracts``).

Events are named in the past tense (``OrderPaid``), carry ids and plain values only (no model
instances), and round-trip through JSON for the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any, ClassVar, TypeVar

E = TypeVar("E", bound="Event")

_registry: dict[str, type[Event]] = {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    name: ClassVar[str] = ""
    event_id: uuid.UUID | None = dataclasses.field(default=None, compare=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__
        _registry[cls.name] = cls

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            if field.name == "event_id":
                continue
            payload[field.name] = _encode(getattr(self, field.name))
        return payload

    @classmethod
    def from_payload(cls: type[E], payload: dict[str, Any], event_id: uuid.UUID | None = None) -> E:
        kwargs: dict[str, Any] = {}
        hints = {f.name: f.type for f in dataclasses.fields(cls)}
        for key, value in payload.items():
            if key not in hints:
                continue  # a field removed since the event was stored
            kwargs[key] = _decode(value, str(hints[key]))
        return cls(event_id=event_id, **kwargs)


def event_class(name: str) -> type[Event]:
    return _registry[name]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if "datetime" in type_name and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if "date" in type_name and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if "UUID" in type_name and isinstance(value, str):
        return uuid.UUID(value)
    if "tuple" in type_name and isinstance(value, list):
        return tuple(value)
    return value
