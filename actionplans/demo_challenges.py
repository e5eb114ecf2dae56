"""A demo round of the Working Group's scrutiny for `make run`, on the demo plans: challenges
for the latest complete quarter (one answered and closed as needing a new action, one open on
a plan, one answered and closed on a quarterly report, one open on an emerging theme), the
meetings for the last two quarters and the next one, and decisions and IPAG referrals (some
open and carried forward, one done, one dropped with a reason). Development only."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from neglect_portal import dates
from neglect_portal.demo import COMMUNITY_HEALTH, EARLY_HELP, EDUCATION, MENTAL_HEALTH, POLICE
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed

from .models import Action, ActionPlan, Challenge, Decision, Meeting, Objective

# The dataset's titles, as the dataset pages build a challenge's label (actionplans may not
# import the dataset's registry).
SDQ_COMPLETED = ("SDQ_COMPLETED", "Strengths and Difficulties Questionnaires completed")
REFERRALS_NEGLECT = ("REFERRALS_NEGLECT", "Referrals presenting with neglect")

# A quarter's meeting is held about five weeks after it ends, when the returns are in.
MEETING_AFTER_QUARTER = timedelta(weeks=5)


def _meeting_day(quarter: Quarter) -> date:
    return quarter.next().start + MEETING_AFTER_QUARTER


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _active_plan(agency: Agency) -> ActionPlan | None:
    return ActionPlan.objects.filter(agency=agency, status=ActionPlan.Status.ACTIVE).first()


def _raise(*, by: User, on: date, **fields) -> Challenge:
    challenge = Challenge(raised_by=by, raised_at=_at(on), **fields)
    attributed(challenge, user=by).save()
    return challenge


def _answer(challenge: Challenge, *, by: User, on: date, answer: str) -> None:
    challenge.answer = answer
    challenge.answered_by = by
    challenge.answered_at = _at(on)
    challenge.status = Challenge.Status.ANSWERED
    challenge.version += 1
    attributed(challenge, user=by).save()


def _close(
    challenge: Challenge, *, by: User, on: date, note: str, action: Action | None = None
) -> None:
    challenge.status = Challenge.Status.CLOSED
    challenge.outcome = (
        Challenge.Outcome.NEEDS_ACTION if action is not None else Challenge.Outcome.ANSWERED
    )
    challenge.action = action
    challenge.closing_note = note
    challenge.closed_by = by
    challenge.closed_at = _at(on)
    challenge.version += 1
    attributed(challenge, user=by).save()


@transaction.atomic
def load_challenge_round(today: date) -> int:
    """The round for the latest complete quarter on `today`, unless one is there already;
    returns how many challenges were added."""
    quarter = Quarter.latest_complete(today)
    earlier = quarter.previous()
    if Challenge.objects.exists() or Meeting.objects.exists():
        return 0
    chair = User.objects.filter(role=User.Role.WORKING_GROUP, is_chair=True).first()
    member = User.objects.filter(role=User.Role.WORKING_GROUP, is_chair=False).first()
    agencies = {a.name: a for a in Agency.objects.filter(active=True)}
    needed = [COMMUNITY_HEALTH, POLICE, EDUCATION, EARLY_HELP, MENTAL_HEALTH]
    if chair is None or member is None or any(name not in agencies for name in needed):
        return 0
    health, police = agencies[COMMUNITY_HEALTH], agencies[POLICE]
    education, early_help = agencies[EDUCATION], agencies[EARLY_HELP]
    health_plan, police_plan, education_plan = (
        _active_plan(health),
        _active_plan(police),
        _active_plan(education),
    )
    if health_plan is None or police_plan is None or education_plan is None:
        return 0

    def lead_of(agency: Agency) -> User:
        return agency.users.filter(role=User.Role.AGENCY_LEAD).first() or chair

    # Meetings: the last two quarters', and the next one's, already in the diary.
    for each in (earlier, quarter, quarter.next()):
        attributed(
            Meeting(quarter=each.slug, date=_meeting_day(each), recorded_by=chair), user=chair
        ).save()
    met = min(_meeting_day(quarter), today)
    next_meeting = _meeting_day(quarter.next())

    code, title = SDQ_COMPLETED
    sdq = _raise(
        by=member,
        on=met,
        subject=Challenge.Subject.INDICATOR,
        quarter=quarter.slug,
        indicator_code=code,
        subject_label=f"{title}, {quarter.label}",
        agency=health,
        text="Fewer SDQs were completed this quarter than last. Why are health visitors and "
        "school nurses completing fewer, and what will the trust do about it?",
        due_date=met + timedelta(weeks=3),
    )
    _answer(
        sdq,
        by=lead_of(health),
        on=met + timedelta(weeks=2),
        answer="Two health visiting teams lost staff to vacancies and the SDQ was dropped from "
        "the 2-year review. We are restoring it and retraining the bank staff.",
    )
    retraining = Action(
        plan=health_plan,
        objective=Objective.RESPOND,
        description="Restore the SDQ at every 2-year review and train bank health visitors in it",
        owner_name="Named nurse for safeguarding children",
        due_date=quarter.next().end,
    )
    attributed(retraining, user=chair, reason=f"Added on closing challenge {sdq.pk}").save()
    _close(
        sdq,
        by=chair,
        on=met + timedelta(weeks=3),
        note="The answer explains the fall; the group wants the recovery in the trust's plan.",
        action=retraining,
    )

    _raise(
        by=member,
        on=met,
        subject=Challenge.Subject.PLAN,
        quarter=quarter.slug,
        plan=police_plan,
        subject_label=f"{police}'s action plan, {quarter.label}",
        agency=police,
        text="Two actions are overdue and still amber. What is stopping them, and when will "
        "they be complete?",
        due_date=next_meeting,
    )

    report = _raise(
        by=chair,
        on=met,
        subject=Challenge.Subject.REPORT,
        quarter=quarter.slug,
        plan=education_plan,
        subject_label=f"{education}'s quarterly report, {quarter.label}",
        agency=education,
        text="The report says neglect was recognised earlier in audited cases. How many cases "
        "were audited, and by whom?",
        due_date=met + timedelta(weeks=4),
    )
    _answer(
        report,
        by=lead_of(education),
        on=met + timedelta(weeks=2),
        answer="Twelve cases, audited by the designated safeguarding leads of six schools and "
        "moderated by the local authority's education safeguarding adviser.",
    )
    _close(report, by=chair, on=met + timedelta(weeks=4), note="Answered in full.")

    code, title = REFERRALS_NEGLECT
    _raise(
        by=chair,
        on=met,
        subject=Challenge.Subject.THEME,
        quarter=quarter.slug,
        indicator_code=code,
        subject_label=f"Emerging theme: {title}, {quarter.label}",
        agency=early_help,
        text="More referrals present with neglect. Are families being stepped up from early "
        "help late, and what does the early help assessment show beforehand?",
        due_date=next_meeting,
    )

    decisions = [
        # meeting, kind, text, owner agency, owner user, due, status, reason
        (
            earlier,
            Decision.Kind.DECISION,
            "Every agency reports the number of staff trained in neglect in its quarterly return.",
            None,
            chair,
            _meeting_day(earlier) + timedelta(weeks=8),
            Decision.Status.DONE,
            "",
        ),
        (
            earlier,
            Decision.Kind.IPAG,
            "Neglect where a parent has mental health needs: audit ten cases jointly and bring "
            "the learning back to the group.",
            agencies[MENTAL_HEALTH],
            None,
            next_meeting,
            Decision.Status.OPEN,
            "",
        ),
        (
            earlier,
            Decision.Kind.DECISION,
            "Hold a separate neglect practice conference in the autumn.",
            None,
            chair,
            _meeting_day(earlier) + timedelta(weeks=12),
            Decision.Status.DROPPED,
            "Folded into the partnership's annual safeguarding conference.",
        ),
        (
            quarter,
            Decision.Kind.DECISION,
            "The Community Health Trust presents its SDQ recovery at the next meeting.",
            health,
            lead_of(health),
            next_meeting,
            Decision.Status.OPEN,
            "",
        ),
        (
            quarter,
            Decision.Kind.IPAG,
            "The rise in referrals presenting with neglect: review twenty referrals for what "
            "early help knew beforehand, and agree next steps for step-up.",
            early_help,
            None,
            next_meeting,
            Decision.Status.OPEN,
            "",
        ),
    ]
    for meeting, kind, text, agency, owner, due, status, reason in decisions:
        attributed(
            Decision(
                quarter=meeting.slug,
                kind=kind,
                text=text,
                owner_agency=agency,
                owner_user=owner,
                due_date=due,
                status=status,
                reason=reason,
                recorded_by=chair,
                recorded_at=_at(min(_meeting_day(meeting), today)),
            ),
            user=chair,
        ).save()
    return Challenge.objects.count()


def load_demo() -> str | None:
    """Called by actionplans.demo_data.load_demo, after the plans it challenges."""
    added = load_challenge_round(dates.today())
    return f"Demo Working Group round added: {added} challenges." if added else None
