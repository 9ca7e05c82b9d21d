"""Reading a class roster (学号, 姓名, optional 初始密码) from CSV or Excel: rows with their row
numbers, and what is wrong with each. Pure: no database; `enrol` decides what each row does."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from tutor import passwords

MAX_ROWS = 1000
USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}$")     # the register form's rule
HEADER_WORDS = ("学号", "用户名", "username")


@dataclass
class RosterRow:
    line: int                   # the row number in the file (the header is row 1)
    username: str
    name: str
    password: str = ""          # the teacher's initial password; empty: one is generated
    problems: list[str] = field(default_factory=list)


@dataclass
class Roster:
    rows: list[RosterRow]
    problems: list[str] = field(default_factory=list)    # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.problems for r in self.rows)


def _text(value: object) -> str:
    """A cell as text: 20240101 typed in Excel comes back as an int or a float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cells_of_csv(data: bytes) -> list[list[str]]:
    # Excel on Chinese Windows saves CSV as GBK: try UTF-8 (with or without a BOM) first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("无法识别文件编码，请另存为 UTF-8 编码的 CSV")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _cells_of_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:      # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError("无法读取这个 Excel 文件（请用 .xlsx 格式）") from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_text(v) for v in row[:3]])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def read(filename: str, data: bytes) -> Roster:
    """The roster in an uploaded file (.csv or .xlsx), every row checked on its own and against
    the others; nothing about accounts (that is `enrol.plan`)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    try:
        if suffix == "csv":
            cells = _cells_of_csv(data)
        elif suffix == "xlsx":
            cells = _cells_of_xlsx(data)
        else:
            return Roster([], ["只能导入 .csv 或 .xlsx 文件"])
    except (ValueError, csv.Error) as error:
        return Roster([], [str(error)])
    return parse(cells)


def parse(cells: list[list[str]]) -> Roster:
    """The rows under an optional header row (学号, 姓名, 初始密码), numbered as in the file."""
    start = 1 if cells and cells[0] and any(w in _text(cells[0][0]).lower() for w in HEADER_WORDS) else 0
    entries = []
    for index, raw in enumerate(cells[start:], start + 1):
        values = [_text(v) for v in raw] + ["", "", ""]
        if any(values[:3]):                            # blank lines between groups are skipped
            entries.append((index, values[0], values[1], values[2]))
    return check(entries)


def check(entries: list[tuple[int, str, str, str]]) -> Roster:
    """Rows (row number, 学号, 姓名, 初始密码), each checked on its own and against the others.
    The confirm step checks the rows its preview showed again through here."""
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for index, username, name, password in entries:
        if len(rows) >= MAX_ROWS:
            return Roster(rows, [f"名单最多 {MAX_ROWS} 行，请分几次导入"])
        row = RosterRow(index, username, name, password)
        if not username:
            row.problems.append("缺少学号")
        elif not USERNAME.fullmatch(username):
            row.problems.append("学号须为 2 到 32 个字符，只能包含中文、字母、数字、下划线、点和连字符")
        else:
            key = username.lower()
            if key in seen:
                row.problems.append(f"学号与第 {seen[key]} 行重复")
            else:
                seen[key] = index
        if not name:
            row.problems.append("缺少姓名")
        elif len(name) > 64:
            row.problems.append("姓名最多 64 个字符")
        if password:
            message = passwords.problem(password, username)
            if message:
                row.problems.append(f"初始密码：{message}")
        rows.append(row)
    if not rows:
        return Roster([], ["名单中没有学生（第一列学号，第二列姓名，第三列初始密码可不填）"])
    return Roster(rows)
