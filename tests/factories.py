from datetime import date, timedelta

import factory
from faker import Faker

from neglect_portal import dates
from neglect_portal.models import Agency, User

PASSWORD = "correct-horse-battery"
_fake = Faker("en_GB")


def _name(kind: str) -> factory.LazyFunction:
    # Without apostrophes: tests look for names in HTML, where O'Brien reads O&#x27;Brien.
    return factory.LazyFunction(lambda: getattr(_fake, kind)().replace("'", ""))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.OTHER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "neglect_portal.Team"
        django_get_or_create = ["agency", "name"]

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    locality = "North"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = _name("first_name")
    last_name = _name("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = User.Role.PRACTITIONER
    password = factory.django.Password(PASSWORD)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Child"
        skip_postgeneration_save = True

    la_child_id = factory.Sequence(lambda n: f"DfEX{n:07d}")
    given_name = _name("first_name")
    family_name = _name("last_name")
    # Born before the earliest referral (-3y) and involvement (-1y) the factories below make,
    # as Child.check_record_date asks.
    date_of_birth = factory.Faker("date_between", start_date="-15y", end_date="-3y")
    sex = "F"
    ethnicity = "WBRI"

    @factory.post_generation
    def allocation(child, create, extracted, **kwargs):
        """A child made with an allocated worker has that allocation on record too, from
        today, as cases.services.allocation_change would leave it."""
        if create and child.allocated_worker_id:
            from cases.models import Allocation

            Allocation.objects.create(
                child=child,
                worker_id=child.allocated_worker_id,
                started_on=dates.today(),
                reason=Allocation.Reason.FIRST,
            )


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Referral"

    child = factory.SubFactory(ChildFactory)
    # Between one and three years ago, and different for every referral in a test: a random
    # date could repeat one the same child already has (one referral per child and date).
    referral_date = factory.Sequence(lambda n: date.today() - timedelta(days=365 + (n * 37) % 730))
    source = "2A"
    presenting_factors = factory.LazyFunction(lambda: ["neglect"])
    primary_need = "N1"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Assessment"

    referral = factory.SubFactory(ReferralFactory)
    start_date = factory.LazyAttribute(lambda a: a.referral.referral_date)
    authorised_date = factory.LazyAttribute(lambda a: a.start_date)
    factors = factory.LazyFunction(lambda: ["16A"])


class CINPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ChildInNeedPlan"

    referral = factory.SubFactory(ReferralFactory)
    start_date = factory.LazyAttribute(lambda p: p.referral.referral_date)


class CPPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ChildProtectionPlan"

    referral = factory.SubFactory(ReferralFactory)
    start_date = factory.LazyAttribute(lambda p: p.referral.referral_date)
    initial_category = "NEG"
    latest_category = factory.LazyAttribute(lambda p: p.initial_category)


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Involvement"

    child = factory.SubFactory(ChildFactory)
    agency = factory.SubFactory(AgencyFactory)
    start_date = factory.Faker("date_between", start_date="-1y", end_date="-1d")


class CPReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CPReview"

    plan = factory.SubFactory(CPPlanFactory)
    review_date = factory.LazyAttribute(lambda r: r.plan.start_date)


class NextStepsFactory(factory.django.DjangoModelFactory):
    """A completed "So what do we know? Next steps" analysis (add its steps with
    NextStepFactory)."""

    class Meta:
        model = "toolkit.NextSteps"

    child = factory.SubFactory(ChildFactory)
    author = factory.SubFactory(UserFactory)
    author_agency = factory.LazyAttribute(lambda tool: tool.author.agency)
    status = "completed"
    started_on = factory.LazyFunction(lambda: date.today() - timedelta(days=60))
    completed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=50))
    strengths = "Mum engages"
    needs = "Routine"
    risks = "Hunger"
    impact_on_child = "Tired"
    still_unknown = "Dad's role"


class NextStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "toolkit.NextStep"

    analysis = factory.SubFactory(NextStepsFactory)
    position = factory.Sequence(lambda n: n + 1)
    what = "Book a GP check"
    owner_name = "A Okafor"
    owner_role = "Health visitor"
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=14))


class AllocationFactory(factory.django.DjangoModelFactory):
    """A dated allocation as a row, for reading pages and indicators; changes that must keep
    the child's allocated worker in step go through cases.services.allocation_change."""

    class Meta:
        model = "cases.Allocation"

    child = factory.SubFactory(ChildFactory)
    worker = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda a: a.worker.team)
    started_on = factory.Faker("date_between", start_date="-2y", end_date="-1d")
    reason = "first"


class CINPlanReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CINPlanReview"

    plan = factory.SubFactory(CINPlanFactory)
    review_date = factory.LazyAttribute(lambda r: r.plan.start_date)
