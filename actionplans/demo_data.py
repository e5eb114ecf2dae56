"""Demo action plans for `make run`: every demo agency has an active plan with actions under
all four objectives and the two quarters before the current one submitted, so the Working
Group overview has something true to show. Development only, like the rest of the demo data.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from neglect_portal import dates
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter

from .demo_challenges import load_demo as load_challenge_demo
from .models import Action, ActionPlan, ActionUpdate, QuarterlyReport

# objective, what will be done, baseline, target, months from the plan's start to its due date
ACTIONS = [
    (
        "recognise",
        "Appoint and support a neglect champion in every team",
        "Champions in 3 of 12 teams",
        "Champions in 12 of 12 teams",
        9,
    ),
    (
        "recognise",
        "Deliver the neglect e-learning to every front-line member of staff",
        "180 of 800 staff trained",
        "800 of 800 staff trained",
        18,
    ),
    (
        "respond",
        "Introduce the new neglect case discussion form in supervision",
        "Not used yet",
        "Used in every neglect case discussion",
        5,
    ),
    (
        "respond",
        "Use the day in my life tool in every neglect assessment",
        "Used in about 1 in 4 assessments",
        "Used in 9 in 10 assessments",
        15,
    ),
    (
        "quantify",
        "Set a baseline of practitioners' confidence in recognising neglect",
        "Still being set",
        "Survey repeated each year",
        10,
    ),
    (
        "quantify",
        "Report the number of staff trained in neglect every quarter",
        "No regular count",
        "Count in every quarterly return",
        12,
    ),
    (
        "evaluate",
        "Audit 20 neglect cases a quarter against the toolkit standards",
        "No audit programme",
        "80 cases audited a year",
        21,
    ),
    (
        "evaluate",
        "Ask children and families what difference the help made",
        "No feedback gathered",
        "Feedback from 30 families a year",
        20,
    ),
]

# Ratings for the two quarters (older, newer) per action, varied by agency so the overview
# shows a spread and some changes; rows rotate with the agency's place in the list.
PATTERNS = [
    [
        ("amber", "green"),
        ("red", "amber"),
        ("amber", "amber"),
        ("red", "red"),
        ("green", "complete"),
        ("amber", "green"),
        ("red", "amber"),
        ("amber", "amber"),
    ],
    [
        ("green", "green"),
        ("amber", "amber"),
        ("red", "amber"),
        ("amber", "red"),
        ("amber", "amber"),
        ("green", "green"),
        ("amber", "green"),
        ("red", "red"),
    ],
    [
        ("amber", "amber"),
        ("amber", "green"),
        ("green", "complete"),
        ("red", "amber"),
        ("amber", "red"),
        ("amber", "amber"),
        ("green", "green"),
        ("amber", "amber"),
    ],
]

NARRATIVE = {
    "complete": "Finished this quarter and now part of everyday practice.",
    "green": "On track: the work planned for the quarter was done.",
    "amber": "Some slippage: staff vacancies slowed progress.",
    "red": "Behind plan: the work has not started because the lead post is vacant.",
}


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@transaction.atomic
def load_action_plan_demo(today: date | None = None) -> int:
    """Create a plan for every agency that has none; returns how many were created."""
    today = today or dates.today()
    current = Quarter.containing(today)
    quarters = [current.previous().previous(), current.previous()]
    start = quarters[0].start
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    created = 0
    for index, agency in enumerate(Agency.objects.filter(active=True).order_by("name")):
        if ActionPlan.objects.filter(agency=agency).exists():
            continue
        created += 1
        lead = agency.users.filter(role=User.Role.AGENCY_LEAD).first()
        owner = agency.users.filter(role=User.Role.PRACTITIONER).first()
        plan = ActionPlan.objects.create(
            agency=agency,
            title=f"{agency.name} neglect action plan",
            period_start=start,
            period_end=_months_after(start, 24),
            signed_off_by="Dr Morgan Hale",
            signed_off_role="Director",
            signed_off_on=start + timedelta(days=20),
            status=ActionPlan.Status.ACTIVE,
        )
        pattern = PATTERNS[index % len(PATTERNS)]
        for number, (objective, description, baseline, target, months) in enumerate(ACTIONS):
            due = _months_after(start, months)
            if number in (0, 2):  # two actions per plan overdue by the last quarter's end
                due = min(due, quarters[-1].end - timedelta(days=20 + 15 * number))
            action = Action.objects.create(
                plan=plan,
                objective=objective,
                description=description,
                owner=owner if number == 3 else None,
                owner_name="" if number == 3 else "Named safeguarding lead",
                start_date=start,
                due_date=due,
                success_measure=target,
                baseline=baseline,
                target=target,
            )
            ratings = pattern[number]
            if number in (0, 2):  # overdue: never complete
                ratings = tuple("amber" if r in ("complete", "green") else r for r in ratings)
            for quarter, rag in zip(quarters, ratings, strict=True):
                ActionUpdate.objects.create(
                    action=action,
                    quarter=quarter.slug,
                    rag=rag,
                    narrative=NARRATIVE[rag],
                    evidence_of_impact="Seen in the quarterly audit",
                )
        for quarter in quarters:
            QuarterlyReport.objects.create(
                plan=plan,
                quarter=quarter.slug,
                status=QuarterlyReport.Status.SUBMITTED,
                what_we_did="Trained staff, appointed champions and audited cases.",
                difference_for_children="Neglect was recognised earlier in audited cases.",
                how_we_know="Case audit and practitioner survey.",
                challenges="Vacancies in two teams.",
                next_steps="Extend training to bank staff.",
                submitted_by=lead or admin,
                submitted_at=timezone.make_aware(
                    timezone.datetime.combine(
                        quarter.end + timedelta(days=14), timezone.datetime.min.time()
                    )
                ),
            )
    return created


def load_demo() -> str | None:
    """Called by `manage.py load_demo_data` (neglect_portal.demo) after the demo sign-ins."""
    plans = load_action_plan_demo()
    load_challenge_demo()  # the Working Group's challenges and decisions, on these plans
    return f"Demo action plans added for {plans} agencies." if plans else None
