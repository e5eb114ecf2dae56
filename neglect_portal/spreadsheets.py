"""Writing cells a spreadsheet cannot execute."""

import csv
from datetime import date
from io import BytesIO

from django.http import HttpResponse

# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_text(value) -> str:
    # Text pasted from Word or a PDF can hold control characters that the file format cannot
    # carry (openpyxl refuses them); one such cell must not break the whole export.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Removed before the formula check, so a control character cannot hide a leading "=".
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))


def _xlsx_value(value):
    # Numbers and dates stay typed so they sum and sort; all text goes through safe_cell, and
    # openpyxl reads a string as a formula only when it starts with "=".
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | date):
        return value
    return _xlsx_text(value)


def xlsx_response(filename: str, sheets) -> HttpResponse:
    """`sheets` is a list of (title, header, rows); one worksheet each, header in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_xlsx_text(name) for name in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, date):
                    cell.number_format = "d mmmm yyyy"
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
