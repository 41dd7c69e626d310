"""`{% can "ticket.cancel" ticket as may_cancel %}`: the policy's answer, so a template only hides
buttons the service would refuse anyway (stores.policy decides; the template decides nothing)."""

from django import template

from stores import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return False
    return policy.can(user, action, obj)
