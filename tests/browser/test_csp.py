"""In a real browser, the main pages and the Django admin raise no Content Security Policy violation:
the console is watched (Chromium reports each refusal there) and so is the securitypolicyviolation
event, on every page visited, for a store user and for HQ."""

import os

import pytest

from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
"""


def _watch(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda msg: (
            messages.append(msg.text) if "Content Security Policy" in msg.text or "Refused to" in msg.text else None
        ),
    )
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.add_init_script(WATCH)
    return messages


def _log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _visit(page, base, paths, messages) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status < 400, (path, response and response.status)
        page.wait_for_load_state("networkidle")
        seen = page.evaluate("window.__csp || []")
        problems += [f"{path}: {m}" for m in messages + seen]
        messages.clear()
    return problems


@pytest.fixture
def network():
    from aftersales.tests.factories import VehicleFactory, make_ticket

    store = StoreFactory(code="GZ-0001")
    vehicle = VehicleFactory(store=store)
    ticket = make_ticket(store=store, vehicle=vehicle, summary="刹车异响")
    make_user(Role.STAFF, store=store, username="zhangwei")
    make_user(Role.HQ, username="zongbu")
    return {"store": store, "vehicle": vehicle, "ticket": ticket}


def test_main_pages_raise_no_csp_violation_for_store_staff(live_server, page, network):
    messages = _watch(page)
    base = live_server.url
    _log_in(page, base, "zhangwei")
    paths = [
        "/",
        "/stores/",
        "/stores/GZ-0001/",
        "/stores/nearest/?lat=23.12&lng=113.26",
        "/sales/test-drives/",
        "/sales/test-drives/new/",
        "/sales/test-drives/day/",
        "/sales/orders/",
        f"/sales/vehicles/{network['vehicle'].vin}/",
        "/aftersales/tickets/",
        "/aftersales/tickets/new/",
        f"/aftersales/tickets/{network['ticket'].number}/",
    ]
    problems = _visit(page, base, paths, messages)
    assert not problems, "\n".join(problems)


def test_admin_raises_no_csp_violation(live_server, page, network):
    messages = _watch(page)
    base = live_server.url
    _log_in(page, base, "zongbu")
    store, ticket = network["store"], network["ticket"]
    paths = [
        "/admin/",
        "/admin/stores/store/",
        f"/admin/stores/store/{store.pk}/change/",
        "/admin/aftersales/ticket/",
        f"/admin/aftersales/ticket/{ticket.pk}/change/",
        "/",
        "/aftersales/unassigned/",
        "/aftersales/recalls/",
    ]
    problems = _visit(page, base, paths, messages)
    assert not problems, "\n".join(problems)


def test_the_watch_sees_a_violation(live_server, page, network):
    """The listeners work: an inline script injected into a page is refused and reported."""
    messages = _watch(page)
    base = live_server.url
    _log_in(page, base, "zhangwei")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    seen = page.evaluate("window.__csp || []")
    assert messages or seen
