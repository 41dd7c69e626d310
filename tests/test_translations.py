"""Simplified Chinese is complete: every string a person reads is translated, none fuzzy.

The catalogue is regenerated from the code into a temporary folder (makemessages, merged with the
committed one) so that a string added to the code without a translation fails here, as does a
committed .mo file that lags behind its .po.
"""

import gettext
import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
COMMITTED_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMMITTED_MO = COMMITTED_PO.with_suffix(".mo")
COPY_IGNORE = [
    ".git",
    ".venv",
    "venv",
    "staticfiles",
    "test-artifacts",
    "media",
    ".test-media",
    "node_modules",
    "*.sqlite3",
    "__pycache__",
]
IGNORE = [".venv", "venv", "staticfiles", "bench", "test-artifacts", "node_modules", "*/tests/*", "tests"]

pytestmark = pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext (xgettext) is not installed")


def untranslated(catalogue: polib.POFile) -> list[str]:
    missing = [entry.msgid for entry in catalogue if entry.msgid and not entry.obsolete and not entry.translated()]
    fuzzy = [f"(fuzzy) {entry.msgid}" for entry in catalogue if "fuzzy" in entry.flags and not entry.obsolete]
    return missing + fuzzy


def test_committed_chinese_catalogue_is_complete():
    assert untranslated(polib.pofile(str(COMMITTED_PO))) == []


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path, settings):
    # makemessages writes into any locale/ folder it walks past, so it runs on a copy of the tree.
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*COPY_IGNORE), symlinks=True)
    settings.LOCALE_PATHS = [tree / "locale"]
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=IGNORE, no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    regenerated = polib.pofile(str(tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert untranslated(regenerated) == []


def test_compiled_catalogue_matches_the_po_file():
    with open(COMMITTED_MO, "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in polib.pofile(str(COMMITTED_PO)):
        if not entry.msgid or entry.obsolete:
            continue
        if entry.msgid_plural:  # Chinese has one form: every count reads msgstr[0]
            for count in (1, 2):
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                )
                assert got == entry.msgstr_plural[0], entry.msgid
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_a_word_with_two_meanings_gets_two_translations():
    """ "Created" names an event in a ticket's history and a date column of the export."""
    from django.utils import translation

    from aftersales.export import header
    from aftersales.models import TicketEvent

    with translation.override("zh-hans"):
        assert str(TicketEvent.Kind.CREATED.label) == "已创建"
        assert "创建时间" in header()
