"""When a quarter's figures were calculated, on every page of a quarter not published, with
"Recalculate now" for those who publish the dataset."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from neglect_portal import access

from .. import results

register = template.Library()


@register.inclusion_tag("dataset/_figures_as_at.html", takes_context=True)
def figures_as_at(context: template.Context, quarter, live_results: object = None) -> dict:
    """`live_results`: those the page has read, by quarter (selectors.QuartersRead), so they
    are not read again; anything else (a page that passes none) reads the quarter's."""
    if isinstance(live_results, Mapping):
        result = live_results.get(quarter)
        computed_at = None if result is None else result.computed_at
    else:
        computed_at = results.live_computed_at(quarter)
    request = context["request"]
    return {
        "quarter": quarter,
        "computed_at": computed_at,
        "may_refresh": access.publishes_dataset(request.user),
        "csrf_token": context.get("csrf_token"),
        "back": request.get_full_path(),
    }
