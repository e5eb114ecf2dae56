"""Case record pages. Views are thin: lookups go through selectors, writes through services."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_http_methods

from neglect_portal import access
from toolkit.selectors import tools_for_child
from toolkit.status import tool_statuses
from toolkit.tool_kinds import TOOL_KINDS

from . import forms, selectors, services
from .display import display_value
from .models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Involvement,
    Referral,
)
from .record_history import KINDS, history_entries
from .search import ChildSearchForm, apply_search
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
    today = date.today()
    children = selectors.children_visible_to(request.user)
    if search.is_bound and search.is_valid():
        children = apply_search(children, search.cleaned_data)
    page = Paginator(children.order_by("family_name", "given_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_case_flags(list(page.object_list), on=today)
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
    child = get_object_or_404(
        selectors.children_visible_to(request.user).select_related("allocated_worker__agency"),
        pk=pk,
    )
    services.child_opened(child=child, user=request.user)
    today = date.today()
    referrals = list(selectors.records_for_child(child))
    involvements = list(child.involvements.select_related("agency", "lead_worker"))
    cp_plans = [plan for referral in referrals for plan in referral.cp_plans.all()]
    cin_plans = [plan for referral in referrals for plan in referral.cin_plans.all()]
    on_neglect_plan = Child.objects.filter(selectors.on_neglect_plan(today), pk=child.pk).exists()
    return render(
        request,
        "cases/child_detail.html",
        {
            "child": child,
            "age": child.age_on(child.date_of_death or today),
            "referrals": referrals,
            "current_cp_plans": [p for p in cp_plans if p.is_open_on(today)],
            "current_cin_plans": [p for p in cin_plans if p.is_open_on(today)],
            "current_involvements": [i for i in involvements if i.is_open_on(today)],
            "involvements": involvements,
            "timeline": case_timeline(referrals, cp_plans),
            "on_neglect_plan": on_neglect_plan,
            "tool_statuses": tool_statuses([child.pk], today)[child.pk] if on_neglect_plan else [],
            "tools": tools_for_child(child),
            "tool_kinds": TOOL_KINDS.values(),
            "can_start_tools": access.works_with_children(request.user),
            "can_change": access.can_change_case_records(request.user),
            "can_add_involvement": access.works_with_children(request.user),
            "endable_involvements": {
                i.pk for i in involvements if access.can_record_involvement(request.user, i.agency)
            },
            "can_read_access_log": access.can_read_access_log(request.user),
        },
    )


class RecordFormView(View):
    """Add or edit one case record, found inside the viewer's scope.

    Outsiders get 404 before anything else; a viewer who may read but not change gets 403.
    `model` is what the URL's pk names: the record itself when editing, its parent when adding.
    """

    model = None
    form_class = None
    title = ""
    success_message = ""
    template_name = "cases/record_form.html"

    def dispatch(self, request, pk):
        self.object = get_object_or_404(
            selectors.records_visible_to(request.user, self.model), pk=pk
        )
        if not self.may_change(request.user):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def may_change(self, user) -> bool:
        return access.can_change_case_records(user)

    # Hooks ---------------------------------------------------------------------------------
    def new_instance(self):
        """The record the form edits: `self.object` when editing, a new child record when adding."""
        return self.object

    def form_kwargs(self):
        return {}

    def save(self, form):
        if form.instance.pk is not None and "version" in form.fields:
            return services.record_update(
                form.instance, expected_version=form.cleaned_data["version"]
            )
        form.instance.save()
        return form.instance

    # Flow ----------------------------------------------------------------------------------
    def get(self, request, pk):
        if self.object is not None:
            services.child_opened(child=selectors.child_of(self.object), user=request.user)
        return self.render(self.form_class(instance=self.new_instance(), **self.form_kwargs()))

    def post(self, request, pk):
        form = self.form_class(request.POST, instance=self.new_instance(), **self.form_kwargs())
        if form.is_valid():
            try:
                record = self.save(form)
            except services.StaleEdit as stale:
                return self.render_stale(form, stale.current)
            except ValidationError as error:  # a rule re-checked under the service's lock
                form.add_validation_error(error)
                return self.render(form)
            messages.success(request, self.success_message)
            return redirect(self.success_url(record))
        return self.render(form)

    def success_url(self, record):
        return reverse("cases:child_detail", args=[selectors.child_of(record).pk])

    def cancel_url(self, child):
        return reverse("cases:child_detail", args=[child.pk])

    def render(self, form, *, stale=None, status=200):
        child = selectors.child_of(self.object)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": self.title,
                "child": child,
                "stale": stale,
                "cancel_url": self.cancel_url(child),
            },
            status=status,
        )

    def render_stale(self, form, current):
        """Refuse the save, keep everything typed, and show what the other person changed."""
        data = form.data.copy()
        data["version"] = current.version
        fresh = self.form_class(data, instance=type(current).objects.get(pk=current.pk))
        fresh.is_valid()
        field = current._meta.get_field
        changed = [
            (
                fresh[name].label,
                display_value(field(name), getattr(current, name)),
                display_value(field(name), getattr(form.instance, name)),
            )
            for name in form.Meta.fields
            if getattr(current, name) != form.cleaned_data.get(name)
        ]
        return self.render(fresh, stale=changed, status=409)


class ChildAdd(RecordFormView):
    form_class = forms.ChildForm
    title = "Add a child"
    success_message = "Child added"

    def dispatch(self, request, pk=None):
        if not self.may_change(request.user):
            raise PermissionDenied
        self.object = None
        return View.dispatch(self, request, pk)

    def new_instance(self):
        return Child()

    def render(self, form, *, stale=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": self.title,
                "cancel_url": reverse("cases:child_list"),
            },
            status=status,
        )


class ChildEdit(RecordFormView):
    model = Child
    form_class = forms.ChildForm
    title = "Change child's details"
    success_message = "Child's details saved"


class ReferralAdd(RecordFormView):
    model = Child
    form_class = forms.ReferralForm
    title = "Record a referral"
    success_message = "Referral recorded"

    def new_instance(self):
        return Referral(child=self.object, recorded_by=self.request.user)


class ReferralEdit(RecordFormView):
    model = Referral
    form_class = forms.ReferralForm
    title = "Change referral"
    success_message = "Referral saved"


class AssessmentAdd(RecordFormView):
    model = Referral
    form_class = forms.AssessmentForm
    title = "Record an assessment"
    success_message = "Assessment recorded"

    def new_instance(self):
        return Assessment(referral=self.object)


class AssessmentEdit(RecordFormView):
    model = Assessment
    form_class = forms.AssessmentForm
    title = "Change assessment"
    success_message = "Assessment saved"


class CINPlanStart(RecordFormView):
    model = Referral
    form_class = forms.CINPlanStartForm
    title = "Start a child in need plan"
    success_message = "Child in need plan started"

    def new_instance(self):
        return ChildInNeedPlan(referral=self.object)


class CINPlanEnd(RecordFormView):
    model = ChildInNeedPlan
    form_class = forms.CINPlanEndForm
    title = "End child in need plan"
    success_message = "Child in need plan ended"


class CPPlanStart(RecordFormView):
    model = Referral
    form_class = forms.CPPlanStartForm
    title = "Start a child protection plan"
    success_message = "Child protection plan started"

    def new_instance(self):
        return ChildProtectionPlan(referral=self.object)

    def save(self, form):
        return services.cp_plan_start(plan=form.instance)


class CPPlanEnd(RecordFormView):
    model = ChildProtectionPlan
    form_class = forms.CPPlanEndForm
    title = "End child protection plan"
    success_message = "Child protection plan ended"

    def save(self, form):
        return services.cp_plan_update(form.instance, expected_version=form.cleaned_data["version"])


class CPPlanCategory(RecordFormView):
    model = ChildProtectionPlan
    form_class = forms.CPCategoryForm
    title = "Change the category of abuse"
    success_message = "Category changed"


class CPReviewAdd(RecordFormView):
    model = ChildProtectionPlan
    form_class = forms.CPReviewForm
    title = "Record a child protection review"
    success_message = "Review recorded"

    def new_instance(self):
        return CPReview(plan=self.object)


class InvolvementAdd(RecordFormView):
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


class InvolvementEnd(RecordFormView):
    model = Involvement
    form_class = forms.InvolvementEndForm
    title = "End an agency's involvement"
    success_message = "Agency involvement ended"

    def may_change(self, user):
        return access.can_record_involvement(user, self.object.agency)

    def success_url(self, record):
        # A partner that ends its own involvement may no longer see the child.
        visible = selectors.children_visible_to(self.request.user).filter(pk=record.child_id)
        return (
            reverse("cases:child_detail", args=[record.child_id])
            if visible.exists()
            else reverse("cases:child_list")
        )


@require_http_methods(["GET", "POST"])
def refer_new_child(request):
    if not access.can_refer_a_child(request.user):
        raise PermissionDenied
    form = forms.NewChildReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        referral = services.referral_for_new_child(
            child=form.instance, referral=form.referral, user=request.user
        )
        visible = selectors.children_visible_to(request.user).filter(pk=referral.child_id)
        return render(
            request,
            "cases/referral_sent.html",
            {
                "child_url": reverse("cases:child_detail", args=[referral.child_id])
                if visible.exists()
                else None,
            },
        )
    return render(
        request,
        "cases/record_form.html",
        {
            "form": form,
            "title": "Refer a child to children's social care",
            "cancel_url": reverse("cases:child_list"),
        },
    )


def access_log(request, pk):
    child = get_object_or_404(selectors.children_visible_to(request.user), pk=pk)
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    entries = Paginator(child.access_log.select_related("user__agency"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/access_log.html", {"child": child, "page": entries})


def record_history(request, kind, pk):
    if kind not in KINDS:
        raise Http404
    record = get_object_or_404(selectors.records_visible_to(request.user, KINDS[kind]), pk=pk)
    child = selectors.child_of(record)
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
