"""bench/hand_sql.py's hand-written queries give the ORM's figures, so bench/kpis.py times
two ways of counting the same thing, and every indicator computed from records has one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.hand_sql import HAND_WRITTEN, hand_written
from dataset.computation import compute, measures
from dataset.demo_audits import load_demo_audits
from neglect_portal.demo import load_demo_data
from neglect_portal.quarters import Quarter
from tests.dataset.test_properties import QUARTERS, child_records, save
from tests.factories import CPPlanFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the hand-written queries are PostgreSQL's"
)


def test_every_indicator_computed_from_records_has_a_hand_written_query():
    computed = [measure.code for measure in measures(Quarter.latest_complete())]
    assert sorted(HAND_WRITTEN) == sorted(computed)


def _agree(quarter: Quarter) -> dict[str, tuple]:
    """Each code's (numerator, denominator) for `quarter`, after checking the hand-written
    query gives exactly what the ORM does."""
    figures = compute(quarter, list(HAND_WRITTEN))
    found = {}
    for code, figure in figures.items():
        orm = (figure.numerator, figure.denominator)
        assert hand_written(code, quarter) == orm, f"{code} in {quarter}"
        found[code] = orm
    return found


@pytest.fixture
def county(settings):
    """A small county as `make run` builds it: generated children and case records over
    three years and this one, with the demo's audit rounds."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_data()
    call_command("generate_demo_data", children=600, stdout=StringIO())
    assert load_demo_audits() is not None
    # A plan that lasted two years is rare enough that 600 generated children have ended
    # none in the quarters below on some days: this one ended in the last complete quarter.
    end = Quarter.latest_complete().end
    CPPlanFactory(
        referral__referral_date=end - timedelta(days=800),
        start_date=end - timedelta(days=790),
        end_date=end,
    )


@postgresql_only
@pytest.mark.django_db
def test_the_hand_written_queries_give_the_orms_figures_for_generated_records(county):
    latest = Quarter.latest_complete()
    quarters = [latest.next(), *latest.last(10)[::3]]
    found = {quarter: _agree(quarter) for quarter in quarters}
    # The records reach every query: each counts something in some quarter, and every
    # percentage has a numerator short of its denominator somewhere.
    for code in HAND_WRITTEN:
        counts = [found[quarter][code] for quarter in quarters]
        assert any(numerator for numerator, _ in counts), code
        if counts[0][1] is not None:
            assert any(numerator < denominator for numerator, denominator in counts), code


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("quarter", QUARTERS, ids=str)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_hand_written_queries_agree_at_the_edges_of_the_definitions(quarter, data):
    # The property tests' records: dates on S, E, the days either side, E less 3 to 36
    # months and 29 February, where interval arithmetic and AddMonths could part.
    children = data.draw(st.lists(child_records(quarter), min_size=1, max_size=5))
    with transaction.atomic():
        save(children)
        _agree(quarter)
        transaction.set_rollback(True)
