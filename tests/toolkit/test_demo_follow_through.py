"""The demo's management oversight and CP reviews informed by tools: true to the rules, so
the pages and indicators have something real to show."""

import pytest

from cases.demo_data import generate_demo_data
from cases.models import CPReview
from neglect_portal import dates
from neglect_portal.demo import load_demo_people
from neglect_portal.models import User
from toolkit.models import Chronology, Oversight, ToolInformed
from toolkit.selectors import awaiting_oversight_for
from toolkit.status import is_current
from toolkit.tool_kinds import TOOL_KINDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    load_demo_people()
    generate_demo_data(400, seed=5)


def test_the_demos_oversight_and_informed_reviews_follow_the_rules(demo):
    # One generation for all three checks: generating is most of the time.
    oversight_is_by_a_team_manager_of_the_authors_agency_after_completion()
    some_completed_tools_still_await_the_demo_managers_oversight()
    reviews_are_informed_by_the_childs_tools_current_on_the_review_date()


def tool_of(kind, pk):
    if kind == "chronology":
        return Chronology.objects.get(pk=pk)
    return TOOL_KINDS[kind].model.objects.get(pk=pk)


def oversight_is_by_a_team_manager_of_the_authors_agency_after_completion():
    oversights = list(Oversight.objects.select_related("manager"))
    assert len(oversights) > 20
    for oversight in oversights:
        tool = tool_of(oversight.tool_kind, oversight.tool_id)
        assert tool.child_id == oversight.child_id
        assert oversight.tool_version == tool.version
        assert oversight.manager.is_team_manager
        author, agency = tool.done_by
        assert oversight.manager_agency_id == agency == oversight.manager.agency_id
        assert oversight.manager_id != author
        assert oversight.completed_on <= oversight.recorded_on <= dates.today()
        assert oversight.reason
        assert bool(oversight.actions) == (oversight.judgement == "agree_with_actions")
    assert {o.judgement for o in oversights} == set(Oversight.Judgement.values)
    assert any(o.tool_kind == "chronology" for o in oversights)


def some_completed_tools_still_await_the_demo_managers_oversight():
    manager = User.objects.get(username="manager")
    assert awaiting_oversight_for(manager)


def reviews_are_informed_by_the_childs_tools_current_on_the_review_date():
    links = list(ToolInformed.objects.select_related("cp_review__plan"))
    assert len(links) > 20
    for link in links:
        review = link.cp_review
        assert review is not None and link.child_id == review.plan.child_id
        tool = tool_of(link.tool_kind, link.tool_id)
        assert tool.child_id == link.child_id
        assert is_current(link.completed_on, review.review_date)
    informed = {link.cp_review_id for link in links}
    assert CPReview.objects.exclude(pk__in=informed).exists()  # some reviews informed by none
    by_review: dict[int, set] = {}
    for link in links:
        by_review.setdefault(link.cp_review_id, set()).add(link.tool_kind)
    assert any(
        kinds >= {"chronology", "day", "checklist", "observation"} for kinds in by_review.values()
    )
