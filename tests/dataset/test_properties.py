"""The aggregate computation against a plain-Python reading of kpi-definitions.md.

Hypothesis builds small random sets of case records, with dates drawn mostly from each
quarter's boundaries (S, E, the days either side, E less 6, 12 and 15 months, 29 February and
its neighbours); the expected figures are then counted one record at a time in Python, with
`relativedelta` for every "months before". Run on SQLite and PostgreSQL alike.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import (
    Allocation,
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Referral,
)
from dataset.computation import compute, confidence_change, members, percentage, weekly_mean
from dataset.confidence import totals_by_agency
from dataset.indicators import CASE_RECORD_CODES
from dataset.sql_dates import AddMonths
from neglect_portal.confidence import FEWEST_SHOWN, mean_score
from neglect_portal.models import ConfidenceSurvey, User
from neglect_portal.quarters import Quarter
from tests.factories import AgencyFactory, ChildFactory
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    NextStep,
    NextSteps,
    Oversight,
    ParentChildObservation,
    ToolInformed,
)

DAY = timedelta(days=1)
LEAP = [
    date(2020, 2, 28),
    date(2020, 2, 29),
    date(2020, 3, 1),
    date(2021, 2, 28),
    date(2021, 3, 1),
    date(2023, 2, 28),
    date(2023, 3, 1),
    date(2024, 2, 28),
    date(2024, 2, 29),
    date(2024, 3, 1),
    date(2025, 2, 28),
    date(2025, 3, 1),
]
FORMS = {
    "day": DayInMyLife,
    "checklist": AssessmentChecklist,
    "observation": ParentChildObservation,
    "sdq": SDQ,
    "next_steps": NextSteps,
}
INFORMING_KINDS = ["chronology", "day", "checklist", "observation"]
CATEGORIES = ["NEG", "PHY", "EMO", "SAB", "MUL"]
VOICE_ANSWERS = ["", "yes", "no", "not_appropriate"]
BANDS = ["Close to average", "Slightly raised", "High", "Very high"]


def boundaries(quarter: Quarter) -> list[date]:
    s, e = quarter.start, quarter.end
    days = [s, e]
    for months in (3, 6, 12, 15, 24, 36):
        days.append(e - relativedelta(months=months))
        days.append(s - relativedelta(months=months))
    return sorted({d + k * DAY for d in days for k in (-1, 0, 1)} | set(LEAP))


def dates(quarter):
    return st.one_of(
        st.sampled_from(boundaries(quarter)),
        st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 6, 30)),
    )


@dataclass
class Episode:
    referral: date
    neglect_presenting: bool
    assessment: tuple | None  # (authorised date or None, neglect identified)
    cin: tuple | None  # (start, end or None)
    cp: tuple | None  # (start, end or None, initial, latest)
    # The CP plan's reviews: (review date, [(tool kind informing it, its completion)],
    # knows the plan, took part in safety planning), the two answers "" when not recorded.
    reviews: list = field(default_factory=list)


@dataclass
class ChildRecords:
    episodes: list[Episode]
    forms: list[tuple]  # (kind, completed, day, total, band, oversight)
    entries: list[date]
    reviewed: date | None
    # Steps of the child's first "next steps" form, if it has one: (due, done, closed).
    steps: list[tuple] = field(default_factory=list)
    # The days the child's allocations began, oldest first (each ends as the next begins).
    allocations: list[date] = field(default_factory=list)
    pk: int = field(default=0)


def period(draw, day_strategy):
    first, second = sorted((draw(day_strategy), draw(day_strategy)))
    return first, draw(st.sampled_from([second, None]))


@st.composite
def child_records(draw, quarter):
    day = dates(quarter)
    referral_days = draw(st.lists(day, min_size=0, max_size=3, unique=True))
    episodes = []
    for referral_day in referral_days:
        assessment = None
        if draw(st.booleans()):
            authorised = draw(st.one_of(st.none(), day))
            assessment = (
                max(authorised, referral_day) if authorised else None,
                draw(st.booleans()),
            )
        cin = cp = None
        if draw(st.booleans()):
            start, end = period(draw, day)
            cin = (max(start, referral_day), end and max(end, start, referral_day))
        if draw(st.booleans()):
            start, end = period(draw, day)
            cp = (
                max(start, referral_day),
                end and max(end, start, referral_day),
                draw(st.sampled_from(CATEGORIES)),
                draw(st.sampled_from(CATEGORIES)),
            )
        reviews = []
        if cp:
            informing = st.lists(st.tuples(st.sampled_from(INFORMING_KINDS), day), max_size=4)
            answer = st.sampled_from(VOICE_ANSWERS)
            reviews = draw(
                st.lists(
                    st.tuples(day, informing, answer, answer),
                    max_size=2,
                    unique_by=lambda review: review[0],
                )
            )
        episodes.append(Episode(referral_day, draw(st.booleans()), assessment, cin, cp, reviews))
    forms = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(FORMS)),
                st.booleans(),
                day,
                st.one_of(st.none(), st.integers(0, 40)),
                st.sampled_from(BANDS),
                # A manager's oversight: (recorded on, of the tool's completion now or of an
                # earlier one), or none.
                st.one_of(st.none(), st.tuples(day, st.booleans())),
            ),
            max_size=4,
        )
    )
    entries = draw(st.lists(day, max_size=3))
    reviewed = draw(st.one_of(st.none(), day))
    maybe = st.one_of(st.none(), day)
    steps = draw(st.lists(st.tuples(maybe, maybe, maybe), max_size=3))
    # Done or no longer needed, never both (the model's constraint).
    steps = [(due, done, None if done else closed) for due, done, closed in steps]
    allocations = sorted(draw(st.lists(day, max_size=5)))
    return ChildRecords(episodes, forms, entries, reviewed, steps, allocations)


def save(children: list[ChildRecords]):
    # No password: hashing one per example would be most of the test's time.
    author = User.objects.create(username="author", agency=AgencyFactory())
    for records in children:
        child = ChildFactory()
        records.pk = child.pk
        for episode in records.episodes:
            referral = Referral.objects.create(
                child=child,
                referral_date=episode.referral,
                presenting_factors=["neglect"] if episode.neglect_presenting else [],
            )
            if episode.assessment:
                authorised, neglect = episode.assessment
                Assessment.objects.create(
                    referral=referral,
                    start_date=episode.referral,
                    authorised_date=authorised,
                    factors=["16A"] if neglect else ["21"],
                )
            if episode.cin:
                ChildInNeedPlan.objects.create(
                    referral=referral, start_date=episode.cin[0], end_date=episode.cin[1]
                )
            if episode.cp:
                start, end, initial, latest = episode.cp
                plan = ChildProtectionPlan.objects.create(
                    referral=referral,
                    start_date=start,
                    end_date=end,
                    initial_category=initial,
                    latest_category=latest,
                )
                for review_day, informing, knows_plan, safety_planning in episode.reviews:
                    review = CPReview.objects.create(
                        plan=plan,
                        review_date=review_day,
                        knows_plan=knows_plan,
                        took_part_in_safety_planning=safety_planning,
                    )
                    for kind, completed_on in informing:
                        ToolInformed.objects.create(
                            child=child,
                            tool_kind=kind,
                            tool_id=1,
                            completed_on=completed_on,
                            cp_review=review,
                        )
        first_analysis = None
        for kind, completed, day, total, band, oversight in records.forms:
            extra = {"day_version": "baby"} if kind == "day" else {}
            if kind == "sdq":
                extra = {
                    "informant": "parent",
                    "total_difficulties": total,
                    "total_band": band if total is not None else "",
                }
            form = FORMS[kind].objects.create(
                child=child,
                author=author,
                author_agency=author.agency,
                status="completed" if completed else "draft",
                completed_on=day if completed else None,
                version=2,
                **extra,
            )
            if oversight and completed:
                recorded_on, of_this_completion = oversight
                Oversight.objects.create(
                    child=child,
                    tool_kind=kind.replace("_", "-"),
                    tool_id=form.pk,
                    tool_version=2 if of_this_completion else 1,
                    completed_on=day,
                    judgement="agree",
                    reason="x",
                    recorded_on=recorded_on,
                    manager=author,
                    manager_agency=author.agency,
                )
            if kind == "next_steps" and first_analysis is None:
                first_analysis = form
            if form == first_analysis:
                for due, done, closed in records.steps:
                    NextStep.objects.create(
                        analysis=form,
                        due_on=due,
                        status="done" if done else "not_needed" if closed else "open",
                        done_on=done,
                        closed_on=closed,
                    )
        starts = records.allocations
        for start, following in zip(starts, [*starts[1:], None][: len(starts)], strict=True):
            Allocation.objects.create(
                child=child, worker=author, started_on=start, ended_on=following, reason="first"
            )
        if records.entries or records.reviewed:
            chronology = Chronology.objects.create(child=child, reviewed_on=records.reviewed)
            for day in records.entries:
                ChronologyEntry.objects.create(
                    chronology=chronology,
                    event_date=day,
                    recorded_on=day,
                    what_happened="x",
                    author=author,
                    source_agency=author.agency,
                    impact="neutral",
                    impact_description="x",
                )


def expected(children: list[ChildRecords], quarter: Quarter) -> dict[str, tuple]:
    """Every figure counted record by record, straight from the definitions' wording."""
    s, e = quarter.start, quarter.end

    def within(day):
        return day is not None and s <= day <= e

    def is_open(start, end):
        return start <= e and (end is None or end > e)

    def recent(day):  # a mandatory tool completed within the six months up to E
        return day is not None and e - relativedelta(months=6) < day <= e

    figures = {}
    cp_open = [c for c in children if any(ep.cp and is_open(*ep.cp[:2]) for ep in c.episodes)]
    figures["CP_NEGLECT_SHARE"] = (
        sum(
            any(ep.cp and is_open(*ep.cp[:2]) and ep.cp[3] == "NEG" for ep in c.episodes)
            for c in cp_open
        ),
        len(cp_open),
    )
    figures["CP_OPEN_15M"] = (
        sum(
            any(
                ep.cp and is_open(*ep.cp[:2]) and ep.cp[0] <= e - relativedelta(months=15)
                for ep in c.episodes
            )
            for c in cp_open
        ),
        len(cp_open),
    )

    def neglect_cin_open(ep):
        return ep.cin and is_open(*ep.cin) and ep.assessment and ep.assessment[1]

    cin_open = [c for c in children if any(neglect_cin_open(ep) for ep in c.episodes)]
    figures["CIN_NEGLECT_OVER_12M"] = (
        sum(
            any(
                neglect_cin_open(ep) and ep.cin[0] < e - relativedelta(months=12)
                for ep in c.episodes
            )
            for c in cin_open
        ),
        len(cin_open),
    )

    plans = [(c, ep.cp) for c in children for ep in c.episodes if ep.cp]
    repeat = [0, 0]
    second = [0, 0]
    ended = [0, 0]
    for child, plan in plans:
        others = [p for p in (ep.cp for ep in child.episodes if ep.cp) if p is not plan]
        start, end, initial, *_ = plan
        if within(start) and initial == "NEG":
            repeat[1] += 1
            repeat[0] += any(
                o[1] is not None and start - relativedelta(years=3) <= o[1] <= start for o in others
            )
        if within(start):
            second[1] += 1
            second[0] += any(o[0] < start for o in others)
        if within(end):
            ended[1] += 1
            ended[0] += end >= start + relativedelta(years=2)
    figures["CP_NEGLECT_REPEAT_3Y"] = tuple(repeat)
    figures["CP_SECOND_OR_SUBSEQUENT"] = tuple(second)
    figures["CP_ENDED_2Y"] = tuple(ended)

    referrals = [(c, ep) for c in children for ep in c.episodes if within(ep.referral)]
    figures["REFERRALS_NEGLECT"] = (
        sum(ep.neglect_presenting for _, ep in referrals),
        len(referrals),
    )
    figures["REREFERRALS_12M"] = (
        sum(
            any(
                ep.referral - relativedelta(months=12) <= other.referral < ep.referral
                for other in c.episodes
            )
            for c, ep in referrals
        ),
        len(referrals),
    )
    assessed = [
        ep.assessment
        for c in children
        for ep in c.episodes
        if ep.assessment and within(ep.assessment[0])
    ]
    figures["ASSESSMENTS_NEGLECT"] = (sum(a[1] for a in assessed), len(assessed))

    figures["TOOLKIT_CHILDREN"] = (
        sum(any(completed and within(day) for _, completed, day, *_ in c.forms) for c in children),
        None,
    )

    def on_neglect_plan(c):
        return any(
            (ep.cp and is_open(*ep.cp[:2]) and ep.cp[3] == "NEG") or neglect_cin_open(ep)
            for ep in c.episodes
        )

    def all_current(c):
        chronology = any(recent(d) for d in c.entries) or recent(c.reviewed)
        return chronology and all(
            any(k == kind and completed and recent(day) for k, completed, day, *_ in c.forms)
            for kind in ("day", "checklist", "observation")
        )

    on_plan = [c for c in children if on_neglect_plan(c)]
    figures["TOOLKIT_MANDATORY_COMPLETE"] = (sum(all_current(c) for c in on_plan), len(on_plan))
    figures["CHRONOLOGY_ENTRIES_WEEKLY"] = (
        sum(within(d) for c in children for d in c.entries),
        None,
    )
    sdqs = [
        (total, band)
        for c in children
        for kind, completed, day, total, band, _ in c.forms
        if kind == "sdq" and completed and within(day)
    ]
    figures["SDQ_COMPLETED"] = (len(sdqs), None)
    scored = [band for total, band in sdqs if total is not None]
    figures["SDQ_RAISED"] = (sum(band in ("High", "Very high") for band in scored), len(scored))

    def review_overdue(ep):
        held = [r for r, *_ in ep.reviews if r <= e]
        if not held:
            return ep.cp[0] + relativedelta(months=3) < e
        return max(held) + relativedelta(months=6) < e

    def due_a_review(ep):
        return ep.cp and is_open(*ep.cp[:2]) and ep.cp[0] <= e - relativedelta(months=3)

    due_review = [c for c in children if any(due_a_review(ep) for ep in c.episodes)]
    figures["CP_REVIEW_OVERDUE"] = (
        sum(any(due_a_review(ep) and review_overdue(ep) for ep in c.episodes) for c in due_review),
        len(due_review),
    )

    def first_analysis(c):
        return next((form for form in c.forms if form[0] == "next_steps"), None)

    open_steps = [
        due
        for c in children
        if (analysis := first_analysis(c)) and analysis[1] and analysis[2] <= e
        for due, done, closed in c.steps
        if (done is None or done > e) and (closed is None or closed > e)
    ]
    figures["NEXT_STEPS_OVERDUE"] = (
        sum(due is not None and due < e for due in open_steps),
        len(open_steps),
    )

    def on_any_plan(c):
        return any(
            (ep.cp and is_open(*ep.cp[:2])) or (ep.cin and is_open(*ep.cin)) for ep in c.episodes
        )

    def changes_in_year(c):  # every allocation after the first, begun in (E - 12 months, E]
        return sum(e - relativedelta(months=12) < d <= e for d in c.allocations[1:])

    planned = [c for c in children if on_any_plan(c)]
    figures["WORKER_CHANGES_12M"] = (
        sum(changes_in_year(c) >= 3 for c in planned),
        len(planned),
    )

    def on_neglect_plan_on(c, r):
        def open_on(start, end):
            return start <= r and (end is None or end > r)

        return any(
            (ep.cp and open_on(*ep.cp[:2]) and ep.cp[3] == "NEG")
            or (ep.cin and open_on(*ep.cin) and ep.assessment and ep.assessment[1])
            for ep in c.episodes
        )

    reviews = [
        (r, informing)
        for c in children
        for ep in c.episodes
        for r, informing, *_ in ep.reviews
        if within(r) and on_neglect_plan_on(c, r)
    ]
    figures["TOOLS_INFORMED_REVIEW"] = (
        sum(
            all(
                any(k == kind and r - relativedelta(months=6) < d <= r for k, d in informing)
                for kind in INFORMING_KINDS
            )
            for r, informing in reviews
        ),
        len(reviews),
    )
    # The voice of the child: reviews dated S..E answered yes or no, those answered yes.
    for code, answer_at in (("VOICE_KNOWS_PLAN", 2), ("VOICE_SAFETY_PLANNING", 3)):
        answers = [
            review[answer_at]
            for c in children
            for ep in c.episodes
            for review in ep.reviews
            if within(review[0]) and review[answer_at] in ("yes", "no")
        ]
        figures[code] = (answers.count("yes"), len(answers))
    mandatory = [
        oversight
        for c in children
        for kind, completed, day, _, _, oversight in c.forms
        if kind in ("day", "checklist", "observation") and completed and within(day)
    ]
    figures["MANAGER_OVERSIGHT"] = (
        sum(bool(o) and o[1] and o[0] <= e for o in mandatory),
        len(mandatory),
    )
    return figures


QUARTERS = [Quarter(2023, 4), Quarter(2024, 1), Quarter(2024, 3)]


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", QUARTERS, ids=str)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_aggregates_agree_with_counting_record_by_record(quarter, data):
    children = data.draw(st.lists(child_records(quarter), min_size=1, max_size=5))
    with transaction.atomic():
        save(children)
        want = expected(children, quarter)
        # CONFIDENCE_CHANGE reads no case record: its own reading is below.
        figures = compute(quarter, CASE_RECORD_CODES)
        assert list(figures) == list(CASE_RECORD_CODES)
        for code, result in figures.items():
            assert (result.numerator, result.denominator) == want[code], code
            if result.denominator is not None:
                assert result.value == percentage(*want[code]), code
            elif code == "CHRONOLOGY_ENTRIES_WEEKLY":
                assert result.value == weekly_mean(want[code][0], quarter.days)
            numerator, denominator = members(code, quarter)
            assert numerator.count() == result.numerator, code
            assert (
                denominator.count() if denominator is not None else None
            ) == result.denominator, code
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    day=st.one_of(
        st.sampled_from(LEAP), st.dates(min_value=date(1901, 3, 1), max_value=date(9990, 1, 1))
    ),
    months=st.integers(-60, 60),
)
def test_add_months_in_the_database_is_relativedelta(day, months):
    with transaction.atomic():
        child = Child.objects.create(la_child_id="T1", date_of_birth=day)
        shifted = (
            Child.objects.filter(pk=child.pk)
            .annotate(shifted=AddMonths(F("date_of_birth"), months))
            .values_list("shifted", flat=True)
        )
        assert shifted.get() == day + relativedelta(months=months)
        transaction.set_rollback(True)


def test_add_months_takes_whole_months_only():
    with pytest.raises(TypeError):
        AddMonths(F("date_of_birth"), 1.5)


# CONFIDENCE_CHANGE against a plain reading of its definition --------------------------------


def survey_days(quarter: Quarter) -> list[date]:
    s, e = quarter.start, quarter.end
    return sorted({d + k * DAY for d in (s, e, s + 40 * DAY) for k in (-1, 0, 1)} | {s - 90 * DAY})


@st.composite
def practitioners_surveys(draw, quarter):
    """One practitioner's surveys: (stage, day, three scores), at most one per stage a day."""
    days = survey_days(quarter)
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["before", "after"]), st.sampled_from(days)),
            max_size=4,
            unique=True,
        )
    )
    return [(stage, day, draw(st.tuples(*[st.integers(1, 10)] * 3))) for stage, day in keys]


def expected_confidence(people, quarter):
    """{agency index: [change of each counted practitioner's score total]} read one
    practitioner at a time: the latest "after" in S..E against the latest "before" up to its
    day (by date, then the later entered, which for one stage a day is the date)."""
    changes: dict[int, list[int]] = {}
    for agency, surveys in people:
        afters = [x for x in surveys if x[0] == "after" and quarter.start <= x[1] <= quarter.end]
        if not afters:
            continue
        after = max(afters, key=lambda x: x[1])
        befores = [x for x in surveys if x[0] == "before" and x[1] <= after[1]]
        if not befores:
            continue
        before = max(befores, key=lambda x: x[1])
        changes.setdefault(agency, []).append(sum(after[2]) - sum(before[2]))
    return changes


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", QUARTERS, ids=str)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_confidence_change_agrees_with_reading_each_practitioner(quarter, data):
    people = data.draw(
        st.lists(
            st.tuples(st.integers(0, 1), practitioners_surveys(quarter)), min_size=1, max_size=7
        )
    )
    with transaction.atomic():
        agencies = [AgencyFactory(name=f"Surveyed {n}") for n in range(2)]
        for n, (agency, surveys) in enumerate(people):
            person = User.objects.create(username=f"p{n}", agency=agencies[agency])
            for stage, day, (a, b, c) in surveys:
                ConfidenceSurvey.objects.create(
                    respondent=person,
                    agency=agencies[agency],
                    entered_by=person,
                    stage=stage,
                    completed_on=day,
                    recognising=a,
                    responding=b,
                    using_tools=c,
                )
        want = expected_confidence(people, quarter)
        got = totals_by_agency(quarter)
        assert {
            agencies[index].pk: (len(changes), sum(changes)) for index, changes in want.items()
        } == {pk: (found.respondents, found.after - found.before) for pk, found in got.items()}
        every = [change for changes in want.values() for change in changes]
        figure = confidence_change(quarter)
        assert figure.numerator == len(every)
        if len(every) >= FEWEST_SHOWN:
            # The mean of the practitioners' mean-score changes, each a total over 3 answers.
            exact = sum(change / 3 for change in every) / len(every)
            assert figure.value == mean_score(sum(every), len(every))
            assert abs(float(figure.value) - exact) <= 0.05 + 1e-9
        else:
            assert figure.value is None
        transaction.set_rollback(True)
