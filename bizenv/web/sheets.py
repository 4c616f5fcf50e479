"""The spreadsheets we write, none of whose cells a spreadsheet program evaluates, whoever typed their text.

- .xlsx (workbook()): a header row, column widths, an optional title above and a guide sheet; every text cell a
  string cell, so that text starting with "=", "+", "-" or "@" is shown as typed and never evaluated as a formula.
- .csv (csv_bytes()): a CSV cell has no type, so text that a spreadsheet would take for a formula (starting with
  "=", "+", "-", "@", a tab or a carriage return) is written after an apostrophe, as OWASP recommends: Excel and
  WPS show it as text. UTF-8 with a BOM, or Excel on Chinese Windows reads it as GBK.

Every .xlsx and .csv of ours goes through one of the two: batch exports, the import template, the 台账 and its
province-wide file, the statistics' tables (tests/bizenv/test_sheets.py opens each).

XlsxWriter writes row by row in constant memory, about four times as fast as openpyxl's write-only mode (a city's
5,000-row 台账: 0.27 s against 1.0 s; bench/RESULTS.md).
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import xlsxwriter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPTIONS = {
    "constant_memory": True,
    "in_memory": True,
    # Text is text: never a formula, a number or a link, whatever it looks like.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


# Excel refuses a sheet named with any of these, longer than 31 characters, starting or ending with an apostrophe,
# or named "History" (its own, for tracked changes).
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def sheet_name(text: str) -> str:
    """text as a name Excel accepts for a sheet: forbidden characters become "-", cut to 31 characters."""
    name = SHEET_NAME_FORBIDDEN.sub("-", str(text)).strip().strip("'")[:SHEET_NAME_LENGTH].strip().strip("'")
    if name.lower() == "history":
        name += "-"
    return name or "Sheet1"


@dataclass
class Column:
    name: str
    width: int
    choices: list[str] = field(default_factory=list)  # offered as a drop-down list in Excel


def workbook(
    sheet: str,
    columns: list[Column],
    lines: Iterable[list],
    *,
    title: str = "",
    guide: list[str] = (),
) -> bytes:
    """One sheet of rows under a bold header (frozen, with a title row above it if given), written as it streams,
    and a second sheet of guidance lines if given. The sheet is named `sheet`, made fit for Excel (sheet_name())."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, OPTIONS)
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    dates = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    times = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
    ws = book.add_worksheet(sheet_name(sheet))
    for index, column in enumerate(columns):
        ws.set_column(index, index, column.width)
    header = 0
    if title:
        ws.merge_range(0, 0, 0, len(columns) - 1, title, book.add_format({"bold": True, "font_size": 14}))
        header = 1
    ws.freeze_panes(header + 1, 0)
    for index, column in enumerate(columns):
        ws.write_string(header, index, column.name, bold)
    row = header
    for row, line in enumerate(lines, start=header + 1):
        for index, value in enumerate(line):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(row, index, value, wrap if len(value) > 20 else None)
            elif isinstance(value, datetime.datetime):
                ws.write_datetime(row, index, value, times)
            elif isinstance(value, datetime.date):
                ws.write_datetime(row, index, value, dates)
            else:
                ws.write_number(row, index, value)
    for index, column in enumerate(columns):
        if column.choices and row > header:
            ws.data_validation(header + 1, index, row, index, {"validate": "list", "source": column.choices})
    if guide:
        notes = book.add_worksheet("填写说明")
        notes.set_column(0, 0, 120)
        for line_number, line in enumerate(guide):
            notes.write_string(line_number, 0, line)
    book.close()
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """A CSV cell's value that no spreadsheet evaluates: text starting like a formula, after an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(lines: Iterable[list]) -> bytes:
    """Rows (the header first) as CSV in UTF-8 with a BOM, every cell through neutral()."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for line in lines:
        writer.writerow([neutral(value) for value in line])
    return out.getvalue().encode("utf-8")
