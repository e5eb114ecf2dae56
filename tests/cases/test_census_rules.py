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


def child(ids=BORN, details="", ethnicity="WBRI"):
    return (
        f"<Child><ChildIdentifiers><LAchildID>R1</LAchildID>{ids}<Sex>M</Sex>"
        f"</ChildIdentifiers><ChildCharacteristics><Ethnicity>{ethnicity}</Ethnicity>"
        f"</ChildCharacteristics>{details}</Child>"
    )


def episode(inner="", referral="2024-05-01", extra=""):
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        f"<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>{extra}"
        f"<ReferralNFA>false</ReferralNFA>{inner}</CINdetails>"
    )


def run(children, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(census_xml(children, reference_date="2025-03-31"))
    return validate(path)


@pytest.mark.django_db
def test_a_child_meeting_the_rules_passes(tmp_path):
    result = run(child(details=episode()), tmp_path)
    assert result.ok, result.problems
    assert not result.queries


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("children", "code", "element", "query"),
    [
        (
            child("<PersonBirthDate>2025-04-02</PersonBirthDate>", episode()),
            "8520",
            "PersonBirthDate",
            False,
        ),
        (child(details=episode(referral="2025-04-01")), "8600", "CINreferralDate", False),
        (child(details=""), "8590", "LAchildID", False),
        (child(details=episode(), ethnicity="XXXX"), "4220", "Ethnicity", False),
        (
            child(
                details=episode(
                    extra="<CINclosureDate>2024-01-01</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>",
                    referral="2023-12-01",
                )
            ),
            "8620",
            "CINclosureDate",
            False,
        ),
        (
            child(details=episode(extra="<ReasonForClosure>RC7</ReasonForClosure>")),
            "8810",
            "CINclosureDate",
            False,
        ),
        (
            child(
                details=episode(
                    "<Assessments><AssessmentActualStartDate>2024-04-01</AssessmentActualStartDate></Assessments>"
                )
            ),
            "1103",
            "AssessmentActualStartDate",
            False,
        ),
        (
            child(
                details=episode(
                    "<CINPlanDates><CINPlanStartDate>2024-06-01</CINPlanStartDate><CINPlanEndDate>2024-06-01</CINPlanEndDate></CINPlanDates>"
                )
            ),
            "4012Q",
            "CINPlanEndDate",
            True,
        ),
        (
            child(
                BORN + "<ExpectedPersonBirthDate>2025-05-01</ExpectedPersonBirthDate>", episode()
            ),
            "8525Q",
            "ExpectedPersonBirthDate",
            True,
        ),
    ],
)
def test_a_child_breaking_a_rule_names_its_code(tmp_path, children, code, element, query):
    result = run(children, tmp_path)
    found = [(p.rule, p.element, p.query) for p in result.problems + result.queries]
    assert (code, element, query) in found


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
            child(
                details=episode(
                    "<CINPlanDates><CINPlanStartDate>2024-06-01</CINPlanStartDate><CINPlanEndDate>2024-06-01</CINPlanEndDate></CINPlanDates>"
                )
            ),
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
        "8620",
        "8696",
        "8930",
    }
    # The file says the child was born in 1965: over 25 at its ReferenceDate (8775Q).
    assert {p.rule for p in result.queries} == {"8525Q", "8530Q", "8545Q", "8775Q"}
    assert (Child.objects.count(), Referral.objects.count()) == before
    child = Child.objects.get()
    assert (child.date_of_birth, child.date_of_death, child.version) == (date(2015, 1, 1), None, 1)
