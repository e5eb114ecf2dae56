"""A census file must be this portal's CIN census for a census year, shaped as the census is,
and no older than the newest file imported unless an administrator says why; whatever the
file, a problem is a clear sentence of bounded size, never a 500."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases import census_runs
from cases.census_import import import_census
from cases.census_problems import QUOTED_MAX
from cases.models import CensusImportRun, Child, Referral
from tests.cases.census_xml import census_xml, child_xml, header_xml

pytestmark = pytest.mark.django_db
Status = CensusImportRun.Status
UPLOAD = "/census/import/"


def write(tmp_path, text, name="census.xml", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def problems(result):
    return [(p.child, p.element, p.rule) for p in result.problems]


def census_file(tmp_path, *ids, reference_date="2025-03-31", name="census.xml", **header):
    children = "".join(child_xml(i, reference_date=reference_date) for i in ids)
    return write(tmp_path, census_xml(children, reference_date=reference_date, **header), name)


def test_a_census_for_this_portal_imports_and_its_run_records_the_header(tmp_path):
    run = census_runs.run_for_file(census_file(tmp_path, "H1"), user=None)

    run = census_runs.perform(run, tmp_path / "census.xml")

    assert (run.status, run.problems) == (Status.IMPORTED, [])
    assert (run.reference_date.isoformat(), run.lea) == ("2025-03-31", "201")
    assert Child.objects.filter(la_child_id="H1").exists()


# The header ---------------------------------------------------------------------------------


def test_a_file_with_no_header_is_refused(tmp_path):
    path = write(tmp_path, f"<Message><Children>{child_xml('H1')}</Children></Message>")

    result = import_census(path)

    assert problems(result) == [("file", "Header", "")]
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("header", "element", "rule"),
    [
        ({"collection": "SCHOOLCENSUS"}, "Collection", ""),
        ({"lea": "202"}, "LEA", ""),
        ({"lea": ""}, "LEA", ""),
    ],
)
def test_a_file_for_another_collection_or_authority_is_refused(tmp_path, header, element, rule):
    result = import_census(census_file(tmp_path, "H1", **header))

    assert problems(result) == [("file", element, rule)]
    assert not Child.objects.exists()


def test_the_portal_s_own_la_code_is_a_setting(tmp_path, settings):
    settings.CENSUS_LA_CODE = "202"

    assert import_census(census_file(tmp_path, "H1", lea="202")).ok
    refused = import_census(census_file(tmp_path, "H2", lea="201"))
    assert problems(refused) == [("file", "LEA", "")]
    assert "not this portal's (202)" in refused.problems[0].message


@pytest.mark.parametrize("reference_date", ["2025-03-30", "2025-02-30", "31/03/2025", None])
def test_a_reference_date_that_is_not_31_march_of_the_year_breaks_rule_100(
    tmp_path, reference_date
):
    header = header_xml(reference_date="2025-03-31")
    if reference_date is None:
        header = header.replace("<ReferenceDate>2025-03-31</ReferenceDate>", "")
    else:
        header = header.replace("2025-03-31</ReferenceDate>", f"{reference_date}</ReferenceDate>")
    path = write(tmp_path, f"<Message>{header}<Children>{child_xml('H1')}</Children></Message>")

    result = import_census(path)

    assert ("file", "ReferenceDate", "100") in problems(result)
    assert not Child.objects.exists()


# The shape of the file ------------------------------------------------------------------------


def test_a_file_with_another_root_element_is_refused_at_once(tmp_path):
    path = write(tmp_path, f"<Messages>{header_xml()}<Children>{child_xml('H1')}</Children>x")

    assert problems(import_census(path)) == [("file", "Messages", "")]


def test_a_file_in_an_xml_namespace_is_refused(tmp_path):
    text = census_xml(child_xml("H1")).replace("<Message>", '<Message xmlns="urn:example">')

    result = import_census(write(tmp_path, text))

    assert problems(result) == [("file", "Message", "")]
    assert "'urn:example'" in result.problems[0].message
    assert not Child.objects.exists()


def test_nesting_deeper_than_the_census_is_refused_early(tmp_path):
    deep = "<a>" * 5000 + "</a>" * 5000
    text = census_xml(child_xml("H1").replace("</ChildIdentifiers>", deep + "</ChildIdentifiers>"))

    result = import_census(write(tmp_path, text))

    assert [(p.element, p.line) for p in result.problems] == [("a", 1)]
    assert "nested deeper" in result.problems[0].message


# Encodings -----------------------------------------------------------------------------------


def test_an_unknown_encoding_is_a_clear_problem(tmp_path):
    text = '<?xml version="1.0" encoding="klingon"?>' + census_xml(child_xml("H1"))

    result = import_census(write(tmp_path, text))

    assert problems(result) == [("file", "XML", "")]
    assert "'klingon'" in result.problems[0].message


def test_an_unknown_encoding_refuses_the_run_rather_than_failing_it(tmp_path):
    path = write(tmp_path, '<?xml version="1.0" encoding="x-unknown"?><Message/>')

    run = census_runs.perform(census_runs.run_for_file(path, user=None), path)

    assert run.status == Status.REFUSED and run.problem_count == 1


def test_a_file_not_in_its_declared_encoding_says_so(tmp_path):
    text = '<?xml version="1.0" encoding="utf-8"?>' + census_xml(
        child_xml("H1").replace("<Ethnicity>WBRI", "<Ethnicity>WBRÉ")
    )

    result = import_census(write(tmp_path, text, encoding="latin-1"))

    assert problems(result) == [("H1", "XML", "")]
    assert "encoding its first line declares" in result.problems[0].message


def test_a_latin_1_file_that_says_so_is_read(tmp_path):
    text = '<?xml version="1.0" encoding="iso-8859-1"?>' + census_xml(child_xml("H1"))

    assert import_census(write(tmp_path, text, encoding="latin-1")).ok


# Bounded reports -----------------------------------------------------------------------------


def test_a_huge_value_is_quoted_cut_short(tmp_path):
    huge = "X" * 20_000
    text = census_xml(child_xml("H1").replace("<Ethnicity>WBRI", f"<Ethnicity>{huge}"))

    result = import_census(write(tmp_path, text))

    [problem] = [p for p in result.problems if p.element == "Ethnicity"]
    assert f"'{'X' * (QUOTED_MAX - 1)}…'" in problem.message
    assert len(problem.message) < QUOTED_MAX + 100


def test_a_huge_la_child_id_is_cut_short_where_it_names_the_child(tmp_path):
    huge = "Z" * 5_000

    result = import_census(write(tmp_path, census_xml(child_xml(huge))))

    assert result.problems and all(len(p.child) <= QUOTED_MAX for p in result.problems)


def test_only_the_first_thousand_problems_are_kept_and_all_are_counted(tmp_path):
    children = "".join(
        child_xml(f"P{n}").replace("<Ethnicity>WBRI", "<Ethnicity>NOPE") for n in range(1200)
    )

    result = import_census(write(tmp_path, census_xml(children)))

    assert (result.problem_count, len(result.problems)) == (1200, 1000)


# The order of files --------------------------------------------------------------------------


def run_command(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_cin_census", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def imported_2025(tmp_path):
    run_command(census_file(tmp_path, "H1", name="2025.xml"))
    return Child.objects.get(la_child_id="H1")


def test_a_file_older_than_the_newest_imported_is_refused(tmp_path):
    imported_2025(tmp_path)
    older = census_file(tmp_path, "H1", "H2", reference_date="2024-03-31", name="2024.xml")

    with pytest.raises(CommandError):
        run_command(older)

    run = CensusImportRun.objects.order_by("-pk").first()
    assert run.status == Status.REFUSED and run.reference_date.isoformat() == "2024-03-31"
    assert [(p["element"], p["child"]) for p in run.problems] == [("ReferenceDate", "file")]
    assert (
        "older than the newest file already imported (31 March 2025)" in run.problems[0]["message"]
    )
    assert not Child.objects.filter(la_child_id="H2").exists()
    assert Referral.objects.get().referral_date.year == 2024


def test_a_file_for_the_same_census_year_again_is_not_older(tmp_path):
    imported_2025(tmp_path)

    assert "The file was imported" in run_command(census_file(tmp_path, "H1", "H2"))


def test_an_older_file_refused_earlier_does_not_count_as_imported(tmp_path):
    imported_2025(tmp_path)
    older = census_file(tmp_path, "H2", reference_date="2024-03-31", name="2024.xml")
    with pytest.raises(CommandError):
        run_command(older)
    CensusImportRun.objects.filter(status=Status.IMPORTED).delete()

    assert "The file was imported" in run_command(older)


def test_an_older_file_imports_with_allow_older_and_the_reason_is_kept(tmp_path):
    imported_2025(tmp_path)
    older = census_file(tmp_path, "H2", reference_date="2024-03-31", name="2024.xml")

    out = run_command(older, "--allow-older", "--reason", "The 2024 return was corrected")

    assert "The file was imported" in out
    run = CensusImportRun.objects.order_by("-pk").first()
    assert (run.allow_older, run.reason) == (True, "The 2024 return was corrected")
    assert Child.objects.filter(la_child_id="H2").exists()


def test_allow_older_needs_a_reason(tmp_path):
    with pytest.raises(CommandError, match="reason"):
        run_command(census_file(tmp_path, "H1"), "--allow-older")
    assert not CensusImportRun.objects.exists()


def upload(path, **data):
    return {
        "census_file": SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/xml"),
        **data,
    }


def test_the_upload_asks_for_the_reason_when_an_older_file_is_chosen(
    client, administrator, tmp_path
):
    client.force_login(administrator)

    response = client.post(UPLOAD, upload(census_file(tmp_path, "H1"), allow_older="on"))

    assert response.status_code == 200
    assert "Enter why you are importing an older file" in response.content.decode()
    assert not CensusImportRun.objects.exists()


def test_an_older_file_uploaded_with_a_reason_imports_and_the_run_page_shows_why(
    client, administrator, tmp_path
):
    client.force_login(administrator)
    imported_2025(tmp_path)
    older = census_file(tmp_path, "H2", reference_date="2024-03-31", name="2024.xml")

    refused = client.post(UPLOAD, upload(older), follow=True).content.decode()
    response = client.post(
        UPLOAD, upload(older, allow_older="on", reason="Corrected return"), follow=True
    )

    assert "Import an older file" in refused and "The file was not imported" in refused
    run = CensusImportRun.objects.order_by("-pk").first()
    assert (run.status, run.allow_older, run.reason) == (Status.IMPORTED, True, "Corrected return")
    assert "Corrected return" in response.content.decode()


def test_the_run_page_names_each_problem_s_dfe_rule_and_lists_queries(client, administrator):
    client.force_login(administrator)
    line = {"child": "H1", "line": 9}
    run = CensusImportRun.objects.create(
        file_name="census.xml",
        status=Status.IMPORTED,
        queries=[{**line, "element": "PersonDeathDate", "rule": "8545Q", "message": "Check it"}],
        query_count=1,
    )

    html = client.get(reverse("cases:census_run", args=[run.pk])).content.decode()

    assert "DfE queries to check" in html and "8545Q" in html and "Check it" in html
