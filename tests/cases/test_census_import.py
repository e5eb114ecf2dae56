"""CIN census import: all or nothing, every problem reported, re-imports update in place."""

import gc
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import census_import
from cases.census_import import CHANGE_REASON, import_census
from cases.models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Referral,
)
from tests.cases.census_xml import census_xml, child_xml
from tests.factories import ChildFactory, CPPlanFactory, ReferralFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "census_files"
MODELS = [Child, Referral, Assessment, ChildInNeedPlan, ChildProtectionPlan, CPReview]
URL = "/census/import/"


def census(name):
    return FILES / name


def row_counts():
    """Rows and history rows in every table the import writes to."""
    return {model.__name__: (model.objects.count(), model.history.count()) for model in MODELS}


def nothing_written():
    return all(rows == (0, 0) for rows in row_counts().values())


def counts(result):
    return {kind: (c.created, c.updated) for kind, c in result.counts.items()}


def problems(result):
    return [(p.child, p.element) for p in result.problems]


# A valid file ----------------------------------------------------------------------------


def test_a_valid_file_imports_every_record_type():
    result = import_census(census("valid.xml"))

    assert result.ok, result.problems
    assert counts(result) == {
        "children": (3, 0),
        "referrals": (4, 0),
        "assessments": (4, 0),
        "cin_plans": (2, 0),
        "cp_plans": (2, 0),
        "cp_reviews": (3, 0),
    }


def test_child_values_come_from_the_census():
    import_census(census("valid.xml"))

    first = Child.objects.get(la_child_id="DfEX0000001")
    assert (first.date_of_birth, first.sex, first.ethnicity, first.disabilities) == (
        date(2015, 3, 27),
        "M",
        "WBRI",
        ["HAND", "HEAR"],
    )
    assert (first.given_name, first.family_name) == ("", "")
    unborn = Child.objects.get(la_child_id="DfEX0000002")
    assert unborn.date_of_birth is None
    assert unborn.expected_date_of_birth == date(2024, 6, 15)
    assert (unborn.sex, unborn.ethnicity, unborn.disabilities) == ("U", "NOBT", [])
    assert Child.objects.get(la_child_id="DfEX0000003").sex == "F"


def test_referrals_assessments_and_plans_come_from_the_census():
    import_census(census("valid.xml"))

    referral = Referral.objects.get(child__la_child_id="DfEX0000001")
    assert (referral.referral_date, referral.source, referral.primary_need) == (
        date(2023, 4, 3),
        "2A",
        "N1",
    )
    assert referral.closure_date is None and referral.no_further_action is False
    assert referral.presenting_factors == [] and referral.neglect_presenting is False
    closed = Referral.objects.get(child__la_child_id="DfEX0000002")
    assert (closed.closure_date, closed.closure_reason, closed.no_further_action) == (
        date(2024, 2, 20),
        "RC8",
        False,
    )

    assessment = referral.assessments.get()
    assert (assessment.start_date, assessment.authorised_date) == (
        date(2023, 4, 5),
        date(2023, 5, 10),
    )
    assert assessment.factors == ["16A", "3B"] and assessment.neglect_identified is True
    assert closed.assessments.get().neglect_identified is False

    cin_plan = referral.cin_plans.get()
    assert (cin_plan.start_date, cin_plan.end_date) == (date(2023, 5, 15), date(2023, 8, 31))
    cp_plan = referral.cp_plans.get()
    assert (cp_plan.start_date, cp_plan.end_date) == (date(2023, 9, 1), None)
    assert (cp_plan.initial_category, cp_plan.latest_category) == ("NEG", "NEG")
    assert list(cp_plan.reviews.values_list("review_date", flat=True)) == [
        date(2023, 9, 20),
        date(2024, 1, 15),
    ]

    earlier = ChildProtectionPlan.objects.get(referral__child__la_child_id="DfEX0000003")
    assert (earlier.initial_category, earlier.latest_category) == ("PHY", "EMO")
    assert earlier.end_date == date(2023, 11, 20)
    assert Referral.objects.filter(child__la_child_id="DfEX0000003").count() == 2


def test_imported_records_get_history_naming_the_import_and_the_user(administrator):
    import_census(census("valid.xml"), user=administrator)

    for model in MODELS:
        history = model.history.all()
        assert history.count() == model.objects.count() > 0
        assert {h.history_change_reason for h in history} == {CHANGE_REASON}
        assert {h.history_type for h in history} == {"+"}
        assert {h.history_user_id for h in history} == {administrator.pk}
    assert {r.recorded_by_id for r in Referral.objects.all()} == {administrator.pk}


def test_a_file_with_wrapped_records_imports():
    result = import_census(census("wrapped_records.xml"))

    assert result.ok, result.problems
    child = Child.objects.get(la_child_id="DfEX0000101")
    assert (child.sex, child.ethnicity, child.disabilities) == ("F", "AIND", ["AUT"])
    referral = child.referrals.get()
    assert referral.assessments.count() == 2
    plan = referral.cp_plans.get()
    assert plan.latest_category == "NEG"  # no LatestCategoryOfAbuse: the initial one
    assert plan.reviews.get().review_date == date(2024, 12, 20)


def test_imported_cp_reviews_have_no_voice_of_the_child_answers():
    # The census holds review dates only: the answers are left empty (not recorded), so these
    # reviews are outside the voice indicators' denominators.
    from dataset.computation import compute
    from neglect_portal.quarters import Quarter

    import_census(census("valid.xml"))

    reviews = CPReview.objects.all()
    assert reviews.count() == 3
    for review in reviews:
        assert (
            review.knows_plan,
            review.took_part_in_safety_planning,
            review.knows_social_worker_name,
            review.child_view,
        ) == ("", "", "", "")
    codes = ["VOICE_KNOWS_PLAN", "VOICE_SAFETY_PLANNING"]
    for quarter in {Quarter.containing(review.review_date) for review in reviews}:
        for figure in compute(quarter, codes=codes).values():
            assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)


# Importing again -------------------------------------------------------------------------


def test_reimporting_the_same_file_creates_and_updates_nothing():
    import_census(census("valid.xml"))
    before = row_counts()

    result = import_census(census("valid.xml"))

    assert result.ok
    assert all(counted == (0, 0) for counted in counts(result).values())
    assert row_counts() == before  # no new rows and no history noise


BUDGET_BATCH = 25


def queries_to_import(path):
    with CaptureQueriesContext(connection) as captured:
        result = import_census(path)
    assert result.ok, result.problems
    return len(captured)


@pytest.mark.parametrize("again", [False, True], ids=["first import", "re-import"])
def test_queries_grow_with_the_batches_not_the_children(tmp_path, monkeypatch, again):
    monkeypatch.setattr(census_import, "BATCH_SIZE", BUDGET_BATCH)
    queries = {}
    for batches in (1, 2, 4):
        path = tmp_path / f"{batches}.xml"
        path.write_text(
            census_xml(
                "".join(child_xml(f"Q{batches}X{n:04d}") for n in range(batches * BUDGET_BATCH))
            )
        )
        if again:
            import_census(path)
        queries[batches] = queries_to_import(path)

    per_batch = queries[2] - queries[1]
    assert queries[4] - queries[2] == 2 * per_batch, queries
    # A query per child (or per record) would cost at least a batch's worth of children.
    assert per_batch < BUDGET_BATCH, queries


@pytest.mark.parametrize("name", ["valid.xml", "many_problems.xml"])
def test_cycle_collection_is_off_only_while_importing(name):
    during = []

    import_census(census(name), progress=lambda stage, read: during.append(gc.isenabled()))

    assert during and not any(during)
    assert gc.isenabled()


def test_a_later_overlapping_file_updates_changes_and_adds_new_records():
    import_census(census("valid.xml"))

    result = import_census(census("later.xml"))

    assert result.ok, result.problems
    assert counts(result) == {
        "children": (1, 0),
        "referrals": (1, 1),
        "assessments": (2, 0),
        "cin_plans": (0, 1),
        "cp_plans": (0, 1),
        "cp_reviews": (1, 0),
    }
    assert Child.objects.count() == 4
    plan = ChildProtectionPlan.objects.get(referral__child__la_child_id="DfEX0000001")
    assert (plan.end_date, plan.initial_category, plan.latest_category) == (
        date(2024, 6, 30),
        "NEG",
        "MUL",
    )
    assert plan.version == 2
    assert plan.reviews.count() == 3
    referral = plan.referral
    assert (referral.closure_date, referral.closure_reason) == (date(2024, 7, 10), "RC7")
    cin_plan = ChildInNeedPlan.objects.get(referral__referral_date=date(2024, 3, 4))
    assert cin_plan.end_date == date(2024, 9, 30)
    assert Referral.objects.filter(child__la_child_id="DfEX0000003").count() == 2


def test_a_later_file_keeps_the_voice_answers_recorded_in_the_portal():
    import_census(census("valid.xml"))
    review = CPReview.objects.get(review_date=date(2023, 9, 20))
    review.knows_plan = "yes"
    review.child_view = "I know why my social worker comes"
    review.save()

    result = import_census(census("later.xml"))

    assert result.ok, result.problems
    review.refresh_from_db()
    assert (review.knows_plan, review.child_view) == ("yes", "I know why my social worker comes")
    added = CPReview.objects.exclude(pk=review.pk).filter(knows_plan="")
    assert added.count() == CPReview.objects.count() - 1


def test_updates_are_recorded_in_history():
    import_census(census("valid.xml"))
    import_census(census("later.xml"))

    plan = ChildProtectionPlan.objects.get(referral__child__la_child_id="DfEX0000001")
    latest = plan.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_change_reason) == ("~", CHANGE_REASON)
    assert latest.latest_category == "MUL"
    assert plan.history.count() == 2
    unchanged = Child.objects.get(la_child_id="DfEX0000002")
    assert unchanged.history.count() == 1


def test_existing_children_keep_their_names_and_local_fields():
    child = ChildFactory(
        la_child_id="DfEX0000001",
        given_name="Ava",
        family_name="Jones",
        date_of_birth=date(2015, 3, 20),
    )
    referral = ReferralFactory(
        child=child, referral_date=date(2023, 4, 3), presenting_factors=["neglect"], source="6"
    )

    result = import_census(census("valid.xml"))

    assert result.ok, result.problems
    assert counts(result)["children"] == (2, 1)
    assert counts(result)["referrals"] == (3, 1)
    child.refresh_from_db()
    assert (child.given_name, child.family_name) == ("Ava", "Jones")
    assert child.date_of_birth == date(2015, 3, 27)
    assert child.version == 2
    referral.refresh_from_db()
    assert referral.source == "2A"
    assert referral.presenting_factors == ["neglect"] and referral.neglect_presenting is True


def test_an_import_leaves_allocations_as_they_were(csc_social_worker, csc_team_manager):
    """The census has no worker data: a child it updates keeps its worker and history."""
    from cases.models import Allocation
    from cases.services import allocation_change

    child = ChildFactory(la_child_id="DfEX0000001", date_of_birth=date(2015, 3, 20))
    for worker, day in (
        (csc_team_manager, date(2024, 1, 5)),
        (csc_social_worker, date(2024, 6, 1)),
    ):
        allocation_change(
            child=child, worker=worker, started_on=day, reason=Allocation.Reason.WORKER_LEFT
        )

    def allocations():
        rows = Allocation.objects.order_by("pk").values_list(
            "child", "worker", "team", "started_on", "ended_on", "reason"
        )
        return list(rows), Allocation.history.count()

    before = allocations()
    result = import_census(census("valid.xml"))

    assert result.ok, result.problems
    assert counts(result)["children"] == (2, 1)  # the child itself was updated
    assert allocations() == before
    assert Child.objects.get(pk=child.pk).allocated_worker == csc_social_worker
    assert not Allocation.objects.exclude(child=child).exists()  # new children: unallocated


def test_a_plan_already_in_the_portal_with_the_same_start_is_updated():
    child = ChildFactory(la_child_id="DfEX0000001", date_of_birth=date(2015, 3, 27))
    referral = ReferralFactory(child=child, referral_date=date(2023, 4, 3))
    plan = CPPlanFactory(referral=referral, start_date=date(2023, 9, 1), initial_category="EMO")

    result = import_census(census("valid.xml"))

    assert result.ok, result.problems
    plan.refresh_from_db()
    assert (plan.initial_category, plan.latest_category) == ("NEG", "NEG")
    assert ChildProtectionPlan.objects.filter(referral__child=child).count() == 1


def test_a_plan_overlapping_an_unmatched_plan_in_the_portal_is_a_problem():
    child = ChildFactory(la_child_id="DfEX0000001", date_of_birth=date(2015, 3, 27))
    referral = ReferralFactory(child=child, referral_date=date(2022, 1, 5))
    CPPlanFactory(referral=referral, start_date=date(2022, 2, 1))  # still open
    before = row_counts()

    result = import_census(census("valid.xml"))

    assert problems(result) == [("DfEX0000001", "CPPstartDate")]
    assert "overlaps a plan already in the portal" in result.problems[0].message
    assert row_counts() == before


# Broken files write nothing and report every problem -------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated.xml", [("DfEX0000202", "XML")]),
        ("missing_id.xml", [("record 2", "LAchildID")]),
        ("unknown_category.xml", [("DfEX0000401", "InitialCategoryOfAbuse")]),
        (
            "end_before_start.xml",
            [
                ("DfEX0000501", "CINPlanEndDate"),
                ("DfEX0000501", "CPPendDate"),
                ("DfEX0000501", "CPPreviewDate"),
            ],
        ),
        ("month_13.xml", [("DfEX0000601", "PersonBirthDate"), ("DfEX0000601", "CINreferralDate")]),
        (
            "broken_after_good.xml",
            [("DfEX0000704", "Ethnicity"), ("DfEX0000704", "AssessmentAuthorisationDate")],
        ),
    ],
)
def test_a_broken_file_writes_nothing_and_names_each_problem(name, expected):
    result = import_census(census(name))

    assert not result.ok
    assert problems(result) == expected
    assert all(p.line for p in result.problems)
    assert nothing_written()
    assert all(counted == (0, 0) for counted in counts(result).values())


def test_problems_say_what_is_wrong():
    messages = {
        name: [p.message for p in import_census(census(name)).problems]
        for name in ("truncated.xml", "unknown_category.xml", "month_13.xml")
    }
    assert "The file is not well-formed XML" in messages["truncated.xml"][0]
    assert "Category of Abuse code list (not 'XYZ')" in messages["unknown_category.xml"][0]
    assert "not '2014-13-14'" in messages["month_13.xml"][0]
    assert "not '2024-02-30'" in messages["month_13.xml"][1]


def test_every_problem_in_the_file_is_reported():
    result = import_census(census("many_problems.xml"))

    def found(problems):
        return sorted((p.child, p.element, p.rule) for p in problems)

    # Each CINdetails, plan and field of the file breaks a rule; some break two (a closure
    # before the referral is also outside the census year). Rule "" is the portal's own.
    assert found(result.problems) == [
        ("DfEX0000801", "AssessmentActualStartDate", "8565"),
        ("DfEX0000801", "AssessmentActualStartDate", "8736"),
        ("DfEX0000801", "AssessmentAuthorisationDate", "8867"),
        ("DfEX0000801", "AssessmentFactors", ""),
        ("DfEX0000801", "CINclosureDate", "8620"),
        ("DfEX0000801", "CINclosureDate", "8620"),
        ("DfEX0000801", "CINclosureDate", "8630"),
        ("DfEX0000801", "CINreferralDate", ""),
        ("DfEX0000801", "CPPendDate", "8920"),
        ("DfEX0000801", "CPPendDate", "8930"),
        ("DfEX0000801", "CPPstartDate", "8915"),
        ("DfEX0000801", "CPPstartDate", "8915"),
        ("DfEX0000801", "CPPstartDate", "8940"),
        ("DfEX0000801", "Disability", "8540"),
        ("DfEX0000801", "GenderCurrent", "4180"),
        ("DfEX0000801", "PrimaryNeedCode", "8610"),
        ("DfEX0000801", "PrimaryNeedCode", "8610"),
        ("DfEX0000801", "PrimaryNeedCode", "8650"),
        ("DfEX0000801", "ReasonForClosure", "8640"),
        ("DfEX0000801", "ReasonForClosure", "8805"),
        ("DfEX0000801", "ReferralNFA", "8568"),
        ("DfEX0000801", "ReferralSource", "8866"),
        ("DfEX0000801", "ReferralSource", "8866"),
        ("DfEX0000802", "CINreferralDate", ""),
        ("DfEX0000802", "CINreferralDate", "8600"),
        ("DfEX0000802", "Ethnicity", "4220"),
        ("DfEX0000802", "PersonBirthDate", ""),
        ("DfEX0000802", "PrimaryNeedCode", "8610"),
        ("DfEX0000802", "ReferralSource", "8866"),
        ("DfEX0000803", "Ethnicity", "4220"),
        ("DfEX0000803", "Ethnicity", "4220"),
        ("DfEX0000803", "GenderCurrent", "4180"),
        ("DfEX0000803", "GenderCurrent", "4180"),
        ("DfEX0000803", "LAchildID", ""),
        ("DfEX0000803", "LAchildID", "8590"),
        ("DfEX0000803", "LAchildID", "8590"),
    ]
    assert found(result.queries) == [
        ("DfEX0000801", "AssessmentAuthorisationDate", "8670Q"),
        ("DfEX0000801", "CINreferralDate", "8555Q"),
        ("DfEX0000801", "CINreferralDate", "8555Q"),
        ("DfEX0000801", "PersonDeathDate", "8535Q"),
        ("DfEX0000801", "PersonDeathDate", "8545Q"),
    ]
    assert nothing_written()


def test_a_file_with_no_children_is_a_problem(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_text(census_xml(""))

    assert problems(import_census(empty)) == [("file", "Children")]


def test_a_file_that_is_not_xml_is_a_problem(tmp_path):
    text = tmp_path / "notes.xml"
    text.write_text("LAchildID,PersonBirthDate\nDfEX0000001,2015-03-27\n")

    assert problems(import_census(text)) == [("file", "XML")]
    assert nothing_written()


def test_an_la_child_id_too_long_to_store_is_a_problem(tmp_path):
    source = census("valid.xml").read_text().replace("DfEX0000002", "DfEX00000020000000000")
    too_long = tmp_path / "long.xml"
    too_long.write_text(source)

    assert problems(import_census(too_long)) == [("DfEX00000020000000000", "LAchildID")]
    assert nothing_written()


# The management command ------------------------------------------------------------------


def test_the_command_prints_the_counts(administrator):
    out = StringIO()
    call_command(
        "import_cin_census", str(census("valid.xml")), "--user", "administrator", stdout=out
    )

    output = out.getvalue()
    assert "Children" in output and "Child protection reviews" in output
    assert Child.history.filter(history_user=administrator).count() == 3


def test_the_command_lists_problems_and_fails():
    err = StringIO()
    with pytest.raises(CommandError, match="not imported: 2 problems"):
        call_command("import_cin_census", str(census("broken_after_good.xml")), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("DfEX0000704 / Ethnicity: ")
    assert lines[1].startswith("DfEX0000704 / AssessmentAuthorisationDate: ")
    assert nothing_written()


def test_the_command_refuses_an_unknown_user_or_file():
    with pytest.raises(CommandError, match="no user"):
        call_command("import_cin_census", str(census("valid.xml")), "--user", "nobody")
    with pytest.raises(CommandError, match="no file"):
        call_command("import_cin_census", str(census("missing.xml")))
    assert nothing_written()


# The upload page -------------------------------------------------------------------------


def upload(name, content=None):
    return SimpleUploadedFile(
        name, content if content is not None else census(name).read_bytes(), content_type="text/xml"
    )


def test_the_upload_page_is_at_its_url():
    assert reverse("cases:census_upload") == URL


def test_administrators_see_the_upload_form(client, administrator):
    client.force_login(administrator)
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Import the CIN census" in html
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html


@pytest.mark.parametrize("persona", ["health_visitor", "csc_social_worker", "csc_team_manager"])
def test_other_users_may_not_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"census_file": upload("valid.xml")}).status_code == 403
    assert nothing_written()


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_uploading_a_valid_file_shows_the_counts(client, administrator):
    client.force_login(administrator)
    response = client.post(URL, {"census_file": upload("valid.xml")}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Census imported" in html and "Child protection reviews" in html
    assert Child.objects.count() == 3
    assert {h.history_user_id for h in Child.history.all()} == {administrator.pk}


def test_a_large_upload_is_read_from_its_temporary_file(client, administrator, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    client.force_login(administrator)

    response = client.post(URL, {"census_file": upload("valid.xml")}, follow=True)

    assert "Census imported" in response.content.decode()
    assert Child.objects.count() == 3


def test_uploading_a_broken_file_lists_the_problems_and_saves_nothing(client, administrator):
    client.force_login(administrator)
    response = client.post(URL, {"census_file": upload("broken_after_good.xml")}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "The file was not imported" in html and "Nothing was saved" in html
    assert "DfEX0000704" in html and "Ethnicity" in html and "ZZZZ" in html
    assert "AssessmentAuthorisationDate" in html
    assert nothing_written()


def test_uploading_no_file_asks_for_one(client, administrator):
    client.force_login(administrator)
    response = client.post(URL, {})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Select a census XML file" in html
    assert nothing_written()


def test_only_xml_files_are_accepted(client, administrator):
    client.force_login(administrator)
    response = client.post(URL, {"census_file": upload("census.csv", b"LAchildID\n")})

    assert "The selected file must be an XML file" in response.content.decode()


def test_files_over_the_size_limit_are_refused(client, administrator, settings):
    settings.CENSUS_UPLOAD_MAX_MB = 0.001  # about 1 KB
    client.force_login(administrator)

    response = client.post(URL, {"census_file": upload("valid.xml")})

    assert "The selected file must be smaller than" in response.content.decode()
    assert nothing_written()
