"""scope_of(user): the one role switch from which every row filter derives."""

import dataclasses

import pytest
from django.contrib.auth.models import AnonymousUser

from stores.access import EVERYTHING, NOTHING, Scope, provinces_visible_to, scope_of, store_q, stores_visible_to
from stores.models import Role
from stores.tests.factories import StoreFactory, UserFactory, make_user


def test_staff_and_manager_scope_is_their_own_store(store):
    for role in (Role.STAFF, Role.MANAGER):
        assert scope_of(make_user(role, store=store)) == Scope(store_ids=(store.pk,))


def test_regional_scope_is_their_provinces(db):
    user = make_user(Role.REGIONAL, provinces=["广东省", "广西壮族自治区"])
    assert scope_of(user) == Scope(provinces=("广东省", "广西壮族自治区"))


def test_hq_and_superuser_scope_is_everything(db):
    assert scope_of(make_user(Role.HQ)) is EVERYTHING
    assert scope_of(UserFactory(is_superuser=True)) is EVERYTHING


def test_user_without_membership_anonymous_and_none_see_nothing(db):
    assert scope_of(UserFactory()) is NOTHING
    assert scope_of(AnonymousUser()) is NOTHING
    assert scope_of(None) is NOTHING


def test_inactive_user_sees_nothing_whatever_the_role(store):
    for user in (make_user(Role.HQ), make_user(Role.MANAGER, store=store), UserFactory(is_superuser=True)):
        user.is_active = False
        assert scope_of(user) is NOTHING
        assert not stores_visible_to(user).exists()
        assert store_q(user) is None


def test_regional_manager_without_provinces_sees_nothing(db):
    assert scope_of(make_user(Role.REGIONAL, provinces=[])) is NOTHING


def test_scope_is_immutable_and_computed_once_per_user_object(store, django_assert_num_queries):
    user = make_user(Role.MANAGER, store=store)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        first = scope_of(user)
        assert scope_of(user) is first
        store_q(user), provinces_visible_to(user)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.store_ids = ()


def test_every_filter_derives_from_the_scope(db):
    gz, bj = StoreFactory(province="广东省"), StoreFactory(province="北京市")
    user = make_user(Role.REGIONAL, provinces=["北京市"])
    assert list(stores_visible_to(user)) == [bj]
    assert provinces_visible_to(user) == ["北京市"]
    assert str(store_q(user, "store")) == str(scope_of(user).store_q("store"))
    assert gz not in stores_visible_to(user)
