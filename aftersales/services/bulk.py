"""Bulk actions on the ticket queue: many tickets, one action, one summary.

Each ticket goes through the same service (and so the same policy check) as on its own page, in
its own savepoint: a refused ticket is skipped with its reason and changes nothing, the others
go through. The caller has already scoped the tickets to the actor's reach (stores.access).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales import selectors
from aftersales.models import Ticket
from aftersales.services.tickets import ticket_assign, ticket_transition

NUMBERS_SHOWN = 5


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # reason -> numbers

    @property
    def skipped_count(self) -> int:
        return sum(len(numbers) for numbers in self.skipped.values())

    def summary(self) -> str:
        """One line: done N; skipped M, each reason with (some of) its ticket numbers."""
        text = ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", len(self.done)) % {
            "count": len(self.done)
        }
        if not self.skipped:
            return text
        reasons = "; ".join(f"{reason} ({_numbers(numbers)})" for reason, numbers in self.skipped.items())
        skipped = _("%(count)d skipped: %(reasons)s.") % {"count": self.skipped_count, "reasons": reasons}
        return f"{text} {skipped}"


def _numbers(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:NUMBERS_SHOWN])
    more = len(numbers) - NUMBERS_SHOWN
    return shown + (" " + _("and %(count)d more") % {"count": more} if more > 0 else "")


def assignee_by_name(*, ticket: Ticket, name: str, actor) -> AbstractBaseUser | None:
    """The user named in an assignee field: "me" is the actor, "" nobody; else an active member
    of the ticket's store (ValidationError otherwise)."""
    name = (name or "").strip()
    return actor if name == "me" else selectors.store_member(ticket=ticket, username=name)


@transaction.atomic
def tickets_bulk_assign(*, tickets: list[Ticket], assignee_name: str, actor) -> BulkResult:
    """Assign each ticket to the named user ("me": the actor). An empty name is refused: it would
    unassign every selected ticket (unassigning is done one ticket at a time, on its page)."""
    if not (assignee_name or "").strip():
        raise ValidationError({"assignee": _("Name the assignee (a username, or “me”): nothing was changed.")})

    def assign(ticket: Ticket) -> None:
        assignee = assignee_by_name(ticket=ticket, name=assignee_name, actor=actor)
        ticket_assign(ticket=ticket, assignee=assignee, actor=actor)

    return _each(tickets, assign)


@transaction.atomic
def tickets_bulk_transition(*, tickets: list[Ticket], to_status: str, actor) -> BulkResult:
    """Move each ticket to `to_status` where its status machine and the policy allow it."""
    if to_status not in Ticket.Status.values:
        raise ValidationError({"to_status": _("Choose the new status.")})
    return _each(tickets, lambda ticket: ticket_transition(ticket=ticket, to_status=to_status, actor=actor))


def _each(tickets: list[Ticket], change) -> BulkResult:
    result = BulkResult()
    for ticket in tickets:
        try:
            with transaction.atomic():
                change(ticket)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            result.skipped[reason].append(ticket.number)
        else:
            result.done.append(ticket.number)
    return result
