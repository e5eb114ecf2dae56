"""Case record pages. Views are thin: lookups go through neglect_portal.access, shared reads
through selectors, writes through services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.records import once
from neglect_portal.records.history import history_entries
from neglect_portal.records.views import RecordFormView

from . import forms, informed_by, selectors, services
from .models import (
    Allocation,
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildListAccess,
    ChildProtectionPlan,
    CINPlanReview,
    CPReview,
    Involvement,
    Referral,
)
from .search import CappedPaginator, ChildSearchForm, apply_search
from .timeline import case_timeline

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
def child_list(request):
    search = ChildSearchForm.from_session(request)
    if request.method == "POST":
        # Names and dates of birth are personal data: they travel in the POST body and the
        # session, never in the URL (and so never in access logs).
        search = ChildSearchForm(request.POST)
        if "clear" in request.POST:
            search = ChildSearchForm()
        if search.is_valid() or "clear" in request.POST:
            search.save_to_session(request)
            return redirect("cases:child_list")
    children = access.children_visible_to(request.user)
    if search.is_bound and search.is_valid():
        children = apply_search(children, search.cleaned_data)
    page = CappedPaginator(
        children.order_by("family_name", "given_name", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.with_case_flags(list(page.object_list), on=today())
    # Only a search is logged: the unfiltered list is everyone's way in to their own work,
    # shown on every visit, and an entry for each would bury the searches that show intent.
    # Each page of results viewed is its own entry, as each shows other children.
    if search.active:
        services.children_listed(
            user=request.user,
            kind=ChildListAccess.Kind.CHILD_SEARCH,
            what=f"{search.described()}, page {page.number}",
            children=len(page.object_list),
        )
    return render(
        request,
        "cases/child_list.html",
        {
            "search": search,
            "page": page,
            "can_add": access.can_change_case_records(request.user),
            "can_refer": access.can_refer_a_child(request.user),
        },
    )


def child_detail(request, pk):
    day = today()
    # Whether the child is on a neglect plan comes with the child, not in a query of its own,
    # probed for this child (case_flags) rather than matched against every neglect plan.
    child = get_object_or_404(
        access.children_visible_to(request.user)
        .select_related("allocated_worker__agency")
        .annotate(neglect_plan_now=selectors.case_flags(on=day)["on_neglect_plan"]),
        pk=pk,
    )
    services.child_opened(child=child, user=request.user)
    # The whole case record in one query (issue 16: case pages at most 10 queries).
    record = selectors.case_record_for_child(child)
    involvements = record.involvements
    return render(
        request,
        "cases/child_detail.html",
        {
            "child": child,
            "age": child.age_on(child.date_of_death or day),
            "referrals": record.referrals,
            "current_cp_plans": [p for p in record.cp_plans if p.is_open_on(day)],
            "current_cin_plans": [p for p in record.cin_plans if p.is_open_on(day)],
            "current_involvements": [i for i in involvements if i.is_open_on(day)],
            "involvements": involvements,
            "timeline": case_timeline(record.referrals, record.cp_plans),
            "on_neglect_plan": child.neglect_plan_now,
            # For the toolkit's panel, which reads the latest review the tools informed.
            "reviews": [
                review
                for plan in [*record.cp_plans, *record.cin_plans]
                for review in plan.reviews.all()
            ],
            "can_change": access.can_change_case_records(request.user),
            "can_add_involvement": access.works_with_children(request.user),
            "endable_involvements": {
                i.pk for i in involvements if access.can_record_involvement(request.user, i.agency)
            },
            "can_read_access_log": access.can_read_access_log(request.user),
            "allocations": record.allocations,
            "can_change_allocation": access.can_change_allocation(request.user),
        },
    )


class CaseRecordView(RecordFormView):
    """Add or change one case record. `model` is what the URL's pk names: the record itself
    when changing, its parent when adding; it is looked up inside the viewer's scope."""

    model: type
    related: tuple[str, ...] = ()  # fetched with the record, for what the view reads of it

    def get_object(self):
        records = self.model.objects.select_related(*self.related)
        return get_object_or_404(
            access.records_visible_to(self.request.user, records), pk=self.kwargs["pk"]
        )

    def may_change(self, user):
        return access.can_change_case_records(user)

    def opened(self):
        services.child_opened(child=access.child_of(self.object), user=self.request.user)

    def success_url(self, record):
        return reverse("cases:child_detail", args=[access.child_of(record).pk])

    def context(self):
        child = access.child_of(self.object)
        return {
            "caption": str(child),
            "cancel_url": reverse("cases:child_detail", args=[child.pk]),
        }


class ChildAdd(CaseRecordView):
    form_class = forms.ChildForm
    title = "Add a child"
    success_message = "Child added"

    def get_object(self):
        return None

    def opened(self):
        pass

    def new_instance(self):
        return Child()

    def save(self, form):
        return services.child_add(child=form.instance)

    def context(self):
        return {"cancel_url": reverse("cases:child_list")}


class ChildEdit(CaseRecordView):
    model = Child
    form_class = forms.ChildForm
    title = "Change child's details"
    success_message = "Child's details saved"

    def save(self, form):
        return services.child_update(form.instance, expected_version=form.cleaned_data["version"])


class AllocationChange(CaseRecordView):
    model = Child
    form_class = forms.AllocationChangeForm
    title = "Change allocated worker"
    success_message = "Allocated worker changed"
    stale_thing = "allocation"

    def may_change(self, user):
        return access.can_change_allocation(user)

    def form_kwargs(self):
        allocations = self.object.allocations.select_related("worker", "team")
        return {
            "current": allocations.filter(ended_on__isnull=True).first(),
            "first": not allocations.exists(),
        }

    def new_instance(self):
        return Allocation(child=self.object)

    def save(self, form):
        data = form.cleaned_data
        services.allocation_change(
            child=self.object,
            worker=data["worker"],
            started_on=data["started_on"],
            reason=data.get("reason") or Allocation.Reason.FIRST,
            note=data.get("note", ""),
            by=self.request.user,
            expected_open=data["expected_open"],
        )
        return self.object

    def success_url(self, record):
        return reverse("cases:child_detail", args=[self.object.pk])


class ReferralAdd(CaseRecordView):
    model = Child
    form_class = forms.ReferralForm
    title = "Record a referral"
    success_message = "Referral recorded"

    def new_instance(self):
        return Referral(child=self.object, recorded_by=self.request.user)


class ReferralEdit(CaseRecordView):
    model = Referral
    form_class = forms.ReferralForm
    title = "Change referral"
    success_message = "Referral saved"


class AssessmentAdd(CaseRecordView):
    model = Referral
    form_class = forms.AssessmentForm
    title = "Record an assessment"
    success_message = "Assessment recorded"

    def new_instance(self):
        return Assessment(referral=self.object)


class AssessmentEdit(CaseRecordView):
    model = Assessment
    form_class = forms.AssessmentForm
    title = "Change assessment"
    success_message = "Assessment saved"


class InformedByView(CaseRecordView):
    """A plan or review form that records the tools that informed it (cases.informed_by)."""

    def form_kwargs(self):
        return {"child": access.child_of(self.object)}

    def post(self, request, *args, **kwargs):
        if forms.InformedByForm.TICK_FOR_DATE not in request.POST:
            return super().post(request, *args, **kwargs)
        # Tick the tools current on the date typed (not today), keeping everything else.
        form = self.form(request.POST)
        form.is_valid()
        day = form.cleaned_data.get(form.date_field)
        if day is None:  # the date is needed first: its error says so
            return self.render(form)
        data = request.POST.copy()
        data.setlist("informed_by", form.ticked_on(day))
        return self.render(self.form(data))

    def save(self, form):
        return self.record(
            form.instance,
            informed_by_tools=form.cleaned_data["informed_by"],
            user=self.request.user,
        )

    def record(self, instance, **informed):
        raise NotImplementedError


class CINPlanStart(InformedByView):
    model = Referral
    form_class = forms.CINPlanStartInformedForm
    title = "Start a child in need plan"
    success_message = "Child in need plan started"

    def new_instance(self):
        return ChildInNeedPlan(referral=self.object)

    def record(self, instance, **informed):
        return services.cin_plan_start(plan=instance, **informed)


class CINPlanEnd(CaseRecordView):
    model = ChildInNeedPlan
    form_class = forms.CINPlanEndForm
    title = "End child in need plan"
    success_message = "Child in need plan ended"


class CPPlanStart(InformedByView):
    model = Referral
    form_class = forms.CPPlanStartInformedForm
    title = "Start a child protection plan"
    success_message = "Child protection plan started"

    def new_instance(self):
        return ChildProtectionPlan(referral=self.object)

    def record(self, instance, **informed):
        return services.cp_plan_start(plan=instance, **informed)


class CPPlanEnd(CaseRecordView):
    model = ChildProtectionPlan
    form_class = forms.CPPlanEndForm
    title = "End child protection plan"
    success_message = "Child protection plan ended"

    def save(self, form):
        return services.cp_plan_update(form.instance, expected_version=form.cleaned_data["version"])


class CPPlanCategory(CaseRecordView):
    model = ChildProtectionPlan
    form_class = forms.CPCategoryForm
    title = "Change the category of abuse"
    success_message = "Category changed"


class CPReviewAdd(InformedByView):
    model = ChildProtectionPlan
    form_class = forms.CPReviewInformedForm
    title = "Record a child protection review"
    success_message = "Review recorded"

    def new_instance(self):
        return CPReview(plan=self.object)

    def record(self, instance, **informed):
        return services.plan_review_record(review=instance, **informed)

    def success_url(self, record):
        return reverse("cases:review", args=["cp-review", record.pk])


class CINPlanReviewAdd(InformedByView):
    model = ChildInNeedPlan
    form_class = forms.CINPlanReviewForm
    title = "Record a child in need plan review"
    success_message = "Review recorded"

    def new_instance(self):
        return CINPlanReview(plan=self.object)

    def record(self, instance, **informed):
        return services.plan_review_record(review=instance, **informed)

    def success_url(self, record):
        return reverse("cases:review", args=["cin-review", record.pk])


class InvolvementAdd(CaseRecordView):
    model = Child
    form_class = forms.InvolvementForm
    title = "Add an agency involved"
    success_message = "Agency involvement added"

    def may_change(self, user):
        return access.works_with_children(user)

    def form_kwargs(self):
        return {"user": self.request.user}

    def new_instance(self):
        return Involvement(child=self.object)


class InvolvementEnd(CaseRecordView):
    model = Involvement
    related = ("agency",)
    form_class = forms.InvolvementEndForm
    title = "End an agency's involvement"
    success_message = "Agency involvement ended"

    def may_change(self, user):
        return access.can_record_involvement(user, self.object.agency)

    def success_url(self, record):
        # A partner that ends its own involvement may no longer see the child.
        visible = access.children_visible_to(self.request.user).filter(pk=record.child_id)
        return (
            reverse("cases:child_detail", args=[record.child_id])
            if visible.exists()
            else reverse("cases:child_list")
        )


@require_http_methods(["GET", "POST"])
def refer_new_child(request):
    if not access.can_refer_a_child(request.user):
        raise PermissionDenied
    form = once.carry_token(
        forms.NewChildReferralForm(request.POST if request.method == "POST" else None)
    )
    if request.method == "POST" and (sent := _send_referral(request, form)):
        return sent
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": "Refer a child to children's social care",
            "cancel_url": reverse("cases:child_list"),
        },
    )


def _send_referral(request, form):
    """The "referral sent" page, or None when the form needs correcting. The same form sent
    again shows the page again: its stored result is the child's page, or "" for a partner
    who may not see the child yet."""
    if form.is_valid():
        done = once.submit_once(
            request,
            lambda: services.referral_for_new_child(
                child=form.instance, referral=form.referral, user=request.user
            ),
            lambda referral: _child_url_if_visible(request.user, referral.child_id),
        )
        again, child_url = done.again, done.url
    else:
        child_url = once.earlier_result(request)
        if child_url is None:
            return None
        again = True
    if again:
        messages.info(request, once.ALREADY_SAVED)
    return render(request, "cases/referral_sent.html", {"child_url": child_url or None})


def _child_url_if_visible(user, child_id) -> str:
    if access.children_visible_to(user).filter(pk=child_id).exists():
        return reverse("cases:child_detail", args=[child_id])
    return ""


def access_log(request, pk):
    child = get_object_or_404(access.children_visible_to(request.user), pk=pk)
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    entries = Paginator(child.access_log.select_related("user__agency"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/access_log.html", {"child": child, "page": entries})


# The URL's record kind → model, and what its name on the page reads with it. Every case
# model has a history page.
HISTORY_KINDS = {
    "child": (Child, ()),
    "referral": (Referral, ()),
    "assessment": (Assessment, ()),
    "cin-plan": (ChildInNeedPlan, ()),
    "cp-plan": (ChildProtectionPlan, ()),
    "cp-review": (CPReview, ()),
    "cin-review": (CINPlanReview, ()),
    "involvement": (Involvement, ("agency",)),
    "allocation": (Allocation, ("worker",)),
}


def record_history(request, kind, pk):
    if kind not in HISTORY_KINDS:
        raise Http404
    model, related = HISTORY_KINDS[kind]
    records = model.objects.select_related(*related)
    record = get_object_or_404(access.records_visible_to(request.user, records), pk=pk)
    child = access.child_of(record)
    services.child_opened(child=child, user=request.user)
    return render(
        request,
        "cases/history.html",
        {
            "record": record,
            "child": child,
            "entries": history_entries(record),
            "kind_label": record._meta.verbose_name,
        },
    )


# Plan and review pages: what each is, and the tools that informed it (cases.informed_by).
PLAN_KINDS = {"cp-plan": ChildProtectionPlan, "cin-plan": ChildInNeedPlan}
REVIEW_KINDS = {"cp-review": (CPReview, "cp-plan"), "cin-review": (CINPlanReview, "cin-plan")}


def plan_detail(request, kind, pk):
    if kind not in PLAN_KINDS:
        raise Http404
    records = PLAN_KINDS[kind].objects.select_related("referral")
    plan = get_object_or_404(access.records_visible_to(request.user, records), pk=pk)
    services.child_opened(child=plan.child, user=request.user)
    reviews = list(plan.reviews.all())
    informing = informed_by.informing([plan, *reviews])
    return render(
        request,
        "cases/plan_detail.html",
        {
            "plan": plan,
            "kind": kind,
            "review_kind": "cp-review" if kind == "cp-plan" else "cin-review",
            "child": plan.child,
            "informed_by": informing.get(informed_by.key_of(plan), []),
            "reviews": [
                (review, informing.get(informed_by.key_of(review), [])) for review in reviews
            ],
            "can_change": access.can_change_case_records(request.user),
        },
    )


def review_detail(request, kind, pk):
    if kind not in REVIEW_KINDS:
        raise Http404
    model, plan_kind = REVIEW_KINDS[kind]
    records = model.objects.select_related("plan")
    review = get_object_or_404(access.records_visible_to(request.user, records), pk=pk)
    services.child_opened(child=review.plan.child, user=request.user)
    return render(
        request,
        "cases/review_detail.html",
        {
            "review": review,
            "kind": kind,
            "plan_kind": plan_kind,
            "child": review.plan.child,
            "informed_by": informed_by.informing([review]).get(informed_by.key_of(review), []),
        },
    )
