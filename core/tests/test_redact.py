"""Customers' mobile numbers never reach the log in full (issue #18): masked `139****0001`."""

import io
import logging

import pytest

from core.models import Notification
from core.notifications.backends import ConsoleBackend
from core.redact import RedactMobilesFilter, mask_mobile, redact_mobiles


def test_the_console_sms_line_masks_the_recipient_and_numbers_in_the_text(caplog, capsys):
    message = Notification(
        channel="sms", recipient="13912340001", subject="试驾预约", body="请致电 13800138000 或 +86 137-1234-5678"
    )
    with caplog.at_level(logging.INFO):
        ConsoleBackend().send(message)
    logged = caplog.text + capsys.readouterr().out
    assert "139****0001" in logged and "试驾预约" in logged
    for full in ("13912340001", "13800138000", "1234-5678", "12345678"):
        assert full not in logged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to 13912340001: ok", "to 139****0001: ok"),
        ("+8613912340001", "+86139****0001"),
        ("139 1234 0001", "139****0001"),
        ("order 202612345678901 and 020-87654321", "order 202612345678901 and 020-87654321"),
        ("VIN LGCA1B2C0R13912340001", "VIN LGCA1B2C0R13912340001"),
    ],
)
def test_redact_masks_mainland_mobiles_only(text, expected):
    assert redact_mobiles(text) == expected


def test_mask_mobile_is_the_contract_mask():
    assert mask_mobile("13912340001") == "139****0001"


def test_every_log_line_through_the_configured_handler_is_redacted():
    """The console handler of settings.LOGGING masks numbers whoever logs them, %-arguments too."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactMobilesFilter) for f in h.filters)]
    assert handlers, "the root logger's console handler has no RedactMobilesFilter"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactMobilesFilter())
    logger = logging.getLogger("goodcar.test.redact")
    logger.addHandler(handler)
    try:
        logger.warning("customer %s called about %d cars", "13912340001", 2)
        logger.warning("plain 13800138000")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "customer 139****0001 called about 2 cars\nplain 138****8000\n"


def test_a_notification_names_its_recipient_masked_in_admin_history():
    note = Notification(channel="sms", recipient="13912340001", subject="试驾预约", body="x")
    assert "139****0001" in str(note) and "13912340001" not in str(note)


def test_a_celery_workers_own_log_handlers_mask_numbers_too():
    from celery.signals import after_setup_logger, after_setup_task_logger

    import config.celery  # noqa: F401  (connects the worker's logging signals)

    stream = io.StringIO()
    logger = logging.Logger("celery.worker.test")
    logger.addHandler(logging.StreamHandler(stream))
    after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False)
    after_setup_task_logger.send(
        sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False
    )
    logger.warning("sent to %s", "13912340001")
    assert stream.getvalue() == "sent to 139****0001\n"
    assert sum(isinstance(f, RedactMobilesFilter) for f in logger.handlers[0].filters) == 1
