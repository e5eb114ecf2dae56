"""The audit's panel on an action plan's page, shown by the actionplans app through this tag
so that actionplans never imports the dataset app."""

from __future__ import annotations

from typing import Any

from django import template

from neglect_portal import access

from ..audit_results import findings_for_actions

register = template.Library()


def _findings(context: template.Context, plan_id: int) -> dict:
    # Every row of the plan asks: the first fetches the findings of all the plan's actions
    # and the rest read them, so the page takes one query more for any number of actions.
    key = ("audit_findings", plan_id)
    cache = context.render_context
    if key not in cache:
        cache[key] = findings_for_actions([plan_id])
    return cache[key]


@register.inclusion_tag("dataset/audits/agreed_at_panel.html", takes_context=True)
def agreed_at_audit(context: template.Context, action: Any) -> dict:
    """ "Agreed at audit: <round>, theme <theme>" on an action agreed from an audit's finding,
    linked to the round's results for those who may read them; nothing on any other action."""
    request = context.get("request")
    return {
        "finding": _findings(context, action.plan_id).get(action.pk),
        "links_results": request is not None and access.reads_audit_results(request.user),
    }
