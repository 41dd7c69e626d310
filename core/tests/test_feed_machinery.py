"""The shared feed machinery, exercised through sync_stores: encodings, line numbers, the run
record, --rejects, all-or-nothing, and the admin where HQ reads the runs."""

import codecs
import csv
import hashlib
import logging

import pytest
from django.urls import reverse

from core.feeds import runner
from core.models import FeedRun, JobRun, Notification
from core.tests.feedtools import csv_text, english, sync, sync_refused, write_feed  # noqa: F401 - fixture
from stores.feeds import StoreFeed
from stores.models import Role, Store
from stores.tests.factories import StoreFactory, make_user
from stores.tests.test_feeds import HEADER, store_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_gbk_file_with_crlf_is_read_with_chinese_intact(tmp_path):
    path = write_feed(
        tmp_path / "stores.csv", HEADER, [store_row("GZ-0100", name="速修养车(深圳南山店)", province="广东")],
        encoding="gbk", newline="\r\n",
    )  # fmt: skip
    assert sync("sync_stores", path) == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=0"
    store = Store.objects.get(code="GZ-0100")
    assert (store.name, store.province, store.city, store.district) == (
        "速修养车(深圳南山店)",
        "广东省",
        "广州市",
        "天河区",
    )


def test_utf8_with_bom_and_crlf_is_read_with_chinese_intact(tmp_path):
    path = tmp_path / "stores.csv"
    text = csv_text(HEADER, [store_row("GZ-0100", name="京东汽车服务中心(北京亦庄店)")], newline="\r\n")
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert sync("sync_stores", path) == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=0"
    store = Store.objects.get(code="GZ-0100")
    assert store.name == "京东汽车服务中心(北京亦庄店)"
    assert store.status == "active"  # the last column, before the CR


def test_gb18030_characters_beyond_gbk_are_read(tmp_path):
    name = "𠀀记养车"  # U+20000 has a four-byte GB18030 code and none in GBK
    path = write_feed(tmp_path / "stores.csv", HEADER, [store_row("GZ-0100", name=name)], encoding="gb18030")
    sync("sync_stores", path)
    assert Store.objects.get(code="GZ-0100").name == name


def test_file_that_is_not_text_exits_2(tmp_path):
    path = tmp_path / "stores.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)) * 4)
    assert "cannot be read as text" in sync_refused("sync_stores", path)
    assert FeedRun.objects.get().outcome == "refused"


def test_line_numbers_are_physical_lines_with_blank_lines_and_multiline_cells(tmp_path):
    good = csv_text(HEADER, [store_row("GZ-0100", address="天河路\n100号")]).splitlines(keepends=True)
    bad = csv_text(HEADER, [store_row("GZ-0101", bays="x")]).splitlines(keepends=True)[1]
    # line 1 header, 2-3 a record whose address spans two lines, 4 blank, 5 blank cells, 6 the bad row
    path = tmp_path / "stores.csv"
    path.write_text(good[0] + good[1] + good[2] + "\n" + ",,,\n" + bad, encoding="utf-8")
    assert sync("sync_stores", path) == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    assert Store.objects.get(code="GZ-0100").address == "天河路\n100号"
    assert list(FeedRun.objects.get().rejections.values_list("line", "key")) == [(6, "GZ-0101")]


def test_line_with_more_cells_than_the_header_is_rejected(tmp_path):
    path = tmp_path / "stores.csv"
    row = store_row("GZ-0100")
    path.write_text(",".join(HEADER) + "\n" + ",".join(row[c] for c in HEADER) + ",surplus\n", encoding="utf-8")
    assert sync("sync_stores", path) == "stores: created=0 updated=0 unchanged=0 closed=0 rejected=1"
    rejection = FeedRun.objects.get().rejections.get()
    assert (rejection.line, rejection.reason) == (2, "The line has 17 cells but the header has 16 columns.")


def test_run_is_recorded_with_hash_times_counts_and_rejections(tmp_path):
    path = write_feed(tmp_path / "stores-0101.csv", HEADER, [store_row("GZ-0100"), store_row("GZ-0101", kind="x")])
    sync("sync_stores", path)
    run = FeedRun.objects.get()
    assert (run.feed, run.file_name, run.outcome, run.triggered_by) == (
        "stores",
        "stores-0101.csv",
        "processed",
        "command",
    )
    assert run.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert run.started_at <= run.finished_at
    assert (run.created, run.updated, run.unchanged, run.closed, run.rejected) == (1, 0, 0, 0, 1)
    assert list(run.rejections.values_list("line", "key", "reason")) == [
        (3, "GZ-0101", "kind: x is not one of service, partner.")
    ]
    assert run.summary() == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=1"


def test_rejects_file_is_utf8_with_bom_and_header_line_key_reason(tmp_path):
    rows = [store_row("GZ-0100"), store_row("GZ-0101", province="火星"), store_row("GZ-0100")]
    out = tmp_path / "rejects.csv"
    sync("sync_stores", write_feed(tmp_path / "stores.csv", HEADER, rows), "--rejects", str(out))
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    lines = data[3:].decode("utf-8").splitlines()
    assert lines[0] == "line,key,reason"
    assert lines[1].startswith("3,GZ-0101,province: 火星 is not one of mainland China's 31")
    assert lines[2] == "4,GZ-0100,Duplicate code GZ-0100: line 2 has it already and counts."
    assert len(lines) == 3


def test_dry_run_writes_the_rejects_file_but_records_no_run(tmp_path):
    out = tmp_path / "rejects.csv"
    path = write_feed(tmp_path / "stores.csv", HEADER, [store_row("GZ-0100", bays="x")])
    sync("sync_stores", path, "--dry-run", "--rejects", str(out))
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 2
    assert not FeedRun.objects.exists()


def test_crash_after_half_the_rows_leaves_the_database_as_before(tmp_path, monkeypatch):
    for n in range(6):
        StoreFactory(code=f"GZ-{n:04d}", name="原名")
    before = list(Store.objects.order_by("code").values())
    rows = [store_row(f"GZ-{n:04d}", name="新名") for n in range(12)]
    path = write_feed(tmp_path / "stores.csv", HEADER, rows)
    monkeypatch.setattr(runner, "CHUNK_SIZE", 2)  # so that several chunks are written before the crash
    parse_row = StoreFeed.parse_row
    calls = []

    def crash_half_way(self, cells):
        calls.append(1)
        if len(calls) > 6:
            raise RuntimeError("killed")
        return parse_row(self, cells)

    monkeypatch.setattr(StoreFeed, "parse_row", crash_half_way)
    with pytest.raises(RuntimeError):
        sync("sync_stores", path, "--full", "--allow-mass-close")
    assert list(Store.objects.order_by("code").values()) == before
    run = FeedRun.objects.get()
    assert (run.outcome, run.reason, run.created, run.updated) == ("failed", "RuntimeError: killed", 0, 0)
    assert not run.rejections.exists()


def test_without_a_terminal_the_run_logs_progress(tmp_path, caplog):
    path = write_feed(tmp_path / "stores.csv", HEADER, [store_row("GZ-0100")])
    with caplog.at_level(logging.INFO, logger="core.feeds"):
        sync("sync_stores", path)
    assert "stores: 1 rows read" in caplog.messages


# The admin: HQ reads the runs; nobody edits them.


@pytest.fixture
def refused_and_processed_runs(tmp_path):
    sync("sync_stores", write_feed(tmp_path / "stores-a.csv", HEADER, [store_row("GZ-0100", kind="x")]))
    sync_refused("sync_stores", tmp_path / "stores-missing.csv")
    return FeedRun.objects.get(file_name="stores-a.csv")


def test_hq_sees_feed_runs_and_their_rejections_in_the_admin(hq_client, refused_and_processed_runs):
    run = refused_and_processed_runs
    response = hq_client.get(reverse("admin:core_feedrun_changelist"), {"q": "stores-a"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = hq_client.get(reverse("admin:core_feedrun_changelist"), {"outcome__exact": "refused"})
    assert [r.file_name for r in response.context["cl"].result_list] == ["stores-missing.csv"]
    page = hq_client.get(reverse("admin:core_feedrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "kind: x is not one of service, partner." in page.content.decode()
    assert b'name="_save"' not in page.content  # read-only
    listing = hq_client.get(reverse("admin:core_feedrejection_changelist"), {"run__id__exact": run.pk})
    assert listing.context["cl"].result_count == 1


def test_hq_cannot_change_or_delete_a_feed_run(hq_client, refused_and_processed_runs):
    run = refused_and_processed_runs
    hq_client.post(reverse("admin:core_feedrun_change", args=[run.pk]), {"outcome": "processed"})
    assert hq_client.post(reverse("admin:core_feedrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    assert FeedRun.objects.get(pk=run.pk).outcome == "processed"
    assert FeedRun.objects.count() == 2


@pytest.mark.parametrize("name", ["core_jobrun_changelist", "core_notification_changelist"])
def test_hq_reads_job_runs_and_notifications(hq_client, name):
    JobRun.objects.create(name="sync_feeds", started_at="2026-01-01T01:00:00Z", counts={"files": 1})
    Notification.objects.create(channel="sms", recipient="13800000000", body="hi", dedupe_key="x")
    assert hq_client.get(reverse(f"admin:{name}")).status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.REGIONAL])
def test_only_hq_may_use_the_admin_even_with_is_staff(client, store, role):
    user = make_user(role, store=store, provinces=["广东省"])
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:core_feedrun_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_superuser_without_membership_may_use_the_admin(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.cn", "x")
    client.force_login(admin_user)
    assert client.get(reverse("admin:core_feedrun_changelist")).status_code == 200


def test_on_a_terminal_the_run_shows_a_progress_bar(tmp_path):
    import io

    from core.feeds.runner import run_feed

    terminal = io.StringIO()
    path = write_feed(tmp_path / "stores.csv", HEADER, [store_row("GZ-0100"), store_row("GZ-0101")])
    result = run_feed(StoreFeed, path, progress=terminal)
    assert result.summary() == "stores: created=2 updated=0 unchanged=0 closed=0 rejected=0"
    assert "stores: " in terminal.getvalue()
    assert "0/2 " in terminal.getvalue()  # rows expected, from the file's line count


def test_a_refused_file_still_leaves_a_header_only_rejects_file(tmp_path):
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("line,key,reason\n9,OLD,from an earlier run\n", encoding="utf-8")
    path = write_feed(tmp_path / "stores.csv", ["code", "name"], [{"code": "GZ-0100", "name": "广州一店"}])

    sync_refused("sync_stores", path, "--rejects", str(rejects))

    assert rejects.read_bytes() == "\ufeffline,key,reason\r\n".encode()


def test_rejects_file_neutralises_formulas_like_the_ticket_export(tmp_path):
    rows = [
        store_row('=HYPERLINK("http://evil","x")'),
        store_row("GZ-0102", name="@SUM(A1)" * 20),
        store_row("-2+3"),
    ]
    out = tmp_path / "rejects.csv"
    sync("sync_stores", write_feed(tmp_path / "stores.csv", HEADER, rows), "--rejects", str(out))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert len(cells) == 3 * 4
    assert "'" + '=HYPERLINK("HTTP://EVIL","X")' in cells  # the key, upper-cased on reading
    assert "'-2+3" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
