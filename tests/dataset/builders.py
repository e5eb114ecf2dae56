"""Hand-built case records for the indicator tests: one call per record, dates explicit."""

from datetime import date

from cases.models import Assessment, ChildInNeedPlan, ChildProtectionPlan, Referral
from toolkit.models import Chronology, ChronologyEntry, DayInMyLife

TOOL_EXTRA = {DayInMyLife: {"day_version": "baby"}}


def referral(child, on: date, *, neglect=False, nfa=False, closed: date | None = None):
    return Referral.objects.create(
        child=child,
        referral_date=on,
        presenting_factors=["neglect"] if neglect else ["other"],
        no_further_action=nfa,
        closure_date=closed,
        closure_reason="RC8" if closed else "",
    )


def _episode(child, start: date):
    """The child's episode starting on `start`, created if it does not exist yet."""
    return Referral.objects.filter(child=child, referral_date=start).first() or referral(
        child, start
    )


def cp_plan(child, start: date, end: date | None = None, *, initial="NEG", latest=None):
    return ChildProtectionPlan.objects.create(
        referral=_episode(child, start),
        start_date=start,
        end_date=end,
        initial_category=initial,
        latest_category=latest or initial,
    )


def assessment(episode, authorised: date | None, *, neglect=True, started: date | None = None):
    return Assessment.objects.create(
        referral=episode,
        start_date=started or episode.referral_date,
        authorised_date=authorised,
        factors=["16A"] if neglect else ["3B"],
    )


def cin_plan(child, start: date, end: date | None = None, *, neglect=True):
    episode = _episode(child, start)
    if not episode.assessments.exists():
        assessment(episode, start, neglect=neglect)
    return ChildInNeedPlan.objects.create(referral=episode, start_date=start, end_date=end)


def tool(model, child, author, completed_on: date | None, *, status="completed", **extra):
    return model.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status=status,
        completed_on=completed_on,
        **{**TOOL_EXTRA.get(model, {}), **extra},
    )


def chronology_entry(child, author, recorded_on: date):
    chronology, _ = Chronology.objects.get_or_create(child=child)
    return ChronologyEntry.objects.create(
        chronology=chronology,
        event_date=recorded_on,
        recorded_on=recorded_on,
        what_happened="Missed health visit",
        author=author,
        source_agency=author.agency,
        impact="negative",
        impact_description="Weight not checked",
    )


def chronology_reviewed(child, reviewed_on: date):
    chronology, _ = Chronology.objects.get_or_create(child=child)
    chronology.reviewed_on = reviewed_on
    chronology.save()
    return chronology
