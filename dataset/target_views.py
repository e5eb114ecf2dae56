"""Indicators' targets: the list everyone who reads the dataset reads, the form
administrators set or withdraw one with, and each indicator's target history."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from neglect_portal.records import once
from neglect_portal.records.stale import refuse_stale
from neglect_portal.records.versions import StaleEdit

from . import services, targets
from .forms import TargetForm
from .indicators import Indicator
from .movements import format_target, format_value
from .quarters_shown import TREND_LENGTH
from .services import TargetRefused

PAGE_SIZE = 50
# The quarters a target may apply from: as far back as the trends look, and a year ahead.
QUARTERS_AHEAD = 4

reads_dataset = access.only_for(access.reads_dataset)
sets_targets = access.only_for(access.sets_targets)


def _indicator_or_404(code: str) -> Indicator:
    try:
        return targets.indicator_for(code)
    except KeyError:
        raise Http404("No such indicator") from None


def _quarters(current: Quarter) -> list[Quarter]:
    ahead = [current]
    while len(ahead) <= QUARTERS_AHEAD:
        ahead.append(ahead[-1].next())
    return [*current.last(TREND_LENGTH)[:-1], *ahead]


@require_GET
@reads_dataset
def targets_list(request):
    quarter = Quarter.containing(today())
    page = Paginator(targets.targets_in(quarter), PAGE_SIZE).get_page(request.GET.get("page"))
    page.rows = [
        (
            row,
            format_target(row.indicator, row.in_force.value if row.in_force else None),
            format_target(row.indicator, row.later.value if row.later else None),
        )
        for row in page
    ]
    return render(
        request,
        "dataset/targets.html",
        {"quarter": quarter, "page": page, "may_set": access.sets_targets(request.user)},
    )


def _saved_form(indicator, row, *, version, quarters, withdrawable):
    """The form as the row someone else saved would fill it, for "what is different"."""
    initial = {}
    if row is not None:
        initial = {
            "applies_from": row.applies_from.slug,
            "action": TargetForm.WITHDRAW if row.withdrawn else TargetForm.SET,
            "value": row.value,
            "reason": row.reason,
        }
    return TargetForm(
        indicator=indicator,
        schedule_version=version,
        quarters=quarters,
        withdrawable=withdrawable,
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@sets_targets
def target_set(request, code):
    indicator = _indicator_or_404(code)
    current = Quarter.containing(today())
    book = targets.target_book(codes=[code])
    context = {
        "indicator": indicator,
        "quarter": current,
        "in_force": book.in_force(code, current),
        "target_text": None,
    }
    if context["in_force"] is not None:
        context["target_text"] = format_target(indicator, context["in_force"].value)
    if not targets.can_have_target(indicator):
        # The page says why; a form posted anyway saves nothing.
        status = 400 if request.method == "POST" else 200
        return render(request, "dataset/target_set.html", context, status=status)
    quarters = _quarters(current)
    withdrawable = bool(book.rows(code))
    form = once.carry_token(
        TargetForm(
            request.POST if request.method == "POST" else None,
            indicator=indicator,
            schedule_version=sum(row.version for row in book.rows(code)),
            quarters=quarters,
            withdrawable=withdrawable,
            initial={"applies_from": current.slug},
        )
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = once.submit_once(
                request,
                lambda: services.target_set(
                    code=code,
                    applies_from=data["applies_from"],
                    value=form.target_value,
                    reason=data["reason"],
                    user=request.user,
                    expected_version=data["version"],
                ),
                lambda row: reverse("dataset:target_history", args=[code]),
            )
        except StaleEdit as refused:
            version = targets.schedule_version(code)
            saved = _saved_form(
                indicator, refused.current, version=version, quarters=quarters, withdrawable=True
            )
            stale = refuse_stale(form, saved, version=version, thing="target")
        except TargetRefused as refused:
            form.add_error(None, str(refused))
        else:
            if done.again:
                return once.already_saved(request, done.url)
            row = done.record
            if row.withdrawn:
                words = f"withdrawn from {row.applies_from} on"
            else:
                words = f"set to {format_target(indicator, row.value)} from {row.applies_from}"
            messages.success(request, f"Target for {indicator.title} {words}")
            return redirect(done.url)
    return render(
        request,
        "dataset/target_set.html",
        {**context, "form": form, "stale": stale},
        status=409 if stale else 200,
    )


@require_GET
@reads_dataset
def target_history(request, code):
    indicator = _indicator_or_404(code)
    schedule = targets.target_book(codes=[code]).rows(code)
    page = Paginator(targets.target_changes(code), PAGE_SIZE).get_page(request.GET.get("page"))
    page.rows = [
        (
            version,
            "Withdrawn" if version.value is None else format_value(version.value, indicator.unit),
        )
        for version in page
    ]
    return render(
        request,
        "dataset/target_history.html",
        {
            "indicator": indicator,
            "quarter": Quarter.containing(today()),
            "schedule": [(row, format_target(indicator, row.value)) for row in schedule],
            "page": page,
            "may_set": access.sets_targets(request.user) and targets.can_have_target(indicator),
        },
    )
