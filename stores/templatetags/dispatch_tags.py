"""`{% dispatch_note record.dispatch_note %}`: the explained dispatch decision on a record's page."""

import datetime as dt

from django import template

from stores import dispatching

register = template.Library()


@register.inclusion_tag("partials/dispatch_note.html")
def dispatch_note(note: dict | None) -> dict:
    if not note:
        return {"note": None}
    slot = note.get("slot")
    return {
        "note": note,
        "reason_label": dispatching.reason_label(note.get("reason")),
        "slot": dt.datetime.fromisoformat(slot) if slot else None,
        "passed_over": [
            {**row, "why_label": dispatching.refusal_label(row.get("why"))} for row in note.get("passed_over", [])
        ],
    }


@register.filter
def dispatch_why(code: str) -> str:
    """The readable reason a store was passed over."""
    return dispatching.refusal_label(code)
