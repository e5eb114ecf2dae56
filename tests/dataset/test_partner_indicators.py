"""Indicators submitted by agencies (kpi-definitions.md): administrators define them, the
owning agency's lead submits each quarter's figures on the agency's return, and they go
through the same pipeline as the computed indicators. A quarter without a submission is "not
submitted" on every surface, never 0."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dataset import selectors
from dataset.computation import Figure
from dataset.indicators import Source, Unit
from dataset.models import PartnerFigure, PartnerIndicator, PublishedFigure
from dataset.services import (
    agency_return_submit,
    partner_figure_submit,
    partner_indicator_add,
    partner_indicator_edit_mark,
    partner_indicator_update,
    quarter_publish,
    quarter_republish,
)
from neglect_portal import dates
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import StaleEdit
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
Q4 = Q1.previous()  # 2023-24 Q4
AFTER = date(2024, 8, 1)


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card(response, code) -> str:
    html = response.content.decode()
    start = html.index(f'id="card-{code}"')
    end = html.find('class="portal-dataset-card"', start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : end if end > 0 else None]))


def define(agency, code="AG_HV_WAS_NOT_BROUGHT", unit=Unit.PERCENTAGE, **fields):
    defaults = {
        "title": "Health visitor contacts missed: was not brought",
        "definition": "Of the contacts due, the percentage missed because the child was not "
        "brought.",
        "kind": "flow",
        "counts": "contacts",
        "higher_is_better": False,
    }
    defaults.update(fields)
    return partner_indicator_add(
        code=code, agency=agency, unit=unit, user=UserFactory(), **defaults
    )


def submit(indicator, quarter, numerator, denominator=None, *, user=None, version=None):
    return partner_figure_submit(
        indicator=indicator,
        quarter=quarter,
        numerator=numerator,
        denominator=denominator,
        user=user or UserFactory(),
        expected_version=version,
        today=AFTER,
    )


@pytest.fixture
def hv(health):
    return define(health)


@pytest.fixture
def crimes(db):
    police = AgencyFactory(name="Police", kind="police")
    return define(
        police,
        "AG_POLICE_NEGLECT_CRIMES",
        Unit.COUNT,
        title="Neglect crimes recorded",
        definition="Crimes of neglect or cruelty recorded.",
        counts="crimes",
        higher_is_better=True,
    )


@pytest.fixture
def wg_client(client, working_group_member):
    client.force_login(working_group_member)
    return client


# The definitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["AG_", "POLICE_CRIMES", "AG_police", "AG-POLICE", "AG_POLICE CRIMES", "ag_X"]
)
def test_a_code_must_be_ag_and_capitals_digits_and_underscores(health, code):
    with pytest.raises(ValidationError) as refused:
        define(health, code)
    assert "code" in refused.value.message_dict


def test_a_code_is_unique(health, hv):
    with pytest.raises(ValidationError, match="Another indicator already has this code"):
        define(health)


def test_the_database_refuses_a_code_without_the_prefix(health):
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerIndicator.objects.create(
            code="POLICE",
            title="t",
            definition="d",
            agency=health,
            unit="count",
            counts="x",
            higher_is_better=True,
        )


def test_it_reads_as_a_registry_indicator_from_agency_returns_with_its_owner(hv):
    indicator = hv.as_indicator()
    assert (indicator.code, indicator.source, indicator.owner, indicator.version) == (
        "AG_HV_WAS_NOT_BROUGHT",
        Source.AGENCY_RETURNS,
        "Community Health Trust",
        1,
    )
    assert indicator.submitted_by_agency and not indicator.computed_from_case_records
    assert indicator.higher_is_better is False and indicator.unit == Unit.PERCENTAGE


def test_a_change_of_meaning_is_a_new_version_and_switching_off_is_not(hv):
    admin = UserFactory(role=User.Role.ADMINISTRATOR)
    changed = partner_indicator_update(
        indicator=hv,
        user=admin,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"definition": "Counted by the appointment date."},
    )
    assert changed.version == 2
    off = partner_indicator_update(
        indicator=changed,
        user=admin,
        expected_mark=partner_indicator_edit_mark(changed),
        changes={"active": False},
    )
    assert (off.version, off.active) == (2, False)
    assert off.history.count() == 3


def test_an_edit_from_a_stale_page_is_refused(hv):
    mark = partner_indicator_edit_mark(hv)
    partner_indicator_update(
        indicator=hv, user=UserFactory(), expected_mark=mark, changes={"active": False}
    )
    with pytest.raises(StaleEdit):
        partner_indicator_update(
            indicator=hv, user=UserFactory(), expected_mark=mark, changes={"title": "New"}
        )


def test_the_unit_cannot_change_once_figures_exist(hv):
    from dataset.services import IndicatorChangeRefused

    submit(hv, Q1, 10, 100)
    with pytest.raises(IndicatorChangeRefused):
        partner_indicator_update(
            indicator=hv,
            user=UserFactory(),
            expected_mark=partner_indicator_edit_mark(hv),
            changes={"unit": Unit.COUNT},
        )


def test_the_direction_cannot_change_once_a_quarter_is_published_against_a_target(
    administrator, hv
):
    # A published quarter's met / not met is read from its stored target and the direction:
    # flipping the direction would turn what the Working Group saw as met into not met.
    from dataset import targets
    from dataset.services import IndicatorChangeRefused, target_set

    submit(hv, Q1, 10, 100)  # 10.0%, lower is better
    target_set(
        code=hv.code,
        applies_from=Q1,
        value=Decimal("20.0"),
        reason="Agreed",
        user=administrator,
        expected_version=targets.schedule_version(hv.code),
    )
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    with pytest.raises(IndicatorChangeRefused):
        partner_indicator_update(
            indicator=hv,
            user=administrator,
            expected_mark=partner_indicator_edit_mark(hv),
            changes={"higher_is_better": True},
        )
    assert PartnerIndicator.objects.get(pk=hv.pk).higher_is_better is False
    client = Client()
    client.force_login(administrator)
    url = reverse("dataset:partner_indicator_edit", args=[hv.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    page = client.post(url, {**data, "agency": hv.agency_id, "higher_is_better": "True"})
    assert page.context["form"].errors["higher_is_better"][0].startswith("Whether higher")
    # Any other change of meaning is still a new version.
    changed = partner_indicator_update(
        indicator=hv,
        user=administrator,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"higher_is_better": False, "definition": "Counted by appointment date."},
    )
    assert changed.version == 2


def test_the_direction_may_change_while_no_published_quarter_judged_it(administrator, hv):
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)  # no target in force
    changed = partner_indicator_update(
        indicator=hv,
        user=administrator,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"higher_is_better": True},
    )
    assert changed.higher_is_better is True


# The administrators' pages -----------------------------------------------------------------


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_an_administrator_defines_an_indicator_in_the_portal(admin_client, health):
    response = admin_client.post(
        reverse("dataset:partner_indicator_add"),
        {
            "code": "AG_EH_NEGLECT_ASSESSMENTS",
            "title": "Early help assessments identifying neglect",
            "definition": "Assessments completed in the quarter that identified neglect.",
            "agency": health.pk,
            "kind": "flow",
            "unit": "count",
            "counts": "assessments",
            "higher_is_better": "True",
            "active": "on",
        },
    )
    assert response.status_code == 302
    saved = PartnerIndicator.objects.get(code="AG_EH_NEGLECT_ASSESSMENTS")
    assert (saved.agency, saved.unit, saved.higher_is_better, saved.version) == (
        health,
        "count",
        True,
        1,
    )
    listing = text(admin_client.get(reverse("dataset:partner_indicators")))
    assert "AG_EH_NEGLECT_ASSESSMENTS" in listing and "Community Health Trust" in listing


def test_the_add_form_says_how_a_mean_and_a_percentage_are_worked_out(admin_client):
    page = text(admin_client.get(reverse("dataset:partner_indicator_add")))
    assert "a mean is the submitted total divided by the submitted count" in page
    assert "submitted numerator divided by the submitted denominator" in page


def test_a_bad_code_and_missing_answers_get_a_govuk_error_summary(admin_client, health):
    response = admin_client.post(
        reverse("dataset:partner_indicator_add"), {"code": "POLICE", "title": "Typed title"}
    )
    page = text(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert page.count("Enter a code that starts with AG_") == 2
    assert page.count("Select the owning agency") == 2
    assert "Typed title" in response.content.decode()
    assert not PartnerIndicator.objects.exists()


def test_adding_the_same_code_twice_keeps_one_and_says_why(admin_client, health, hv):
    response = admin_client.post(
        reverse("dataset:partner_indicator_add"),
        {
            "code": hv.code,
            "title": "Again",
            "definition": "Again",
            "agency": health.pk,
            "kind": "flow",
            "unit": "count",
            "counts": "x",
            "higher_is_better": "True",
        },
    )
    assert "Another indicator already has this code" in text(response)
    assert PartnerIndicator.objects.count() == 1


def test_the_same_code_saved_by_another_post_after_the_form_was_checked_says_why(
    admin_client, health, hv, monkeypatch
):
    # Two posts at once: each form finds the code free; the first saves before the second's.
    from dataset.forms import PartnerIndicatorForm

    monkeypatch.setattr(PartnerIndicatorForm, "clean_code", lambda form: form.data["code"])
    response = admin_client.post(
        reverse("dataset:partner_indicator_add"),
        {
            "code": hv.code,
            "title": "Typed again",
            "definition": "Again",
            "agency": health.pk,
            "kind": "flow",
            "unit": "count",
            "counts": "x",
            "higher_is_better": "True",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "already" in page
    assert "Typed again" in response.content.decode()
    assert PartnerIndicator.objects.count() == 1


def test_editing_a_definition_bumps_its_version_and_shows_in_its_history(admin_client, hv):
    url = reverse("dataset:partner_indicator_edit", args=[hv.pk])
    page = admin_client.get(url).content.decode()
    mark = re.search(r'name="mark" value="(\d+)"', page).group(1)
    response = admin_client.post(
        url,
        {
            "title": "Contacts missed: was not brought",
            "definition": hv.definition,
            "agency": hv.agency_id,
            "kind": "flow",
            "unit": "percentage",
            "counts": "contacts",
            "higher_is_better": "False",
            "active": "on",
            "mark": mark,
        },
    )
    assert response.status_code == 302
    hv.refresh_from_db()
    assert (hv.title, hv.version) == ("Contacts missed: was not brought", 2)
    history = text(admin_client.get(reverse("dataset:partner_indicator_history", args=[hv.pk])))
    assert "Contacts missed: was not brought" in history
    assert "Health visitor contacts missed: was not brought" in history


def test_an_edit_saved_by_someone_else_meanwhile_is_refused_keeping_what_was_typed(
    admin_client, hv
):
    url = reverse("dataset:partner_indicator_edit", args=[hv.pk])
    mark = partner_indicator_edit_mark(hv)
    partner_indicator_update(
        indicator=hv, user=UserFactory(), expected_mark=mark, changes={"title": "Theirs"}
    )
    response = admin_client.post(
        url,
        {
            "title": "Mine",
            "definition": hv.definition,
            "agency": hv.agency_id,
            "kind": "flow",
            "unit": "percentage",
            "counts": "contacts",
            "higher_is_better": "False",
            "active": "on",
            "mark": mark,
        },
    )
    assert response.status_code == 409
    assert "Someone else saved this indicator" in text(response)
    assert 'value="Mine"' in response.content.decode()
    hv.refresh_from_db()
    assert hv.title == "Theirs"


# The agency's quarterly return ---------------------------------------------------------------


def return_url(agency, quarter=Q1):
    return reverse("dataset:agency_return", args=[quarter.slug, agency.pk])


@pytest.fixture
def lead_client(client, health_lead):
    client.force_login(health_lead)
    return client


def test_the_return_has_the_training_figures_and_a_part_per_active_indicator(
    lead_client, health, hv
):
    define(health, "AG_SWITCHED_OFF", Unit.COUNT, title="Switched off one", active=False)
    page = text(lead_client.get(return_url(health)))
    assert "Neglect training" in page
    assert "Health visitor contacts missed: was not brought" in page
    assert "Switched off one" not in page
    assert page.count("Not submitted") == 2


def test_the_lead_submits_one_indicator_and_leaves_the_training_for_later(
    lead_client, health, hv, health_lead
):
    response = lead_client.post(
        return_url(health),
        {
            "ag_hv_was_not_brought-numerator": "31",
            "ag_hv_was_not_brought-denominator": "400",
            "ag_hv_was_not_brought-note": "",
        },
    )
    assert response.status_code == 302
    figure = PartnerFigure.objects.get(indicator=hv, quarter=Q1)
    assert (figure.numerator, figure.denominator, figure.submitted_by) == (31, 400, health_lead)
    from dataset.models import AgencyReturn

    assert not AgencyReturn.objects.exists()  # left: still not submitted
    page = text(lead_client.get(return_url(health)))
    assert "Submitted on" in page and page.count("Not submitted") == 1


def test_a_part_half_filled_is_an_error_and_nothing_typed_is_lost(lead_client, health, hv):
    response = lead_client.post(
        return_url(health),
        {
            "staff_trained": "40",
            "target_workforce": "100",
            "narrative": "Kept narrative",
            "ag_hv_was_not_brought-numerator": "31",
        },
    )
    page = text(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Health visitor contacts missed: was not brought: Enter the denominator" in page
    html = response.content.decode()
    assert 'value="31"' in html and "Kept narrative" in html and 'value="40"' in html
    assert not PartnerFigure.objects.exists()
    from dataset.models import AgencyReturn

    assert not AgencyReturn.objects.exists()  # all or nothing


def test_a_numerator_over_its_denominator_is_refused(lead_client, health, hv):
    response = lead_client.post(
        return_url(health),
        {"ag_hv_was_not_brought-numerator": "500", "ag_hv_was_not_brought-denominator": "400"},
    )
    assert "The numerator must be the same as or less than the denominator" in text(response)
    assert not PartnerFigure.objects.exists()


def test_a_return_with_every_part_left_blank_saves_nothing_and_says_so(lead_client, health, hv):
    response = lead_client.post(return_url(health), {})
    assert "Enter the figures for at least one part of the return" in text(response)


def test_a_correction_is_a_new_version_and_a_stale_one_is_refused(lead_client, health, hv):
    submit(hv, Q1, 31, 400)
    page = lead_client.get(return_url(health)).content.decode()
    assert 'name="ag_hv_was_not_brought-version" value="1"' in page
    submit(hv, Q1, 35, 400, version=1)  # someone else corrects it meanwhile
    response = lead_client.post(
        return_url(health),
        {
            "ag_hv_was_not_brought-numerator": "33",
            "ag_hv_was_not_brought-denominator": "400",
            "ag_hv_was_not_brought-version": "1",
        },
    )
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this return after you opened it" in page
    html = response.content.decode()
    assert 'value="33"' in html and 'name="ag_hv_was_not_brought-version" value="2"' in html
    assert PartnerFigure.objects.get(indicator=hv).numerator == 35
    response = lead_client.post(
        return_url(health),
        {
            "ag_hv_was_not_brought-numerator": "33",
            "ag_hv_was_not_brought-denominator": "400",
            "ag_hv_was_not_brought-version": "2",
        },
    )
    assert response.status_code == 302
    saved = PartnerFigure.objects.get(indicator=hv)
    assert (saved.numerator, saved.version, saved.history.count()) == (33, 3, 3)


def test_the_return_shows_each_figures_history_with_who_saved_it(lead_client, health, hv):
    first, second = UserFactory(first_name="Ada", last_name="First"), UserFactory()
    submit(hv, Q1, 31, 400, user=first)
    submit(hv, Q1, 35, 400, user=second, version=1)
    html = lead_client.get(return_url(health)).content.decode()
    table = html[html.index(f'id="history-{hv.code}"') :]
    table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table[: table.index("</table>")]))
    assert table.index(" 35 ") < table.index(" 31 ")  # newest first
    assert "Ada First" in table


def test_correcting_one_part_leaves_the_others_versions_alone(lead_client, health, hv):
    from dataset.models import AgencyReturn

    agency_return_submit(
        agency=health,
        quarter=Q1,
        staff_trained=10,
        target_workforce=20,
        user=UserFactory(),
        today=AFTER,
    )
    response = lead_client.post(
        return_url(health),
        {
            "staff_trained": "10",
            "target_workforce": "20",
            "narrative": "",
            "version": "1",
            "ag_hv_was_not_brought-numerator": "31",
            "ag_hv_was_not_brought-denominator": "400",
        },
    )
    assert response.status_code == 302
    training = AgencyReturn.objects.get(agency=health)
    assert (training.version, training.history.count()) == (1, 1)
    assert PartnerFigure.objects.get(indicator=hv).numerator == 31


def test_a_double_post_of_a_first_figure_keeps_one(lead_client, health, hv):
    data = {"ag_hv_was_not_brought-numerator": "31", "ag_hv_was_not_brought-denominator": "400"}
    lead_client.post(return_url(health), data)
    second = lead_client.post(return_url(health), data)
    assert "Someone else saved this return" in text(second)
    assert PartnerFigure.objects.count() == 1


def test_the_database_keeps_one_figure_per_indicator_and_quarter(hv):
    submit(hv, Q1, 31, 400)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFigure.objects.create(
            indicator=hv, quarter=Q1, numerator=1, denominator=2, submitted_by=UserFactory()
        )


def test_a_lead_may_not_submit_another_agencys_indicator(client, voluntary, hv):
    client.force_login(UserFactory(agency=voluntary, role=User.Role.AGENCY_LEAD))
    assert client.get(return_url(hv.agency)).status_code == 403
    response = client.post(
        return_url(hv.agency),
        {"ag_hv_was_not_brought-numerator": "1", "ag_hv_was_not_brought-denominator": "2"},
    )
    assert response.status_code == 403
    assert not PartnerFigure.objects.exists()


def test_the_home_page_links_to_the_agencys_quarterly_return(lead_client):
    assert "Your agency's quarterly return" in text(lead_client.get(reverse("home")))


# The pipeline: never 0 for a gap ------------------------------------------------------------


def test_figures_say_not_submitted_for_a_missing_quarter_and_compute_a_submitted_one(hv, crimes):
    submit(hv, Q1, 31, 400)
    figures = selectors.figures_for(Q1)
    assert figures["AG_HV_WAS_NOT_BROUGHT"].value == Decimal("7.8")
    assert (figures["AG_HV_WAS_NOT_BROUGHT"].numerator, figures[hv.code].denominator) == (31, 400)
    missing = figures["AG_POLICE_NEGLECT_CRIMES"]
    assert not missing.available and missing.value is None and missing.numerator is None


def test_a_mean_is_the_submitted_total_over_the_submitted_count(health):
    waits = define(health, "AG_WAIT_DAYS", Unit.AVERAGE, counts="children")
    submit(waits, Q1, 125, 10)
    shown = selectors.figures_for(Q1, ["AG_WAIT_DAYS"])["AG_WAIT_DAYS"]
    assert (shown.numerator, shown.denominator, shown.value) == (125, 10, Decimal("12.5"))


def test_a_trend_reads_every_quarters_figures_in_one_query(hv, django_assert_max_num_queries):
    for quarter in Q1.last(8):
        submit(hv, quarter, 10, 100)
    # The definition, published snapshots, and every quarter's submissions in one.
    with django_assert_max_num_queries(3):
        series = selectors.trends(Q1, codes=[hv.code])[hv.code]
    assert [shown.numerator for shown in series] == [10] * 8


def test_the_dashboard_has_their_own_section_with_the_owner_and_not_submitted(
    wg_client, hv, crimes
):
    submit(hv, Q1, 31, 400)
    response = wg_client.get(reverse("dataset:dashboard", args=[Q1.slug]))
    page = text(response)
    assert "Indicators submitted by agencies" in page
    hv_card = card(response, hv.code)
    assert "Submitted by Community Health Trust" in hv_card and "7.8%" in hv_card
    assert "31 of 400 contacts" in hv_card
    crimes_card = card(response, crimes.code)
    assert "Not submitted" in crimes_card and "Submitted by Police" in crimes_card
    assert "gap, not zero" in crimes_card
    assert re.search(r"\b0 crimes\b", crimes_card) is None


def test_the_indicator_page_shows_definition_owner_value_and_a_trend_with_gaps(
    wg_client, hv, health_lead
):
    submit(hv, Q1, 31, 400, user=health_lead)
    submit(hv, Q1.previous().previous(), 40, 380)
    response = wg_client.get(reverse("dataset:indicator", args=[Q1.slug, hv.code]))
    assert response.status_code == 200
    page = text(response)
    assert hv.definition in page
    assert "Submitted by Community Health Trust" in page
    assert "7.8% (31 of 400 contacts), submitted by" in page
    assert "no cases" not in page  # a quarter not submitted is no comparison, not "no cases"
    html = response.content.decode()
    trend = html[html.index('id="trend"') :]
    row_pattern = r'<tr class="govuk-table__row" data-quarter="([^"]+)">(.*?)</tr>'
    rows = re.findall(row_pattern, trend, re.S)
    by_quarter = {slug: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for slug, row in rows}
    assert "Not submitted" in by_quarter[Q4.slug]
    assert "40" in by_quarter[Q1.previous().previous().slug]
    assert str(health_lead) in by_quarter[Q1.slug]
    assert len(by_quarter) == 8


def test_an_agency_indicator_has_no_drill_down(client, administrator, hv):
    client.force_login(administrator)
    for which in ("numerator", "denominator"):
        url = reverse("dataset:members", args=[Q1.slug, hv.code, which])
        assert client.get(url).status_code == 404
        assert client.get(url.rstrip("/") + ".csv").status_code == 404


def test_an_unknown_agency_code_is_not_found(wg_client):
    url = reverse("dataset:indicator", args=[Q1.slug, "AG_NOTHING"])
    assert wg_client.get(url).status_code == 404


def test_a_not_submitted_side_has_no_movement_in_emerging_themes(wg_client, hv, crimes):
    submit(hv, Q4, 10, 400)
    submit(hv, Q1, 90, 400)  # 2.5% to 22.5%: a theme
    submit(crimes, Q1, 40)  # nothing the quarter before: no movement
    page = text(wg_client.get(reverse("dataset:themes", args=[Q1.slug])))
    assert hv.title in page
    assert crimes.title not in page


def test_exports_say_not_submitted_with_empty_numbers_never_zero(wg_client, hv, crimes):
    submit(hv, Q1, 31, 400)
    response = wg_client.get(reverse("dataset:dashboard_csv", args=[Q1.slug]))
    rows = {row[1]: row for row in csv.reader(io.StringIO(response.content.decode()))}
    assert rows[hv.code][4:7] == ["31", "400", "7.8"]
    assert rows[hv.code][8] == "Submitted by Community Health Trust"
    assert rows[crimes.code][4:7] == ["", "", ""]
    assert rows[crimes.code][8] == "Not submitted by Police"
    response = wg_client.get(reverse("dataset:dashboard_xlsx", args=[Q1.slug]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    by_code = {row[1]: row for row in sheet.iter_rows(values_only=True)}
    assert by_code[hv.code][4:7] == (31, 400, 7.8)
    assert by_code[crimes.code][4:7] == (None, None, None)
    assert by_code[crimes.code][8] == "Not submitted by Police"


def test_kpis_includes_them_with_submitted_false_when_missing(hv, crimes):
    submit(hv, Q1, 31, 400)
    out = io.StringIO()
    call_command("kpis", "--quarter", Q1.slug, stdout=out)
    found = json.loads(out.getvalue())["indicators"]
    no_target = {"target": None, "target_met": None}
    assert found[hv.code] == {"numerator": 31, "denominator": 400, "value": 7.8, **no_target}
    assert found[crimes.code] == {
        "numerator": None,
        "denominator": None,
        "value": None,
        "submitted": False,
        **no_target,
    }
    out = io.StringIO()
    call_command("kpis", "--quarter", Q1.slug, "--format", "csv", stdout=out)
    rows = {row[3]: row for row in csv.reader(io.StringIO(out.getvalue()))}
    assert rows[crimes.code][4:] == ["", "", ""]


def test_a_switched_off_indicator_leaves_the_dashboard_and_kpis(wg_client, hv):
    partner_indicator_update(
        indicator=hv,
        user=UserFactory(),
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"active": False},
    )
    assert hv.code not in selectors.figures_for(Q1)
    out = io.StringIO()
    call_command("kpis", "--quarter", Q1.slug, stdout=out)
    assert hv.code not in json.loads(out.getvalue())["indicators"]


# Published snapshots and restatements ------------------------------------------------------


def test_publishing_keeps_a_not_submitted_figure_as_not_submitted(administrator, hv):
    published = quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    row = published.figures.get(code=hv.code)
    assert (row.submitted, row.numerator, row.denominator, row.value) == (False, None, None, None)
    assert (row.title, row.definition_version) == (hv.title, 1)
    assert not selectors.figures_for(Q1)[hv.code].available


def test_a_late_return_leaves_the_published_quarter_and_shows_as_a_restatement(
    administrator, wg_client, hv
):
    published = quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    submit(hv, Q1, 31, 400)  # late
    assert not selectors.figures_for(Q1)[hv.code].available
    restated = {r.code: r for r in selectors.restatements(published)}
    assert restated[hv.code].published == Figure(hv.code, None, None, None, submitted=False)
    assert restated[hv.code].live == Figure(hv.code, 31, 400, Decimal("7.8"))
    page = text(wg_client.get(reverse("dataset:restatements", args=[Q1.slug])))
    assert "Not submitted" in page and "7.8% (31 of 400)" in page
    page = text(wg_client.get(reverse("dataset:indicator", args=[Q1.slug, hv.code])))
    assert "Restated since publication" in page


def test_a_published_figure_keeps_its_value_and_definition_after_an_edit(
    administrator, wg_client, hv
):
    submit(hv, Q1, 31, 400)
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    partner_indicator_update(
        indicator=hv,
        user=administrator,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"title": "Renamed", "definition": "Counted differently."},
    )
    figure = PartnerFigure.objects.get(indicator=hv)
    submit(hv, Q1, 50, 400, version=figure.version)  # corrected after publication
    shown = selectors.figures_for(Q1)[hv.code]
    assert (shown.numerator, shown.value) == (31, Decimal("7.8"))
    # The correction's author and date are not the published figure's.
    assert shown.submission is None
    row = PublishedFigure.objects.get(code=hv.code)
    assert (row.title, row.definition_version) == (
        "Health visitor contacts missed: was not brought",
        1,
    )
    page = text(wg_client.get(reverse("dataset:indicator", args=[Q1.slug, hv.code])))
    assert "published under version 1 of this definition" in page
    assert '"Health visitor contacts missed: was not brought"' in page


def test_a_published_quarter_keeps_the_title_it_was_published_under_everywhere(
    administrator, wg_client, hv
):
    old = "Health visitor contacts missed: was not brought"
    submit(hv, Q1, 31, 400)
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    partner_indicator_update(
        indicator=hv,
        user=administrator,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"title": "Renamed since"},
    )
    assert old in card(wg_client.get(reverse("dataset:dashboard", args=[Q1.slug])), hv.code)
    pack = text(wg_client.get(reverse("dataset:pack", args=[Q1.slug])))
    assert old in pack and "Renamed since" not in pack
    for name in ("dataset:dashboard_csv", "dataset:pack_csv"):
        download = wg_client.get(reverse(name, args=[Q1.slug])).content.decode()
        rows = csv.reader(io.StringIO(download))
        assert [row[2] for row in rows if row[1] == hv.code] == [old]
    # A quarter not published reads the definition as it is now.
    Q2 = Q1.next()
    submit(hv, Q2, 5, 100)
    assert "Renamed since" in card(
        wg_client.get(reverse("dataset:dashboard", args=[Q2.slug])), hv.code
    )


def test_an_indicator_switched_off_after_publication_still_shows_in_the_published_quarter(
    administrator, wg_client, hv
):
    submit(hv, Q1, 31, 400)
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    partner_indicator_update(
        indicator=hv,
        user=administrator,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"active": False},
    )
    assert selectors.figures_for(Q1)[hv.code].value == Decimal("7.8")
    assert hv.code not in selectors.figures_for(Q1.next())
    response = wg_client.get(reverse("dataset:dashboard", args=[Q1.slug]))
    assert "7.8%" in card(response, hv.code)


def test_republishing_takes_the_late_return_and_the_new_definition(administrator, hv):
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    submit(hv, Q1, 31, 400)
    partner_indicator_update(
        indicator=hv,
        user=administrator,
        expected_mark=partner_indicator_edit_mark(hv),
        changes={"title": "Renamed"},
    )
    quarter_republish(
        quarter=Q1, user=administrator, reason="Late return", expected_publication=1, today=AFTER
    )
    row = PublishedFigure.objects.get(code=hv.code)
    assert (row.submitted, row.numerator, row.title, row.definition_version) == (
        True,
        31,
        "Renamed",
        2,
    )
    assert row.history.filter(submitted=False).exists()  # the earlier publication is kept


def test_the_publish_page_lists_the_agencies_figures_by_title(client, administrator, hv):
    client.force_login(administrator)
    page = text(client.get(reverse("dataset:publish", args=[Q1.slug])))
    assert f"{hv.title}" in page and "Not submitted" in page


# Gaps for the meeting pack and publishing ----------------------------------------------------


def test_return_gaps_list_what_each_active_agency_has_not_submitted(health, hv, crimes):
    inactive = AgencyFactory(name="Closed agency", active=False)
    define(inactive, "AG_CLOSED", Unit.COUNT)
    agency_return_submit(
        agency=health,
        quarter=Q1,
        staff_trained=10,
        target_workforce=20,
        user=UserFactory(),
        today=AFTER,
    )
    submit(crimes, Q1, 40)
    named = {"Community Health Trust", "Police", "Closed agency"}
    gaps = [
        (gap.agency.name, gap.what, gap.code)
        for gap in selectors.return_gaps(Q1)
        if gap.agency.name in named
    ]
    assert gaps == [
        ("Community Health Trust", hv.title, hv.code),
        ("Police", "training return", None),
    ]


def test_return_gaps_from_what_a_page_has_read_are_those_read_afresh(
    health, hv, crimes, django_assert_num_queries
):
    inactive = AgencyFactory(name="Closed agency", active=False)
    define(inactive, "AG_CLOSED", Unit.COUNT)
    submit(crimes, Q1, 40)
    submit(hv, Q1.previous(), 3, 30)  # another quarter's submission is still owed for Q1
    quarters = [Q1.previous(), Q1]
    returns = selectors.agency_returns(quarters)
    read = selectors.read_quarters(quarters, returns=returns)
    active = list(Agency.objects.filter(active=True).order_by("name"))
    with django_assert_num_queries(0):
        given = selectors.return_gaps(Q1, active=active, returns=returns[Q1], read=read)
    assert given == selectors.return_gaps(Q1)
    assert (health, hv.title, hv.code) in [(gap.agency, gap.what, gap.code) for gap in given]


def test_return_gaps_take_three_queries_however_many_agencies(
    hv, crimes, django_assert_max_num_queries
):
    for n in range(5):
        define(AgencyFactory(name=f"Extra agency {n}"), f"AG_EXTRA_{n}", Unit.COUNT)
    with django_assert_max_num_queries(3):
        gaps = selectors.return_gaps(Q1)
    # Each extra agency owes its training return and its indicator; so do health and police.
    assert len([gap for gap in gaps if gap.agency.name.startswith("Extra")]) == 10
    assert len([gap for gap in gaps if gap.code is not None]) == 7


# Query budgets -------------------------------------------------------------------------------


def test_the_dashboard_with_agency_indicators_keeps_its_budget(
    wg_client, hv, crimes, django_assert_max_num_queries
):
    for quarter in Q1.last(8):
        submit(hv, quarter, 10, 100)
    # The dashboard's own (tests/dataset/test_pages.py), plus the definitions and all
    # quarters' submissions: 11 measured.
    wg_client.get(reverse("dataset:dashboard", args=[Q1.slug]))  # the worker stored them
    with django_assert_max_num_queries(11):
        assert wg_client.get(reverse("dataset:dashboard", args=[Q1.slug])).status_code == 200


@pytest.mark.parametrize("page", ["dataset:themes", "dataset:dashboard_csv"])
def test_themes_and_the_export_add_two_queries_for_agency_indicators(
    wg_client, hv, crimes, page, django_assert_max_num_queries
):
    submit(hv, Q1, 10, 100)
    submit(hv, Q4, 20, 100)
    # The stored figures of both quarters, published snapshots, returns, the targets in
    # force, the session and user, plus the definitions and the submissions: 10 measured.
    budget = {"dataset:themes": 10, "dataset:dashboard_csv": 10}[page]
    wg_client.get(reverse(page, args=[Q1.slug]))  # the worker has stored the figures
    with django_assert_max_num_queries(budget):
        assert wg_client.get(reverse(page, args=[Q1.slug])).status_code == 200


def test_the_agency_indicator_page_reads_a_constant_number_of_queries(
    wg_client, hv, django_assert_max_num_queries
):
    for quarter in Q1.last(8):
        submit(hv, quarter, 10, 100)
    # The definition, then the trend's definitions and submissions, when the figures were
    # calculated; the session and user.
    with django_assert_max_num_queries(9):
        response = wg_client.get(reverse("dataset:indicator", args=[Q1.slug, hv.code]))
    assert response.status_code == 200


def test_the_return_page_reads_a_constant_number_of_queries(
    lead_client, health, django_assert_max_num_queries
):
    for n in range(6):
        indicator = define(health, f"AG_PART_{n}", Unit.COUNT)
        submit(indicator, Q1, n)
    with django_assert_max_num_queries(8):
        assert lead_client.get(return_url(health)).status_code == 200


def test_the_definitions_list_is_paginated_with_constant_queries(
    admin_client, health, django_assert_max_num_queries
):
    for n in range(30):
        define(health, f"AG_LIST_{n:02}", Unit.COUNT)
    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("dataset:partner_indicators"))
    assert "AG_LIST_24" in text(response) and "AG_LIST_25" not in text(response)
    assert "AG_LIST_25" in text(admin_client.get(reverse("dataset:partner_indicators") + "?page=2"))


# Demo ----------------------------------------------------------------------------------------


def test_the_demo_defines_four_indicators_with_gaps_and_five_training_returns(settings):
    settings.DEBUG = True
    from dataset.demo_data import load_partner_demo
    from neglect_portal.demo import load_demo_people

    load_demo_people()
    today = dates.today()
    defined, _ = load_partner_demo(today)
    assert defined == 4
    latest = Quarter.containing(today).previous()
    gaps = {(gap.agency.name, gap.what) for gap in selectors.return_gaps(latest)}
    assert ("Education", "Children on neglect plans persistently absent from school") in gaps
    assert ("Police", "Neglect and cruelty crimes recorded") not in gaps
    assert {what for name, what in gaps if what == "training return"} == {"training return"}
    assert sorted(name for name, what in gaps if what == "training return") == [
        "Mental Health Trust",
        "Voluntary and Community Sector",
    ]
    assert load_partner_demo(today) == (0, 0)  # idempotent
