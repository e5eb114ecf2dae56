"""Action plans and their actions: the list, an agency lead's own plan, a plan's page, adding
and changing plans and actions, and their history."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.records.history import history_entries
from neglect_portal.records.views import RecordFormView

from . import selectors, services
from .forms import ActionForm, ActionPlanForm
from .models import Action, ActionPlan


@require_GET
def plan_list(request):
    plans = selectors.plans_visible_to(request.user).order_by("agency__name", "-period_start")
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "actionplans/plan_list.html",
        {
            "page": page,
            "can_add": access.can_add_action_plan(request.user, request.user.agency),
            "reads_all": access.reads_every_action_plan(request.user),
        },
    )


@require_GET
def my_plan(request):
    if not access.leads_agency_plan(request.user):
        raise PermissionDenied
    plan = selectors.current_plan_of(request.user.agency)
    if plan is not None:
        return redirect("actionplans:plan_detail", pk=plan.pk)
    return render(request, "actionplans/no_plan.html", {"agency": request.user.agency})


@require_GET
def plan_detail(request, pk):
    plan = selectors.plan_or_404(request.user, pk)
    reports = selectors.reports_by_quarter(plan)
    day = today()
    quarters = [q for q in plan.quarters if q.start <= day]
    quarter_rows = [(q, reports.get(q.slug)) for q in reversed(quarters)]
    return render(
        request,
        "actionplans/plan_detail.html",
        {
            "plan": plan,
            "groups": selectors.plan_actions_by_objective(plan, on=day),
            "can_change": access.can_change_action_plan(request.user, plan),
            "quarter_rows": quarter_rows,
            "visible_quarters": {
                q.slug
                for q, report in quarter_rows
                if access.can_read_quarterly_report(request.user, plan, report)
            },
            # The RAG history shows the last four quarters the plan has run, oldest first.
            "history_quarters": quarters[-4:],
            "challenges": selectors.challenges_on_plan(plan, request.user),
            "action_challenges": selectors.challenges_behind_actions(plan, request.user),
            "may_raise": access.raises_challenges(request.user),
        },
    )


class _PlanRecordForm(RecordFormView):
    """A plan's or an action's form: under the plan's breadcrumbs, back to the plan."""

    def plan(self) -> ActionPlan:
        return self.object

    def may_change(self, user):
        return access.can_change_action_plan(user, self.plan())

    def success_url(self, record):
        return reverse("actionplans:plan_detail", args=[self.plan().pk])

    def context(self):
        plan = self.plan()
        return {
            "plan": plan,
            "caption": plan.agency,
            "breadcrumbs": "actionplans/_plan_breadcrumbs.html",
            "cancel_url": reverse("actionplans:plan_detail", args=[plan.pk]),
        }


class PlanAdd(_PlanRecordForm):
    form_class = ActionPlanForm
    title = "Add an action plan"
    success_message = "Plan added"

    def get_object(self):
        return None

    def may_change(self, user):
        return access.can_add_action_plan(user, user.agency)

    def new_instance(self):
        user = self.request.user
        return ActionPlan(agency=None if user.is_administrator else user.agency)

    def form_kwargs(self):
        return {"may_choose_agency": self.request.user.is_administrator}

    def save(self, form):
        return services.action_plan_add(plan=form.instance, user=self.request.user)

    def success_url(self, record):
        return reverse("actionplans:plan_detail", args=[record.pk])

    def context(self):
        return {
            "breadcrumbs": "actionplans/_plan_breadcrumbs.html",
            "cancel_url": reverse("actionplans:plan_list"),
        }


class PlanEdit(_PlanRecordForm):
    form_class = ActionPlanForm
    title = "Edit the plan's details"
    success_message = "Plan details saved"
    stale_thing = "plan"

    def get_object(self):
        return selectors.plan_or_404(self.request.user, self.kwargs["pk"])

    def save(self, form):
        return services.action_plan_update(
            form.instance, user=self.request.user, expected_version=form.cleaned_data["version"]
        )


class ActionAdd(_PlanRecordForm):
    form_class = ActionForm
    title = "Add an action"
    success_message = "Action added"

    def get_object(self):
        return selectors.plan_or_404(self.request.user, self.kwargs["pk"])

    def new_instance(self):
        return Action(plan=self.object)

    def form_kwargs(self):
        return {"plan": self.object}

    def save(self, form):
        return services.action_add(action=form.instance, user=self.request.user)


class ActionEdit(_PlanRecordForm):
    form_class = ActionForm
    title = "Edit the action"
    success_message = "Action saved"
    stale_thing = "action"

    def get_object(self):
        return get_object_or_404(
            selectors.actions_visible_to(self.request.user), pk=self.kwargs["pk"]
        )

    def plan(self):
        return self.object.plan

    def form_kwargs(self):
        return {"plan": self.object.plan}

    def save(self, form):
        return services.action_update(
            form.instance, user=self.request.user, expected_version=form.cleaned_data["version"]
        )


@require_GET
def plan_history(request, pk):
    plan = selectors.plan_or_404(request.user, pk)
    return render(
        request,
        "actionplans/history.html",
        {"plan": plan, "record": plan, "kind_label": "the plan", "entries": history_entries(plan)},
    )


@require_GET
def action_history(request, pk):
    action = get_object_or_404(selectors.actions_visible_to(request.user), pk=pk)
    return render(
        request,
        "actionplans/history.html",
        {
            "plan": action.plan,
            "record": action.short,
            "kind_label": "the action",
            "entries": history_entries(action),
        },
    )
