"""The dataset's demo: targets a Working Group would have agreed, and one published quarter
(published after the generated records, so its figures are theirs)."""

import pytest
from django.core.management import CommandError, call_command

from dataset import selectors, targets
from dataset.demo_data import TARGETS, load_partner_demo, load_target_demo, publish_demo_quarter
from dataset.models import PartnerFigure, PublishedQuarter, Target
from neglect_portal import dates
from neglect_portal.demo import load_demo_people
from neglect_portal.quarters import Quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    load_demo_people()
    load_partner_demo()


def test_the_demo_sets_each_target_once_from_the_first_demo_quarter(demo):
    assert load_target_demo() == len(TARGETS)
    first = Quarter.containing(dates.today()).previous().last(4)[0]
    assert set(Target.objects.values_list("code", "applies_from")) == {
        (code, first) for code, _, _ in TARGETS
    }
    assert all(target.reason for target in Target.objects.all())
    assert load_target_demo() == 0


def test_the_published_demo_quarter_keeps_its_partner_figures_and_targets(demo):
    load_target_demo()
    quarter = publish_demo_quarter()
    assert quarter == Quarter.latest_complete().previous()
    published = PublishedQuarter.objects.get(quarter=quarter)
    stored = {row.code: row for row in published.figures.all()}
    assert stored["AG_HV_WAS_NOT_BROUGHT"].submitted
    assert stored["AG_HV_WAS_NOT_BROUGHT"].target_value == 10
    # A late correction of the partner figure leaves the published quarter as it was.
    figure = PartnerFigure.objects.get(indicator__code="AG_HV_WAS_NOT_BROUGHT", quarter=quarter)
    before = stored["AG_HV_WAS_NOT_BROUGHT"].as_figure()
    PartnerFigure.objects.filter(pk=figure.pk).update(numerator=figure.numerator + 1)
    again = selectors.figures_for(quarter, ["AG_HV_WAS_NOT_BROUGHT"])["AG_HV_WAS_NOT_BROUGHT"]
    assert (again.numerator, again.value) == (before.numerator, before.value)
    found = targets.in_force_for([again])[("AG_HV_WAS_NOT_BROUGHT", quarter)]
    assert found.value == 10
    assert publish_demo_quarter() is None  # once only


def test_the_command_publishes_in_development_only(demo, settings):
    call_command("publish_demo_quarter")
    assert PublishedQuarter.objects.count() == 1
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("publish_demo_quarter")


@pytest.mark.worker_idle
def test_the_demo_quarter_is_published_though_its_figures_were_never_calculated(demo):
    from dataset.result_models import QuarterResult

    assert not QuarterResult.objects.exists()
    quarter = publish_demo_quarter()
    published = PublishedQuarter.objects.get(quarter=quarter)
    # Calculated first, then published with the records behind them.
    assert published.result.figures.filter(code="CP_NEGLECT_SHARE").exists()
