"""The toolkit's panel on a child's page, shown by the cases app through this tag so that
cases never imports the toolkit."""

from django import template

from neglect_portal import access
from neglect_portal.dates import today

from ..selectors import child_panel, overdue_next_steps, sdq_needs_open
from ..tool_kinds import TOOL_KINDS

register = template.Library()


@register.inclusion_tag("toolkit/_child_panel.html", takes_context=True)
def child_toolkit(context, child, on_neglect_plan: bool, reviews) -> dict:
    """The mandatory tools' status (for a child on a neglect plan) and whether each informed
    the latest of `reviews` (the child's CP and CIN plan reviews, which the child page has
    read), any SDQ needed, every tool started (and those awaiting oversight), the overdue next
    steps and the buttons to start one."""
    user = context["request"].user
    day = today()
    panel = child_panel(child, on=day, neglect_plan=on_neglect_plan, reviews=reviews)
    statuses, awaiting = panel.statuses, panel.awaiting_oversight
    return {
        "child": child,
        "on_neglect_plan": on_neglect_plan,
        "tool_statuses": statuses,
        "sdq_needs": sdq_needs_open([child.pk]),
        # Management oversight and the latest review (domain.md §7).
        "awaiting_oversight": awaiting,
        "chronology_awaits_oversight": any(key.startswith("chronology:") for key in awaiting),
        "latest_review": panel.latest_review,
        "tools": panel.tools,
        "overdue_steps": list(overdue_next_steps([child.pk], on=day)),
        "tool_kinds": TOOL_KINDS.values(),
        "can_start_tools": access.works_with_children(user),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def awaits_oversight(tool, awaiting: set[str]) -> bool:
    """Whether a row of tools_for_child() is among awaiting_oversight_of_child()'s."""
    return f"{tool.kind}:{tool.pk}" in awaiting
