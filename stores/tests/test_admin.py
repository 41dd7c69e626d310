import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from stores.models import Membership, Role, SlotLoad, Store
from stores.tests.factories import StoreFactory, UserFactory, make_user

User = get_user_model()


@pytest.fixture
def root_client(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_admin_index_opens_for_hq_and_superusers(hq_client, root_client):
    for client in (hq_client, root_client):
        apps = {app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]}
        assert {"stores", "sales", "aftersales", "core"} <= apps


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.REGIONAL])
def test_admin_is_refused_to_everyone_but_hq_and_nothing_changes(client, store, role):
    user = make_user(role, store=store, provinces=["广东省"])
    user.is_staff = True  # even with the flag, the role decides
    user.save()
    client.force_login(user)
    for url in [
        reverse("admin:index"),
        reverse("admin:stores_store_changelist"),
        reverse("admin:stores_store_change", args=[store.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(reverse("admin:stores_store_change", args=[store.pk]), {"name": "Hijacked"})
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name != "Hijacked"


def test_admin_login_form_refuses_a_staff_password_and_accepts_hq(client, store):
    make_user(Role.STAFF, store=store, username="clerk")
    make_user(Role.HQ, username="chief")
    refused = client.post(reverse("admin:login"), {"username": "clerk", "password": "Goodcar-test-2026"})
    assert refused.status_code == 200
    assert not refused.wsgi_request.user.is_authenticated
    accepted = client.post(reverse("admin:login"), {"username": "chief", "password": "Goodcar-test-2026"})
    assert accepted.status_code == 302


def test_store_changelist_searches_and_filters(network, hq_client):
    url = reverse("admin:stores_store_changelist")
    assert [s.code for s in hq_client.get(url, {"q": "nn-"}).context["cl"].result_list] == ["NN-0001"]
    assert [s.code for s in hq_client.get(url, {"q": "深圳"}).context["cl"].result_list] == ["SZ-0002"]
    filtered = hq_client.get(url, {"province__exact": "广东省", "kind__exact": "partner"})
    assert [s.code for s in filtered.context["cl"].result_list] == ["SZ-0002"]
    assert [s.code for s in hq_client.get(url, {"status__exact": "suspended"}).context["cl"].result_list] == ["BJ-0001"]


def test_store_changelist_query_count_does_not_grow(db, hq_client, django_assert_max_num_queries):
    StoreFactory.create_batch(3)
    url = reverse("admin:stores_store_changelist")
    with django_assert_max_num_queries(100) as few:
        hq_client.get(url)
    StoreFactory.create_batch(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        hq_client.get(url)


def _store_post(store: Store, **changes) -> dict:
    data = {
        "code": store.code,
        "kind": store.kind,
        "name": store.name,
        "status": store.status,
        "province": store.province,
        "city": store.city,
        "district": store.district,
        "address": store.address,
        "lat": store.lat,
        "lng": store.lng,
        "phone": store.phone,
        "capabilities": store.capability_list,
        "bays": store.bays,
        "demo_cars": store.demo_cars,
        "opens": store.opens,
        "closes": store.closes,
    }
    data.update(changes)
    return data


def test_store_form_edits_capabilities_as_checkboxes_and_hours_as_hhmm(store, hq_client):
    url = reverse("admin:stores_store_change", args=[store.pk])
    page = hq_client.get(url).content.decode()
    assert 'type="checkbox" name="capabilities" value="tyres"' in page
    assert 'name="opens" value="08:00"' in page

    response = hq_client.post(
        url,
        _store_post(store, capabilities=["tyres", "sales"], opens="07:30", closes="24:00", phone="+86 20 8765 4322"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    store.refresh_from_db()
    assert store.capabilities == "sales|tyres"
    assert (store.opens_minute, store.closes_minute) == (7 * 60 + 30, 1440)
    assert store.phone == "020-87654322"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opens": "7:30"}, "opens"),
        ({"closes": "24:30"}, "closes"),
        ({"opens": "18:00", "closes": "09:00"}, "closes"),
        ({"code": "x"}, "code"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_store_form_refuses_bad_values_and_saves_nothing(store, hq_client, changes, field):
    before = Store.objects.filter(pk=store.pk).values().get()
    response = hq_client.post(reverse("admin:stores_store_change", args=[store.pk]), _store_post(store, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Store.objects.filter(pk=store.pk).values().get() == before


def test_stores_cannot_be_deleted_from_the_admin(store, hq_client):
    response = hq_client.post(reverse("admin:stores_store_delete", args=[store.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Store.objects.filter(pk=store.pk).exists()


def test_store_autocomplete_finds_stores_by_code_for_membership_forms(network, hq_client):
    response = hq_client.get(
        reverse("admin:autocomplete"),
        {"term": "NN", "app_label": "stores", "model_name": "membership", "field_name": "store"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in json.loads(response.content)["results"]] == ["NN-0001 南宁青秀服务中心"]


def test_user_autocomplete_finds_users_for_membership_forms(staff_user, hq_client):
    response = hq_client.get(
        reverse("admin:autocomplete"),
        {"term": "staf", "app_label": "stores", "model_name": "membership", "field_name": "user"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["staff"]


def test_autocomplete_is_refused_to_staff(staff_client):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "GZ", "app_label": "stores", "model_name": "membership", "field_name": "store"},
    )
    assert response.status_code in (302, 403)


def test_no_admin_form_or_filter_renders_a_select_of_every_store_or_user(network, staff_user, hq_client):
    membership = staff_user.membership
    forms = [
        reverse("admin:stores_membership_add"),
        reverse("admin:stores_membership_change", args=[membership.pk]),
        reverse("admin:auth_user_change", args=[staff_user.pk]),
    ]
    changelists = [reverse("admin:stores_membership_changelist"), reverse("admin:auth_user_changelist")]
    for url in forms + changelists:
        body = hq_client.get(url).content.decode()
        # A store that no membership names could only appear in a select listing every store.
        assert "北京朝阳服务中心" not in body, url
    for url in forms:
        assert "admin-autocomplete" in hq_client.get(url).content.decode(), url


def test_user_admin_shows_and_saves_the_membership_inline(store, hq_client):
    user = UserFactory(username="newbie")
    url = reverse("admin:auth_user_change", args=[user.pk])
    assert 'name="membership-TOTAL_FORMS"' in hq_client.get(url).content.decode()
    response = hq_client.post(
        url,
        {
            "username": "newbie",
            "email": "",
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "date_joined_0": "2026-11-24",
            "date_joined_1": "10:00:00",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-role": "staff",
            "membership-0-store": str(store.pk),
            "membership-0-phone": "",
            "membership-0-user": str(user.pk),
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert Membership.objects.get(user=user).store == store


def test_membership_form_requires_a_store_for_staff_and_provinces_for_regional(hq_client, db):
    user = UserFactory(username="lonely")
    url = reverse("admin:stores_membership_add")
    staff = hq_client.post(url, {"user": user.pk, "role": "staff", "phone": ""})
    assert "store" in staff.context["adminform"].form.errors
    regional = hq_client.post(url, {"user": user.pk, "role": "regional", "phone": ""})
    assert "provinces" in regional.context["adminform"].form.errors
    ok = hq_client.post(url, {"user": user.pk, "role": "regional", "phone": "", "provinces": ["广东省", "北京市"]})
    assert ok.status_code == 302
    assert Membership.objects.get(user=user).provinces == "北京市|广东省"


def test_slot_loads_are_read_only_in_the_admin(store, hq_client):
    from django.utils import timezone

    slot = SlotLoad.objects.create(
        store=store, starts_at=timezone.now(), resource=SlotLoad.Resource.BAY, capacity=4, booked=1
    )
    changelist = hq_client.get(reverse("admin:stores_slotload_changelist"))
    assert list(changelist.context["cl"].result_list) == [slot]
    assert hq_client.get(reverse("admin:stores_slotload_add")).status_code == 403
    hq_client.post(reverse("admin:stores_slotload_change", args=[slot.pk]), {"booked": 4})
    slot.refresh_from_db()
    assert slot.booked == 1
