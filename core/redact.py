"""Customers' mobile numbers kept out of logs (issue #18): one mask, `139****0001`, everywhere.

`mask_mobile` is the contract's mask (CONTRACT 5: what staff see in lists); `redact_mobiles`
masks every mainland mobile number in a text; `RedactMobilesFilter` applies it to every record the
configured log handlers write (settings.LOGGING), whoever logged it and with whatever arguments.
"""

import logging
import re

# A mainland mobile (1[3-9] and 9 digits), perhaps with +86/0086/86 and spaces or hyphens, not
# part of a longer run of digits or letters (order numbers, VINs).
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])((?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?![0-9])")


def mask_mobile(number: str) -> str:
    """`138****5678` for an 11-digit mobile; anything else as given."""
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else number


def redact_mobiles(text: str) -> str:
    """`text` with every mainland mobile number in it masked."""
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)


class RedactMobilesFilter(logging.Filter):
    """Masks mobile numbers in a log record's message, arguments and traceback; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_mobiles(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_mobiles(record.exc_text)
        return True
