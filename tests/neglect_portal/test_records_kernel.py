"""The records kernel and the UK date: what every app's records share."""

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from cases.models import Child, Referral
from neglect_portal import dates
from neglect_portal.forms import GovukDateField
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from neglect_portal.records.presentation import field_value
from neglect_portal.records.stale import differences, refuse_stale
from tests.factories import AgencyFactory


@pytest.fixture
def half_past_eleven_on_30_june_utc(monkeypatch):
    # 00:30 on 1 July in London, where British Summer Time is an hour ahead.
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    )


def test_today_is_the_uk_date_not_the_servers(half_past_eleven_on_30_june_utc):
    assert dates.today() == date(2026, 7, 1)


def test_the_latest_complete_quarter_turns_at_uk_midnight(half_past_eleven_on_30_june_utc):
    assert Quarter.latest_complete() == Quarter(2026, 1)


def test_dates_read_as_govuk_writes_them():
    assert dates.long_date(date(2020, 6, 3)) == "3 June 2020"


def test_a_date_after_today_is_refused_in_the_fields_own_words():
    child = Child(date_of_birth=date(2999, 1, 1))
    errors = dates.dates_in_future(child, ("date_of_birth", "date_of_death"))
    assert list(errors) == ["date_of_birth"]
    assert errors["date_of_birth"].messages == ["Date of birth must be today or in the past"]
    with pytest.raises(ValidationError, match="Date of the visit must be today or in the past"):
        dates.not_in_future(date(2999, 1, 1), "Date of the visit")
    dates.not_in_future(dates.today(), "Date of the visit")


def test_code_lists_read_as_their_labels():
    field = Referral._meta.get_field("presenting_factors")
    assert field_value(field, ["neglect"]) == "Neglect"
    assert field_value(field, []) == "Not recorded"


class Answers(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="Note", required=False)
    rating = forms.ChoiceField(
        label="Rating", choices=[("1", "Low"), ("2", "High")], required=False
    )
    seen = GovukDateField(label="Date seen", required=False)
    kinds = forms.MultipleChoiceField(
        label="Kinds", choices=[("a", "Apples"), ("b", "Bananas")], required=False
    )
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.all(), required=False)


@pytest.mark.django_db
def test_what_is_different_lists_only_the_answers_that_now_differ_in_words():
    police, health = AgencyFactory(name="Police"), AgencyFactory(name="Health")
    saved = Answers(
        initial={
            "version": 2,
            "note": "Same",
            "rating": 1,
            "seen": date(2026, 3, 1),
            "kinds": ["b", "a"],
            "agency": police.pk,
        }
    )
    typed = Answers(
        {
            "version": "1",
            "note": "Same ",
            "rating": "2",
            "seen_0": "1",
            "seen_1": "3",
            "seen_2": "2026",
            "kinds": ["a", "b"],
            "agency": str(health.pk),
        }
    )
    assert typed.is_valid(), typed.errors
    found = {d.question: (d.theirs, d.yours) for d in differences(typed, saved)}
    assert found == {"Rating": ("Low", "High"), "Agency": ("Police", "Health")}


@pytest.mark.django_db
def test_a_refusal_keeps_the_typed_answers_and_carries_the_saved_version():
    saved = Answers(initial={"version": 5, "note": "Theirs"})
    typed = Answers({"version": "4", "note": "Mine"})
    assert typed.is_valid()
    refusal = refuse_stale(typed, saved, version=5, thing="note")
    assert (refusal.thing, [d.question for d in refusal.differences]) == ("note", ["Note"])
    assert typed["note"].value() == "Mine"
    assert typed["version"].value() == 5


def test_the_reopen_page_answers_a_race_with_a_clear_error_not_a_500(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from neglect_portal.records.versions import StaleEdit
    from neglect_portal.records.views import reopen_page

    def reopen(reason):
        raise StaleEdit(None)  # someone else reopened it between the read and the write

    request = rf.post("/", {"reason": "Wrong child"})
    request.user = None
    request.session = {}
    request._messages = FallbackStorage(request)
    response = reopen_page(
        request,
        what="tool",
        kept="Kept in history",
        reopen=reopen,
        reopened="Reopened",
        back_to="/tools/1/",
        context={"title": "Reopen the tool"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this tool after you opened this page" in page
    assert "Wrong child" in page  # what was typed is kept
