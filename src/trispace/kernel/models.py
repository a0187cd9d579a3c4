"""Kernel tables: the audit trail, state changes, the outbox and HTTP idempotency records."""

from __future__ import annotations

import uuid

from django.db import models


class AuditLog(models.Model):
    """One row per use case that changed something: who did what to which object, and why."""

    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class StateChange(models.Model):
    """One row per status transition (django-oscar's OrderStatusChange, for every stateful table)."""

    at = models.DateTimeField()
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    from_status = models.CharField(max_length=32)
    to_status = models.CharField(max_length=32)
    actor_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id}: {self.from_status} → {self.to_status}"


class OutboxEvent(models.Model):
    """An event published inside the transaction that caused it; dispatched after commit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class ProcessedEvent(models.Model):
    """A handler's record that it has processed an event: redelivery is then harmless."""

    handler = models.CharField(max_length=200)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["handler", "event_id"], name="processed_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} {self.event_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for the same request."""

    scope = models.CharField(max_length=150)  # the caller: user id or session, + method + path
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    completed = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
