"""Targets: set by administrators for any indicator from a quarter on, with a reason and a
history; met or not met against the target in force in each quarter, kept as published."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from dataset import indicators, targets
from dataset.models import PublishedFigure, Target
from dataset.services import TargetRefused, quarter_publish, quarter_republish, target_set
from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import StaleEdit
from tests.dataset.builders import referral
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

Q4 = Quarter(2023, 4)  # 1 January to 31 March 2024
Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
AFTER = date(2024, 7, 1)
CURRENT = Quarter.containing(today())

REREFERRALS = indicators.get("REREFERRALS_12M")  # a percentage, lower is better
TOOLKIT = indicators.get("TOOLKIT_CHILDREN")  # a count, higher is better
SHARE = indicators.get("CP_NEGLECT_SHARE")  # describes need: no direction


def d(text):
    return Decimal(text)


def put(user, code="REREFERRALS_12M", applies_from=Q1, value="25.0", reason="Agreed", **extra):
    """Set a target through the service, as the form would, from the schedule as it is."""
    return target_set(
        code=code,
        applies_from=applies_from,
        value=None if value is None else d(value),
        reason=reason,
        user=user,
        expected_version=extra.pop("expected_version", targets.schedule_version(code)),
        **extra,
    )


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def wg_client(client, working_group_member):
    client.force_login(working_group_member)
    return client


@pytest.fixture
def rereferred():
    """REREFERRALS_12M: 2023-24 Q4 has 2 referrals and no re-referral (0.0%); 2024-25 Q1 has
    4 referrals, one a re-referral of a child referred in February (1 of 4, 25.0%)."""
    first, second = ChildFactory(), ChildFactory()
    referral(first, date(2024, 2, 1))
    referral(second, date(2024, 2, 2))
    referral(first, date(2024, 5, 1))
    for _ in range(2):
        referral(ChildFactory(), date(2024, 5, 2))
    referral(ChildFactory(), date(2024, 6, 3))


# The model -------------------------------------------------------------------------------


def test_one_row_per_code_and_quarter(administrator):
    put(administrator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            code="REREFERRALS_12M", applies_from=Q1, value=1, reason="x", set_by=administrator
        )


def test_a_target_needs_a_reason(administrator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            code="REREFERRALS_12M", applies_from=Q1, value=1, reason="", set_by=administrator
        )
    with pytest.raises(TargetRefused, match="Enter why"):
        put(administrator, reason="   ")


def test_setting_a_target_is_kept_in_history_with_who_and_why(administrator):
    row = put(administrator, reason="Working Group, 3 June 2024")
    change = row.history.get()
    assert (change.history_user, change.history_change_reason) == (
        administrator,
        "Working Group, 3 June 2024",
    )
    assert (row.set_by, row.value, row.applies_from) == (administrator, d("25.0"), Q1)


# The target in force ---------------------------------------------------------------------


def test_the_target_in_force_is_the_latest_applying_on_or_before_the_quarter(administrator):
    put(administrator, applies_from=Q1, value="25.0")
    put(administrator, applies_from=Quarter(2024, 3), value="20.0")
    book = targets.target_book()
    code = "REREFERRALS_12M"
    assert book.in_force(code, Q4) is None  # before the first
    assert book.in_force(code, Q1).value == d("25.0")  # its own first quarter
    assert book.in_force(code, Quarter(2024, 2)).value == d("25.0")  # still in force
    assert book.in_force(code, Quarter(2024, 3)).value == d("20.0")  # replaced from Q3
    assert book.in_force(code, Quarter(2030, 1)).value == d("20.0")
    assert book.in_force("CP_OPEN_15M", Q1) is None  # another code


def test_a_withdrawn_target_is_not_in_force_from_its_quarter_until_one_is_set_again(
    administrator,
):
    put(administrator, applies_from=Q1, value="25.0")
    put(administrator, applies_from=Quarter(2024, 2), value=None, reason="Definition reviewed")
    put(administrator, applies_from=Quarter(2024, 4), value="15.0")
    book = targets.target_book()
    code = "REREFERRALS_12M"
    assert book.in_force(code, Q1).value == d("25.0")
    assert book.in_force(code, Quarter(2024, 2)) is None
    assert book.in_force(code, Quarter(2024, 3)) is None
    assert book.row_in_force(code, Quarter(2024, 3)).withdrawn
    assert book.in_force(code, Quarter(2024, 4)).value == d("15.0")


def test_withdrawing_needs_a_target_in_force(administrator):
    with pytest.raises(TargetRefused, match="no target in force for 2024-25 Q1 to withdraw"):
        put(administrator, value=None)
    assert not Target.objects.exists()


def test_a_target_can_be_set_for_any_code_an_indicator_has(administrator):
    for code in ("TRAINING_COVERAGE", "CHRONOLOGY_ENTRIES_WEEKLY", "SDQ_COMPLETED"):
        put(administrator, code=code, value="50")
    with pytest.raises(KeyError):
        put(administrator, code="NOT_AN_INDICATOR")


def test_the_targets_of_every_code_and_quarter_are_read_in_one_query(
    administrator, django_assert_num_queries
):
    put(administrator)
    put(administrator, code="SDQ_COMPLETED", value="40")
    with django_assert_num_queries(1):
        book = targets.target_book(up_to=Q1)
    assert book.in_force("SDQ_COMPLETED", Q1).value == d("40")


# Met and not met -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "met"), [(d("24.9"), True), (d("25.0"), True), (d("25.1"), False), (None, None)]
)
def test_lower_is_better_is_met_at_or_below_the_target(value, met):
    assert targets.target_met(REREFERRALS, value, d("25.0")) is met


@pytest.mark.parametrize(("value", "met"), [(49, False), (50, True), (51, True), (None, None)])
def test_higher_is_better_is_met_at_or_above_the_target(value, met):
    assert targets.target_met(TOOLKIT, value, d("50")) is met


def test_without_a_target_nothing_is_met_or_not_met():
    assert targets.target_met(TOOLKIT, 50, None) is None


def test_an_indicator_that_describes_need_cannot_have_a_target(administrator):
    assert not targets.can_have_target(SHARE)
    assert targets.target_met(SHARE, d("50.0"), d("40.0")) is None
    with pytest.raises(TargetRefused, match="describes need rather than practice"):
        put(administrator, code="CP_NEGLECT_SHARE", value="60.0")
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("code", "value", "problem"),
    [
        ("REREFERRALS_12M", "100.1", "100 or less"),
        ("REREFERRALS_12M", "-1", "0 or more"),
        ("REREFERRALS_12M", "12.25", "one decimal place"),
        ("SDQ_COMPLETED", "12.5", "whole number"),
    ],
)
def test_a_target_must_fit_its_indicator(administrator, code, value, problem):
    with pytest.raises(TargetRefused, match=problem):
        put(administrator, code=code, value=value)


# Changes and clashes ---------------------------------------------------------------------


def test_setting_the_same_quarter_again_corrects_it_and_history_keeps_the_first(administrator):
    first = put(administrator, value="25.0", reason="First")
    second = put(administrator, value="22.5", reason="Corrected")
    assert first.pk == second.pk and second.version == 2
    assert Target.objects.count() == 1
    assert [h.value for h in second.history.order_by("history_date")] == [d("25.0"), d("22.5")]


def test_a_change_saved_by_someone_else_meanwhile_is_refused(administrator):
    seen = targets.schedule_version("REREFERRALS_12M")
    put(administrator, value="25.0")
    with pytest.raises(StaleEdit) as refused:
        put(administrator, value="30.0", expected_version=seen)
    assert refused.value.current.value == d("25.0")
    assert Target.objects.get().value == d("25.0")


# Published quarters ----------------------------------------------------------------------


def test_publishing_stores_each_figures_target_in_force(rereferred, administrator):
    put(administrator, applies_from=Q4, value="20.0")
    published = quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    row = published.figures.get(code="REREFERRALS_12M")
    assert (row.target_value, row.target_applies_from) == (d("20.0"), Q4)
    untargeted = published.figures.get(code="CP_OPEN_15M")
    assert (untargeted.target_value, untargeted.target_applies_from) == (None, None)


def test_a_published_quarter_keeps_its_target_after_a_later_change(
    wg_client, rereferred, administrator
):
    put(administrator, applies_from=Q4, value="20.0")
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    put(administrator, applies_from=Q1, value="30.0", reason="Raised after publication")
    card = text(wg_client.get(reverse("dataset:dashboard", args=[Q1.slug])))
    assert "Not met: target 20.0%" in card  # 25.0% against the 20.0% it was published with
    assert "target 30.0%" not in card
    page = text(wg_client.get(reverse("dataset:indicator", args=[Q1.slug, "REREFERRALS_12M"])))
    assert "At most 20.0%, from 2023-24 Q4, as published" in page
    rows = list(
        csv.reader(
            io.StringIO(
                wg_client.get(reverse("dataset:dashboard_csv", args=[Q1.slug])).content.decode()
            )
        )
    )
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["REREFERRALS_12M"][-2:] == ["20.0", "Not met"]


def test_republishing_takes_the_target_in_force_then(rereferred, administrator):
    put(administrator, applies_from=Q4, value="20.0")
    quarter_publish(quarter=Q1, user=administrator, today=AFTER)
    put(administrator, applies_from=Q1, value="30.0")
    quarter_republish(
        quarter=Q1, user=administrator, reason="Target", expected_publication=1, today=AFTER
    )
    row = PublishedFigure.objects.get(code="REREFERRALS_12M")
    assert (row.target_value, row.target_applies_from) == (d("30.0"), Q1)
    assert [h.target_value for h in row.history.order_by("history_date")] == [
        d("20.0"),
        d("30.0"),
    ]


# Pages -----------------------------------------------------------------------------------


def test_a_gap_against_a_target_is_no_figure_never_not_met(wg_client, administrator):
    put(administrator, code="TRAINING_COVERAGE", applies_from=Q1, value="50.0")
    shown = text(wg_client.get(reverse("dataset:dashboard", args=[Q1.slug])))
    start = shown.index("Staff trained in neglect")
    card = shown[start : shown.index("TRAINING_COVERAGE", start)]
    assert "No agency returns yet" in card
    assert "No figure: target 50.0%" in card and "Not met" not in card


def test_the_indicator_page_shows_the_target_in_force_who_set_it_and_why(
    wg_client, rereferred, administrator
):
    put(administrator, applies_from=Q1, value="30.0", reason="Agreed on 3 June 2024")
    page = text(wg_client.get(reverse("dataset:indicator", args=[Q1.slug, "REREFERRALS_12M"])))
    assert f"At most 30.0%, from 2024-25 Q1: set by {administrator} on" in page
    assert "Agreed on 3 June 2024" in page
    assert "Met target of 30.0%" in page


def test_the_trend_table_judges_each_quarter_against_its_own_target(
    wg_client, rereferred, administrator
):
    put(administrator, applies_from=Q1, value="20.0")
    html = wg_client.get(
        reverse("dataset:indicator", args=[Q1.slug, "REREFERRALS_12M"])
    ).content.decode()
    trend = html[html.index('id="trend"') :]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", trend, flags=re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows[1:9]]
    assert cells[-2].startswith("2023-24 Q4") and cells[-2].endswith("No target")
    assert cells[-1].startswith("2024-25 Q1") and cells[-1].endswith("Not met: target 20.0%")


def test_an_indicator_that_describes_need_says_it_has_no_target(wg_client):
    page = text(wg_client.get(reverse("dataset:indicator", args=[Q1.slug, "CP_NEGLECT_SHARE"])))
    assert "this indicator describes need rather than practice, so it cannot have a target" in page


def test_the_targets_page_lists_every_indicator_with_its_current_target(
    wg_client, administrator, django_assert_max_num_queries
):
    put(administrator, applies_from=CURRENT, value="30.0", reason="Agreed by the group")
    put(administrator, applies_from=CURRENT.next(), value="25.0", reason="Next year")
    with django_assert_max_num_queries(5):  # session, user, agency, targets: one each
        response = wg_client.get(reverse("dataset:targets"))
    html = response.content.decode()
    row = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="target-REREFERRALS_12M"') :])
    )
    assert f"At most 30.0%, from {CURRENT.label}" in row
    assert f"From {CURRENT.next().label}: at most 25.0%" in row
    assert "Agreed by the group" in row
    codes = re.findall(r'id="target-([A-Z0-9_]+)"', html)
    assert codes == [i.code for i in targets.target_indicators()]
    share = html[html.index('id="target-CP_NEGLECT_SHARE"') :]
    assert "Cannot have a target: describes need" in share[: share.index("</tr>")]
    # A reader does not get the administrators' links.
    assert reverse("dataset:target_set", args=["REREFERRALS_12M"]) not in html
    assert reverse("dataset:target_history", args=["REREFERRALS_12M"]) in html


def test_administrators_get_a_link_to_set_each_target_they_may(admin_client):
    html = admin_client.get(reverse("dataset:targets")).content.decode()
    assert reverse("dataset:target_set", args=["REREFERRALS_12M"]) in html
    assert reverse("dataset:target_set", args=["CP_NEGLECT_SHARE"]) not in html


def test_the_form_defaults_to_the_current_quarter(admin_client):
    html = admin_client.get(reverse("dataset:target_set", args=["REREFERRALS_12M"])).content
    selected = re.search(rb'<option value="([^"]+)"[^>]*selected', html)
    assert selected[1].decode() == CURRENT.slug
    assert b"Met when the figure is at most the target (lower is better)" in html


def form_data(client, code, **data):
    """The form's hidden fields as the page sent them, with `data` typed in."""
    html = client.get(reverse("dataset:target_set", args=[code])).content.decode()
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html))
    hidden.pop("csrfmiddlewaretoken", None)
    return {**hidden, "applies_from": CURRENT.slug, **data}


def test_an_administrator_sets_a_target_and_lands_on_its_history(admin_client, administrator):
    url = reverse("dataset:target_set", args=["REREFERRALS_12M"])
    data = form_data(admin_client, "REREFERRALS_12M", value="22.5", reason="Agreed")
    response = admin_client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "dataset:target_history", args=["REREFERRALS_12M"]
    )
    page = text(response)
    assert f"Target for Re-referrals within 12 months set to at most 22.5% from {CURRENT}" in page
    assert "Agreed" in page and str(administrator) in page
    assert Target.objects.get().value == d("22.5")


def test_the_same_form_sent_twice_saves_one_target(admin_client):
    url = reverse("dataset:target_set", args=["REREFERRALS_12M"])
    data = form_data(admin_client, "REREFERRALS_12M", value="22.5", reason="Agreed")
    admin_client.post(url, data)
    again = admin_client.post(url, data, follow=True)
    assert "This was already saved" in text(again)
    assert Target.objects.count() == 1
    assert Target.objects.get().version == 1


def test_a_missing_value_or_reason_gets_an_error_summary_and_saves_nothing(admin_client):
    url = reverse("dataset:target_set", args=["REREFERRALS_12M"])
    response = admin_client.post(url, form_data(admin_client, "REREFERRALS_12M", value=""))
    page = text(response)
    assert "There is a problem" in page
    assert "Enter the target" in page and "Enter why the target is being set" in page
    response = admin_client.post(
        url, form_data(admin_client, "REREFERRALS_12M", value="120", reason="x")
    )
    assert "The target is a percentage: it must be 100 or less" in text(response)
    assert not Target.objects.exists()


def test_a_form_opened_before_someone_else_saved_is_refused_keeping_what_was_typed(
    admin_client, administrator
):
    url = reverse("dataset:target_set", args=["REREFERRALS_12M"])
    data = form_data(admin_client, "REREFERRALS_12M", value="22.5", reason="Mine")
    put(administrator, applies_from=CURRENT, value="30.0", reason="Theirs")
    response = admin_client.post(url, data)
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this target after you opened it" in page
    assert "Theirs" in page and 'value="22.5"' in response.content.decode()
    assert Target.objects.get().value == d("30.0")


def test_a_target_is_withdrawn_from_a_quarter_with_a_reason(admin_client, administrator):
    put(administrator, applies_from=CURRENT.previous(), value="30.0")
    url = reverse("dataset:target_set", args=["REREFERRALS_12M"])
    data = form_data(
        admin_client, "REREFERRALS_12M", action="withdraw", value="", reason="Definition changed"
    )
    page = text(admin_client.post(url, data, follow=True))
    assert f"withdrawn from {CURRENT} on" in page
    book = targets.target_book()
    assert book.in_force("REREFERRALS_12M", CURRENT) is None
    assert book.in_force("REREFERRALS_12M", CURRENT.previous()).value == d("30.0")


def test_the_form_says_an_indicator_describing_need_cannot_have_a_target(admin_client):
    url = reverse("dataset:target_set", args=["CP_NEGLECT_SHARE"])
    response = admin_client.get(url)
    assert "it cannot have a target" in text(response)
    assert b'name="value"' not in response.content
    posted = admin_client.post(url, {"applies_from": CURRENT.slug, "value": "60", "reason": "x"})
    assert posted.status_code == 400
    assert not Target.objects.exists()


def test_an_unknown_code_is_not_found(admin_client):
    assert admin_client.get(reverse("dataset:target_set", args=["NOPE"])).status_code == 404
    assert admin_client.get(reverse("dataset:target_history", args=["NOPE"])).status_code == 404


def test_only_administrators_set_targets(client, working_group_member, health_lead):
    assert not access.sets_targets(working_group_member)
    url = reverse("dataset:target_set", args=["REREFERRALS_12M"])
    for user in (working_group_member, health_lead):
        client.force_login(user)
        assert client.get(url).status_code == 403
        posted = client.post(url, {"applies_from": CURRENT.slug, "value": "1", "reason": "x"})
        assert posted.status_code == 403
    assert not Target.objects.exists()


def test_the_history_page_shows_the_schedule_and_every_change(
    wg_client, administrator, django_assert_max_num_queries
):
    put(administrator, applies_from=CURRENT, value="30.0", reason="First")
    put(administrator, applies_from=CURRENT, value="25.0", reason="Corrected")
    put(administrator, applies_from=CURRENT.next(), value=None, reason="Withdrawn next year")
    with django_assert_max_num_queries(6):
        response = wg_client.get(reverse("dataset:target_history", args=["REREFERRALS_12M"]))
    html = response.content.decode()
    schedule = text_of(html, "schedule")
    assert f"{CURRENT.label} (this quarter) At most 25.0%" in schedule
    assert f"{CURRENT.next().label} Withdrawn" in schedule
    changes = text_of(html, "changes")
    assert changes.index("Withdrawn next year") < changes.index("Corrected")
    assert changes.index("Corrected") < changes.index("First")
    assert "30.0%" in changes and "25.0%" in changes


def text_of(html, table_id):
    start = html.index(f'id="{table_id}"')
    part = html[start : html.index("</table>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


# Exports and the command line ------------------------------------------------------------


def test_the_exports_have_the_target_and_whether_it_was_met(wg_client, rereferred, administrator):
    put(administrator, applies_from=Q1, value="30.0")
    put(administrator, code="CP_ENDED_2Y", applies_from=Q1, value="10.0")
    response = wg_client.get(reverse("dataset:dashboard_csv", args=[Q1.slug]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-2:] == ["Target", "Target met"]
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["REREFERRALS_12M"][-2:] == ["30.0", "Met"]
    assert by_code["CP_ENDED_2Y"][-2:] == ["10.0", "No figure"]  # no plans ended: no cases
    assert by_code["CP_OPEN_15M"][-2:] == ["", ""]
    sheet = load_workbook(
        io.BytesIO(wg_client.get(reverse("dataset:dashboard_xlsx", args=[Q1.slug])).content)
    ).active
    xlsx = {row[1]: row for row in sheet.iter_rows(values_only=True)}
    assert xlsx["REREFERRALS_12M"][-2:] == (30.0, "Met")


def test_kpis_json_has_the_target_and_whether_it_was_met(rereferred, administrator):
    put(administrator, applies_from=Q4, value="20.0")
    out = io.StringIO()
    call_command("kpis", "--quarter", Q1.slug, stdout=out)
    figures = json.loads(out.getvalue())["indicators"]
    assert figures["REREFERRALS_12M"] == {
        "numerator": 1,
        "denominator": 4,
        "value": 25.0,
        "target": 20.0,
        "target_met": False,
    }
    assert (figures["CP_OPEN_15M"]["target"], figures["CP_OPEN_15M"]["target_met"]) == (None, None)
