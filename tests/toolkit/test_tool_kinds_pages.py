"""Day in my life, parent–child observation, SDQ and next steps pages (the checklist's
lifecycle, which they share, is in test_tool_pages.py)."""

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from neglect_portal import dates
from tests.factories import PASSWORD, InvolvementFactory
from toolkit.content import DAY_SECTIONS, OBSERVATION_DOMAINS, DayVersion
from toolkit.models import SDQ, DayInMyLife, ParentChildObservation, Tool

pytestmark = pytest.mark.django_db


def child_aged(agency, years):
    born = dates.today() - relativedelta(years=years, days=10)
    involvement = InvolvementFactory(agency=agency, child__date_of_birth=born)
    return involvement.child


def start(client, user, child, kind, model):
    client.force_login(user)
    response = client.post(reverse("toolkit:tool_start", args=[child.pk, kind]))
    tool = model.objects.get(child=child)
    assert response["Location"] == reverse("toolkit:tool", args=[kind, tool.pk])
    return tool, reverse("toolkit:tool", args=[kind, tool.pk])


# Day in my life ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "version"),
    [
        (0, DayVersion.BABY),
        (3, DayVersion.PRE_SCHOOL),
        (9, DayVersion.SCHOOL_AGE),
        (14, DayVersion.ADOLESCENT),
    ],
)
def test_the_day_version_is_suggested_from_the_childs_age(
    client, health, health_visitor, years, version
):
    tool, url = start(client, health_visitor, child_aged(health, years), "day", DayInMyLife)
    assert tool.day_version == version
    html = client.get(url).content.decode()
    for label in DAY_SECTIONS[version].values():
        assert label in html


def test_the_parent_and_child_accounts_sit_side_by_side(client, health, health_visitor):
    _, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    html = client.get(url).content.decode()
    waking = html[html.index("Waking and getting up") :]
    assert (
        waking.index('name="waking_parent"')
        < waking.index('name="waking_child"')
        < waking.index('name="morning_parent"')
    )
    assert html.count("govuk-grid-column-one-half") == 2 * len(DAY_SECTIONS["school_age"])


def day_answers(version, **overrides):
    """Both accounts of waking up; every other part of the school day marked not known."""
    return {
        "version": version,
        "day_version": "school_age",
        "waking_parent": "Up at 7, makes his own breakfast",
        "waking_child": "Nobody wakes me, I'm late a lot",
        **{f"{key}_not_known": "on" for key in DAY_SECTIONS["school_age"] if key != "waking"},
        "childs_words": "I'm hungry",
        "strengths": "Loves school",
        "worries": "Alone after school",
        "impact_on_child": "Tired and hungry in class",
        **overrides,
    }


def test_completing_a_day_points_to_each_part_left_blank_and_not_marked_not_known(
    client, health, health_visitor
):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    answers = day_answers(1, waking_parent="", action="complete")
    del answers["morning_not_known"], answers["the_day_not_known"]
    html = client.post(url, answers).content.decode()
    summary = html[
        html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))
    ]
    assert summary.count("<li>") == 2
    assert (
        "Record the parent&#x27;s or the child&#x27;s account of breakfast, washing and "
        "dressing, or select not known"
    ) in summary
    assert 'href="#id_morning_parent"' in summary and 'href="#id_the_day_parent"' in summary
    assert "#id_waking_parent" not in summary  # the child's account is enough
    assert html.count("govuk-form-group--error") == 2
    tool.refresh_from_db()
    assert tool.status == Tool.Status.DRAFT and tool.strengths == "Loves school"


def test_a_day_is_not_complete_without_the_childs_own_words(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    html = client.post(url, day_answers(1, childs_words=" ", action="complete")).content.decode()
    assert "Enter the child&#x27;s own words" in html and 'href="#id_childs_words"' in html
    tool.refresh_from_db()
    assert tool.status == Tool.Status.DRAFT


def test_not_known_is_kept_with_a_draft(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    client.post(url, day_answers(1, action="draft"))
    tool.refresh_from_db()
    assert tool.sections["bedtime"] == {"parent": "", "child": "", "not_known": True}
    assert tool.sections["waking"]["not_known"] is False
    html = client.get(url).content.decode()
    assert re.search(r'name="bedtime_not_known"[^>]*checked', html)
    assert not re.search(r'name="waking_not_known"[^>]*checked', html)


def test_a_completed_day_reads_back_both_accounts(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    client.post(url, day_answers(1, action="complete"))
    tool.refresh_from_db()
    assert tool.status == Tool.Status.COMPLETED
    html = client.get(url).content.decode()
    assert "Up at 7, makes his own breakfast" in html
    assert "Nobody wakes me, I&#x27;m late a lot" in html
    assert 'name="waking_parent"' not in html
    bedtime = html[
        html.index("Bath and bedtime") : html.index("</tr>", html.index("Bath and bedtime"))
    ]
    assert bedtime.count("Not known") == 2


def test_a_day_completed_before_the_rule_stays_completed(client, health, health_visitor):
    day = DayInMyLife.objects.create(
        child=child_aged(health, 9),
        author=health_visitor,
        author_agency=health,
        day_version="school_age",
        sections={"waking": {"parent": "Up at 7", "child": ""}},
        strengths="s",
        worries="w",
        impact_on_child="i",
        status=Tool.Status.COMPLETED,
        completed_on=dates.today() - timedelta(days=30),
    )
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:tool", args=["day", day.pk])).content.decode()
    assert 'name="waking_parent"' not in html and "Up at 7" in html
    assert "Not recorded" in html
    day.refresh_from_db()
    assert day.status == Tool.Status.COMPLETED and day.version == 1


def test_changing_the_version_keeps_what_was_typed_for_the_other(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    client.post(url, day_answers(1, day_version="baby", action="draft"))
    tool.refresh_from_db()
    assert tool.day_version == DayVersion.BABY
    assert 'name="feeding_parent"' in client.get(url).content.decode()
    client.post(url, {"version": tool.version, "day_version": "school_age", "action": "draft"})
    html = client.get(url).content.decode()
    assert "Up at 7, makes his own breakfast" in html


# Parent–child observation -----------------------------------------------------------------


def observation_answers(version, **overrides):
    data = {
        "version": version,
        "observed_on_0": "3",
        "observed_on_1": "11",
        "observed_on_2": "2026",
        "setting": "Family home",
        "who_was_present": "Mum, Ava",
        "activity": "Lunch and play",
        "analysis": "Warm but inconsistent",
    }
    for key in OBSERVATION_DOMAINS:
        data[f"{key}_quality"] = "adequate"
        data[f"{key}_evidence"] = f"Seen ({key})"
    return {**data, **overrides}


def test_an_observation_needs_every_domain_rated_with_evidence(client, health, health_visitor):
    tool, url = start(
        client, health_visitor, child_aged(health, 4), "observation", ParentChildObservation
    )
    html = client.post(
        url, observation_answers(1, warmth_quality="", boundaries_evidence="", action="complete")
    ).content.decode()
    assert "Select what you observed for warmth and affection" in html
    assert "Enter the evidence for boundaries" in html
    assert 'href="#id_warmth_quality_1"' in html


def test_an_observation_cannot_be_dated_in_the_future(client, health, health_visitor):
    tool, url = start(
        client, health_visitor, child_aged(health, 4), "observation", ParentChildObservation
    )
    tomorrow = dates.today() + timedelta(days=1)
    html = client.post(
        url,
        observation_answers(
            1,
            observed_on_0=tomorrow.day,
            observed_on_1=tomorrow.month,
            observed_on_2=tomorrow.year,
            action="draft",
        ),
    ).content.decode()
    assert "Date of the observation must be today or in the past" in html
    tool.refresh_from_db()
    assert tool.observed_on is None


def test_a_completed_observation_reads_back(client, health, health_visitor):
    tool, url = start(
        client, health_visitor, child_aged(health, 4), "observation", ParentChildObservation
    )
    client.post(url, observation_answers(1, action="complete"))
    tool.refresh_from_db()
    assert (tool.status, tool.observed_on) == (Tool.Status.COMPLETED, date(2026, 11, 3))
    html = client.get(url).content.decode()
    assert "3 November 2026" in html and "Seen (warmth)" in html and "Adequate" in html


# SDQ --------------------------------------------------------------------------------------


def sdq_answers(version, *, answer="1", **overrides):
    data = {"version": version, "informant": "parent", "age": "9"}
    data.update({f"item_{item}": answer for item in range(1, 26)})
    return {**data, **overrides}


def test_an_sdq_starts_as_the_parent_form_at_the_childs_age(client, health, health_visitor):
    tool, _ = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    assert (tool.informant, tool.age) == ("parent", 9)


def test_saved_answers_show_scores_and_bands(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    # Every item "Certainly true": reversed items (7; 21, 25; 11, 14) score 0, so emotional 10,
    # conduct 8, hyperactivity 6 and peer 6 make a total of 30.
    client.post(url, sdq_answers(1, answer="2", action="draft"))
    html = client.get(url).content.decode()
    rows = html[html.index("Scores from the answers saved so far") :]
    assert "Emotional symptoms" in rows
    total = rows[rows.index("Total difficulties") :]
    assert ">30<" in total[:300] and "Very high" in total[:400]
    assert "provisional" not in rows[: rows.index("</table>") + 400]


def test_provisional_bands_are_marked(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 3), "sdq", SDQ)
    client.post(url, sdq_answers(1, age="3", action="draft"))
    html = client.get(url).content.decode()
    assert "The bands for this form (2-4) are provisional" in html


def test_the_self_report_form_is_for_11_to_17(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    html = client.post(url, sdq_answers(1, informant="self", action="draft")).content.decode()
    assert "The self-report questionnaire is for ages 11 to 17" in html
    tool.refresh_from_db()
    assert tool.responses == {}


def test_completing_an_sdq_stores_its_total_and_band(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    client.post(url, sdq_answers(1, answer="0", action="complete"))
    tool.refresh_from_db()
    # "Not true" everywhere: only the five reversed items score, 2 each; all are difficulty
    # items, so the total is 10, which is "Close to average".
    assert tool.status == Tool.Status.COMPLETED
    assert (tool.total_difficulties, tool.total_band) == (10, "Close to average")
    html = client.get(url).content.decode()
    assert "Total difficulties when completed" in html
    assert "Not true" in html


def test_an_sdq_without_answers_cannot_be_completed(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    html = client.post(
        url, {"version": 1, "informant": "parent", "age": "9", "action": "complete"}
    ).content.decode()
    assert "Record the answers to the questionnaire" in html
    assert 'href="#id_item_1_1"' in html


def test_the_impact_supplement_is_scored(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    client.post(
        url,
        sdq_answers(
            1,
            impact_difficulties="definite",
            impact_distress="3",
            impact_home_life="2",
            impact_friendships="0",
            impact_classroom_learning="0",
            impact_leisure="0",
            action="draft",
        ),
    )
    tool.refresh_from_db()
    assert tool.impact == {
        "difficulties": "definite",
        "distress": 3,
        "home_life": 2,
        "friendships": 0,
        "classroom_learning": 0,
        "leisure": 0,
    }
    html = client.get(url).content.decode()
    impact = html[html.index(">Impact<") :]
    assert ">3<" in impact[:200]


# So what do we know? Next steps: tests/toolkit/test_next_steps.py


# Every kind on the child's page -----------------------------------------------------------


def test_the_child_page_lists_every_tool_and_offers_each_to_start(client, health, health_visitor):
    child = child_aged(health, 9)
    start(client, health_visitor, child, "sdq", SDQ)
    start(client, health_visitor, child, "day", DayInMyLife)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Strengths and Difficulties Questionnaire (SDQ)" in html
    assert html.index("Day in my life") < html.index("Strengths and Difficulties")
    for kind in ("day", "checklist", "observation", "sdq", "next-steps"):
        assert reverse("toolkit:tool_start", args=[child.pk, kind]) in html


def test_an_unknown_kind_of_tool_is_not_found(client, health, health_visitor):
    child = child_aged(health, 9)
    client.force_login(health_visitor)
    assert client.post(reverse("toolkit:tool_start", args=[child.pk, "quiz"])).status_code == 404


# Through an expired session ---------------------------------------------------------------


def test_answers_posted_after_the_session_ran_out_are_kept_through_signing_in(
    client, health, health_visitor
):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    client.post(reverse("logout"))  # signed out in another tab
    response = client.post(url, day_answers(1, action="draft"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    tool.refresh_from_db()
    assert tool.strengths == ""  # nothing is saved by a signed-out browser

    signed_in = client.post(
        reverse("login"), {"username": health_visitor.username, "password": PASSWORD, "next": url}
    )
    assert signed_in["Location"] == url
    html = client.get(url).content.decode()
    assert "You were signed out before your answers were saved" in html
    assert "Up at 7, makes his own breakfast" in html and "Loves school" in html
    assert "Up at 7" not in client.get(url).content.decode()  # handed back once


def test_kept_answers_are_only_handed_back_on_the_page_they_came_from(
    client, health, health_visitor
):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    other, other_url = start(client, health_visitor, child_aged(health, 3), "day", DayInMyLife)
    client.post(reverse("logout"))  # signed out in another tab
    client.post(url, day_answers(1, action="draft"))
    client.force_login(health_visitor)
    assert "Loves school" not in client.get(other_url).content.decode()
    assert "Loves school" in client.get(url).content.decode()


def test_an_sdq_needs_three_answers_in_every_scale_to_be_completed(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "sdq", SDQ)
    answers = sdq_answers(1, action="complete")
    for item in (3, 8, 13):  # leaves 2 of the emotional scale's 3, 8, 13, 16, 24
        del answers[f"item_{item}"]
    html = client.post(url, answers).content.decode()
    assert "Answer at least 3 of the 5 items about emotions (items 3, 8, 13, 16, 24)" in html
    assert 'href="#id_item_3_1"' in html
    tool.refresh_from_db()
    assert tool.status == Tool.Status.DRAFT and len(tool.responses) == 22


def test_the_kept_answers_notice_is_not_dressed_as_success(client, health, health_visitor):
    tool, url = start(client, health_visitor, child_aged(health, 9), "day", DayInMyLife)
    client.post(reverse("logout"))  # signed out in another tab
    client.post(url, day_answers(1, action="draft"))
    client.force_login(health_visitor)
    html = client.get(url).content.decode()
    banner = html[html.index("govuk-notification-banner") :]
    assert "Important" in banner[:600] and "--success" not in banner[:200]
