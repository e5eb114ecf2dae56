from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dataset.models import AgencyReturn
from dataset.selectors import training_coverage
from dataset.services import agency_return_submit
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import StaleEdit
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)
TODAY = date(2024, 7, 10)


@pytest.fixture
def agencies():
    return [AgencyFactory(name=name) for name in ("Education", "Health", "Police")]


@pytest.fixture
def lead(agencies):
    return User.objects.create(username="lead", role=User.Role.AGENCY_LEAD, agency=agencies[0])


def submit(agency, user, trained, workforce, **extra):
    return agency_return_submit(
        agency=agency,
        quarter=Q1,
        staff_trained=trained,
        target_workforce=workforce,
        user=user,
        today=TODAY,
        **extra,
    )


def test_an_agency_that_has_not_submitted_is_a_gap_not_a_zero(agencies, lead):
    education, health, police = agencies
    submit(education, lead, 180, 800)
    submit(health, lead, 50, 200)
    coverage = training_coverage(Q1)
    assert coverage.gaps == [police]
    by_agency = {row.agency: row for row in coverage.agencies}
    assert by_agency[education].value == Decimal("22.5")
    assert by_agency[police].value is None and by_agency[police].is_gap
    total = coverage.total
    assert (total.numerator, total.denominator, total.value) == (230, 1000, Decimal("23.0"))


def test_with_no_returns_the_total_has_no_value(agencies):
    coverage = training_coverage(Q1)
    assert coverage.total.value is None
    assert coverage.gaps == agencies


def test_an_inactive_agency_owes_nothing_but_its_return_still_counts(agencies, lead):
    education, health, police = agencies
    police.active = False
    police.save()
    health.active = False
    health.save()
    submit(health, lead, 10, 10)
    coverage = training_coverage(Q1)
    assert [row.agency for row in coverage.agencies] == [education, health]
    assert coverage.gaps == [education]


def test_coverage_takes_two_queries(agencies, lead, django_assert_num_queries):
    for agency in agencies:
        submit(agency, lead, 1, 2)
    with django_assert_num_queries(2):
        training_coverage(Q1)


def test_a_correction_needs_the_version_it_edits(agencies, lead):
    first = submit(agencies[0], lead, 100, 800)
    with pytest.raises(StaleEdit):
        submit(agencies[0], lead, 120, 800)  # a second first submission: stale
    corrected = submit(agencies[0], lead, 120, 800, expected_version=first.version)
    assert (corrected.pk, corrected.version, corrected.staff_trained) == (first.pk, 2, 120)
    assert [h.staff_trained for h in corrected.history.order_by("history_date")] == [100, 120]
    with pytest.raises(StaleEdit):
        submit(agencies[0], lead, 130, 800, expected_version=1)


def test_a_return_for_a_quarter_not_yet_started_is_refused(agencies, lead):
    with pytest.raises(ValidationError, match="once the quarter starts"):
        agency_return_submit(
            agency=agencies[0],
            quarter=Quarter(2024, 2),
            staff_trained=1,
            target_workforce=2,
            user=lead,
            today=date(2024, 6, 30),
        )


def test_a_zero_workforce_is_refused(agencies, lead):
    with pytest.raises(ValidationError, match="1 or more"):
        submit(agencies[0], lead, 0, 0)
    assert not AgencyReturn.objects.exists()


def test_the_database_holds_one_return_per_agency_and_quarter(agencies, lead):
    submit(agencies[0], lead, 1, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyReturn.objects.create(
            agency=agencies[0], quarter=Q1, staff_trained=1, target_workforce=2, submitted_by=lead
        )


def test_the_quarter_is_stored_as_its_slug_and_read_back_as_a_quarter(agencies, lead):
    submit(agencies[0], lead, 1, 2)
    assert AgencyReturn.objects.values_list("quarter", flat=True).get() == Q1
    assert AgencyReturn.objects.filter(quarter="2024-25-Q1").count() == 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT quarter FROM dataset_agencyreturn")
        assert cursor.fetchone()[0] == "2024-25-Q1"
