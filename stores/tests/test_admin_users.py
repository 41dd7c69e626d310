"""The user admin (issue #13): only superusers change superusers, privilege flags, groups and permissions.

HQ manages portal users through the roster and the memberships; a superuser can do everything.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from stores.models import Membership, Role
from stores.tests.factories import DEFAULT_PASSWORD, UserFactory, make_user

User = get_user_model()


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def root_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def clerk(store):
    return make_user(Role.STAFF, store=store, username="clerk")


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def change_form_data(user, **changes) -> dict:
    """What the change form posts for this user as stored, with `changes` on top (no inline forms changed)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "membership-TOTAL_FORMS": "0",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_hq_cannot_open_a_superusers_change_or_password_form(hq_client, root):
    change = hq_client.get(change_url(root))
    assert change.status_code == 302 and change["Location"] == reverse("admin:index")  # as if it did not exist
    assert hq_client.get(password_url(root)).status_code == 404


def test_hq_cannot_post_a_superusers_change_or_password_form_and_nothing_changes(hq_client, root):
    hq_client.post(change_url(root), change_form_data(root, email="taken@evil.example", is_active=""))
    hq_client.post(password_url(root), {"password1": "Hijacked-2026-x", "password2": "Hijacked-2026-x"})
    root.refresh_from_db()
    assert root.email == "root@example.cn" and root.is_active
    assert root.check_password(DEFAULT_PASSWORD)


def test_hq_does_not_see_superusers_in_the_user_list_nor_can_delete_them(hq_client, hq_user, root):
    listed = hq_client.get(reverse("admin:auth_user_changelist"))
    assert [u.username for u in listed.context["cl"].result_list] == ["hq"]
    hq_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=root.pk).exists()


@pytest.mark.parametrize("who", ["self", "other"])
def test_hq_cannot_grant_superuser_staff_groups_or_permissions(hq_client, hq_user, clerk, who):
    target = hq_user if who == "self" else clerk
    group = Group.objects.create(name="everything")
    permission = Permission.objects.get(codename="change_user")
    form = hq_client.get(change_url(target)).context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    flags = {"is_staff": "" if target.is_staff else "on"}
    data = change_form_data(target, is_superuser="on", groups=[group.pk], user_permissions=[permission.pk], **flags)
    response = hq_client.post(change_url(target), data | {"first_name": "改名"})
    assert response.status_code == 302  # the rest of the form is saved
    target.refresh_from_db()
    assert target.first_name == "改名"
    assert not target.is_superuser and target.is_staff == (who == "self")
    assert not target.groups.exists() and not target.user_permissions.exists()


def test_hq_cannot_manage_groups_or_permissions(hq_client, hq_user):
    assert hq_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    hq_client.post(reverse("admin:auth_group_add"), {"name": "admins", "permissions": []})
    assert not Group.objects.exists()
    assert not hq_user.has_perm("auth.change_group") and not hq_user.has_perm("auth.add_permission")
    assert hq_user.has_perm("auth.change_user") and hq_user.has_perm("stores.change_store")


def test_hq_cannot_give_a_superuser_a_membership(hq_client, root):
    response = hq_client.post(reverse("admin:stores_membership_add"), {"user": root.pk, "role": Role.HQ})
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=root).exists()


def test_hq_still_manages_portal_users(hq_client, clerk):
    response = hq_client.post(password_url(clerk), {"password1": "Neu-Passwort-2026", "password2": "Neu-Passwort-2026"})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Neu-Passwort-2026")
    hq_client.post(change_url(clerk), change_form_data(clerk, is_active=""))
    clerk.refresh_from_db()
    assert not clerk.is_active


def test_a_superuser_may_change_superusers_and_privileges(root_client, clerk):
    other_root = UserFactory(username="root2", is_superuser=True, is_staff=True)
    group = Group.objects.create(name="auditors")
    response = root_client.post(
        change_url(clerk), change_form_data(clerk, is_superuser="on", is_staff="on", groups=[group.pk])
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_superuser and clerk.is_staff and list(clerk.groups.all()) == [group]
    assert (
        root_client.post(
            password_url(other_root), {"password1": "Root-Pass-2026-x", "password2": "Root-Pass-2026-x"}
        ).status_code
        == 302
    )
    other_root.refresh_from_db()
    assert other_root.check_password("Root-Pass-2026-x")


def test_hq_may_add_a_portal_user_who_is_neither_superuser_nor_staff(hq_client):
    response = hq_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "Lantern-harbour-2026",
            "password2": "Lantern-harbour-2026",
            "is_superuser": "on",
            "is_staff": "on",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert not user.is_superuser and not user.is_staff and user.check_password("Lantern-harbour-2026")
