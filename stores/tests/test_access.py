import pytest

from stores.access import scope_by_store, stores_visible_to
from stores.models import Role, Store
from stores.tests.factories import StoreFactory, make_user


@pytest.fixture
def network(db):
    return {
        "gz": StoreFactory(code="GZ-1", province="广东省"),
        "nn": StoreFactory(code="NN-1", province="广西壮族自治区"),
        "bj": StoreFactory(code="BJ-1", province="北京市"),
    }


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_staff_and_manager_see_only_their_own_store(network):
    for role in (Role.STAFF, Role.MANAGER):
        user = make_user(role, store=network["gz"])
        assert codes(stores_visible_to(user)) == ["GZ-1"]


def test_regional_manager_sees_exactly_the_stores_of_their_provinces(network):
    user = make_user(Role.REGIONAL, provinces=["广东省", "广西壮族自治区"])
    assert codes(stores_visible_to(user)) == ["GZ-1", "NN-1"]


def test_hq_and_superuser_see_every_store(network):
    assert codes(stores_visible_to(make_user(Role.HQ))) == ["BJ-1", "GZ-1", "NN-1"]
    from stores.tests.factories import UserFactory

    root = UserFactory(is_superuser=True)
    assert codes(stores_visible_to(root)) == ["BJ-1", "GZ-1", "NN-1"]


def test_user_without_role_sees_nothing(network):
    from stores.tests.factories import UserFactory

    assert codes(stores_visible_to(UserFactory())) == []


def test_scope_by_store_filters_related_records_like_stores_visible_to(network):
    user = make_user(Role.REGIONAL, provinces=["北京市"])
    from stores.models import Membership

    staff_elsewhere = [make_user(Role.STAFF, store=s) for s in network.values()]
    scoped = scope_by_store(Membership.objects.filter(user__in=staff_elsewhere), user)
    assert [m.store.code for m in scoped] == ["BJ-1"]
    assert Store.objects.count() == 3


def test_provinces_visible_to_by_role(staff_user, regional_user, hq_user):
    from stores.access import provinces_visible_to

    assert provinces_visible_to(hq_user) is None
    assert provinces_visible_to(regional_user) == ["广东省", "广西壮族自治区"]
    assert provinces_visible_to(staff_user) == []
