"""The Working Group's challenges on pages of other apps (a home page, the dataset's
indicator and themes pages), which may not import this app's selectors themselves."""

from django import template

from neglect_portal import access

from .. import selectors

register = template.Library()

HOME_LIMIT = 10


@register.inclusion_tag("actionplans/_home_challenges.html", takes_context=True)
def challenges_for_my_agency(context):
    """An agency lead's open challenges, addressed to their agency: the oldest due first."""
    user = context["request"].user
    challenges = list(
        selectors.open_challenges(user).filter(agency_id=user.agency_id)[: HOME_LIMIT + 1]
    )
    return {
        "challenges": challenges[:HOME_LIMIT],
        "more": len(challenges) > HOME_LIMIT,
        "agency": user.agency,
    }


@register.inclusion_tag("actionplans/_indicator_challenges.html", takes_context=True)
def indicator_challenges(context, code, quarter, raise_url=""):
    """Challenges on an indicator (or on it as a theme) in a quarter, and the way to raise
    one for those who may."""
    user = context["request"].user
    return {
        "challenges": list(selectors.challenges_on_indicator(code, quarter, user)),
        "quarter": quarter,
        "raise_url": raise_url if access.raises_challenges(user) else "",
    }


@register.simple_tag(takes_context=True)
def may_raise_challenges(context) -> bool:
    return access.raises_challenges(context["request"].user)
