"""Who may DO what: the one place that answers "may this user take this action on this record".

`stores.access` answers who may *see* a record; this module answers who may *act* on one that
is in sight. Services enforce (`require`), views turn a refusal into 403 (or a message on the
page, for a finished record), templates only hide the buttons (`{% can %}` in policy_tags).

Each action is a `rules` predicate of (user, record) kept in a private RuleSet (not Django's
global permissions: `user.has_perm` is always True for superusers and would skip the state
checks). The actor `None` is the system (jobs): it passes every role check, never a state check.
Predicates read only attributes of the record passed in (`status`, `store_id`, `is_open`,
`is_finished`), so this module imports nothing from sales or aftersales.
"""

from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import membership_of, role_of
from .models import Role

# --- who ---------------------------------------------------------------------------------------


@rules.predicate
def is_system(user) -> bool:
    return user is None


def _role_in(*roles: str):
    @rules.predicate(name=f"role in {'/'.join(roles)}")
    def check(user) -> bool:
        return role_of(user) in roles

    return check


has_role = is_system | _role_in(Role.STAFF, Role.MANAGER, Role.REGIONAL, Role.HQ)
is_manager_or_above = is_system | _role_in(Role.MANAGER, Role.REGIONAL, Role.HQ)
is_regional_or_hq = is_system | _role_in(Role.REGIONAL, Role.HQ)
is_hq = is_system | _role_in(Role.HQ)


@rules.predicate
def works_at_record_store(user, record) -> bool:
    """The user belongs to the store holding the record (any record: True when none is given)."""
    if record is None:
        return True
    membership = membership_of(user)
    return membership is not None and membership.store_id is not None and membership.store_id == record.store_id


# --- the record's state ------------------------------------------------------------------------


@rules.predicate
def is_unfinished(user, record) -> bool:
    """Not a finished record (a closed or cancelled ticket, a completed test drive, a delivered order)."""
    return record is None or not getattr(record, "is_finished", False)


@rules.predicate
def is_open(user, record) -> bool:
    return record is None or record.is_open


@rules.predicate
def has_no_store(user, record) -> bool:
    return record is None or record.store_id is None


# Editing a finished record: nobody, not even HQ or the system; comments are not edits (CONTRACT 5).
edits_finished = rules.always_deny


@dataclass(frozen=True)
class Action:
    who: rules.Predicate  # the people: roles, membership
    refusal: str  # why the people test failed, shown to the user
    state: rules.Predicate = rules.always_allow  # the record's state, beyond finished-ness
    state_refusal: str = ""  # why the state test failed
    edits: bool = True  # a change to the record: refused once it is finished

    @property
    def rule(self) -> rules.Predicate:
        return self.who & self.state & (is_unfinished | edits_finished) if self.edits else self.who & self.state


ANY_ROLE = gettext_lazy("You have no role in the portal.")
HQ_ONLY = gettext_lazy("Only HQ may do this.")
NOT_OPEN = gettext_lazy("A finished ticket cannot be assigned.")

ACTIONS: dict[str, Action] = {
    # Tickets: the work moves of the status machine, and its moves reserved to managers.
    "ticket.work": Action(has_role, ANY_ROLE),
    "ticket.cancel": Action(is_manager_or_above, gettext_lazy("Only a manager or above may cancel a ticket.")),
    "ticket.close": Action(is_manager_or_above, gettext_lazy("Only a manager or above may close a ticket.")),
    "ticket.reopen": Action(
        is_manager_or_above, gettext_lazy("Only a manager or above may reopen a ticket."), edits=False
    ),
    "ticket.assign_others": Action(
        is_manager_or_above, gettext_lazy("Staff may only assign a ticket to themselves."), is_open, NOT_OPEN
    ),
    "ticket.take": Action(
        is_manager_or_above | works_at_record_store,
        gettext_lazy("Only the ticket's store may take it."),
        is_open,
        NOT_OPEN,
    ),
    "ticket.prioritise": Action(
        is_manager_or_above,
        gettext_lazy("Only a manager or above may change a ticket's priority."),
        is_open,
        gettext_lazy("A finished ticket keeps its priority."),
    ),
    "ticket.set_payer": Action(is_hq, gettext_lazy("Only HQ may change who pays for a ticket.")),
    "ticket.set_component": Action(has_role, ANY_ROLE),
    "ticket.attach": Action(has_role, ANY_ROLE),
    "ticket.comment": Action(has_role, ANY_ROLE, edits=False),
    "ticket.place_unassigned": Action(
        is_regional_or_hq,
        gettext_lazy("Only regional managers and HQ place unassigned work."),
        is_open & has_no_store,
        gettext_lazy("Only open work without a store can be placed."),
    ),
    # Recalls and mileage: HQ's.
    "recall.manage": Action(is_hq, gettext_lazy("Only HQ may manage recalls."), edits=False),
    "recall.launch": Action(is_hq, gettext_lazy("Only HQ may launch a recall.")),
    "vehicle.correct_mileage": Action(is_hq, gettext_lazy("Only HQ may correct a vehicle's mileage.")),
    # Orders and test drives: whoever has the record in reach moves it along its machine.
    "order.progress": Action(has_role, ANY_ROLE),
    "order.cancel": Action(has_role, ANY_ROLE),
    "order.edit": Action(is_hq, HQ_ONLY),
    "testdrive.dispatch": Action(is_system, gettext_lazy("Only the dispatcher assigns a request to a store.")),
    "testdrive.progress": Action(has_role, ANY_ROLE),
    "testdrive.cancel": Action(has_role, ANY_ROLE),
    "testdrive.edit": Action(is_hq, HQ_ONLY),
    "testdrive.book_by_position": Action(
        is_regional_or_hq, gettext_lazy("Only regional managers and HQ may book by the customer's position.")
    ),
    "admin.use": Action(is_hq, HQ_ONLY, edits=False),
}

RULES = rules.RuleSet()
for _name, _action in ACTIONS.items():
    RULES.add_rule(_name, _action.rule)


class RecordFinished(PermissionDenied):
    """Refused because the record is finished: views show the message on the record's page."""


def can(user, action: str, obj=None) -> bool:
    """Whether `user` (None: the system) may take `action` on `obj` (None: on such a record)."""
    if action not in RULES:
        raise KeyError(f"Unknown action {action!r}: add it to stores.policy.ACTIONS.")
    return RULES.test_rule(action, user, obj)


def require(user, action: str, obj=None) -> None:
    """Do nothing when `can`; else raise with a message saying why: PermissionDenied when the
    user may not (views answer 403), RecordFinished when the record is finished, ValidationError
    when the record's present state does not allow it (views show both on the page)."""
    if can(user, action, obj):
        return
    spec = ACTIONS[action]
    if not spec.who.test(user, obj):
        raise PermissionDenied(str(spec.refusal))
    if spec.edits and obj is not None and getattr(obj, "is_finished", False):
        raise RecordFinished(finished_message(obj))
    raise ValidationError(str(spec.state_refusal) or _("This cannot be done in the record's present state."))


def finished_message(obj) -> str:
    return _("This record is finished (%(status)s): it takes comments at most.") % {"status": obj.get_status_display()}


# --- status machines (core.transitions): the table says which moves exist, the policy who may ----


def allowed_moves(user, machine, obj) -> list:
    """The moves of `machine` the user may make on `obj` now: the buttons a page offers."""
    return [t for t in machine.moves_from(obj.status) if can(user, t.who, obj) and t.refusal(obj) is None]


def require_move(user, machine, obj, key: str):
    """The move of `machine` named `key` (a name or target status) from `obj`'s status, checked.

    Raises ValidationError when no such move exists or its guard refuses, PermissionDenied when
    the user may not make it.
    """
    move = machine.find(obj.status, key)
    if move is None:
        raise ValidationError(
            _("This %(record)s is %(current)s: it cannot become %(target)s.")
            % {"record": obj._meta.verbose_name, "current": obj.get_status_display(), "target": _label(obj, key)}
        )
    require(user, move.who, obj)
    why = move.refusal(obj)
    if why:
        raise ValidationError(why)
    return move


def _label(obj, key: str) -> str:
    choices = dict(obj._meta.get_field("status").choices)
    return str(choices.get(key, key))
