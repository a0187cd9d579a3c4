import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.network.models import Membership, Role
from trispace.network.scoping import scope_for
from trispace.network.services import membership_revoke
from trispace.network.tests.conftest import snapshot
from trispace.network.tests.factories import MembershipFactory, SalespersonFactory

pytestmark = pytest.mark.django_db


def test_revoking_ends_the_role_and_its_access(net):
    owner = net.memberships["store_owner"]
    membership_revoke(actor=net.user("dealer_admin"), membership=owner, reason="转让")
    assert Membership.objects.get(pk=owner.pk).is_active is False
    assert not scope_for(net.user("store_owner")).can_view(net.store_a)
    log = AuditLog.objects.get(action="membership_revoke")
    assert log.reason == "转让"
    before = snapshot()
    membership_revoke(actor=None, membership=owner)  # again: nothing to do
    assert snapshot() == before


def test_reports_move_up_to_the_revoked_persons_manager(net):
    boss = SalespersonFactory(organization=net.dealer_a, sales_rank="manager")
    lead = SalespersonFactory(organization=net.dealer_a, sales_rank="supervisor", manager=boss)
    rep_1 = SalespersonFactory(organization=net.dealer_a, manager=lead)
    rep_2 = SalespersonFactory(organization=net.sub_a, manager=lead)
    membership_revoke(actor=None, membership=lead)
    reports = Membership.objects.filter(manager=boss, is_active=True)
    assert set(reports.values_list("pk", flat=True)) == {
        rep_1.pk,
        rep_2.pk,
    }
    membership_revoke(actor=None, membership=boss)
    assert Membership.objects.get(pk=rep_1.pk).manager_id is None


def test_the_last_brand_admin_stays(net):
    admin = net.memberships["brand_admin"]
    before = snapshot()
    with pytest.raises(DomainError) as info:
        membership_revoke(actor=None, membership=admin)
    assert info.value.code == "last_admin"
    assert snapshot() == before
    other = MembershipFactory(organization=net.brand, role=Role.BRAND_ADMIN)
    membership_revoke(actor=other.user, membership=admin)
    assert Membership.objects.get(pk=admin.pk).is_active is False


@pytest.mark.parametrize(
    ("persona", "target", "code"),
    [
        ("store_owner", "store_clerk", "permission_denied"),
        ("salesperson", "store_clerk", "permission_denied"),
        ("other_dealer_admin", "store_clerk", "not_found"),
        ("other_store_owner", "store_clerk", "not_found"),
        ("consumer", "store_clerk", "not_found"),
        ("dealer_admin", "brand_operator", "not_found"),
        ("brand_operator", "store_clerk", "permission_denied"),
    ],
)
def test_who_may_not_revoke(net, persona, target, code):
    before = snapshot()
    with pytest.raises(DomainError) as info:
        membership_revoke(actor=net.user(persona), membership=net.memberships[target])
    assert info.value.code == code
    assert snapshot() == before


def test_nobody_ends_their_own_role(net):
    own = net.memberships["dealer_admin"]
    before = snapshot()
    with pytest.raises(DomainError) as info:
        membership_revoke(actor=net.user("dealer_admin"), membership=own)
    assert info.value.code == "permission_denied"
    assert snapshot() == before
