import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.codes import NEGLECT_FACTOR, PresentingFactor
from cases.demo_data import (
    GENERATED_TEAM_PREFIX,
    GENERATED_TEAM_SIZE,
    HISTORY_CHANGE_REASON,
    DemoDataGenerator,
    demo_agency_ids,
    financial_year_start,
    generated_practitioners,
)
from cases.models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Involvement,
    Referral,
)
from neglect_portal import dates
from neglect_portal.access import children_visible_to
from neglect_portal.demo import AGENCIES, CSC, load_demo_people
from neglect_portal.models import Agency, Team, User
from tests.factories import ChildFactory

CASE_MODELS = [
    Child,
    Referral,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Involvement,
]
FAKE_AGENCY_IDS = {name: number for number, (name, _) in enumerate(AGENCIES, start=1)}
FIXED_TODAY = date(2025, 6, 15)


def generate(children, *, seed=1, **options):
    out = StringIO()
    call_command("generate_demo_data", children=children, seed=seed, stdout=out, **options)
    return out.getvalue()


def generated(children, *, seed=1, today=FIXED_TODAY):
    """Unsaved records straight from the generator: no database needed."""
    generator = DemoDataGenerator(
        seed=seed, agency_ids=FAKE_AGENCY_IDS, today=today, practitioner_id=99
    )
    return list(generator.children(children))


def snapshot():
    """What two runs with the same seed must agree on, without database ids."""
    return (
        list(
            Child.objects.order_by("la_child_id").values_list(
                "la_child_id", "given_name", "family_name", "date_of_birth", "sex", "ethnicity"
            )
        ),
        list(
            Referral.objects.order_by("child__la_child_id", "referral_date").values_list(
                "child__la_child_id", "referral_date", "closure_date", "presenting_factors"
            )
        ),
        list(
            ChildProtectionPlan.objects.order_by(
                "referral__child__la_child_id", "start_date"
            ).values_list(
                "referral__child__la_child_id",
                "start_date",
                "end_date",
                "initial_category",
                "latest_category",
            )
        ),
        list(
            Involvement.objects.order_by(
                "child__la_child_id", "agency__name", "start_date"
            ).values_list("child__la_child_id", "agency__name", "start_date", "end_date")
        ),
    )


def plans_by_child(children):
    plans = defaultdict(list)
    for record in children:
        for episode in record.episodes:
            plans[record.child.la_child_id] += [plan for plan, _ in episode.cp_plans]
    return plans


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    # The demo sign-ins are checked on every run: a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_it_creates_exactly_the_children_asked_for_and_every_record_is_valid(debug):
    out = generate(60)

    assert Child.objects.count() == 60
    assert "Generated 60 children" in out
    assert all(
        re.fullmatch(r"DfEX\d{7}", la_id)
        for la_id in Child.objects.values_list("la_child_id", flat=True)
    )
    for model in CASE_MODELS:
        records = list(model.objects.all())
        assert records, f"no {model.__name__} generated"
        for record in records:
            record.full_clean()  # includes the CP plan overlap rule


@pytest.mark.django_db
def test_it_derives_the_neglect_flags_that_bulk_create_would_skip(debug):
    generate(60)

    for referral in Referral.objects.all():
        assert referral.neglect_presenting == (
            PresentingFactor.NEGLECT in referral.presenting_factors
        )
    for assessment in Assessment.objects.all():
        assert assessment.neglect_identified == (NEGLECT_FACTOR in assessment.factors)
    assert Referral.objects.filter(neglect_presenting=True).exists()
    assert Assessment.objects.filter(neglect_identified=True).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_records(debug):
    generate(40, seed=7)
    first = snapshot()
    Child.objects.all().delete()
    generate(40, seed=7)

    assert snapshot() == first
    Child.objects.all().delete()
    generate(40, seed=8)
    assert snapshot() != first


def test_the_generator_is_deterministic_whatever_the_batch():
    def describe(children):
        return [
            (
                r.child.la_child_id,
                r.child.date_of_birth,
                r.child.family_name,
                [
                    (
                        e.referral.referral_date,
                        e.referral.closure_date,
                        [(p.start_date, p.end_date, p.latest_category) for p, _ in e.cp_plans],
                    )
                    for e in r.episodes
                ],
                [(i.agency_id, i.start_date, i.end_date) for i in r.involvements],
            )
            for r in children
        ]

    generator = DemoDataGenerator(
        seed=5, agency_ids=FAKE_AGENCY_IDS, today=FIXED_TODAY, practitioner_id=99
    )
    in_two_batches = list(generator.children(30)) + list(generator.children(20))

    assert describe(generated(50, seed=5)) == describe(in_two_batches)
    assert describe(generated(50, seed=6)) != describe(in_two_batches)


@pytest.mark.django_db
def test_county_like_data_has_what_every_indicator_needs(debug):
    generate(400)
    today = dates.today()

    plans = list(ChildProtectionPlan.objects.select_related("referral"))
    neglect_share = sum(p.initial_category == "NEG" for p in plans) / len(plans)
    assert 0.4 <= neglect_share <= 0.8
    by_child = defaultdict(list)
    for plan in plans:
        by_child[plan.referral.child_id].append(plan)
    for child_plans in by_child.values():
        child_plans.sort(key=lambda p: p.start_date)
        for earlier, later in zip(child_plans, child_plans[1:], strict=False):
            assert earlier.end_date is not None and earlier.end_date < later.start_date
    assert any(len(child_plans) > 1 for child_plans in by_child.values()), "no repeat CP plans"

    referral_dates = defaultdict(list)
    for child_id, day in Referral.objects.values_list("child_id", "referral_date"):
        referral_dates[child_id].append(day)
    assert any(
        (later - earlier).days <= 365
        for days in referral_dates.values()
        for earlier, later in zip(sorted(days), sorted(days)[1:], strict=False)
    ), "no re-referrals within 12 months"

    involved = set(Involvement.objects.values_list("agency__name", flat=True))
    assert involved == {name for name, _ in AGENCIES}
    assert Referral.objects.filter(closure_date__isnull=True).exists()
    assert Referral.objects.filter(
        no_further_action=True, closure_reason__in=["RC8", "RC9"]
    ).exists()
    assert ChildInNeedPlan.objects.filter(
        end_date__isnull=True, start_date__lt=today - timedelta(days=365)
    ).exists()


@pytest.mark.django_db
def test_nothing_is_dated_in_the_future_except_expected_births_and_planned_ends(debug):
    generate(200)
    today = dates.today()

    for model, fields in [
        (Child, ["date_of_birth"]),
        (Referral, ["referral_date", "closure_date"]),
        (Assessment, ["start_date", "authorised_date"]),
        (ChildInNeedPlan, ["start_date", "end_date"]),
        (ChildProtectionPlan, ["start_date", "end_date"]),
        (CPReview, ["review_date"]),
        (Involvement, ["start_date"]),
    ]:
        for field in fields:
            assert not model.objects.filter(**{f"{field}__gt": today}).exists(), field


@pytest.mark.django_db
def test_every_child_is_open_to_social_care_or_early_help(debug):
    generate(60)
    today = dates.today()

    front_door = Agency.objects.filter(name__in=["Children's Social Care", "Early Help"])
    for child in Child.objects.prefetch_related("involvements"):
        assert any(
            i.agency_id in {a.pk for a in front_door} and i.is_open_on(today)
            for i in child.involvements.all()
        ), child.la_child_id


@pytest.mark.django_db
def test_demo_sign_ins_outside_social_care_have_children_to_see(debug):
    generate(400)

    practitioner = User.objects.get(username="practitioner")
    assert Child.objects.filter(allocated_worker=practitioner).count() >= 10
    assert children_visible_to(User.objects.get(username="lead")).count() >= 40
    assert children_visible_to(User.objects.get(username="working-group")).count() >= 40


def test_generated_data_spans_three_financial_years_with_long_and_repeat_plans():
    children = generated(3000)
    this_year = financial_year_start(FIXED_TODAY)
    referral_years = {
        financial_year_start(e.referral.referral_date) for r in children for e in r.episodes
    }
    for back in range(4):
        assert this_year.replace(year=this_year.year - back) in referral_years

    plans = [plan for child_plans in plans_by_child(children).values() for plan in child_plans]
    assert any(
        p.end_date is None and p.start_date <= FIXED_TODAY - timedelta(days=460) for p in plans
    ), "no CP plan open over 15 months"
    assert any(p.end_date and (p.end_date - p.start_date).days > 730 for p in plans), (
        "no CP plan ending after more than two years"
    )
    assert any(p.latest_category != p.initial_category for p in plans)
    gaps = [
        (later.start_date - earlier.end_date).days
        for child_plans in plans_by_child(children).values()
        for earlier, later in zip(child_plans, child_plans[1:], strict=False)
    ]
    assert any(gap <= 3 * 365 for gap in gaps) and any(gap > 3 * 365 for gap in gaps)
    unborn = [r.child for r in children if r.child.date_of_birth is None]
    assert unborn and all(c.expected_date_of_birth > FIXED_TODAY for c in unborn)


@pytest.mark.django_db
def test_numbering_continues_after_the_children_already_there(debug):
    ChildFactory(la_child_id="DfEX0000042")

    generate(3)

    assert sorted(Child.objects.values_list("la_child_id", flat=True)) == [
        "DfEX0000042",
        "DfEX0000043",
        "DfEX0000044",
        "DfEX0000045",
    ]


@pytest.mark.django_db
def test_if_empty_does_nothing_once_children_exist(debug, django_assert_max_num_queries):
    generate(10, if_empty=True)
    assert Child.objects.count() == 10

    with django_assert_max_num_queries(2):
        out = generate(10, if_empty=True)

    assert "no demo data generated" in out
    assert Child.objects.count() == 10


@pytest.mark.django_db
def test_history_shows_the_creation_unless_turned_off(debug):
    generate(10)
    assert (
        Child.history.filter(history_type="+", history_change_reason=HISTORY_CHANGE_REASON).count()
        == 10
    )
    assert Referral.history.count() == Referral.objects.count()

    generate(10, history=False)
    assert Child.objects.count() == 20
    assert Child.history.count() == 10


@pytest.mark.django_db
def test_it_writes_in_batches(debug):
    out = generate(25, batch_size=10)

    assert Child.objects.count() == 25
    assert "20 of 25 children" in out


@pytest.mark.django_db
def test_it_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="set DEBUG=True"):
        generate(5)

    assert not Child.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_generated_children_have_allocation_histories_that_agree_with_their_worker(debug):
    from cases.models import Allocation
    from dataset.computation import compute
    from neglect_portal.quarters import Quarter

    generate(400)
    today = dates.today()
    csc = Agency.objects.get(name="Children's Social Care")
    by_child = defaultdict(list)
    for allocation in Allocation.objects.select_related("worker", "team").order_by(
        "started_on", "pk"
    ):
        by_child[allocation.child_id].append(allocation)
    allocated = dict(
        Child.objects.filter(allocated_worker__isnull=False).values_list("pk", "allocated_worker")
    )
    # Every allocated child has its history, and only they have one.
    assert set(by_child) == set(allocated)
    assert len(allocated) > 40  # the children with an open episode (about one in six)
    for child_id, history in by_child.items():
        assert [a.reason for a in history[:1]] == [Allocation.Reason.FIRST]
        assert Allocation.Reason.FIRST not in [a.reason for a in history[1:]]
        # Each ends as the next begins; the last is open and is the child's worker.
        assert [a.ended_on for a in history] == [a.started_on for a in history[1:]] + [None]
        assert history[-1].worker_id == allocated[child_id]
        assert all(a.worker.agency_id == csc.pk and a.team_id == a.worker.team_id for a in history)
        assert all(a.started_on <= today for a in history)
    changes = [len(history) - 1 for history in by_child.values()]
    assert max(changes) >= 3 and min(changes) == 0
    # The demo practitioner has a child whose worker changed 3 times in the last year, and the
    # latest complete quarter's WORKER_CHANGES_12M counts at least that child.
    practitioner = User.objects.get(username="practitioner")
    year_ago = today - timedelta(days=365)
    assert any(
        sum(a.started_on > year_ago for a in history[1:]) >= 3
        for history in by_child.values()
        if history[-1].worker_id == practitioner.pk
    )
    figure = compute(Quarter.latest_complete(today), codes=["WORKER_CHANGES_12M"])
    assert figure["WORKER_CHANGES_12M"].numerator >= 1


@pytest.mark.django_db
def test_generated_practitioners_are_spread_over_their_agencys_teams(debug):
    generate(20)
    generated_users = User.objects.filter(username__startswith="generated-")
    assert generated_users.exists()
    for user in generated_users.select_related("team"):
        assert user.team is not None and user.team.agency_id == user.agency_id, user.username
    csc_teams = generated_users.filter(agency__name="Children's Social Care").values("team")
    assert csc_teams.distinct().count() >= 2


@pytest.mark.django_db
def test_no_team_gets_more_generated_practitioners_than_a_team_has(debug):
    load_demo_people()
    csc = demo_agency_ids()[CSC]
    demo_teams = Team.objects.filter(agency_id=csc).count()
    # Enough social workers to fill the demo teams and need three teams of their own.
    practitioners = (demo_teams + 2) * GENERATED_TEAM_SIZE + 1
    ids = generated_practitioners({CSC: csc}, {CSC: practitioners}, 2000)[csc]
    sizes = Counter(User.objects.filter(pk__in=ids).values_list("team__name", flat=True))
    assert len(ids) == practitioners and None not in sizes
    assert max(sizes.values()) == GENERATED_TEAM_SIZE
    assert sorted(name for name in sizes if name.startswith(GENERATED_TEAM_PREFIX)) == [
        f"{GENERATED_TEAM_PREFIX}001",
        f"{GENERATED_TEAM_PREFIX}002",
        f"{GENERATED_TEAM_PREFIX}003",
    ]
    # Asked again, nobody moves.
    assert generated_practitioners({CSC: csc}, {CSC: practitioners}, 2000)[csc] == ids
    assert Counter(User.objects.filter(pk__in=ids).values_list("team__name", flat=True)) == sizes


def _reviews_with_ages(children):
    return [
        (review, record.child.age_on(review.review_date))
        for record in children
        for episode in record.episodes
        for _, reviews in episode.cp_plans
        for review in reviews
    ]


def test_most_demo_reviews_record_the_voice_of_the_child_as_children_of_their_age_would():
    from cases.demo_data import BOYS_NAMES, FAMILY_NAMES, GIRLS_NAMES

    reviews = _reviews_with_ages(generated(3000))
    answered = [(r, age) for r, age in reviews if r.knows_plan]
    assert len(reviews) > 300
    # Most reviews have answers; a few have none, as the census's.
    assert 0.8 < len(answered) / len(reviews) < 0.95
    assert all(r.took_part_in_safety_planning and r.knows_social_worker_name for r, _ in answered)
    babies = [r for r, age in answered if age is None or age < 4]
    teenagers = [r for r, age in answered if age is not None and age >= 12]
    assert babies and teenagers
    assert sum(r.knows_plan == "not_appropriate" for r in babies) / len(babies) > 0.9
    assert sum(r.knows_plan == "yes" for r in teenagers) / len(teenagers) > 0.6
    assert {r.took_part_in_safety_planning for r in teenagers} >= {"yes", "no"}
    # Some children's own words, from school age, naming nobody.
    views = [(r.child_view, age) for r, age in reviews if r.child_view]
    assert len(views) > 50 and all(age is not None and age >= 4 for _, age in views)
    names = set(BOYS_NAMES) | set(GIRLS_NAMES) | set(FAMILY_NAMES)
    assert not any(word.strip(".,'") in names for view, _ in views for word in view.split())


def test_the_voice_answers_of_a_seed_are_the_same_every_time_and_leave_the_rest_alone(
    monkeypatch,
):
    def answers(children):
        return [
            (r.review_date, r.knows_plan, r.took_part_in_safety_planning, r.child_view)
            for r, _ in _reviews_with_ages(children)
        ]

    first, again = generated(300, seed=4), generated(300, seed=4)
    assert answers(first) == answers(again)
    # The voice draws from its own stream: without it, every other record is the same.
    monkeypatch.setattr(DemoDataGenerator, "_voice", lambda self, review, child: None)
    silent = generated(300, seed=4)
    assert [a[0] for a in answers(silent)] == [a[0] for a in answers(first)]
    assert [c.child.la_child_id for c in silent] == [c.child.la_child_id for c in first]
    assert {a[1] for a in answers(silent)} == {""}


@pytest.mark.django_db
def test_the_demo_gives_the_voice_indicators_values(debug):
    from dataset.computation import compute
    from neglect_portal.quarters import Quarter

    generate(150)

    assert CPReview.objects.exclude(knows_plan="").exists()
    assert CPReview.objects.filter(knows_plan="").exists()
    quarters = Quarter.latest_complete(dates.today()).last(8)
    codes = ["VOICE_KNOWS_PLAN", "VOICE_SAFETY_PLANNING"]
    figures = [compute(quarter, codes=codes) for quarter in quarters]
    for code in codes:
        assert sum(f[code].denominator for f in figures) > 0, code
        assert sum(f[code].numerator for f in figures) > 0, code
