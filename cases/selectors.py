"""Reads that several views share. Lookups start from neglect_portal.access
(`children_visible_to`, `records_visible_to`); these narrow what they return."""

from datetime import date
from typing import TypeVar

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from .codes import CPCategory, VoiceAnswer
from .models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Referral,
)

P = TypeVar("P", ChildInNeedPlan, ChildProtectionPlan)


def _open_plans(model: type[P], on: date) -> QuerySet[P]:
    return model.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on)


def open_cp_plans(on: date) -> QuerySet[ChildProtectionPlan]:
    return _open_plans(ChildProtectionPlan, on)


def open_cin_plans(on: date) -> QuerySet[ChildInNeedPlan]:
    return _open_plans(ChildInNeedPlan, on)


def neglect_cin_plans(plans: QuerySet[ChildInNeedPlan]) -> QuerySet[ChildInNeedPlan]:
    """CIN plans in an episode with an assessment that identified neglect (factor 16A)."""
    return plans.filter(
        Exists(
            Assessment.objects.filter(referral_id=OuterRef("referral_id"), neglect_identified=True)
        )
    )


def on_neglect_plan(on: date) -> Q:
    """Children on a neglect plan at the end of `on`: an open CP plan whose latest category is
    neglect, or an open neglect CIN plan (kpi-definitions.md)."""
    return Q(
        pk__in=open_cp_plans(on).filter(latest_category=CPCategory.NEG).values("child_id")
    ) | Q(pk__in=neglect_cin_plans(open_cin_plans(on)).values("child_id"))


def case_flags(*, on: date) -> dict[str, Exists | Q]:
    """What the children list shows for each child on a page, as per-child subqueries."""
    child = OuterRef("pk")
    return {
        "on_cp_plan": Exists(open_cp_plans(on).filter(child=child)),
        "on_cin_plan": Exists(open_cin_plans(on).filter(child=child)),
        "on_neglect_plan": (
            Exists(open_cp_plans(on).filter(child=child, latest_category=CPCategory.NEG))
            | Exists(neglect_cin_plans(open_cin_plans(on)).filter(child=child))
        ),
    }


def children_flagged(*, on: date) -> dict[str, Q]:
    """The same flags as filters over all children. The sets of plans are small, so each is
    computed once (uncorrelated) rather than probed per child."""
    return {
        "on_cp_plan": Q(pk__in=open_cp_plans(on).values("child_id")),
        "on_cin_plan": Q(pk__in=open_cin_plans(on).values("child_id")),
        "on_neglect_plan": on_neglect_plan(on),
    }


def with_case_flags(children: list[Child], *, on: date) -> list[Child]:
    """Set the flags on one page of children, in one query.

    Done after pagination on purpose: annotating the whole filtered queryset makes PostgreSQL
    evaluate the subqueries for every child before it applies the page's LIMIT.
    """
    flags = case_flags(on=on)
    rows = (
        Child.objects.filter(pk__in=[c.pk for c in children]).annotate(**flags).values("pk", *flags)
    )
    by_pk = {row["pk"]: row for row in rows}
    for child in children:
        for name in flags:
            setattr(child, name, by_pk[child.pk][name])
    return children


def records_for_child(child: Child) -> QuerySet[Referral]:
    """The child's episodes with everything in them, in a fixed number of queries."""
    return (
        child.referrals.prefetch_related(
            "assessments",
            Prefetch("cin_plans", queryset=ChildInNeedPlan.objects.prefetch_related("reviews")),
            Prefetch("cp_plans", queryset=ChildProtectionPlan.objects.prefetch_related("reviews")),
        )
        .select_related("recorded_by")
        .order_by("-referral_date")
    )


# The answers voice_answers() counts: the three a person gives, and "" (not recorded).
NOT_RECORDED = ""


def voice_answers(first: date, last: date) -> dict[str, dict[str, int]]:
    """{question: {answer: CP reviews}} over the reviews dated first..last, for each of
    CPReview.VOICE_QUESTIONS and each VoiceAnswer value plus NOT_RECORDED: aggregate counts
    for pages that show the voice of the child beside the indicators, naming no child. One
    query, whatever the number of reviews."""
    answers = [*VoiceAnswer.values, NOT_RECORDED]
    counted = CPReview.objects.filter(review_date__range=(first, last)).aggregate(
        **{
            f"{question}:{answer}": Count("pk", filter=Q(**{question: answer}))
            for question in CPReview.VOICE_QUESTIONS
            for answer in answers
        }
    )
    return {
        question: {answer: counted[f"{question}:{answer}"] for answer in answers}
        for question in CPReview.VOICE_QUESTIONS
    }
