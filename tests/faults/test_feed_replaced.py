"""A feed file replaced while it is being read: the run uses the file as it was when read, whole (the
machinery reads the bytes once, hashes them, and parses only those), never half of each."""

import hashlib

from core.feeds.runner import run_feed
from core.models import FeedRun
from stores.feeds import StoreFeed
from stores.models import Store

from .feedfiles import store_csv, store_rows


def test_a_file_replaced_mid_run_is_read_whole_as_first_read(tmp_path, db, monkeypatch):
    path = tmp_path / "stores-nightly.csv"
    original = store_csv(store_rows(2500, prefix="OLD"))
    replacement = store_csv(store_rows(10, prefix="NEW"))
    path.write_bytes(original)

    real_apply = StoreFeed.apply
    calls = []

    def apply_then_replace(self, rows):
        if not calls:  # after the first chunk, upstream drops a new file in place (rename over it)
            staged = tmp_path / "incoming.tmp"
            staged.write_bytes(replacement)
            staged.replace(path)
        calls.append(len(rows))
        return real_apply(self, rows)

    monkeypatch.setattr(StoreFeed, "apply", apply_then_replace)
    result = run_feed(StoreFeed, path)

    assert len(calls) > 1  # the replacement happened part-way
    assert (result.created, result.rejected) == (2500, 0)
    assert Store.objects.filter(code__startswith="OLD-").count() == 2500
    assert not Store.objects.filter(code__startswith="NEW-").exists()
    run = FeedRun.objects.get()
    assert run.sha256 == hashlib.sha256(original).hexdigest()  # the run records what it parsed


def test_a_file_truncated_in_place_mid_run_changes_nothing_of_what_was_read(tmp_path, db, monkeypatch):
    path = tmp_path / "stores-nightly.csv"
    original = store_csv(store_rows(2100, prefix="OLD"))
    path.write_bytes(original)
    real_apply = StoreFeed.apply

    def apply_then_truncate(self, rows):
        with path.open("r+b") as handle:  # an upstream writer truncating the same inode
            handle.truncate(100)
        return real_apply(self, rows)

    monkeypatch.setattr(StoreFeed, "apply", apply_then_truncate)
    result = run_feed(StoreFeed, path)
    assert result.created == 2100
    assert FeedRun.objects.get().sha256 == hashlib.sha256(original).hexdigest()
