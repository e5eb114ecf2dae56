"""The DfE CIN census validation rules (cases.census_rules) as the import applies them."""

from datetime import date
from pathlib import Path

import pytest

from cases.census_import import import_census, validate
from cases.census_rules import collection_year, rules_for, working_days_between
from cases.models import Child, Referral

from .census_xml import census_xml

FILES = Path(__file__).parent / "census_files"
BORN = "<PersonBirthDate>2015-05-01</PersonBirthDate>"
# A UPN the DfE's format rules accept: P is the check letter of 201123456789.
UPN = "P201123456789"

# The census these tests read runs from 2024-04-01 to its ReferenceDate, 2025-03-31; the
# episode() below is referred on 2024-05-01 and still open.


def child(ids=BORN, details="", ethnicity="WBRI", *, la_child_id="R1", sex="M", disabilities=()):
    listed = "".join(f"<Disability>{code}</Disability>" for code in disabilities)
    return (
        f"<Child><ChildIdentifiers><LAchildID>{la_child_id}</LAchildID>{ids}<Sex>{sex}</Sex>"
        f"</ChildIdentifiers><ChildCharacteristics><Ethnicity>{ethnicity}</Ethnicity>"
        + (f"<Disabilities>{listed}</Disabilities>" if disabilities else "")
        + f"</ChildCharacteristics>{details}</Child>"
    )


def died(on, born="2015-05-01"):
    return f"<PersonBirthDate>{born}</PersonBirthDate><PersonDeathDate>{on}</PersonDeathDate>"


def upn(value):
    return f"<UPN>{value}</UPN>{BORN}"


def episode(inner="", referral="2024-05-01", extra="", *, source="1A", need="N1", nfa="false"):
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        f"<ReferralSource>{source}</ReferralSource><PrimaryNeedCode>{need}</PrimaryNeedCode>"
        f"{extra}<ReferralNFA>{nfa}</ReferralNFA>{inner}</CINdetails>"
    )


def closed(on, reason="RC7"):
    """The `extra` of an episode closed on `on`."""
    return f"<CINclosureDate>{on}</CINclosureDate><ReasonForClosure>{reason}</ReasonForClosure>"


def assessment(start, authorised="", factors=None):
    """An assessment; an authorised one finds factor 1B unless given others."""
    if factors is None:
        factors = ("1B",) if authorised else ()
    found = "".join(f"<AssessmentFactors>{code}</AssessmentFactors>" for code in factors)
    return (
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>"
        + (
            f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>"
            if authorised
            else ""
        )
        + (
            f"<FactorsIdentifiedAtAssessment>{found}</FactorsIdentifiedAtAssessment>"
            if found
            else ""
        )
        + "</Assessments>"
    )


def cin_plan(start, end=""):
    return (
        f"<CINPlanDates><CINPlanStartDate>{start}</CINPlanStartDate>"
        + (f"<CINPlanEndDate>{end}</CINPlanEndDate>" if end else "")
        + "</CINPlanDates>"
    )


def cp_plan(start, end="", *, initial="NEG", latest="", reviews=()):
    """A child protection plan; each of `reviews` is one Reviews group's CPPreviewDate."""
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>"
        + (f"<CPPendDate>{end}</CPPendDate>" if end else "")
        + f"<InitialCategoryOfAbuse>{initial}</InitialCategoryOfAbuse>"
        + (f"<LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>" if latest else "")
        + "".join(f"<Reviews><CPPreviewDate>{on}</CPPreviewDate></Reviews>" for on in reviews)
        + "</ChildProtectionPlans>"
    )


def run(children, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(census_xml(children, reference_date="2025-03-31"))
    return validate(path)


# One child (or two) breaking each rule the import reports, as (children, code, element,
# query): the case may break others too, but must break this one.
RULE_CASES = [
    # Child
    pytest.param(
        child("<PersonBirthDate>2025-04-02</PersonBirthDate>", episode(referral="2025-03-01")),
        "8520",
        "PersonBirthDate",
        False,
        id="8520",
    ),
    pytest.param(
        child(BORN + "<ExpectedPersonBirthDate>2025-05-01</ExpectedPersonBirthDate>", episode()),
        "8525Q",
        "ExpectedPersonBirthDate",
        True,
        id="8525Q",
    ),
    pytest.param(
        child("<ExpectedPersonBirthDate>2025-02-01</ExpectedPersonBirthDate>", episode(), sex="U"),
        "8530Q",
        "ExpectedPersonBirthDate",
        True,
        id="8530Q",
    ),
    pytest.param(
        child(died("2024-09-01", born="2024-10-01"), episode(referral="2024-08-01")),
        "8535Q",
        "PersonDeathDate",
        True,
        id="8535Q",
    ),
    pytest.param(
        child(died("2025-04-10"), episode()), "8545Q", "PersonDeathDate", True, id="8545Q"
    ),
    pytest.param(child(details=episode(), ethnicity="XXXX"), "4220", "Ethnicity", False, id="4220"),
    pytest.param(
        child(details=episode(), disabilities=["XYZ"]), "8540", "Disability", False, id="8540"
    ),
    pytest.param(
        child(details=episode(), disabilities=["NONE", "MOB"]),
        "8790",
        "Disability",
        False,
        id="8790",
    ),
    pytest.param(
        child(details=episode(), disabilities=["MOB", "MOB"]),
        "8794",
        "Disability",
        False,
        id="8794",
    ),
    pytest.param(child(details=""), "8590", "LAchildID", False, id="8590"),
    pytest.param(child(details=episode(), sex=""), "4180", "GenderCurrent", False, id="4180"),
    pytest.param(
        child(
            "<ExpectedPersonBirthDate>2025-04-15</ExpectedPersonBirthDate>",
            episode(referral="2025-03-01"),
        ),
        "8750",
        "GenderCurrent",
        False,
        id="8750",
    ),
    pytest.param(
        child("<PersonBirthDate>1999-01-01</PersonBirthDate>", episode()),
        "8775Q",
        "PersonBirthDate",
        True,
        id="8775Q",
    ),
    pytest.param(child(upn("B201123456789"), episode()), "1510", "UPN", False, id="1510"),
    pytest.param(
        child(upn(UPN), episode()) + child(upn(UPN), episode(), la_child_id="R2"),
        "1520",
        "UPN",
        False,
        id="1520",
    ),
    pytest.param(
        # The first child's own error keeps its record, and with it its UPN, out of the
        # check against the children after it.
        child(upn(UPN), episode(), "XXXX") + child(upn(UPN), episode(), la_child_id="R2"),
        "1520",
        "UPN",
        False,
        id="1520-after-an-error",
    ),
    pytest.param(child(upn("P2011234X6789"), episode()), "1540", "UPN", False, id="1540"),
    pytest.param(child(upn("P20112345678O"), episode()), "1550", "UPN", False, id="1550"),
    pytest.param(
        child(details=episode(), la_child_id="R" * 21), "1570", "LAchildID", False, id="1570"
    ),
    pytest.param(
        child(details=episode(), la_child_id="R_1"), "1580", "LAchildID", False, id="1580"
    ),
    pytest.param(
        child(details=episode(), la_child_id="R-1"),
        "1580",
        "LAchildID",
        False,
        id="1580-hyphen",
    ),
    # CINdetails (episode of need)
    pytest.param(
        child(details=episode(referral="2025-04-01")),
        "8600",
        "CINreferralDate",
        False,
        id="8600",
    ),
    pytest.param(
        child(details=episode(referral="2024-03-01", nfa="true")),
        "8569Q",
        "ReferralNFA",
        True,
        id="8569Q",
    ),
    pytest.param(
        child(details=episode(extra=closed("2024-06-01", "RC8"))),
        "8825Q",
        "ReasonForClosure",
        True,
        id="8825Q",
    ),
    pytest.param(
        child(
            details=episode(
                assessment("2024-05-02", "2024-05-08") + cin_plan("2024-05-10", "2024-05-20"),
                extra=closed("2024-06-01", "RC8"),
            )
        ),
        "2990",
        "ReasonForClosure",
        False,
        id="2990",
    ),
    pytest.param(
        child(
            details=episode(
                assessment("2024-05-02", "2024-05-10", ["21"]), extra=closed("2024-06-01")
            )
        ),
        "8873Q",
        "ReasonForClosure",
        True,
        id="8873Q",
    ),
    pytest.param(
        child(
            details=episode(
                assessment("2024-05-02", "2024-05-20") + assessment("2024-05-10", "2024-05-30")
            )
        ),
        "8863Q",
        "AssessmentActualStartDate",
        True,
        id="8863Q",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-02", "2024-05-20", ["18A"]))),
        "8945Q",
        "AssessmentFactors",
        True,
        id="8945Q",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-02", "2024-05-20", ["19A"]))),
        "8950Q",
        "AssessmentFactors",
        True,
        id="8950Q",
    ),
    pytest.param(
        child(details=episode(referral="2014-06-01")),
        "8606",
        "CINreferralDate",
        False,
        id="8606",
    ),
    pytest.param(
        child(died("2024-06-01"), episode(referral="2024-07-01")),
        "8555Q",
        "CINreferralDate",
        True,
        id="8555Q",
    ),
    pytest.param(
        child(details=episode(referral="2023-12-01", extra=closed("2024-01-01"))),
        "8620",
        "CINclosureDate",
        False,
        id="8620",
    ),
    pytest.param(
        child(details=episode(extra=closed("2024-04-15"))),
        "8630",
        "CINclosureDate",
        False,
        id="8630",
    ),
    pytest.param(
        child(details=episode(extra=closed("2024-06-01", "RC99"))),
        "8640",
        "ReasonForClosure",
        False,
        id="8640",
    ),
    pytest.param(
        child(details=episode(need="N99", nfa="true")), "8650", "PrimaryNeedCode", False, id="8650"
    ),
    pytest.param(child(details=episode(source="99")), "8866", "ReferralSource", False, id="8866"),
    pytest.param(child(details=episode(need="")), "8610", "PrimaryNeedCode", False, id="8610"),
    pytest.param(child(details=episode(nfa="maybe")), "8568", "ReferralNFA", False, id="8568"),
    pytest.param(
        child(details=episode(extra="<CINclosureDate>2024-06-01</CINclosureDate>")),
        "8805",
        "ReasonForClosure",
        False,
        id="8805",
    ),
    pytest.param(
        child(details=episode(extra="<ReasonForClosure>RC7</ReasonForClosure>")),
        "8810",
        "CINclosureDate",
        False,
        id="8810",
    ),
    pytest.param(
        child(details=episode(assessment("2024-06-10", "2024-06-20"), extra=closed("2024-06-01"))),
        "8565",
        "AssessmentActualStartDate",
        False,
        id="8565",
    ),
    pytest.param(
        child(details=episode(extra=closed("2024-06-01", "RC2"))),
        "8585Q",
        "ReasonForClosure",
        True,
        id="8585Q",
    ),
    pytest.param(
        child(details=episode(extra=closed("2024-07-01")) + episode(referral="2024-06-01")),
        "8820",
        "CINreferralDate",
        False,
        id="8820",
    ),
    pytest.param(
        child(details=episode() + episode(referral="2024-06-01")),
        "8815",
        "CINclosureDate",
        False,
        id="8815",
    ),
    pytest.param(
        child(details=episode() + episode(referral="2024-06-01", extra=closed("2024-07-01"))),
        "8816",
        "CINclosureDate",
        False,
        id="8816",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-05-10"), nfa="true")),
        "8832",
        "ReferralNFA",
        False,
        id="8832",
    ),
    pytest.param(
        child(details=episode(cin_plan("2024-05-10"), nfa="true")),
        "4000",
        "ReferralNFA",
        False,
        id="4000",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-02"), nfa="true")),
        "8831",
        "ReferralNFA",
        False,
        id="8831",
    ),
    # Assessments
    pytest.param(
        child(details=episode(assessment("2024-04-20", "2024-04-25"))),
        "1103",
        "AssessmentActualStartDate",
        False,
        id="1103",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-10", "2024-05-05"))),
        "8608",
        "AssessmentAuthorisationDate",
        False,
        id="8608",
    ),
    pytest.param(
        child(details=episode(assessment("2024-01-15", "2024-02-01"), referral="2024-01-10")),
        "8696",
        "AssessmentAuthorisationDate",
        False,
        id="8696",
    ),
    pytest.param(
        child(details=episode(assessment("2024-01-15"), referral="2024-01-10")),
        "8736",
        "AssessmentActualStartDate",
        False,
        id="8736",
    ),
    pytest.param(
        child(details=episode(assessment("2025-03-20", factors=["1B"]))),
        "8614",
        "AssessmentFactors",
        False,
        id="8614",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-02", "2024-05-20", ["21", "1B"]))),
        "8869",
        "AssessmentFactors",
        False,
        id="8869",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-02", "2024-05-20", ["1B", "1B"]))),
        "8898",
        "AssessmentFactors",
        False,
        id="8898",
    ),
    pytest.param(
        child(details=episode(assessment("2024-05-02", "2024-05-20", []))),
        "8897Q",
        "AssessmentFactors",
        True,
        id="8897Q",
    ),
    pytest.param(
        child(details=episode(assessment("2025-03-10") + assessment("2025-03-20"))),
        "8896",
        "AssessmentAuthorisationDate",
        False,
        id="8896",
    ),
    pytest.param(
        child(details=episode(assessment("2025-03-10"), extra=closed("2025-03-20"))),
        "8867",
        "AssessmentAuthorisationDate",
        False,
        id="8867",
    ),
    pytest.param(
        child(details=episode(assessment("2024-06-03"))),
        "8670Q",
        "AssessmentAuthorisationDate",
        True,
        id="8670Q",
    ),
    # CIN plans
    pytest.param(
        child(details=episode(cin_plan("2025-04-10"))),
        "4010",
        "CINPlanStartDate",
        False,
        id="4010",
    ),
    pytest.param(
        child(details=episode(cin_plan("2024-06-01", "2024-05-20"))),
        "4011",
        "CINPlanEndDate",
        False,
        id="4011",
    ),
    pytest.param(
        child(details=episode(cin_plan("2024-06-01", "2024-06-01"))),
        "4012Q",
        "CINPlanEndDate",
        True,
        id="4012Q",
    ),
    pytest.param(
        child(details=episode(cin_plan("2024-01-15", "2024-03-01"), referral="2024-01-10")),
        "4013",
        "CINPlanEndDate",
        False,
        id="4013",
    ),
    pytest.param(
        child(
            details=episode(
                cin_plan("2024-05-10", "2024-07-01") + cin_plan("2024-06-01", "2024-08-01")
            )
        ),
        "4014",
        "CINPlanStartDate",
        False,
        id="4014",
    ),
    pytest.param(
        child(details=episode(cin_plan("2024-04-20"))),
        "4015",
        "CINPlanStartDate",
        False,
        id="4015",
    ),
    pytest.param(
        child(details=episode(cin_plan("2024-05-10") + cin_plan("2024-06-01"))),
        "4004",
        "CINPlanEndDate",
        False,
        id="4004",
    ),
    pytest.param(
        child(died("2024-06-01"), episode(cin_plan("2024-07-01"))),
        "4008",
        "CINPlanStartDate",
        False,
        id="4008",
    ),
    pytest.param(
        child(died("2024-08-01"), episode(cin_plan("2024-06-01", "2024-09-01"))),
        "4009Q",
        "CINPlanEndDate",
        True,
        id="4009Q",
    ),
    # Child protection plans
    pytest.param(
        child(details=episode(cp_plan("2024-04-20"))), "1105", "CPPstartDate", False, id="1105"
    ),
    pytest.param(
        child(details=episode(cp_plan("2025-04-10"))), "8720", "CPPstartDate", False, id="8720"
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-06-01", "2024-06-01"))),
        "8840",
        "CPPendDate",
        False,
        id="8840",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-06-01", reviews=["2024-05-20"]))),
        "8841",
        "CPPreviewDate",
        False,
        id="8841",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-06-01", reviews=[""]))),
        "8842Q",
        "CPPreviewDate",
        True,
        id="8842Q",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-06-01", initial="XXX"))),
        "8905",
        "InitialCategoryOfAbuse",
        False,
        id="8905",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-06-01", latest="XXX"))),
        "8910",
        "LatestCategoryOfAbuse",
        False,
        id="8910",
    ),
    pytest.param(
        child(died("2024-06-01"), episode(cp_plan("2024-07-01"))),
        "8915",
        "CPPstartDate",
        False,
        id="8915",
    ),
    pytest.param(
        child(died("2024-08-01"), episode(cp_plan("2024-06-01", "2024-09-01"))),
        "8920",
        "CPPendDate",
        False,
        id="8920",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-06-01", "2024-05-20"))),
        "8925",
        "CPPendDate",
        False,
        id="8925",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-01-15", "2024-03-01"), referral="2024-01-10")),
        "8930",
        "CPPendDate",
        False,
        id="8930",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-05-10") + cp_plan("2024-06-01"))),
        "8935",
        "CPPendDate",
        False,
        id="8935",
    ),
    # CIN plans beside child protection plans
    pytest.param(
        child(details=episode(cin_plan("2024-05-05") + cp_plan("2024-05-10"))),
        "4001",
        "CINPlanEndDate",
        False,
        id="4001",
    ),
    pytest.param(
        child(details=episode(cp_plan("2024-05-05", "2024-08-01") + cin_plan("2024-06-01"))),
        "4016",
        "CINPlanStartDate",
        False,
        id="4016",
    ),
    pytest.param(
        child(
            details=episode(cin_plan("2024-05-05", "2024-09-01"))
            + episode(cp_plan("2024-06-10", "2024-07-01"), referral="2024-06-01")
        ),
        "4017",
        "CPPstartDate",
        False,
        id="4017-across-episodes",
    ),
    pytest.param(
        child(
            details=episode(
                cp_plan("2024-05-05", "2024-07-01", reviews=["2024-06-20"])
                + cin_plan("2024-06-10", "2024-07-15")
            )
        ),
        "4003",
        "CPPreviewDate",
        False,
        id="4003",
    ),
    pytest.param(
        child(
            details=episode(
                cp_plan("2024-05-10", "2024-07-01") + cp_plan("2024-06-01", "2024-08-01")
            )
        ),
        "8940",
        "CPPstartDate",
        False,
        id="8940",
    ),
]

# Rules of the 2024-25 collection no child in a census file can break as the import reads
# it: none, every rule has a case above.
UNREACHABLE: set[str] = set()


@pytest.mark.django_db
def test_a_child_meeting_the_rules_passes(tmp_path):
    result = run(child(details=episode()), tmp_path)
    assert result.ok, result.problems
    assert not result.queries


@pytest.mark.django_db
@pytest.mark.parametrize(("children", "code", "element", "query"), RULE_CASES)
def test_a_child_breaking_a_rule_names_its_code(tmp_path, children, code, element, query):
    result = run(children, tmp_path)
    found = [(p.rule, p.element, p.query) for p in result.problems + result.queries]
    assert (code, element, query) in found


def test_every_rule_of_the_year_has_a_case():
    # A rule added to cases.census_rules (or a year's changes) fails here until it has one.
    covered = {case.values[1] for case in RULE_CASES}
    assert covered == set(rules_for(date(2025, 3, 31))) - UNREACHABLE


def test_the_collection_year_comes_from_the_reference_date():
    assert collection_year(date(2025, 3, 31)) == 2025
    assert "1570" in rules_for(date(2025, 3, 31))
    assert "1570" not in rules_for(date(2024, 3, 31))


def test_working_days_skip_weekends():
    assert working_days_between(date(2025, 3, 28), date(2025, 3, 31)) == 1  # Fri to Mon


@pytest.mark.django_db
def test_a_query_only_file_imports_and_lists_its_queries(tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(
        census_xml(
            child(details=episode(cin_plan("2024-06-01", "2024-06-01"))),
            reference_date="2025-03-31",
        )
    )
    result = import_census(path)
    assert result.ok, result.problems
    assert {p.rule for p in result.queries} == {"4012Q"}
    assert Child.objects.filter(la_child_id="R1").exists()


@pytest.mark.django_db
def test_the_dfe_sample_file_is_refused_naming_its_rules():
    Child.objects.create(la_child_id="DfEX0000001", date_of_birth=date(2015, 1, 1))
    before = (Child.objects.count(), Referral.objects.count())
    result = import_census(FILES / "dfe_sample_2021.xml")
    assert not result.ok
    assert {p.rule for p in result.problems} == {
        "1103",
        "1105",
        "1510",
        "4013",
        "4016",
        "8620",
        "8696",
        "8930",
    }
    # Its CIN plan starts in January 1971, while its child protection plan runs (4016).
    # The file says the child was born in 1965: over 25 at its ReferenceDate (8775Q).
    assert {p.rule for p in result.queries} == {"8525Q", "8530Q", "8545Q", "8775Q"}
    assert (Child.objects.count(), Referral.objects.count()) == before
    child = Child.objects.get()
    assert (child.date_of_birth, child.date_of_death, child.version) == (date(2015, 1, 1), None, 1)


@pytest.mark.django_db
def test_a_step_up_from_a_cin_plan_to_a_child_protection_plan_breaks_none_of_their_rules(
    tmp_path,
):
    # The CIN plan ends the day the CP plan starts; the review falls after the CIN plan.
    stepped_up = child(
        details=episode(
            cin_plan("2024-05-05", "2024-06-10")
            + cp_plan("2024-06-10", "2024-09-01", reviews=["2024-08-20"])
            + cin_plan("2024-09-01")
        )
    )
    result = run(stepped_up, tmp_path)
    found = {p.rule for p in result.problems} | {p.rule for p in result.queries}
    assert not found & {"4001", "4003", "4016", "4017"}, result.problems
