import hashlib

import pytest

from dataset import indicators
from dataset.indicators import INDICATORS, Kind, Source, Unit

# The codes of shared/kpi-definitions.md, in its order.
CASE_RECORD_CODES = [
    "CP_NEGLECT_SHARE",
    "CIN_NEGLECT_OVER_12M",
    "CP_NEGLECT_REPEAT_3Y",
    "CP_SECOND_OR_SUBSEQUENT",
    "CP_OPEN_15M",
    "CP_ENDED_2Y",
    "REFERRALS_NEGLECT",
    "REREFERRALS_12M",
    "ASSESSMENTS_NEGLECT",
    "TOOLKIT_CHILDREN",
    "TOOLKIT_MANDATORY_COMPLETE",
    "CHRONOLOGY_ENTRIES_WEEKLY",
    "SDQ_COMPLETED",
    "SDQ_RAISED",
    "CP_REVIEW_OVERDUE",
    "NEXT_STEPS_OVERDUE",
    "TOOLS_INFORMED_REVIEW",
    "MANAGER_OVERSIGHT",
    "VOICE_KNOWS_PLAN",
    "VOICE_SAFETY_PLANNING",
    "WORKER_CHANGES_12M",
]
COUNTS = {"TOOLKIT_CHILDREN", "SDQ_COMPLETED"}
MEANS = {"CHRONOLOGY_ENTRIES_WEEKLY"}
MEAN_CHANGES = {"CONFIDENCE_CHANGE"}
SNAPSHOTS = {
    "CP_NEGLECT_SHARE",
    "CIN_NEGLECT_OVER_12M",
    "CP_OPEN_15M",
    "TOOLKIT_MANDATORY_COMPLETE",
    "CP_REVIEW_OVERDUE",
    "NEXT_STEPS_OVERDUE",
    "TRAINING_COVERAGE",
    "ACTIONS_BY_RAG",
    "WORKER_CHANGES_12M",
}

# sha256 of every definition text in registry order. When this test fails, a definition has
# changed: bump DEFINITIONS_VERSION (published quarters record it) and update both.
# CONFIDENCE_CHANGE, AUDIT_GOOD_OR_BETTER and the voice indicators are version 2's
# (kpi-definitions.md), so "2".
FINGERPRINT = ("2", "90c791fa779aad86cc0ac1275bf56cccd09345176b1e4ecb2be05f1f46af6ca2")


def test_every_code_of_the_contract_is_registered_in_its_order():
    assert [i.code for i in INDICATORS] == [
        *CASE_RECORD_CODES,
        "CONFIDENCE_CHANGE",
        "TRAINING_COVERAGE",
        "ACTIONS_BY_RAG",
        "AUDIT_GOOD_OR_BETTER",
    ]
    assert list(indicators.CASE_RECORD_CODES) == CASE_RECORD_CODES
    assert list(indicators.COMPUTED_CODES) == [
        *CASE_RECORD_CODES,
        "CONFIDENCE_CHANGE",
        "AUDIT_GOOD_OR_BETTER",
    ]


def test_training_and_actions_come_from_returns_and_action_plans():
    assert indicators.get("TRAINING_COVERAGE").source == Source.AGENCY_RETURNS
    assert indicators.get("ACTIONS_BY_RAG").source == Source.ACTION_PLANS
    assert not indicators.get("TRAINING_COVERAGE").computed_from_case_records


def test_confidence_change_is_computed_from_the_surveys_with_no_list_of_anyone():
    change = indicators.get("CONFIDENCE_CHANGE")
    assert change.source == Source.CONFIDENCE_SURVEYS
    assert change.computed and not change.computed_from_case_records
    assert (change.counts, change.higher_is_better) == ("practitioners", True)
    # The definition says which surveys count when there are several.
    assert 'their latest "after"' in change.definition
    assert 'latest "before" survey up to its date' in change.definition
    assert "fewer than 5 practitioners" in change.definition


def test_audit_good_or_better_is_computed_from_the_audits_with_its_judgements_listed():
    audit = indicators.get("AUDIT_GOOD_OR_BETTER")
    assert audit.source == Source.AUDITS
    assert audit.computed and audit.lists_records and not audit.computed_from_case_records
    assert (audit.kind, audit.unit) == (Kind.FLOW, Unit.PERCENTAGE)
    assert audit.counts == "audit judgements"
    assert audit.higher_is_better is True
    assert "moderated in the quarter" in audit.definition
    assert not indicators.get("CONFIDENCE_CHANGE").lists_records


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_kind_and_unit_follow_the_contract(indicator):
    assert indicator.kind == (Kind.SNAPSHOT if indicator.code in SNAPSHOTS else Kind.FLOW)
    if indicator.code in COUNTS:
        assert indicator.unit == Unit.COUNT and not indicator.has_denominator
    elif indicator.code in MEANS:
        assert indicator.unit == Unit.MEAN and not indicator.has_denominator
    elif indicator.code in MEAN_CHANGES:
        assert indicator.unit == Unit.MEAN_CHANGE and not indicator.has_denominator
    elif indicator.source in (Source.CASE_RECORDS, Source.AUDITS):
        assert indicator.unit == Unit.PERCENTAGE and indicator.has_denominator


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_every_indicator_has_a_title_a_definition_and_what_it_counts(indicator):
    assert indicator.title and indicator.counts
    assert len(indicator.definition) > 80 and indicator.definition.endswith(".")
    assert indicator.higher_is_better in (True, False, None)


def test_an_unknown_code_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="NOPE"):
        indicators.get("NOPE")


def test_definitions_do_not_change_without_a_new_version():
    texts = "\n".join(f"{i.code}: {i.definition}" for i in INDICATORS)
    fingerprint = (indicators.DEFINITIONS_VERSION, hashlib.sha256(texts.encode()).hexdigest())
    assert fingerprint == FINGERPRINT
