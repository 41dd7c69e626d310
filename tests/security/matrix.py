"""The access matrix's checks, as functions returning problems (so a test can also prove they bite).

For a record-naming URL and a role: the record held by a store in the user's reach answers the
page (200, or the view's redirect), one held by a store out of reach answers 404 exactly like a
missing one, and a POST at the out-of-reach record changes nothing.

For an action (a state-changing POST) and a role, on a record in reach: the outcome the test's
table expects, DONE (answered and something changed), REJECTED (answered with the reason on
the page, nothing changed), 403 or 404 (nothing changed).
"""

import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.contrib.messages import WARNING, get_messages
from django.test import Client
from django.urls import reverse

from stores.models import Role

from .records import ActionProbe, RecordSpec
from .urlwalk import Endpoint

# Tables a GET may write: audit logs of who looked (PhoneView), login throttling, sessions.
AUDIT_TABLES = frozenset(
    {"sales.PhoneView", "sessions.Session", "axes.AccessLog", "axes.AccessAttempt", "axes.AccessFailureLog"}
)
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def fingerprint(exclude: frozenset = AUDIT_TABLES) -> dict[str, str]:
    """A digest of every row of every table (small test databases): any write shows."""
    digests = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in exclude or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digests[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


def is_success(response) -> bool:
    if response.status_code in (200, 204):
        return True
    if response.status_code in (301, 302, 303):
        return not response["Location"].startswith(LOGIN_PATHS)
    return False


def missing_kwargs(kwargs: dict) -> dict:
    """Arguments naming no record at all."""
    return {key: 987654321 if isinstance(value, int) else "NOPE-404" for key, value in kwargs.items()}


# What the matrix ran in this session, for the summary line (tests/security/conftest.py).
TALLY = {"urls": set(), "roles": set(), "cases": 0}


@dataclass
class Cases:
    count: int = 0

    def __post_init__(self):
        self.problems: list[str] = []

    def expect(self, ok: bool, message: str) -> None:
        self.count += 1
        if not ok:
            self.problems.append(message)


def check_record_url(endpoint: Endpoint, spec: RecordSpec, role: str, client: Client, *, home, away, user) -> Cases:
    """Runs the matrix cases of one URL for one role; the client is logged in as `user`."""
    cases = Cases()
    mine, theirs = spec.make(home), spec.make(away)
    allowed = role in spec.roles
    label = f"{endpoint.name} as {role}"

    # In reach: the page (or, for a POST-only view, the action's redirect).
    response = client.get(endpoint.url(**mine))
    post_only = response.status_code == 405
    if post_only:
        response = client.post(endpoint.url(**mine), spec.post)
    if allowed:
        # An action the role may not take answers 403 in reach (the action matrix checks which).
        ok = is_success(response) or (post_only and response.status_code == 403)
        cases.expect(ok, f"{label}: in reach answered {response.status_code}, not the page")
    else:
        cases.expect(response.status_code == 404, f"{label}: not for this role but answered {response.status_code}")

    # Out of reach (HQ: another store's record, which is in HQ's reach).
    before = fingerprint()
    response = client.post(endpoint.url(**theirs), spec.post) if post_only else client.get(endpoint.url(**theirs))
    if role == Role.HQ and allowed:
        cases.expect(is_success(response), f"{label}: another store's record answered {response.status_code}")
    else:
        cases.expect(response.status_code == 404, f"{label}: OUT OF REACH answered {response.status_code}, not 404")
        if not post_only:
            response = client.post(endpoint.url(**theirs), spec.post)
            cases.expect(
                response.status_code in (404, 405),
                f"{label}: POST out of reach answered {response.status_code}, not 404/405",
            )
        changed = changed_tables(before, fingerprint())
        cases.expect(not changed, f"{label}: a request out of reach changed {changed}")

    # Missing: 404 like out of reach.
    missing = missing_kwargs(mine)
    response = client.post(endpoint.url(**missing), spec.post) if post_only else client.get(endpoint.url(**missing))
    cases.expect(response.status_code == 404, f"{label}: a missing record answered {response.status_code}")
    if endpoint.name != "aftersales:ticket_leak":
        TALLY["urls"].add(endpoint.name)
        TALLY["roles"].add(role)
        TALLY["cases"] += cases.count
    return cases


DONE, REJECTED = "done", "rejected"
ACTION_TALLY = {"actions": set(), "cases": 0}


def _warned(response) -> bool:
    """The answer carries a reason: a warning or error message, or the form shown again."""
    if response.status_code == 200:
        return True
    return any(m.level >= WARNING for m in get_messages(response.wsgi_request))


def check_action(name: str, probe: ActionProbe, role: str, client: Client, *, home, expected) -> Cases:
    """POST one action on a record held by `home` (in the user's reach); compare with `expected`."""
    cases = Cases()
    args = probe.make(home)
    url = reverse(probe.url_name, kwargs=probe.url_kwargs(args) or None)
    before = fingerprint()
    response = client.post(url, probe.post(args))
    changed = changed_tables(before, fingerprint())
    got = f"answered {response.status_code}, changed {changed or 'nothing'}"
    label = f"{name} as {role}: expected {expected}"
    if expected == DONE:
        cases.expect(is_success(response) and bool(changed), f"{label}, {got}")
    elif expected == REJECTED:
        cases.expect(is_success(response) and _warned(response) and not changed, f"{label} with a reason, {got}")
    else:
        cases.expect(response.status_code == expected and not changed, f"{label}, {got}")
    ACTION_TALLY["actions"].add(name)
    ACTION_TALLY["cases"] += cases.count
    return cases
