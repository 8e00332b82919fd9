"""Excel (.xlsx) import and export from a declarative sheet spec.

A :class:`SheetSpec` lists its :class:`Column` s (Chinese header, field name, parser, required)
and the natural key that identifies a row. From the spec:

* :func:`write_template` gives an empty workbook to fill in: the header row, column widths,
  drop-down lists for choices and a second sheet "填写说明" with the rules of each column;
* :func:`export_rows` writes records in the same layout, so an export can be edited and
  imported again;
* :func:`read_workbook` reads an uploaded file and checks the WHOLE file before anything is
  imported: the file type and size, the headers, merged cells, each value's type and the
  required values, the row count and duplicates by natural key. It returns every problem as a
  :class:`RowError` (row, column, message in Chinese), so the person fixing the file sees them
  all at once.

Parsers are small objects: ``parser(value)`` returns the Python value or raises
``ValidationError`` with a Chinese message, ``parser.rule`` describes what is accepted (for the
instructions sheet), ``parser.to_cell(value)`` writes a value back for export.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from .validators import validate_citizen_id, validate_uscc

__all__ = [
    "BoolParser",
    "ChoiceParser",
    "CitizenIdParser",
    "Column",
    "DateParser",
    "DecimalParser",
    "IntParser",
    "LabelsParser",
    "ParseResult",
    "ParsedRow",
    "RowError",
    "SheetSpec",
    "TextParser",
    "UsccParser",
    "XLSX_CONTENT_TYPE",
    "export_rows",
    "read_workbook",
    "write_template",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS_TITLE = "填写说明"
NOT_XLSX = "文件不是有效的 .xlsx 工作簿（.xls 请另存为 .xlsx）。"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE2 compound files)
_ZIP_MAGIC = b"PK\x03\x04"
_MAX_UNZIPPED = 200 * 1024 * 1024  # a zip bomb expands far beyond any real register
_TEMPLATE_ROWS = 200  # rows pre-formatted as text in the template


# ---------------------------------------------------------------- parsers


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TextParser:
    def __init__(self, max_length: int = 200, label: str = "") -> None:
        self.max_length = max_length
        self.rule = f"文本，不超过{max_length}个字"

    def __call__(self, value: Any) -> str:
        if isinstance(value, bool):
            raise ValidationError("应为文本。")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValidationError("应为文本，请将单元格设为文本格式后重新填写。")
            value = int(value)
        if isinstance(value, datetime.date):
            raise ValidationError("应为文本，当前为日期。")
        text = str(value).strip()
        if len(text) > self.max_length:
            raise ValidationError(f"不能超过{self.max_length}个字（当前{len(text)}个字）。")
        return text

    def to_cell(self, value: Any) -> Any:
        return "" if value is None else str(value)


class LabelsParser:
    """A list of short labels, separated by 、，, ; or new lines."""

    rule = "多项用顿号“、”或逗号分隔，每项不超过64字"

    def __call__(self, value: Any) -> list[str]:
        text = TextParser(max_length=2000)(value)
        for sep in ("，", "、", "\n", "；", ";"):
            text = text.replace(sep, ",")
        labels: list[str] = []
        for item in text.split(","):
            item = item.strip()
            if item and item not in labels:
                if len(item) > 64:
                    raise ValidationError(f"“{item[:20]}…”过长（每项不超过64字）。")
                labels.append(item)
        return labels

    def to_cell(self, value: Any) -> str:
        return "、".join(value or [])


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)


class DateParser:
    rule = "日期，Excel 日期格式或 2026-01-31、2026/1/31、2026年1月31日"

    def __call__(self, value: Any) -> datetime.date:
        if isinstance(value, datetime.datetime):
            if value.time() != datetime.time(0, 0):
                raise ValidationError("应为日期，不应包含时间。")
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, bool | int | float | Decimal):
            raise ValidationError("应为日期，当前为数字，请将单元格设为日期格式或填写 2026-01-31。")
        if isinstance(value, datetime.time):
            raise ValidationError("应为日期，当前为时间。")
        text = str(value).strip()
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    return datetime.date(*(int(x) for x in match.groups()))
                except ValueError:
                    raise ValidationError(f"日期“{text}”不存在。") from None
        raise ValidationError(f"日期格式错误（“{text[:20]}”），应为 2026-01-31。")

    def to_cell(self, value: Any) -> Any:
        return value


class IntParser:
    def __init__(self, min_value: int | None = None, max_value: int | None = None) -> None:
        self.min_value, self.max_value = min_value, max_value
        self.rule = "整数" + _range_rule(min_value, max_value)

    def __call__(self, value: Any) -> int:
        if isinstance(value, bool) or isinstance(value, datetime.date):
            raise ValidationError("应为整数。")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValidationError("应为整数。")
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValidationError(f"应为整数（当前为“{text[:20]}”）。")
            number = int(text)
        _check_range(number, self.min_value, self.max_value)
        return number

    def to_cell(self, value: Any) -> Any:
        return value


class DecimalParser:
    def __init__(
        self,
        places: int = 2,
        min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None,
    ) -> None:
        self.places = places
        self.min_value, self.max_value = min_value, max_value
        self.rule = f"数字，最多{places}位小数" + _range_rule(min_value, max_value)

    def __call__(self, value: Any) -> Decimal:
        if isinstance(value, bool) or isinstance(value, datetime.date):
            raise ValidationError("应为数字。")
        text = str(value).strip().replace(",", "")
        try:
            number = Decimal(repr(value) if isinstance(value, float) else text)
        except InvalidOperation:
            raise ValidationError(f"应为数字（当前为“{text[:20]}”）。") from None
        if not number.is_finite():
            raise ValidationError("应为数字。")
        quantum = Decimal(1).scaleb(-self.places)
        if number != number.quantize(quantum):
            raise ValidationError(f"最多保留{self.places}位小数。")
        number = number.quantize(quantum)
        _check_range(number, self.min_value, self.max_value)
        return number

    def to_cell(self, value: Any) -> Any:
        return None if value is None else float(value)


def _range_rule(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"，{low}至{high}"
    if low is not None:
        return f"，不小于{low}"
    if high is not None:
        return f"，不大于{high}"
    return ""


def _check_range(number: Any, low: Any, high: Any) -> None:
    if low is not None and number < low:
        raise ValidationError(f"不能小于{low}。")
    if high is not None and number > high:
        raise ValidationError(f"不能大于{high}。")


class BoolParser:
    rule = "填“是”或“否”"
    _TRUE = {"是", "Y", "YES", "TRUE", "1", "√"}
    _FALSE = {"否", "N", "NO", "FALSE", "0", "×"}

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().upper()
        if text in self._TRUE:
            return True
        if text in self._FALSE:
            return False
        raise ValidationError(f"应填“是”或“否”（当前为“{str(value)[:20]}”）。")

    def to_cell(self, value: Any) -> str:
        return "是" if value else "否"


class ChoiceParser:
    """Chinese label → stored value; ``choices`` as Django gives them: [(value, label)]."""

    def __init__(self, choices: Iterable[tuple[str, str]]) -> None:
        self.choices = [(str(v), str(label)) for v, label in choices]
        self.labels = [label for _, label in self.choices]
        self.rule = "从下列选项中选择：" + "、".join(self.labels)
        self._by_label = {label: v for v, label in self.choices}
        self._by_value = {v: label for v, label in self.choices}

    def __call__(self, value: Any) -> str:
        text = str(value).strip()
        if text in self._by_label:
            return self._by_label[text]
        raise ValidationError(f"“{text[:20]}”不是可选项，应为：{'、'.join(self.labels)}。")

    def to_cell(self, value: Any) -> str:
        return self._by_value.get(value, "" if value is None else str(value))


class CitizenIdParser:
    rule = "18位公民身份号码，请以文本格式填写（末位X大小写均可）"

    def __call__(self, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValidationError(
                "公民身份号码被存成了数字（会丢失末几位），请将单元格设为文本格式后重新填写。"
            )
        return validate_citizen_id(value)

    def to_cell(self, value: Any) -> str:
        return value or ""


class UsccParser:
    rule = "18位统一社会信用代码，请以文本格式填写"

    def __call__(self, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValidationError("统一社会信用代码应以文本格式填写。")
        return validate_uscc(value)

    def to_cell(self, value: Any) -> str:
        return value or ""


# ---------------------------------------------------------------- spec and results


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    header_zh: str
    field: str
    parser: Any = field(default_factory=TextParser)
    required: bool = False
    width: int = 16
    note: str = ""  # extra rule text for the instructions sheet

    @property
    def is_text(self) -> bool:
        return isinstance(self.parser, TextParser | CitizenIdParser | UsccParser | LabelsParser)


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]  # field names
    max_rows: int = 5000
    max_bytes: int = 5 * 1024 * 1024
    notes: tuple[str, ...] = ()  # general rules for the instructions sheet

    def column(self, field_name: str) -> Column:
        for column in self.columns:
            if column.field == field_name:
                return column
        raise KeyError(field_name)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based sheet row; 0 for problems with the whole file
    column_header: str  # "" when not about one column
    message_zh: str


class ParsedRow(dict):
    """field → value, with the sheet row number it came from."""

    def __init__(self, number: int, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.number = number


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------- writing


def _workbook_with_headers(spec: SheetSpec):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header_zh)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    return wb, ws


def _set(cell, value: Any) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_template(spec: SheetSpec) -> bytes:
    """An empty sheet to fill in, plus the "填写说明" sheet."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb, ws = _workbook_with_headers(spec)
    last = _TEMPLATE_ROWS + 1
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        if column.is_text:
            for row in range(2, last + 1):
                ws.cell(row=row, column=index).number_format = "@"
        elif isinstance(column.parser, DateParser):
            for row in range(2, last + 1):
                ws.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        labels = None
        if isinstance(column.parser, ChoiceParser):
            labels = column.parser.labels
        elif isinstance(column.parser, BoolParser):
            labels = ["是", "否"]
        if labels and len(",".join(labels)) < 250:
            dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"')
            dv.error = "请从下拉列表中选择。"
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")

    info = wb.create_sheet(INSTRUCTIONS_TITLE)
    info.append(["列名", "是否必填", "填写规则"])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        rule = column.parser.rule if hasattr(column.parser, "rule") else ""
        if column.note:
            rule = f"{rule}；{column.note}" if rule else column.note
        info.append([column.header_zh, "必填" if column.required else "选填", rule])
    info.append([])
    keys = "、".join(spec.column(f).header_zh for f in spec.natural_key)
    general = [
        f"每行一条记录，按“{keys}”识别同一条记录，同一文件中不得重复。",
        "第一行为列名，请勿修改、删除或调换列名；红色列名为必填列。",
        "请勿合并单元格；导入只读取第一个工作表。",
        f"每个文件最多{spec.max_rows}行、不超过{spec.max_bytes // (1024 * 1024)} MB，"
        "只接受 .xlsx 格式（.xls 请另存为 .xlsx）。",
        "整个文件检查无误后才会导入；有任何错误时不导入任何一行，请按错误清单修改后重新上传。",
        *spec.notes,
    ]
    for line in general:
        info.append(["说明", "", line])
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 10
    info.column_dimensions["C"].width = 80
    for row in info.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return _save(wb)


def export_rows(spec: SheetSpec, rows: Iterable[dict[str, Any]]) -> bytes:
    """Records (field → Python value) in the template's layout, ready to edit and import."""
    wb, ws = _workbook_with_headers(spec)
    for number, record in enumerate(rows, start=2):
        for index, column in enumerate(spec.columns, start=1):
            value = record.get(column.field)
            to_cell = getattr(column.parser, "to_cell", None)
            cell_value = to_cell(value) if to_cell and value is not None else value
            cell = ws.cell(row=number, column=index)
            _set(cell, cell_value)
            if column.is_text:
                cell.number_format = "@"
    return _save(wb)


# ---------------------------------------------------------------- reading


def _open_workbook(data: bytes, spec: SheetSpec):
    """The workbook, or a RowError for the whole file."""
    if not data:
        return None, RowError(0, "", "文件为空。")
    if len(data) > spec.max_bytes:
        limit = spec.max_bytes / (1024 * 1024)
        return None, RowError(0, "", f"文件过大：不能超过 {limit:g} MB。")
    if data.startswith(_OLE_MAGIC):
        return None, RowError(0, "", "文件是旧版 .xls 格式，请在 Excel/WPS 中另存为 .xlsx 后上传。")
    if not data.startswith(_ZIP_MAGIC):
        return None, RowError(0, "", NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNZIPPED:
                return None, RowError(0, "", "文件解压后过大，不能导入。")
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, RowError(0, "", NOT_XLSX)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, ...)
        return None, RowError(0, "", NOT_XLSX)
    return wb, None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_workbook(data: bytes, spec: SheetSpec) -> ParseResult:
    """Parse and check the whole file; see the module docstring. ``result.rows`` is only
    meaningful when ``result.errors`` is empty."""
    result = ParseResult()
    wb, error = _open_workbook(data, spec)
    if error:
        result.errors.append(error)
        return result
    ws = wb[spec.title] if spec.title in wb.sheetnames else wb.worksheets[0]

    header_cells = [_clean(c.value) for c in ws[1]] if ws.max_row >= 1 else []
    headers = ["" if h is None else str(h) for h in header_cells]

    for merged in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        col = merged.min_col - 1
        header = headers[col] if col < len(headers) else ""
        result.errors.append(
            RowError(
                merged.min_row,
                header,
                f"表格含有合并单元格 {merged.coord}，请取消合并后再导入。",
            )
        )

    expected = {c.header_zh: c for c in spec.columns}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in positions:
            result.errors.append(RowError(1, header, f"列名“{header}”重复。"))
        elif header in expected:
            positions[header] = index
        else:
            unknown.append(header)
    missing = [c.header_zh for c in spec.columns if c.header_zh not in positions]
    if missing:
        result.errors.append(
            RowError(1, "", "缺少列：" + "、".join(missing) + "。请使用系统提供的模板。")
        )
    if unknown:
        result.errors.append(
            RowError(1, "", "无法识别的列：" + "、".join(unknown) + "。请使用系统提供的模板。")
        )
    if result.errors:
        return result

    seen: dict[tuple, int] = {}
    key_headers = "、".join(spec.column(f).header_zh for f in spec.natural_key)
    count = 0
    for number, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        raw = {
            c.field: _clean(cells[positions[c.header_zh]])
            if positions[c.header_zh] < len(cells)
            else None
            for c in spec.columns
        }
        extra = [_clean(v) for i, v in enumerate(cells) if i >= len(headers) or not headers[i]]
        if all(_is_blank(v) for v in raw.values()):
            if any(not _is_blank(v) for v in extra):
                result.errors.append(RowError(number, "", "有数据填在了没有列名的列中。"))
            continue
        count += 1
        if count > spec.max_rows:
            result.errors.append(
                RowError(number, "", f"数据超过{spec.max_rows}行，请拆分为多个文件导入。")
            )
            break
        values: dict[str, Any] = {}
        row_ok = True
        for column in spec.columns:
            value = raw[column.field]
            if _is_blank(value):
                if column.required:
                    result.errors.append(
                        RowError(number, column.header_zh, f"请填写{column.header_zh}。")
                    )
                    row_ok = False
                values[column.field] = None
                continue
            try:
                values[column.field] = column.parser(value)
            except ValidationError as exc:
                result.errors.append(RowError(number, column.header_zh, " ".join(exc.messages)))
                row_ok = False
        if not row_ok:
            continue
        key = tuple(values.get(f) for f in spec.natural_key)
        if all(k not in (None, "") for k in key):
            if key in seen:
                result.errors.append(
                    RowError(
                        number,
                        spec.column(spec.natural_key[0]).header_zh,
                        f"与第{seen[key]}行重复（{key_headers}相同）。",
                    )
                )
                continue
            seen[key] = number
        result.rows.append(ParsedRow(number, values))
    if count == 0 and not result.errors:
        result.errors.append(RowError(0, "", "文件中没有数据行。"))
    result.errors.sort(key=lambda e: e.row)
    return result


def errors_from(exc: ValidationError, row: int, column_header: str = "") -> list[RowError]:
    """RowErrors for a ValidationError raised while checking one row."""
    return [RowError(row, column_header, message) for message in exc.messages]


def headers_of(spec: SheetSpec) -> Sequence[str]:
    return [c.header_zh for c in spec.columns]


@dataclass
class ImportReport:
    """What an import did, or (with errors) why it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged
