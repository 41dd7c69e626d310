"""sync_staff (CONTRACT 3.2): one test per rule, each with a file breaking exactly that rule."""

import pytest
from django.contrib.auth import get_user_model

from core.models import FeedRun
from core.tests.feedtools import english, sync, sync_refused, write_feed  # noqa: F401 - fixture
from stores.models import Membership, Role
from stores.tests.factories import StoreFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
User = get_user_model()

HEADER = ["username", "full_name", "email", "phone", "role", "store_code", "provinces", "active"]


def staff_row(username: str = "zhangwei", **changes) -> dict:
    row = {
        "username": username, "full_name": "张伟", "email": f"{username}@example.cn", "phone": "13800000001",
        "role": "staff", "store_code": "GZ-0001", "provinces": "", "active": "1",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def feed(tmp_path, store):
    def make(rows, header=HEADER):
        return write_feed(tmp_path / "staff.csv", header, rows)

    return make


def rejected_with(feed, row) -> tuple[int, str, str]:
    """Syncs a valid row then the breaking row; returns the one rejection (line, key, reason)."""
    assert sync("sync_staff", feed([staff_row("lina"), row])) == (
        "staff: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    )
    assert list(User.objects.filter(is_superuser=False).values_list("username", flat=True)) == ["lina"]
    (rejection,) = FeedRun.objects.get().rejections.all()
    return rejection.line, rejection.key, rejection.reason


def test_sync_creates_users_with_memberships_and_no_usable_password(feed, store):
    rows = [
        staff_row("ZhangWei"),
        staff_row("lina", role="Manager"),
        staff_row("liuqiang", role="regional", store_code="", provinces="广东省|广西"),
        staff_row("chenjing", role="HQ", store_code="", phone="020-87654321"),
    ]
    assert sync("sync_staff", feed(rows)) == "staff: created=4 updated=0 unchanged=0 closed=0 rejected=0"
    zhang = User.objects.get(username="zhangwei")
    assert (zhang.first_name, zhang.email, zhang.is_active, zhang.is_staff) == (
        "张伟",
        "ZhangWei@example.cn",
        True,
        False,
    )
    assert not zhang.has_usable_password()
    assert (zhang.membership.role, zhang.membership.store, zhang.membership.phone) == ("staff", store, "13800000001")
    assert User.objects.get(username="lina").membership.role == "manager"
    regional = Membership.objects.get(user__username="liuqiang")
    assert (regional.role, regional.store, regional.provinces) == ("regional", None, "广东省|广西壮族自治区")
    hq = User.objects.get(username="chenjing")
    assert hq.is_staff and not hq.is_superuser
    assert (hq.membership.role, hq.membership.phone) == ("hq", "020-87654321")


def test_hq_user_from_the_roster_may_use_the_admin(feed, client):
    sync("sync_staff", feed([staff_row("chenjing", role="hq", store_code="")]))
    client.force_login(User.objects.get(username="chenjing"))
    assert client.get("/admin/core/feedrun/").status_code == 200


def test_role_change_away_from_hq_removes_admin_access(feed):
    sync("sync_staff", feed([staff_row("chenjing", role="hq", store_code="")]))
    assert (
        sync("sync_staff", feed([staff_row("chenjing")]))
        == "staff: created=0 updated=1 unchanged=0 closed=0 rejected=0"
    )
    user = User.objects.get(username="chenjing")
    assert not user.is_staff
    assert (user.membership.role, user.membership.store.code) == ("staff", "GZ-0001")


def test_sync_rejects_username_with_spaces(feed):
    line, key, reason = rejected_with(feed, staff_row("zhang wei"))
    assert (line, key) == (3, "zhang wei")
    assert reason.startswith("username: zhang wei is not a username")


def test_sync_rejects_row_without_username(feed):
    assert rejected_with(feed, staff_row("", email="")) == (3, "", "username: required, but empty.")


def test_sync_rejects_unknown_role(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", role="boss"))
    assert (line, reason) == (3, "role: boss is not one of staff, manager, regional, hq.")


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_sync_rejects_store_role_without_store_code(feed, role):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", role=role, store_code=""))
    assert (line, reason) == (3, f"store_code: required for role {role}.")


def test_sync_rejects_store_code_of_unknown_store(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", store_code="XX-9999"))
    assert (line, reason) == (3, "store_code: there is no store XX-9999.")


def test_sync_rejects_regional_without_provinces(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", role="regional", store_code=""))
    assert (line, reason) == (3, "provinces: required for role regional.")


def test_sync_rejects_unknown_province(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", role="regional", provinces="广东|南洋"))
    assert line == 3
    assert reason.startswith("provinces: 南洋: not among mainland China's 31")


def test_sync_rejects_active_that_is_not_1_or_0(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", active="yes"))
    assert (line, reason) == (3, "active: yes is not 1 or 0.")


def test_sync_rejects_bad_email(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", email="zhangwei.example.cn"))
    assert (line, reason) == (3, "email: zhangwei.example.cn is not an e-mail address.")


def test_sync_rejects_bad_phone(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", phone="12345"))
    assert line == 3
    assert reason.startswith("phone: ")


def test_sync_rejects_full_name_longer_than_150_characters(feed):
    line, _key, reason = rejected_with(feed, staff_row("zhangwei", full_name="张" * 151))
    assert (line, reason) == (3, "full_name: 151 characters; at most 150 are allowed.")


def test_sync_rejects_a_row_naming_a_superuser_and_leaves_them_alone(feed):
    root = User.objects.create_superuser("root", "root@example.cn", "pw")
    line, key, reason = rejected_with(feed, staff_row("Root", role="staff"))
    assert (line, key) == (3, "root")
    assert reason == "root is a superuser; superusers are managed by hand, never by the roster."
    root.refresh_from_db()
    assert root.is_superuser and root.is_active and not hasattr(root, "membership")


def test_duplicate_username_first_row_counts(feed):
    rows = [staff_row("zhangwei", full_name="第一"), staff_row("ZHANGWEI", full_name="第二")]
    assert sync("sync_staff", feed(rows)) == "staff: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    assert User.objects.get().first_name == "第一"
    rejection = FeedRun.objects.get().rejections.get()
    assert (rejection.line, rejection.reason) == (3, "Duplicate username zhangwei: line 2 has it already and counts.")


def test_inactive_row_for_a_new_username_creates_the_user_inactive(feed):
    sync("sync_staff", feed([staff_row("zhangwei", active="0")]))
    assert User.objects.get(username="zhangwei").is_active is False


def test_inactive_row_deactivates_and_the_user_can_no_longer_log_in(feed, client, staff_user):
    client.force_login(staff_user)
    assert client.get("/").status_code == 200
    sync("sync_staff", feed([staff_row("staff", active="0")]))
    staff_user.refresh_from_db()
    assert not staff_user.is_active
    assert hasattr(staff_user, "membership")  # nothing they wrote is lost
    assert client.get("/").status_code == 302


def test_same_file_twice_changes_nothing_the_second_time(feed):
    path = feed([staff_row("zhangwei"), staff_row("liuqiang", role="regional", store_code="", provinces="广东")])
    sync("sync_staff", path)
    assert sync("sync_staff", path) == "staff: created=0 updated=0 unchanged=2 closed=0 rejected=0"


def test_absent_optional_columns_leave_stored_values_alone(feed, store):
    user = make_user(Role.STAFF, store=store, username="zhangwei")
    user.first_name, user.email = "张伟", "zw@example.cn"
    user.save()
    assert sync("sync_staff", feed([{"username": "zhangwei", "role": "manager"}], header=["username", "role"])) == (
        "staff: created=0 updated=1 unchanged=0 closed=0 rejected=0"
    )
    user.refresh_from_db()
    assert (user.first_name, user.email, user.membership.role, user.membership.store) == (
        "张伟",
        "zw@example.cn",
        "manager",
        store,
    )


def test_missing_required_column_exits_2(feed):
    assert "lacks the required column(s) role" in sync_refused("sync_staff", feed([staff_row()], header=["username"]))
    assert not User.objects.exists()


@pytest.fixture
def roster(store):
    return [make_user(Role.STAFF, store=store, username=f"user{n}") for n in range(10)]


def test_full_deactivates_users_missing_from_the_file_but_not_superusers(feed, roster):
    root = User.objects.create_superuser("root", "root@example.cn", "pw")
    rows = [staff_row(f"user{n}") for n in range(9)]
    assert sync("sync_staff", feed(rows), "--full") == "staff: created=0 updated=9 unchanged=0 closed=1 rejected=0"
    assert list(User.objects.filter(is_active=False).values_list("username", flat=True)) == ["user9"]
    assert User.objects.get(pk=root.pk).is_active
    assert User.objects.count() == 11


def test_full_refuses_to_deactivate_more_than_10_percent(feed, roster):
    reason = sync_refused("sync_staff", feed([staff_row(f"user{n}") for n in range(4)]), "--full")
    assert "would close 6 of the 10 active records" in reason
    assert User.objects.filter(is_active=True).count() == 10


def test_full_with_allow_mass_close_deactivates(feed, roster):
    summary = sync("sync_staff", feed([staff_row(f"user{n}") for n in range(4)]), "--full", "--allow-mass-close")
    assert summary == "staff: created=0 updated=4 unchanged=0 closed=6 rejected=0"
    assert User.objects.filter(is_active=False).count() == 6


def test_store_code_uses_store_from_another_chunk_and_many_rows(feed, monkeypatch):
    from core.feeds import runner

    monkeypatch.setattr(runner, "CHUNK_SIZE", 3)
    StoreFactory(code="SZ-0001")
    rows = [staff_row(f"u{n}", store_code="SZ-0001" if n % 2 else "GZ-0001") for n in range(7)]
    assert sync("sync_staff", feed(rows)) == "staff: created=7 updated=0 unchanged=0 closed=0 rejected=0"
    assert Membership.objects.filter(store__code="SZ-0001").count() == 3
