"""The toolkit's panel on a child's page, shown by the cases app through this tag so that
cases never imports the toolkit."""

from django import template

from neglect_portal import access
from neglect_portal.dates import today

from ..selectors import overdue_next_steps, sdq_needs_open, tools_for_child
from ..status import tool_statuses
from ..tool_kinds import TOOL_KINDS

register = template.Library()


@register.inclusion_tag("toolkit/_child_panel.html", takes_context=True)
def child_toolkit(context, child, on_neglect_plan: bool) -> dict:
    """The mandatory tools' status (for a child on a neglect plan), any SDQ needed, every tool
    started, the overdue next steps and the buttons to start one: five queries."""
    user = context["request"].user
    return {
        "child": child,
        "on_neglect_plan": on_neglect_plan,
        "tool_statuses": tool_statuses([child.pk], today())[child.pk] if on_neglect_plan else [],
        "sdq_needs": sdq_needs_open([child.pk]),
        "tools": tools_for_child(child),
        "overdue_steps": list(overdue_next_steps([child.pk], on=today())),
        "tool_kinds": TOOL_KINDS.values(),
        "can_start_tools": access.works_with_children(user),
        "csrf_token": context.get("csrf_token"),
    }
