from datetime import date, timedelta

import factory
from faker import Faker

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

    la_child_id = factory.Sequence(lambda n: f"DfEX{n:07d}")
    given_name = _name("first_name")
    family_name = _name("last_name")
    # Born before the earliest referral (-3y) and involvement (-1y) the factories below make,
    # as Child.check_record_date asks.
    date_of_birth = factory.Faker("date_between", start_date="-15y", end_date="-3y")
    sex = "F"
    ethnicity = "WBRI"


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


class CINPlanReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CINPlanReview"

    plan = factory.SubFactory(CINPlanFactory)
    review_date = factory.LazyAttribute(lambda r: r.plan.start_date)
