"""Writing an .xlsx of our own: a header row, column widths, an optional title above and a guide sheet, and every
text cell a string cell, so that text starting with "=", "+", "-" or "@" is shown as typed and never evaluated as
a formula."""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    and a second sheet of guidance lines if given."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header_row = 1
    if title:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True, size=14)
        ws.append([cell])
        ws.merged_cells.add(f"A1:{get_column_letter(len(columns))}1")
        header_row = 2
    ws.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for line in lines:
        ws.append([_cell(ws, value, wrap) for value in line])
        count += 1
    for index, column in enumerate(columns, start=1):
        if column.choices and count:
            letter = get_column_letter(index)
            rule = DataValidation(type="list", formula1='"{}"'.format(",".join(column.choices)), allow_blank=True)
            rule.add(f"{letter}{header_row + 1}:{letter}{header_row + count}")
            ws.data_validations.dataValidation.append(rule)
    if guide:
        notes = book.create_sheet("填写说明")
        notes.column_dimensions["A"].width = 120
        for line in guide:
            notes.append([_cell(notes, line, None)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(ws, value, wrap):
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, whatever it starts with: never a formula
        if wrap is not None and len(value) > 20:
            cell.alignment = wrap
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value
