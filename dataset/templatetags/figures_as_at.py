"""When a quarter's figures were calculated, on every page of a quarter not published, with
"Recalculate now" for those who publish the dataset."""

from __future__ import annotations

from django import template

from neglect_portal import access

from .. import results

register = template.Library()


@register.inclusion_tag("dataset/_figures_as_at.html", takes_context=True)
def figures_as_at(context: template.Context, quarter) -> dict:
    computed_at = results.live_computed_at(quarter)
    request = context["request"]
    return {
        "quarter": quarter,
        "computed_at": computed_at,
        "may_refresh": access.publishes_dataset(request.user),
        "csrf_token": context.get("csrf_token"),
        "back": request.get_full_path(),
    }
