import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from dataset.indicators import COMPUTED_CODES
from tests.dataset.builders import cp_plan, referral
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("kpis", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def records():
    for i in range(16):
        child = ChildFactory()
        referral(child, date(2024, 4, 1 + i), neglect=i == 0)
        if i < 3:
            cp_plan(child, date(2024, 1, 1), initial="NEG" if i else "PHY")


def test_json_output_is_the_shape_in_the_definitions(records):
    output = json.loads(run("--quarter", "2024-25-Q1", "--format", "json"))
    assert set(output) == {"quarter", "start", "end", "indicators"}
    assert (output["quarter"], output["start"], output["end"]) == (
        "2024-25 Q1",
        "2024-04-01",
        "2024-06-30",
    )
    assert list(output["indicators"]) == list(COMPUTED_CODES)
    for figures in output["indicators"].values():
        assert set(figures) == {"numerator", "denominator", "value", "target", "target_met"}
    indicators = output["indicators"]
    # No target set: both null (tests/dataset/test_targets.py sets some).
    none = {"target": None, "target_met": None}
    assert indicators["CP_NEGLECT_SHARE"] == {
        "numerator": 2,
        "denominator": 3,
        "value": 66.7,
        **none,
    }
    assert indicators["REFERRALS_NEGLECT"] == {
        "numerator": 1,
        "denominator": 16,
        "value": 6.3,
        **none,
    }
    # A count: no denominator, the value is the numerator.
    assert indicators["TOOLKIT_CHILDREN"] == {
        "numerator": 0,
        "denominator": None,
        "value": 0,
        **none,
    }
    # A percentage over nothing: no value, not 0.
    assert indicators["SDQ_RAISED"] == {"numerator": 0, "denominator": 0, "value": None, **none}
    assert indicators["CHRONOLOGY_ENTRIES_WEEKLY"] == {
        "numerator": 0,
        "denominator": None,
        "value": 0.0,
        **none,
    }


def test_json_is_the_default_format(records):
    assert json.loads(run("--quarter", "2024-25-Q1"))["quarter"] == "2024-25 Q1"


def test_csv_output_has_one_row_per_indicator_with_empty_cells_for_nulls(records):
    rows = list(csv.reader(io.StringIO(run("--quarter", "2024-25-Q1", "--format", "csv"))))
    assert rows[0] == ["quarter", "start", "end", "code", "numerator", "denominator", "value"]
    assert [row[3] for row in rows[1:]] == list(COMPUTED_CODES)
    by_code = {row[3]: row for row in rows[1:]}
    assert by_code["CP_NEGLECT_SHARE"] == [
        "2024-25 Q1",
        "2024-04-01",
        "2024-06-30",
        "CP_NEGLECT_SHARE",
        "2",
        "3",
        "66.7",
    ]
    assert by_code["TOOLKIT_CHILDREN"][4:] == ["0", "", "0"]
    assert by_code["SDQ_RAISED"][4:] == ["0", "0", ""]


@pytest.mark.parametrize("bad", ["2024-25", "2024-26-Q1", "2024-25-Q5", "Q1"])
def test_a_bad_quarter_is_a_clear_command_error(bad):
    with pytest.raises(CommandError, match="write it like 2024-25-Q1|not one financial year"):
        run("--quarter", bad)


def test_the_quarter_is_required():
    with pytest.raises(CommandError, match="--quarter"):
        run()


def test_an_unknown_format_is_refused():
    with pytest.raises(CommandError, match="xlsx"):
        run("--quarter", "2024-25-Q1", "--format", "xlsx")


def test_overdue_next_steps_are_in_the_json_output():
    from tests.factories import NextStepFactory, NextStepsFactory

    analysis = NextStepsFactory(started_on=date(2024, 4, 1), completed_on=date(2024, 4, 2))
    NextStepFactory(analysis=analysis, due_on=date(2024, 6, 29))
    NextStepFactory(analysis=analysis, due_on=date(2024, 6, 30))
    output = json.loads(run("--quarter", "2024-25-Q1", "--format", "json"))
    assert output["indicators"]["NEXT_STEPS_OVERDUE"] == {
        "numerator": 1,
        "denominator": 2,
        "value": 50.0,
        "target": None,
        "target_met": None,
    }


def test_the_voice_of_the_child_figures_are_in_the_json_and_csv_output():
    from cases.models import CPReview

    plan = cp_plan(ChildFactory(), date(2024, 1, 1))
    answers = [("yes", "yes"), ("yes", "no"), ("no", "not_appropriate"), ("", "")]
    for day, (knows, safety) in enumerate(answers, start=1):
        CPReview.objects.create(
            plan=plan,
            review_date=date(2024, 4, day),
            knows_plan=knows,
            took_part_in_safety_planning=safety,
        )
    indicators = json.loads(run("--quarter", "2024-25-Q1"))["indicators"]
    no_target = {"target": None, "target_met": None}
    assert indicators["VOICE_KNOWS_PLAN"] == {
        "numerator": 2,
        "denominator": 3,
        "value": 66.7,
        **no_target,
    }
    assert indicators["VOICE_SAFETY_PLANNING"] == {
        "numerator": 1,
        "denominator": 2,
        "value": 50.0,
        **no_target,
    }
    rows = list(csv.reader(io.StringIO(run("--quarter", "2024-25-Q1", "--format", "csv"))))
    by_code = {row[3]: row[4:] for row in rows[1:]}
    assert by_code["VOICE_KNOWS_PLAN"] == ["2", "3", "66.7"]
    assert by_code["VOICE_SAFETY_PLANNING"] == ["1", "2", "50.0"]
