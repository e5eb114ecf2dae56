"""The voice of the child at every CP review (shared/domain.md §9): the review form asks
whether the child knows they are on a plan, took part in safety planning and knows their social
worker's name (yes, no, or not appropriate for the child's age or understanding) and for the
child's view in their own words; the review's page and history show them."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from cases.codes import VoiceAnswer
from cases.models import CPReview
from neglect_portal.dates import today
from tests.factories import CINPlanFactory, CINPlanReviewFactory, CPPlanFactory, CPReviewFactory

pytestmark = pytest.mark.django_db
TODAY = today()
QUESTIONS = {
    "knows_plan": "Does the child know they are on a plan?",
    "took_part_in_safety_planning": "Did the child take part in safety planning?",
    "knows_social_worker_name": "Does the child know their social worker's name?",
}
NOT_APPROPRIATE = "Not appropriate for the child&#x27;s age or understanding"


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def worker_client(client, csc_social_worker):
    client.force_login(csc_social_worker)
    return client


@pytest.fixture
def plan():
    return CPPlanFactory(start_date=TODAY - timedelta(days=100))


def add_url(plan):
    return reverse("cases:cp_review_add", args=[plan.pk])


def record(client, plan, **answers):
    return client.post(add_url(plan), {**date_fields("review_date", TODAY), **answers})


def radios(html, name):
    """The values of the radios named `name`, in order."""
    return re.findall(
        rf'name="{name}"\s+class="govuk-radios__input"\s+id="[^"]+"\s+value="([^"]*)"', html
    )


def test_the_form_asks_the_three_questions_in_a_voice_of_the_child_fieldset(worker_client, plan):
    html = worker_client.get(add_url(plan)).content.decode()
    fieldset = html[html.index("Voice of the child") : html.index("Which completed tools")]
    assert 'aria-describedby="voice-hint"' in html
    for name, question in QUESTIONS.items():
        assert question in fieldset
        # Yes, no or not appropriate: "not recorded" is never an answer someone chooses.
        assert radios(html, name) == ["yes", "no", "not_appropriate"], name
    assert fieldset.count(NOT_APPROPRIATE) == 3
    assert "The child's view in their own words" in fieldset
    assert 'name="child_view"' in fieldset
    assert "Not recorded" not in fieldset


def test_the_hint_says_an_answer_may_be_left_out_only_because_census_reviews_have_none(
    worker_client, plan
):
    html = worker_client.get(add_url(plan)).content.decode()
    hint = re.search(r'<div id="voice-hint" class="govuk-hint">(.*?)</div>', html).group(1)
    assert "only because reviews imported from the CIN census have no answers" in hint


def test_no_answer_is_chosen_before_the_worker_chooses_one(worker_client, plan):
    html = worker_client.get(add_url(plan)).content.decode()
    fieldset = html[html.index("Voice of the child") : html.index("Which completed tools")]
    assert "checked" not in fieldset


def test_recording_a_review_keeps_the_answers_and_the_view_and_its_page_shows_them(
    worker_client, plan, django_assert_max_num_queries
):
    response = record(
        worker_client,
        plan,
        knows_plan="yes",
        took_part_in_safety_planning="no",
        knows_social_worker_name="not_appropriate",
        child_view="I like it when my nan picks me up.\nThere is no food at home <sometimes>.",
    )
    review = CPReview.objects.get(plan=plan)
    assert response.status_code == 302
    assert (
        review.knows_plan,
        review.took_part_in_safety_planning,
        review.knows_social_worker_name,
    ) == (VoiceAnswer.YES, VoiceAnswer.NO, VoiceAnswer.NOT_APPROPRIATE)
    assert review.child_view.startswith("I like it when my nan picks me up.")

    with django_assert_max_num_queries(8):
        html = worker_client.get(response["Location"]).content.decode()
    voice = html[html.index("Voice of the child") : html.index("Tools that informed the review")]
    rows = dict(
        re.findall(
            r'<dt class="govuk-summary-list__key">(.*?)</dt>'
            r'<dd class="govuk-summary-list__value">(.*?)</dd>',
            voice,
            re.S,
        )
    )
    assert rows[QUESTIONS["knows_plan"]] == "Yes"
    assert rows[QUESTIONS["took_part_in_safety_planning"]] == "No"
    assert rows[QUESTIONS["knows_social_worker_name"]] == NOT_APPROPRIATE
    # In the child's words as typed, line breaks kept, nothing taken as markup.
    assert rows["The child's view in their own words"] == (
        "I like it when my nan picks me up.<br>There is no food at home &lt;sometimes&gt;."
    )


def test_a_question_left_unanswered_is_stored_empty_and_shown_as_not_recorded(worker_client, plan):
    response = record(worker_client, plan, knows_plan="no")
    review = CPReview.objects.get(plan=plan)
    assert response.status_code == 302
    assert (review.knows_plan, review.took_part_in_safety_planning) == ("no", "")
    assert (review.knows_social_worker_name, review.child_view) == ("", "")
    html = worker_client.get(response["Location"]).content.decode()
    voice = html[html.index("Voice of the child") : html.index("Tools that informed the review")]
    assert voice.count("Not recorded") == 3  # two questions and the view


def test_a_review_with_nothing_recorded_says_so_once(worker_client, plan):
    review = CPReviewFactory(plan=plan, review_date=TODAY)
    html = worker_client.get(
        reverse("cases:review", args=["cp-review", review.pk])
    ).content.decode()
    voice = html[html.index("Voice of the child") : html.index("Tools that informed the review")]
    assert "Not recorded at this review" in voice
    assert "govuk-summary-list" not in voice


def test_an_answer_that_is_not_one_of_the_three_is_refused_with_a_message(worker_client, plan):
    response = record(worker_client, plan, knows_plan="maybe", child_view="Kept")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select whether the child knows they are on a plan" in html
    assert "Kept" in html  # what was typed is not lost
    assert not CPReview.objects.exists()


def test_a_view_longer_than_5000_characters_is_refused(worker_client, plan):
    response = record(worker_client, plan, knows_plan="yes", child_view="a" * 5001)
    assert "must be 5,000 characters or fewer" in response.content.decode()
    assert not CPReview.objects.exists()


def test_another_mistake_keeps_the_answers_chosen(worker_client, plan):
    response = worker_client.post(
        add_url(plan),
        {"knows_plan": "not_appropriate", "child_view": "Said nothing today"},
    )
    html = response.content.decode()
    assert "Enter the review date" in html
    item = html[
        html.index('value="not_appropriate"') - 200 : html.index('value="not_appropriate"') + 80
    ]
    assert 'name="knows_plan"' in item and "checked" in item
    assert "Said nothing today" in html


def test_the_tick_the_tools_button_keeps_the_voice_answers(worker_client, plan):
    response = worker_client.post(
        add_url(plan),
        {
            **date_fields("review_date", TODAY),
            "took_part_in_safety_planning": "yes",
            "child_view": "I want to stay at my school",
            "tick_for_date": "",
        },
    )
    html = response.content.decode()
    assert not CPReview.objects.exists()
    start = html.index('name="took_part_in_safety_planning"')
    assert 'value="yes"' in html[start : start + 200] and "checked" in html[start : start + 200]
    assert "I want to stay at my school" in html


def test_sending_the_form_twice_records_one_review_with_its_answers(worker_client, plan):
    page = worker_client.get(add_url(plan)).content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    data = {**date_fields("review_date", TODAY), "knows_plan": "yes", "submission_token": token}
    first = worker_client.post(add_url(plan), data)
    second = worker_client.post(add_url(plan), data)
    assert first.status_code == second.status_code == 302
    assert CPReview.objects.get(plan=plan).knows_plan == "yes"


def test_the_reviews_history_shows_who_recorded_each_answer(worker_client, plan, csc_social_worker):
    response = record(worker_client, plan, knows_plan="yes", child_view="It is better now")
    review = CPReview.objects.get(plan=plan)
    history = worker_client.get(reverse("cases:history", args=["cp-review", review.pk]))
    html = history.content.decode()
    assert response.status_code == 302
    assert "Created" in html
    assert str(csc_social_worker.get_full_name() or csc_social_worker.username) in html
    assert "Does the child know they are on a plan?" in html
    assert "It is better now" in html


def test_a_cin_plan_review_asks_no_voice_questions_and_its_page_shows_none(worker_client, plan):
    cin = CINPlanFactory(referral=plan.referral, start_date=plan.start_date)
    form = worker_client.get(reverse("cases:cin_review_add", args=[cin.pk])).content.decode()
    assert "Voice of the child" not in form
    review = CINPlanReviewFactory(plan=cin, review_date=TODAY)
    page = worker_client.get(reverse("cases:review", args=["cin-review", review.pk]))
    assert "Voice of the child" not in page.content.decode()


def test_a_partner_reads_the_answers_but_cannot_record_a_review(client, plan, health_visitor):
    from tests.factories import InvolvementFactory

    InvolvementFactory(child=plan.child, agency=health_visitor.agency)
    review = CPReviewFactory(plan=plan, review_date=TODAY, knows_plan="yes")
    client.force_login(health_visitor)
    assert client.post(add_url(plan), {"knows_plan": "no"}).status_code == 403
    page = client.get(reverse("cases:review", args=["cp-review", review.pk]))
    assert page.status_code == 200 and "Voice of the child" in page.content.decode()
    assert CPReview.objects.get().knows_plan == "yes"


def test_an_outsider_cannot_read_the_answers(client, plan, outsider):
    review = CPReviewFactory(plan=plan, review_date=TODAY, child_view="Private words")
    client.force_login(outsider)
    assert client.get(reverse("cases:review", args=["cp-review", review.pk])).status_code == 404


def test_voice_answers_counts_each_answer_to_each_question_in_one_query(
    plan, django_assert_num_queries
):
    from cases.selectors import voice_answers

    start = TODAY - timedelta(days=60)
    CPReviewFactory(plan=plan, review_date=start - timedelta(days=1), knows_plan="yes")  # before
    CPReviewFactory(plan=plan, review_date=start, knows_plan="yes", knows_social_worker_name="no")
    CPReviewFactory(plan=plan, review_date=TODAY, knows_plan="not_appropriate", child_view="Words")
    with django_assert_num_queries(1):
        counts = voice_answers(start, TODAY)
    assert counts["knows_plan"] == {"yes": 1, "no": 0, "not_appropriate": 1, "": 0}
    assert counts["took_part_in_safety_planning"] == {
        "yes": 0,
        "no": 0,
        "not_appropriate": 0,
        "": 2,
    }
    assert counts["knows_social_worker_name"] == {"yes": 0, "no": 1, "not_appropriate": 0, "": 1}
