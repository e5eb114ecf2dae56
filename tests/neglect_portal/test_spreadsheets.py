from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from neglect_portal.spreadsheets import xlsx_response


def _cells(response):
    sheet = load_workbook(BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_text_pasted_with_control_characters_does_not_break_the_workbook():
    response = xlsx_response("x.xlsx", [("Sheet", ["Progress"], [["Pasted\x0bfrom Word\x0c"]])])
    assert _cells(response) == [["Progress"], ["Pastedfrom Word"]]


def test_no_cell_can_become_a_formula_even_behind_a_control_character():
    response = xlsx_response(
        "x.xlsx",
        [
            (
                "Sheet",
                ["=HEADER"],
                [["=1+1", '\x0b=HYPERLINK("http://evil")', "+cmd", 3, date(2026, 4, 1)]],
            )
        ],
    )
    header, row = _cells(response)
    assert header[0] == "'=HEADER"
    assert row[:3] == ["'=1+1", '\'=HYPERLINK("http://evil")', "'+cmd"]
    assert row[3] == 3 and row[4].date() == date(2026, 4, 1)
