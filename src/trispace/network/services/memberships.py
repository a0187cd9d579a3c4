"""Use cases of people's roles in the network: grant, revoke, a consumer's store.

Users belong to ``accounts``, which sits in the same layer: they are reached only through
``get_user_model()``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from trispace.contracts.network import MembershipGranted, MembershipRevoked
from trispace.kernel import audit, outbox
from trispace.network import errors, validators
from trispace.network.models import (
    ROLE_ORG_KIND,
    SALES_RANK_ORDER,
    Membership,
    Organization,
    OrgKind,
    Role,
    SalesRank,
)
from trispace.network.scoping import Scope, actor_scope, forget_scope
from trispace.network.services._guards import is_superuser, require, require_visible
from trispace.network.states import OrgStatus


def _check_role(organization: Organization, role: str) -> None:
    if role not in Role.values:
        raise errors.ROLE_INVALID(field="role")
    kind = ROLE_ORG_KIND[Role(role)]
    fits = organization.kind != OrgKind.STORE if kind is None else organization.kind == kind
    if not fits:
        raise errors.ROLE_INVALID(field="role")


def _check_sales(
    *,
    user: Any,
    organization: Organization,
    role: str,
    sales_rank: str,
    manager: Membership | None,
    existing: Membership | None,
) -> str:
    """Validate the salesperson fields; returns the rank to store."""
    if role != Role.SALESPERSON:
        if sales_rank:
            raise errors.ROLE_INVALID(field="sales_rank")
        if manager is not None:
            raise errors.MANAGER_INVALID(field="manager")
        return ""
    rank = sales_rank or SalesRank.SALESPERSON
    if rank not in SalesRank.values:
        raise errors.ROLE_INVALID(field="sales_rank")
    if manager is not None:
        manager = Membership.objects.select_related("organization").get(pk=manager.pk)
        if (
            not manager.is_active
            or manager.role != Role.SALESPERSON
            or manager.user_id == getattr(user, "pk", None)
            or not organization.path.startswith(manager.organization.path)
            or SALES_RANK_ORDER[SalesRank(manager.sales_rank or SalesRank.SALESPERSON)]
            <= SALES_RANK_ORDER[SalesRank(rank)]
        ):
            raise errors.MANAGER_INVALID(field="manager")
        if existing is not None and existing.pk in _chain_ids(manager):
            raise errors.MANAGER_INVALID(field="manager")
    if existing is not None and existing.pk:
        # Everyone who reports to this person must still rank below them.
        for report_rank in Membership.objects.filter(manager=existing, is_active=True).values_list(
            "sales_rank", flat=True
        ):
            if (
                SALES_RANK_ORDER[SalesRank(report_rank or SalesRank.SALESPERSON)]
                >= (SALES_RANK_ORDER[SalesRank(rank)])
            ):
                raise errors.MANAGER_INVALID(field="sales_rank")
    return rank


def _chain_ids(membership: Membership, limit: int = 50) -> list[int]:
    """Ids of ``membership`` and its managers upward (bounded: a cycle cannot loop forever)."""
    chain: list[int] = []
    current: int | None = membership.pk
    while current is not None and current not in chain and len(chain) < limit:
        chain.append(current)
        current = Membership.objects.filter(pk=current).values_list("manager_id", flat=True).first()
    return chain


def _check_grant(scope: Scope, organization: Organization, role: str) -> None:
    require_visible(scope, organization, field="organization")
    require(scope.can_manage(organization))
    _check_role(organization, role)
    if organization.status == OrgStatus.CLOSED:
        raise errors.ORG_NOT_ACTIVE(field="organization")
    if role in (Role.BRAND_ADMIN, Role.BRAND_OPERATOR) and not scope.is_brand_admin:
        raise errors.PERMISSION_DENIED()


def membership_grant(
    *,
    actor: Any,
    user: Any,
    organization: Organization,
    role: str,
    sales_rank: str = "",
    manager: Membership | None = None,
) -> Membership:
    """Give ``user`` a role in ``organization`` (a store owner, clerk, salesperson, admin…).

    Granting a role someone had before reactivates it. A consumer's role names their store:
    see ``consumer_set_store``.
    """
    scope = actor_scope(actor)
    _check_grant(scope, organization, role)
    if role == Role.CONSUMER:
        if sales_rank or manager is not None:
            raise errors.ROLE_INVALID(field="sales_rank" if sales_rank else "manager")
        return consumer_set_store(actor=actor, user=user, store=organization)
    with transaction.atomic():
        existing = (
            Membership.objects.select_for_update()
            .filter(user=user, organization=organization, role=role)
            .first()
        )
        rank = _check_sales(
            user=user,
            organization=organization,
            role=role,
            sales_rank=sales_rank,
            manager=manager,
            existing=existing,
        )
        if existing is None:
            membership = Membership.objects.create(
                user=user, organization=organization, role=role, sales_rank=rank, manager=manager
            )
            action = "membership_grant"
        else:
            membership = existing
            if (
                membership.is_active
                and membership.sales_rank == rank
                and membership.manager_id == (manager.pk if manager else None)
            ):
                return membership  # nothing to change
            action = "membership_update" if membership.is_active else "membership_grant"
            membership.is_active = True
            membership.sales_rank = rank
            membership.manager = manager
            membership.save(update_fields=["is_active", "sales_rank", "manager"])
        audit.record(
            actor=actor,
            action=action,
            target=membership,
            data={
                "user_id": user.pk,
                "organization_id": organization.pk,
                "role": role,
                "sales_rank": rank,
                "manager_id": membership.manager_id,
            },
        )
        outbox.publish(
            MembershipGranted(
                membership_id=membership.pk,
                user_id=user.pk,
                organization_id=organization.pk,
                role=role,
            )
        )
    forget_scope(user)
    return membership


def membership_grant_by_phone(
    *,
    actor: Any,
    phone: str,
    organization: Organization,
    role: str,
    name: str = "",
    sales_rank: str = "",
    manager: Membership | None = None,
) -> Membership:
    """Assign a person known by their mobile phone; an account is opened if they have none.

    The new account has no password: the person logs in with an SMS code.
    """
    scope = actor_scope(actor)
    _check_grant(scope, organization, role)
    e164 = validators.normalize_phone(phone, mobile_only=True)
    clean_name = validators.clean_name(name, max_length=50) if name else ""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: e164}).first()
        if user is None:
            extra = {"name": clean_name} if clean_name else {}
            user = user_model._default_manager.create_user(e164, **extra)
            audit.record(
                actor=actor,
                action="user_create",
                target=user,
                data={"via": "network.membership_grant", "organization_id": organization.pk},
            )
        return membership_grant(
            actor=actor,
            user=user,
            organization=organization,
            role=role,
            sales_rank=sales_rank,
            manager=manager,
        )


def membership_revoke(*, actor: Any, membership: Membership, reason: str = "") -> Membership:
    """End someone's role. Their reports move up to their own manager (or to nobody).

    Nobody ends their own role (so an admin cannot lock themselves out by mistake).
    """
    scope = actor_scope(actor)
    organization = membership.organization
    require_visible(scope, organization)
    require(scope.can_manage(organization))
    require(actor is None or membership.user_id != getattr(actor, "pk", None))
    if membership.role in (Role.BRAND_ADMIN, Role.BRAND_OPERATOR):
        require(scope.is_brand_admin)
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if not current.is_active:
            membership.is_active = False
            return membership
        if (
            current.role == Role.BRAND_ADMIN
            and not Membership.objects.filter(
                organization_id=current.organization_id, role=Role.BRAND_ADMIN, is_active=True
            )
            .exclude(pk=current.pk)
            .exists()
        ):
            raise errors.LAST_ADMIN()
        new_manager_id = None
        if current.manager_id is not None:
            new_manager_id = (
                Membership.objects.filter(pk=current.manager_id, is_active=True)
                .values_list("pk", flat=True)
                .first()
            )
        reports = list(
            Membership.objects.filter(manager=current, is_active=True).values_list("pk", flat=True)
        )
        Membership.objects.filter(pk__in=reports).update(manager_id=new_manager_id)
        Membership.objects.filter(pk=current.pk).update(is_active=False)
        audit.record(
            actor=actor,
            action="membership_revoke",
            target=current,
            reason=reason,
            data={
                "user_id": current.user_id,
                "organization_id": current.organization_id,
                "role": current.role,
                "reports_moved_to": new_manager_id,
                "reports": reports,
            },
        )
        outbox.publish(
            MembershipRevoked(
                membership_id=current.pk,
                user_id=current.user_id,
                organization_id=current.organization_id,
                role=current.role,
            )
        )
    membership.is_active = False
    forget_scope(membership._state.fields_cache.get("user"))
    return membership


def consumer_set_store(*, actor: Any, user: Any, store: Organization) -> Membership:
    """Make ``store`` the consumer's store (their pickup point); they have one at a time.

    The consumer chooses it themselves (any active store), or staff who manage the store set
    it. The previous store stays in the audit trail.
    """
    scope = actor_scope(actor)
    self_service = actor is not None and getattr(actor, "pk", None) == user.pk
    if self_service:
        if store.kind != OrgKind.STORE:
            raise errors.NOT_FOUND(field="store")
    elif not is_superuser(actor):
        require_visible(scope, store, field="store")
        require(scope.can_manage(store))
        # Staff do not take another branch's customers: the current store must be theirs too.
        current = (
            Membership.objects.filter(user=user, role=Role.CONSUMER, is_active=True)
            .select_related("organization")
            .first()
        )
        if current is not None:
            require(scope.can_manage(current.organization))
    _check_role(store, Role.CONSUMER)
    return _set_consumer_store(actor=actor, user=user, store=store)


def _set_consumer_store(*, actor: Any, user: Any, store: Organization) -> Membership:
    if store.status != OrgStatus.ACTIVE:
        raise errors.ORG_NOT_ACTIVE(field="store")
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update()
            .filter(user=user, role=Role.CONSUMER, is_active=True)
            .first()
        )
        if current is not None and current.organization_id == store.pk:
            return current
        if current is not None:
            Membership.objects.filter(pk=current.pk).update(is_active=False)
        membership = Membership.objects.filter(
            user=user, organization=store, role=Role.CONSUMER
        ).first()
        if membership is None:
            membership = Membership.objects.create(
                user=user, organization=store, role=Role.CONSUMER
            )
        else:
            Membership.objects.filter(pk=membership.pk).update(is_active=True)
            membership.is_active = True
        audit.record(
            actor=actor,
            action="consumer_set_store",
            target=membership,
            data={
                "user_id": user.pk,
                "old_store_id": current.organization_id if current else None,
                "new_store_id": store.pk,
            },
        )
        outbox.publish(
            MembershipGranted(
                membership_id=membership.pk,
                user_id=user.pk,
                organization_id=store.pk,
                role=Role.CONSUMER,
            )
        )
    forget_scope(user)
    return membership
