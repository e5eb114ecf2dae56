"""The issue-11 bad-input findings, one test or more each.

The probe of the running portal found: quarters before the year 1000 in an address gave a 500;
1 MB of text was accepted in free-text fields; a 1900 birth date, a referral before the child
was born and a chronology event in 1850 were accepted; LA child ids took markup and a
right-to-left override; dates typed in Arabic-Indic digits were accepted.
"""

from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from actionplans.forms import ActionForm, QuarterForm
from cases.census_import import import_census
from cases.models import Child, Referral
from dataset.forms import AgencyReturnForm, RepublishForm
from neglect_portal import dates
from neglect_portal.dates import add_months
from neglect_portal.forms import GovukDateField
from neglect_portal.limits import TEXT_MAX_LENGTH
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from tests.actionplans.factories import ActionPlanFactory
from tests.cases.census_xml import census_xml, child_xml
from tests.factories import ChildFactory, InvolvementFactory, ReferralFactory, UserFactory
from toolkit.content import DAY_SECTIONS, DayVersion
from toolkit.models import AssessmentChecklist, ChronologyEntry, DayInMyLife, Tool
from toolkit.tool_kinds import TOOL_KINDS

pytestmark = pytest.mark.django_db
TODAY = dates.today()
ONE_MB = "x" * 1_000_000
TOO_LONG = f"{TEXT_MAX_LENGTH:,} characters or fewer"
# "2019" in Arabic-Indic digits (U+0660..U+0669).
ARABIC_INDIC_2019 = "\u0662\u0660\u0661\u0669"


def date_fields(name, day, month=None, year=None):
    if isinstance(day, date):
        day, month, year = day.day, day.month, day.year
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


@pytest.fixture
def worker(client, csc_social_worker):
    client.force_login(csc_social_worker)
    return client


def child_data(**overrides):
    return {
        "la_child_id": "DfEX7000001",
        "given_name": "Ava",
        "family_name": "New",
        "sex": "F",
        **date_fields("date_of_birth", date(2019, 3, 4)),
        "version": 1,
        **overrides,
    }


# Quarters outside 1990–2100 ----------------------------------------------------------------


def _dashboard(slug):
    return reverse("dataset:dashboard", args=["2024-25-Q1"]).replace("2024-25-Q1", slug)


@pytest.mark.parametrize("slug", ["0001-02-Q1", "0999-00-Q4", "1989-90-Q4", "2101-02-Q1"])
def test_a_quarter_outside_1990_to_2100_is_not_found(client, working_group_member, slug):
    client.force_login(working_group_member)
    assert client.get(_dashboard(slug)).status_code == 404
    overview = reverse("actionplans:overview", args=["2024-25-Q1"]).replace("2024-25-Q1", slug)
    assert client.get(overview).status_code == 404


def test_the_first_and_last_named_quarters_are_served(client, working_group_member):
    client.force_login(working_group_member)
    assert client.get(_dashboard("1990-91-Q1")).status_code == 200
    assert client.get(_dashboard("2100-01-Q4")).status_code == 200


@pytest.mark.parametrize("chosen", ["0001-02-Q1", "2101-02-Q1", "nonsense"])
def test_choosing_a_quarter_outside_the_years_is_not_found_rather_than_an_error(
    client, working_group_member, chosen
):
    client.force_login(working_group_member)
    response = client.get(reverse("dataset:choose_quarter"), {"quarter": chosen})
    assert response.status_code == 404


# 1 MB of free text ---------------------------------------------------------------------------


def test_a_megabyte_of_text_in_a_chronology_entry_is_refused_and_nothing_saved(
    client, health_visitor, health
):
    child = InvolvementFactory(agency=health).child
    client.force_login(health_visitor)
    response = client.post(
        reverse("toolkit:chronology_add", args=[child.pk]),
        {
            **date_fields("event_date", date(2024, 7, 1)),
            "what_happened": ONE_MB,
            "impact": "negative",
            "impact_description": "Vaccinations delayed",
        },
    )
    assert response.status_code == 200
    assert f"What happened must be {TOO_LONG}" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_a_megabyte_in_a_tools_json_answer_is_refused_and_the_draft_kept(
    client, health_visitor, health
):
    child = InvolvementFactory(agency=health).child
    client.force_login(health_visitor)
    client.post(reverse("toolkit:tool_start", args=[child.pk, "checklist"]))
    checklist = AssessmentChecklist.objects.get()
    url = reverse("toolkit:tool", args=["checklist", checklist.pk])
    client.post(url, {"version": 1, "nutrition_evidence": "Seen on visit", "action": "draft"})
    response = client.post(url, {"version": 2, "nutrition_evidence": ONE_MB, "action": "draft"})
    assert f"Evidence about nutrition must be {TOO_LONG}" in response.content.decode()
    checklist.refresh_from_db()
    assert checklist.ratings["nutrition"]["evidence"] == "Seen on visit"


def test_a_too_long_day_account_names_the_time_of_day(client, health_visitor, health):
    child = InvolvementFactory(agency=health, child__date_of_birth=date(2016, 1, 1)).child
    client.force_login(health_visitor)
    client.post(reverse("toolkit:tool_start", args=[child.pk, "day"]))
    day = DayInMyLife.objects.get()
    key, section = next(iter(DAY_SECTIONS[day.day_version].items()))
    response = client.post(
        reverse("toolkit:tool", args=["day", day.pk]),
        {
            "version": 1,
            "day_version": day.day_version,
            f"{key}_parent": "x" * (TEXT_MAX_LENGTH + 1),
            "action": "draft",
        },
    )
    message = f"The parent&#x27;s account of {section.lower()} must be {TOO_LONG}"
    assert message in response.content.decode()
    day.refresh_from_db()
    assert day.sections == {}


def test_a_megabyte_reopening_reason_is_refused(client, health_visitor, health):
    child = InvolvementFactory(agency=health).child
    checklist = AssessmentChecklist.objects.create(
        child=child,
        author=health_visitor,
        author_agency=health,
        status=Tool.Status.COMPLETED,
        completed_on=TODAY,
    )
    client.force_login(UserFactory(role=User.Role.TEAM_MANAGER, agency=health))
    response = client.post(
        reverse("toolkit:tool_reopen", args=["checklist", checklist.pk]), {"reason": ONE_MB}
    )
    assert f"The reason must be {TOO_LONG}" in response.content.decode()
    checklist.refresh_from_db()
    assert checklist.is_completed and checklist.reopen_reason == ""


def test_too_much_text_in_the_action_plan_and_dataset_forms_is_refused():
    action = ActionForm(
        {"version": 1, "objective": "recognise", "description": ONE_MB}, plan=ActionPlanFactory()
    )
    assert action.errors["description"] == [f"What will be done must be {TOO_LONG}"]
    quarter = QuarterForm(
        {"version": 0, "what_we_did": ONE_MB},
        actions=[],
        updates={},
        report=None,
        previous={},
        quarter=Quarter(2026, 1),
    )
    assert quarter.errors["what_we_did"] == [f"What we did must be {TOO_LONG}"]
    agency_return = AgencyReturnForm(
        {"staff_trained": 1, "target_workforce": 2, "narrative": ONE_MB}
    )
    assert agency_return.errors["narrative"] == [f"Narrative must be {TOO_LONG}"]
    republish = RepublishForm({"reason": ONE_MB, "publication": 1})
    assert republish.errors["reason"] == [f"The reason must be {TOO_LONG}"]


def test_every_text_field_of_every_model_has_a_maximum_length():
    unlimited = [
        f"{model.__name__}.{field.name}"
        for app in ("neglect_portal", "cases", "toolkit", "actionplans", "dataset")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert unlimited == []


START = {"day": {"day_version": DayVersion.BABY}, "sdq": {"informant": "parent"}}


@pytest.mark.parametrize("kind", sorted(TOOL_KINDS))
def test_every_text_answer_of_every_tool_form_refuses_too_much_text(kind):
    tool_kind = TOOL_KINDS[kind]
    tool = tool_kind.model(child=ChildFactory(), **START.get(kind, {}))
    texts = [
        name
        for name, field in tool_kind.form(tool=tool).fields.items()
        if isinstance(field, forms.CharField)
    ]
    form = tool_kind.form(
        {"version": 1, **START.get(kind, {}), **dict.fromkeys(texts, ONE_MB)}, tool=tool
    )
    form.is_valid()
    accepted = [
        name
        for name in texts
        if not form.errors.get(name, [""])[0].endswith(" characters or fewer")
    ]
    assert accepted == []


# Implausible dates ---------------------------------------------------------------------------


def test_a_birth_date_in_1900_is_refused_and_no_child_saved(worker):
    response = worker.post(
        reverse("cases:child_add"), child_data(**date_fields("date_of_birth", date(1900, 1, 1)))
    )
    earliest = dates.long_date(add_months(TODAY, -12 * 25))
    assert (
        f"Date of birth must be on or after {earliest}, 25 years ago" in response.content.decode()
    )
    assert not Child.objects.exists()


def test_a_birth_date_25_years_ago_is_the_earliest_accepted():
    earliest = add_months(TODAY, -12 * 25)
    Child(la_child_id="A1", date_of_birth=earliest).full_clean()
    with pytest.raises(ValidationError, match="Date of birth must be on or after"):
        Child(la_child_id="A1", date_of_birth=date.fromordinal(earliest.toordinal() - 1)).clean()


def test_an_expected_birth_more_than_10_months_ahead_is_refused():
    Child(la_child_id="A1", expected_date_of_birth=add_months(TODAY, 10)).full_clean()
    too_late = date.fromordinal(add_months(TODAY, 10).toordinal() + 1)
    with pytest.raises(ValidationError, match="10 months from today"):
        Child(la_child_id="A1", expected_date_of_birth=too_late).full_clean()


def test_a_referral_before_the_child_was_born_is_refused_and_nothing_saved(worker):
    child = ChildFactory(date_of_birth=date(2020, 6, 1))
    response = worker.post(
        reverse("cases:referral_add", args=[child.pk]),
        {**date_fields("referral_date", date(2018, 5, 1)), "version": 1},
    )
    assert (
        "Referral date must be on or after 1 August 2019, 10 months before the birth"
        in response.content.decode()
    )
    assert not Referral.objects.exists()


def test_pre_birth_work_within_the_pregnancy_is_accepted(worker):
    child = ChildFactory(date_of_birth=date(2020, 6, 1))
    worker.post(
        reverse("cases:referral_add", args=[child.pk]),
        {**date_fields("referral_date", date(2020, 2, 10)), "version": 1},
    )
    assert child.referrals.get().referral_date == date(2020, 2, 10)
    unborn = ChildFactory(date_of_birth=None, expected_date_of_birth=add_months(TODAY, 3))
    Referral(child=unborn, referral_date=TODAY).full_clean()


def test_an_involvement_before_the_pregnancy_is_refused():
    involvement = InvolvementFactory.build(
        child=ChildFactory(date_of_birth=date(2020, 6, 1)), start_date=date(2019, 7, 31)
    )
    with pytest.raises(ValidationError, match="Start date must be on or after 1 August 2019"):
        involvement.full_clean(exclude=["agency"])


def test_a_partners_referral_dated_long_before_the_birth_is_refused(client, health_visitor):
    client.force_login(health_visitor)
    response = client.post(
        reverse("cases:refer_new_child"),
        {
            "given_name": "Ava",
            "family_name": "New",
            "sex": "F",
            **date_fields("date_of_birth", date(2020, 6, 1)),
            **date_fields("referral_date", date(2018, 5, 1)),
            "source": "2A",
            "presenting_factors": ["neglect"],
        },
    )
    assert "Referral date must be on or after 1 August 2019" in response.content.decode()
    assert not Child.objects.exists() and not Referral.objects.exists()


def _chronology_post(client, child, event_date):
    return client.post(
        reverse("toolkit:chronology_add", args=[child.pk]),
        {
            **date_fields("event_date", event_date),
            "what_happened": "Mother's own care proceedings",
            "impact": "negative",
            "impact_description": "Family history of neglect",
        },
    )


def test_a_chronology_event_in_1850_is_refused(client, health_visitor, health):
    child = InvolvementFactory(agency=health, child__date_of_birth=date(2015, 1, 1)).child
    client.force_login(health_visitor)
    response = _chronology_post(client, child, date(1850, 6, 1))
    assert "Date of the event must be on or after 1 January 1950" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_family_history_from_1960_before_the_birth_is_kept(client, health_visitor, health):
    child = InvolvementFactory(agency=health, child__date_of_birth=date(2015, 1, 1)).child
    client.force_login(health_visitor)
    _chronology_post(client, child, date(1960, 6, 1))
    assert ChronologyEntry.objects.get().event_date == date(1960, 6, 1)


def test_an_observation_dated_before_the_pregnancy_is_refused(health_visitor, health):
    child = InvolvementFactory(agency=health, child__date_of_birth=date(2020, 6, 1)).child
    form_class = TOOL_KINDS["observation"].form
    tool = TOOL_KINDS["observation"].model(child=child)
    form = form_class({"version": 1, **date_fields("observed_on", date(2019, 1, 1))}, tool=tool)
    assert not form.is_valid()
    assert "Date of the observation must be on or after 1 August 2019" in str(form.errors)


# Dates in other scripts' digits ----------------------------------------------------------------


def test_a_birth_date_in_arabic_indic_digits_is_refused(worker):
    response = worker.post(
        reverse("cases:child_add"),
        child_data(**date_fields("date_of_birth", "\u0664", "\u0663", ARABIC_INDIC_2019)),
    )
    assert "Enter the date of birth using the numbers 0 to 9" in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    "parts",
    [("\u0664", "3", "2019"), ("4", "\u0663", "2019"), ("4", "3", ARABIC_INDIC_2019)],
    ids=["day", "month", "year"],
)
def test_every_part_of_a_date_takes_only_the_numbers_0_to_9(parts):
    field = GovukDateField(label="Date of birth")
    with pytest.raises(ValidationError, match="Enter the date of birth using the numbers 0 to 9"):
        field.clean(list(parts))
    assert field.clean(["4", "3", "2019"]) == date(2019, 3, 4)


def test_a_census_date_in_arabic_indic_digits_is_refused(tmp_path):
    source = tmp_path / "census.xml"
    source.write_text(_census_child("DfEX0000001", f"{ARABIC_INDIC_2019}-03-27"), "utf-8")
    result = import_census(source)
    assert not result.ok
    assert [p.element for p in result.problems] == ["PersonBirthDate"]
    assert not Child.objects.exists()


# LA child ids -----------------------------------------------------------------------------------

LA_ID_MESSAGE = "LA child ID must only include letters a to z, numbers 0 to 9 and hyphens"


@pytest.mark.parametrize(
    "la_child_id", ["<b>DfEX1</b>", "DfEX\u202e1000", "DfEX 1000", "DfEX_1000"]
)
def test_an_la_child_id_with_markup_or_controls_is_refused(worker, la_child_id):
    response = worker.post(reverse("cases:child_add"), child_data(la_child_id=la_child_id))
    assert LA_ID_MESSAGE in response.content.decode()
    assert not Child.objects.exists()


def test_an_la_child_id_of_letters_digits_and_hyphens_is_accepted(worker):
    worker.post(reverse("cases:child_add"), child_data(la_child_id="DfEX-0000123"))
    assert Child.objects.get().la_child_id == "DfEX-0000123"


def test_an_edit_keeps_the_la_child_id_rule():
    child = ReferralFactory().child
    child.la_child_id = "DfEX\u202e1"
    with pytest.raises(ValidationError, match="LA child ID must only include"):
        child.full_clean()


def test_the_census_import_refuses_an_la_child_id_with_markup(tmp_path):
    source = tmp_path / "census.xml"
    source.write_text(_census_child("<b>X</b>".replace("<", "&lt;"), "2015-03-27"), "utf-8")
    result = import_census(source)
    assert [(p.element, p.message) for p in result.problems] == [
        ("LAchildID", "LAchildID must only include letters a to z, numbers 0 to 9 and hyphens")
    ]
    assert not Child.objects.exists()


def _census_child(la_child_id, born):
    census_year = {"reference_date": "2024-03-31"}
    return census_xml(child_xml(la_child_id, born=born, **census_year), **census_year)
