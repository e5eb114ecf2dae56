"""Raising a Working Group challenge on an indicator or an emerging theme: the code is checked
against the registry and the label built from the indicator's title here, never taken from
the address; actionplans owns the form and the challenge."""

from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from actionplans.challenge_views import raise_challenge_page
from actionplans.models import Challenge
from neglect_portal import access

from . import selectors


def _title_or_404(code: str) -> str:
    # An agency's own indicator is on the indicator pages and the themes like a built-in one,
    # so it is challenged the same way.
    found = selectors.indicator_or_none(code)
    if found is None:
        raise Http404("No such indicator")
    return found.title


@require_http_methods(["GET", "POST"])
@access.only_for(access.raises_challenges)
def challenge_indicator(request, quarter, code):
    title = _title_or_404(code)
    return raise_challenge_page(
        request,
        subject=Challenge.Subject.INDICATOR,
        quarter=quarter,
        indicator_code=code,
        subject_label=f"{title}, {quarter.label}",
        back_to=reverse("dataset:indicator", args=[quarter, code]),
        breadcrumbs="dataset/_breadcrumbs.html",
    )


@require_http_methods(["GET", "POST"])
@access.only_for(access.raises_challenges)
def challenge_theme(request, quarter, code):
    title = _title_or_404(code)
    return raise_challenge_page(
        request,
        subject=Challenge.Subject.THEME,
        quarter=quarter,
        indicator_code=code,
        subject_label=f"Emerging theme: {title}, {quarter.label}",
        back_to=reverse("dataset:themes", args=[quarter]),
        breadcrumbs="dataset/_breadcrumbs.html",
    )
