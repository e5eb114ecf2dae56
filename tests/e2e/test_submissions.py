"""A double click on a create form's button sends it twice: one record is made (issue 11)."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.models import Agency, User
from tests.factories import PASSWORD, CPPlanFactory, InvolvementFactory, UserFactory
from toolkit.models import ChronologyEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_save_adds_one_chronology_entry(
    page, live_server, demo_users, sign_in, assert_accessible, monkeypatch
):
    # Chromium merges two clicks that come before its first post has left; on a slow
    # connection the second click comes after, so the server is made slow to answer and the
    # second click waits for the first post to be sent.
    save = ChronologyEntry.save

    def slow_save(self, *args, **kwargs):
        time.sleep(1)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(ChronologyEntry, "save", slow_save)
    health = Agency.objects.get(name="Community Health Trust")
    child = CPPlanFactory(latest_category="NEG").referral.child
    InvolvementFactory(child=child, agency=health)
    UserFactory(username="health-visitor", agency=health, role=User.Role.PRACTITIONER)
    add_url = f"{live_server.url}/children/{child.pk}/chronology/add/"
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    sign_in("health-visitor", PASSWORD)
    page.goto(add_url)
    day = dates.today() - timedelta(days=7)
    group = page.get_by_role("group", name="Date of the event")
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("What happened").fill("Missed the dentist twice")
    page.get_by_label("Negative").check()
    page.get_by_label("How it affected the child").fill("Tooth pain at school")
    posts.clear()
    button = page.get_by_role("button", name="Add to chronology")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request(lambda request: request.method == "POST"):
        page.mouse.click(x, y)
    page.mouse.click(x, y)  # the form is still on screen while the first post is answered

    expect(page.get_by_role("heading", level=1)).to_have_text("Impact chronology")
    expect(page.locator(".moj-timeline")).to_contain_text("Missed the dentist twice")
    assert len([p for p in posts if p.url == add_url]) == 2  # the browser did send it twice
    assert ChronologyEntry.objects.filter(what_happened="Missed the dentist twice").count() == 1
    expect(page.locator(".moj-timeline__title", has_text="Missed the dentist twice")).to_have_count(
        1
    )
    assert_accessible(page)
