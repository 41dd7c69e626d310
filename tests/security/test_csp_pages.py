"""The pages satisfy the Content Security Policy (script-src 'self', style-src 'self'): every page each
role can GET, and the public and admin pages, rendered and searched for what the policy would block."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from stores.models import Role

from .pages import pages_for
from .records import ROLES, attachment_record, drive_record, order_record

# Inline <script> blocks that hold data, not code, are not executed and so not blocked by CSP.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset"}


class PolicyAudit(HTMLParser):
    """Collects what a strict CSP (no inline code, our origin only) would refuse on a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event-handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
            if name in URL_ATTRIBUTES and value.lower().replace(" ", "").startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value[:40]}> javascript: URL")
        if tag == "script":
            src = attributes.get("src")
            if src is None and (attributes.get("type") or "text/javascript") not in DATA_SCRIPT_TYPES:
                self._inline_script = True
            elif src and _external(src):
                self.problems.append(f"<script src={src}> from another origin")
        if tag == "style":
            self.problems.append("<style> block")
        if tag in ("img", "iframe", "source", "audio", "video", "embed", "object") and _external(
            attributes.get("src") or attributes.get("data") or ""
        ):
            self.problems.append(f"<{tag}> from another origin")
        if tag == "link" and _external(attributes.get("href") or "") and "stylesheet" in (attributes.get("rel") or ""):
            self.problems.append(f"<link stylesheet {attributes.get('href')}> from another origin")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")


def _external(url: str) -> bool:
    return url.strip().lower().startswith(("http:", "https:", "//"))


def audit(html: str) -> list[str]:
    parser = PolicyAudit()
    parser.feed(html)
    return parser.problems


def test_the_audit_catches_what_the_policy_blocks():
    page = (
        '<script>alert(1)</script><a href="javascript:void(0)">x</a><button onclick="go()">y</button>'
        '<script src="https://cdn.example/x.js"></script><img src="http://img.example/a.png">'
        '<div style="color:red"></div><style>p{}</style><script type="application/json">{"a":1}</script>'
        '<script src="/static/js/portal.js"></script>'
    )
    assert len(audit(page)) == 7


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


@pytest.fixture
def users(staff_user, manager_user, regional_user, hq_user):
    return {Role.STAFF: staff_user, Role.MANAGER: manager_user, Role.REGIONAL: regional_user, Role.HQ: hq_user}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_satisfies_the_csp(role, users, store):
    for make in (order_record, drive_record, attachment_record):
        make(store)  # lists with rows
    client = Client()
    client.force_login(users[role])
    problems, seen = [], 0
    for name, url in pages_for(role, store):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        problems += [f"{name} ({url}): {p}" for p in audit(_body(response))]
        # htmx asks for fragments of the same pages: those must satisfy the policy as well.
        fragment = client.get(url, headers={"HX-Request": "true"})
        if fragment.status_code == 200 and "html" in fragment.get("Content-Type", ""):
            problems += [f"{name} (htmx): {p}" for p in audit(_body(fragment))]
    assert seen >= 10
    assert not problems, "\n".join(problems)


def test_public_pages_satisfy_the_csp(db):
    client = Client()
    for url in ("/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/"):
        response = client.get(url)
        assert response.status_code == 200
        assert not audit(_body(response)), url


def test_admin_pages_satisfy_the_csp(hq_client, store):
    """Django's admin renders no inline scripts or handlers since 5.x; its changelists and forms are checked."""
    from django.contrib import admin
    from django.urls import reverse

    order_record(store)
    problems = []
    for model in admin.site._registry:
        opts = model._meta
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        first = model._base_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        for url in urls:
            response = hq_client.get(url)
            if response.status_code == 200:
                problems += [f"{url}: {p}" for p in audit(_body(response))]
    assert not problems, "\n".join(problems)
