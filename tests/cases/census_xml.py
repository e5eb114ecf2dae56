"""Census files written by tests: a header as the DfE's, around the test's own children."""


def header_xml(*, reference_date: str = "2025-03-31", lea: str = "201", collection="CIN") -> str:
    year = reference_date[:4]
    return (
        "<Header><CollectionDetails>"
        f"<Collection>{collection}</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{reference_date}</ReferenceDate>"
        f"</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source>"
        "</Header>"
    )


def census_xml(children: str, **header) -> str:
    """A whole census file holding `children` (Child elements, as XML)."""
    return f"<Message>{header_xml(**header)}<Children>{children}</Children></Message>"


def child_xml(
    la_child_id: str, *, reference_date: str = "2025-03-31", born="2015-01-01", upn=""
) -> str:
    """One child the DfE rules accept in the census year ending `reference_date`: referred,
    assessed and on a child in need plan early in that year, the referral still open."""
    year = int(reference_date[:4]) - 1
    return (
        f"<Child><ChildIdentifiers><LAchildID>{la_child_id}</LAchildID>"
        + (f"<UPN>{upn}</UPN>" if upn else "")
        + f"<PersonBirthDate>{born}</PersonBirthDate>"
        "<GenderCurrent>1</GenderCurrent></ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
        f"<CINdetails><CINreferralDate>{year}-04-10</CINreferralDate>"
        "<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
        "<ReferralNFA>false</ReferralNFA>"
        f"<Assessments><AssessmentActualStartDate>{year}-04-11</AssessmentActualStartDate>"
        f"<AssessmentAuthorisationDate>{year}-05-02</AssessmentAuthorisationDate>"
        "<FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors>"
        "</FactorsIdentifiedAtAssessment></Assessments>"
        f"<CINPlanDates><CINPlanStartDate>{year}-05-10</CINPlanStartDate></CINPlanDates>"
        "</CINdetails></Child>"
    )
