"""Reading a feed file: its bytes, their SHA-256, and the text in whichever encoding it came in.

Upstream systems write UTF-8, UTF-8 with a BOM, or GB18030/GBK (CONTRACT 3). Strict decoding
decides between those reliably (GBK text practically never decodes as valid UTF-8, and GB18030
is a superset of GBK); charset-normalizer is the fallback for anything else a spreadsheet may
produce (UTF-16 with a BOM, say). A file none of them can read is refused, never guessed at.
"""

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
from django.utils.translation import gettext as _


class FeedRefused(Exception):
    """The file cannot be used at all: the run changes nothing and the command exits 2."""

    def __init__(self, reason: str, *, sha256: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.sha256 = sha256


@dataclass(frozen=True)
class FeedFile:
    path: Path
    sha256: str
    text: str
    encoding: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_feed_file(path: Path) -> FeedFile:
    """The decoded file, or FeedRefused when it is missing, unreadable or empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise FeedRefused(_("%(path)s: no such file.") % {"path": path}) from exc
    except OSError as exc:
        raise FeedRefused(_("%(path)s: cannot be read (%(error)s).") % {"path": path, "error": exc.strerror}) from exc
    sha256 = hashlib.sha256(data).hexdigest()
    text, encoding = decode(data, path=path, sha256=sha256)
    if not text.strip():
        raise FeedRefused(_("%(path)s: the file is empty.") % {"path": path}, sha256=sha256)
    return FeedFile(path=path, sha256=sha256, text=text, encoding=encoding)


def decode(data: bytes, *, path: Path, sha256: str = "") -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8", "gb18030"):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        text = str(best).lstrip("\ufeff")
        if "\x00" not in text:
            return text, best.encoding
    raise FeedRefused(_("%(path)s: cannot be read as text in UTF-8 or GB18030/GBK.") % {"path": path}, sha256=sha256)
