"""Redis down: pages and forms work, jobs wait in the outbox, nothing is lost, /healthz says 503 naming
the broker. The shared Redis is never touched: the broker is pointed at a dead port inside the test."""

import pytest
from django.contrib.messages import get_messages

from aftersales.models import RecallCampaign, Ticket
from core.models import Notification
from core.notifications.service import deliver_pending
from sales.models import TestDrive
from sales.tests.factories import CarModelFactory, local_slot

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(settings):
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    settings.REDIS_URL = DEAD_BROKER
    settings.CELERY_BROKER_URL = DEAD_BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url, app.conf.task_always_eager = DEAD_BROKER, False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._pool = None
    app.amqp._producer_pool = None


def test_healthz_answers_503_naming_the_broker(client, db, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


def test_pages_and_forms_work_and_messages_wait_in_the_outbox(
    staff_client, store, broker_down, django_capture_on_commit_callbacks
):
    from aftersales.tests.factories import VehicleFactory

    for url in ("/", "/stores/", "/aftersales/tickets/", "/sales/test-drives/", "/sales/orders/"):
        assert staff_client.get(url).status_code == 200, url
    vehicle = VehicleFactory(store=store)
    CarModelFactory(code="GC-M7")

    with django_capture_on_commit_callbacks(execute=True):
        ticket_response = staff_client.post(
            "/aftersales/tickets/new/",
            {"vin": vehicle.vin, "kind": "repair", "priority": "P3", "summary": "刹车异响", "description": ""},
        )
    with django_capture_on_commit_callbacks(execute=True):
        slot = local_slot(days=2, hour=10)
        drive_response = staff_client.post(
            "/sales/test-drives/new/",
            {
                "customer_name": "张三",
                "customer_phone": "13912345678",
                "model": "GC-M7",
                "slot": f"{slot:%Y-%m-%d %H:%M}",
            },
        )
    assert ticket_response.status_code == 302 and Ticket.objects.count() == 1
    assert drive_response.status_code == 302 and TestDrive.objects.count() == 1
    waiting = list(Notification.objects.filter(status=Notification.Status.PENDING).values_list("pk", flat=True))
    assert len(waiting) >= 2  # ticket received, test drive booked: waiting, not lost


def test_outbox_is_delivered_once_the_broker_is_back(
    staff_client, store, broker_down, django_capture_on_commit_callbacks
):
    from aftersales.tests.factories import VehicleFactory

    vehicle = VehicleFactory(store=store)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/aftersales/tickets/new/",
            {"vin": vehicle.vin, "kind": "repair", "priority": "P3", "summary": "异响", "description": ""},
        )
    pending = Notification.objects.filter(status=Notification.Status.PENDING).count()
    assert pending >= 1
    # The periodic delivery task (beat, every minute) runs deliver_pending once a worker can take it.
    assert deliver_pending() == {"sent": pending, "failed": 0}
    assert not Notification.objects.filter(status=Notification.Status.PENDING).exists()
    assert deliver_pending() == {"sent": 0, "failed": 0}  # nothing twice


def test_recall_launch_with_the_broker_down_says_so_and_changes_nothing(hq_client, broker_down):
    campaign = RecallCampaign.objects.create(code="RC-1", title="刹车", model=CarModelFactory(), vin_from="", vin_to="")
    response = hq_client.post(f"/aftersales/recalls/{campaign.pk}/launch/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == RecallCampaign.Status.DRAFT
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(errors) == 1 and "RC-1" in errors[0]  # told, in words, that it was not launched
