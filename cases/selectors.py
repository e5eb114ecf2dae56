"""Reads that several views share. Every object lookup starts from `children_visible_to`."""

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from neglect_portal import access

from .codes import CPCategory
from .models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Involvement,
    Referral,
)


def open_involvements(on: date) -> QuerySet[Involvement]:
    return Involvement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=on),
                                      start_date__lte=on)


def children_visible_to(user, *, on: date | None = None) -> QuerySet[Child]:
    """Children's social care sees every child; others see children their agency is involved
    with (an involvement open today) and children allocated to them."""
    if not (user and user.is_authenticated and user.is_active):
        return Child.objects.none()
    if access.sees_every_child(user):
        return Child.objects.all()
    on = on or date.today()
    involved = open_involvements(on).filter(child=OuterRef("pk"), agency_id=user.agency_id)
    return Child.objects.filter(Q(allocated_worker=user) | Exists(involved))


def _open_plans(model, on: date):
    return model.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=on),
                                start_date__lte=on)


def open_cp_plans(on: date) -> QuerySet[ChildProtectionPlan]:
    return _open_plans(ChildProtectionPlan, on)


def open_cin_plans(on: date) -> QuerySet[ChildInNeedPlan]:
    return _open_plans(ChildInNeedPlan, on)


def with_case_flags(children: QuerySet[Child], *, on: date) -> QuerySet[Child]:
    """Annotate what the children list shows and filters on, as subqueries (no per-row queries)."""
    cp = open_cp_plans(on).filter(referral__child=OuterRef("pk"))
    cin = open_cin_plans(on).filter(referral__child=OuterRef("pk"))
    neglect = (
        Exists(Referral.objects.filter(child=OuterRef("pk"), neglect_presenting=True))
        | Exists(Assessment.objects.filter(referral__child=OuterRef("pk"),
                                           neglect_identified=True))
        | Exists(ChildProtectionPlan.objects.filter(referral__child=OuterRef("pk"))
                 .filter(Q(initial_category=CPCategory.NEG)
                         | Q(latest_category=CPCategory.NEG)))
    )
    return children.annotate(on_cp_plan=Exists(cp), on_cin_plan=Exists(cin),
                             neglect=neglect)


def records_for_child(child: Child):
    """The child's episodes with everything in them, in a fixed number of queries."""
    return (
        child.referrals.prefetch_related(
            "assessments", "cin_plans",
            Prefetch("cp_plans", queryset=ChildProtectionPlan.objects.prefetch_related("reviews")),
        )
        .select_related("recorded_by")
        .order_by("-referral_date")
    )


# How each case record reaches its child, and what to fetch with it for the pages.
_PATH_TO_CHILD = {
    Child: ("pk", ["allocated_worker"]),
    Referral: ("child", ["child"]),
    Assessment: ("referral__child", ["referral__child"]),
    ChildInNeedPlan: ("referral__child", ["referral__child"]),
    ChildProtectionPlan: ("referral__child", ["referral__child"]),
    CPReview: ("plan__referral__child", ["plan__referral__child"]),
    Involvement: ("child", ["child", "agency"]),
}


def records_visible_to(user, model) -> QuerySet:
    """Records of `model` whose child the user may see: the only way views look records up."""
    path, related = _PATH_TO_CHILD[model]
    records = model.objects.select_related(*related)
    if access.sees_every_child(user):
        return records
    return records.filter(**{f"{path}__in": children_visible_to(user).values("pk")})


def child_of(record) -> Child:
    """The child a case record belongs to (its parents are select_related by the lookups)."""
    if isinstance(record, Child):
        return record
    if isinstance(record, CPReview):
        return record.plan.referral.child
    if isinstance(record, (Referral, Involvement)):
        return record.child
    return record.referral.child
