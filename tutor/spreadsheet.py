"""CSV downloads that Excel opens right and cannot be made to run a formula."""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Sequence

from flask import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run (OWASP CSV injection): text starting with = + - @, a tab
    or a carriage return, as a username or a question stem may, gets a leading `'`. Negative
    numbers (a discrimination index) stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so that Excel on Windows reads the Chinese text right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def csv_response(name: str, header: list[str], rows: Iterable[Sequence[Any]]) -> Response:
    return Response(csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
