"""360Giving flattened spreadsheets (CSV, XLSX) turned back into grant objects.

Why our own mapping rather than flattentool: the column titles are the schema's own titles
joined with ``:`` (``Recipient Org:Postal Code``, ``Beneficiary Location:0:Geographic Code``),
so a title → property map read from the schema rebuilds the nested record in one pass, with
each value converted to the schema's type (``Amount Awarded`` text → number). GrantNav's extra
columns (``Recipient Ward Geographic Code`` …, the codes it derived from the recipient's
postcode) go to a private ``_recipient_codes`` object the locator uses.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from leftbehind.errors import InputError
from leftbehind.funding.schema import GrantSchema

GRANTNAV_CODES = {
    "Recipient LSOA Geographic Code": "lsoa",
    "Recipient Ward Geographic Code": "ward",
    "Recipient District Geographic Code": "district",
    "Recipient Region Geographic Code": "region",
    "Recipient Country Geographic Code": "country",
}
REQUIRED_TITLES = ("Identifier", "Amount Awarded")


class TitleMap:
    """Schema titles → property names and types, per nesting level."""

    def __init__(self, schema: GrantSchema) -> None:
        self.schema = schema

    def _children(self, node: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
        node = self.schema.resolve(node)
        if node.get("type") == "array" or "items" in node:
            node = self.schema.resolve(node.get("items", {}))
        props = node.get("properties", {})
        return {self.schema.resolve(v).get("title", v.get("title", k)).lower(): (k, v)
                for k, v in props.items()} | {k.lower(): (k, v) for k, v in props.items()}

    def path(self, title: str) -> list[tuple[str, Any]] | None:
        """The path of a column title: a list of (key, type) or ``None`` if not in the schema."""
        node: dict[str, Any] = self.schema.grant
        steps: list[tuple[str, Any]] = []
        parts = [p.strip() for p in title.split(":")]
        i = 0
        while i < len(parts):
            children = self._children(node)
            found = children.get(parts[i].lower())
            if found is None:
                return None
            key, child = found
            child = self.schema.resolve(child)
            is_array = child.get("type") == "array"
            index = 0
            if is_array and i + 1 < len(parts) and parts[i + 1].isdigit():
                index = int(parts[i + 1])
                i += 1
            steps.append((key, ("array", index) if is_array else child.get("type", "string")))
            node = child
            i += 1
        return steps


def _convert(value: Any, kind: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else \
            value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if kind in ("number", "integer") and isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return value  # kept as text: the checks report "must be a number"
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def build_record(row: dict[str, Any], paths: dict[str, list[tuple[str, Any]] | None]) -> dict:
    """One nested grant from one spreadsheet row."""
    record: dict[str, Any] = {}
    codes: dict[str, Any] = {}
    for title, value in row.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if title in GRANTNAV_CODES:
            codes[GRANTNAV_CODES[title]] = str(value).strip()
            continue
        steps = paths.get(title)
        if not steps:
            continue
        target: Any = record
        for n, (key, kind) in enumerate(steps):
            last = n == len(steps) - 1
            if isinstance(kind, tuple):  # array: step into item ``index``
                items = target.setdefault(key, [])
                while len(items) <= kind[1]:
                    items.append({})
                if last:
                    items[kind[1]] = value
                else:
                    target = items[kind[1]]
            elif last:
                target[key] = _convert(value, kind)
            else:
                target = target.setdefault(key, {})
    if codes:
        record["_recipient_codes"] = codes
    return record


def _paths(header: list[str], schema: GrantSchema, path: Path) -> dict:
    missing = [t for t in REQUIRED_TITLES if t not in header]
    if missing:
        raise InputError(f"not a 360Giving spreadsheet: missing column '{missing[0]}'",
                         path=path, row=1, column=missing[0])
    mapper = TitleMap(schema)
    return {t: mapper.path(t) for t in header}


def iter_csv(path: Path, schema: GrantSchema) -> Iterator[dict]:
    """Grant objects from a flattened 360Giving CSV, in row order."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            paths = _paths(header, schema, path)
            for row in reader:
                yield build_record(row, paths)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except csv.Error as exc:
        raise InputError(f"unreadable CSV ({exc})", path=path) from None


def grants_sheet(path: Path) -> tuple[Any, str]:
    """The sheet holding grants: named like "grants", else the first with the key titles."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(f"not a readable XLSX workbook ({exc})", path=path) from None
    ordered = sorted(book.worksheets, key=lambda s: "grant" not in s.title.lower())
    for sheet in ordered:
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        titles = {str(v).strip() for v in first if v is not None}
        if all(t in titles for t in REQUIRED_TITLES):
            return sheet, sheet.title
    names = ", ".join(s.title for s in book.worksheets)
    raise InputError(f"no grants sheet (a sheet with columns 'Identifier' and 'Amount "
                     f"Awarded'); sheets: {names}", path=path)


def iter_xlsx(path: Path, schema: GrantSchema) -> Iterator[dict]:
    """Grant objects from the grants sheet of a flattened 360Giving workbook."""
    sheet, _ = grants_sheet(path)
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows)]
    paths = _paths(header, schema, path)
    for values in rows:
        if all(v is None for v in values):
            continue
        yield build_record(dict(zip(header, values, strict=False)), paths)
