from datetime import date

import factory
from django.utils import timezone

from actionplans.models import Action, ActionPlan, ActionUpdate, QuarterlyReport
from tests.factories import AgencyFactory


class ActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan

    agency = factory.SubFactory(AgencyFactory)
    title = "Neglect action plan 2026 to 2028"
    period_start = date(2026, 4, 1)
    period_end = date(2028, 3, 31)
    signed_off_by = "Dr Ada Byrne"
    signed_off_role = "Director"
    signed_off_on = date(2026, 4, 10)
    status = ActionPlan.Status.ACTIVE


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    plan = factory.SubFactory(ActionPlanFactory)
    objective = "recognise"
    description = factory.Sequence(lambda n: f"Action number {n}")
    owner_name = "Safeguarding team"
    start_date = date(2026, 4, 1)
    due_date = date(2027, 3, 31)


class ActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    quarter = "2026-27-Q1"
    rag = "green"


class QuarterlyReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterlyReport

    plan = factory.SubFactory(ActionPlanFactory)
    quarter = "2026-27-Q1"
    what_we_did = "Trained neglect champions"
    difference_for_children = "Earlier help for children"
    how_we_know = "Audit of 20 cases"
    next_steps = "Train the rest"
    status = QuarterlyReport.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
