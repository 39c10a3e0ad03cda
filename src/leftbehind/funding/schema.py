"""The 360Giving schema, read from the data folder, and what the fast checks derive from it.

Why here: the schema is data (catalogue id ``schema_360giving``), not code, so it is read from
the bundle. Two quirks of the published files are handled (see the data README):

* both schemas declare ``"$schema": "http://json-schema.org/draft/2020-12/schema"`` (http), so
  the validator class is chosen explicitly (Draft 2020-12) instead of from that URL;
* the package schema refers to the grant schema by its 1.4.2 URL; that URL, and the grant
  schema's own ``$id``, both resolve to the local file, so validation never goes online.

``date-time`` is checked with our own RFC 3339 checker (no extra dependency): without a format
checker the ``oneOf`` rule of ``awardDate`` rejects date-only values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from leftbehind.errors import InputError

GRANT_SCHEMA_FILE = "360-giving-schema.json"
PACKAGE_SCHEMA_FILE = "360-giving-package-schema.json"
OLD_GRANT_URL = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/"
    "360-giving-schema.json"
)

DATE_RE = r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_DATETIME = re.compile(DATETIME_RE)


def is_datetime(value: object) -> bool:
    """RFC 3339 date-time, the meaning of JSON Schema's ``date-time`` format."""
    if not isinstance(value, str):
        return True  # formats only constrain strings
    if not _DATETIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class GrantSchema:
    """The grant schema plus the facts the vectorised checks use, all derived from it."""

    path: Path
    grant: dict[str, Any]
    package: dict[str, Any] | None

    @property
    def required_sets(self) -> list[list[str]]:
        """Required fields: the schema's ``oneOf`` of ``required`` lists (organisation or
        individual recipient)."""
        sets = [list(b["required"]) for b in self.grant.get("oneOf", []) if "required" in b]
        if not sets and "required" in self.grant:
            sets = [list(self.grant["required"])]
        return sets

    @property
    def required_common(self) -> list[str]:
        """Fields every grant must have whatever its kind of recipient."""
        sets = self.required_sets
        common = set(sets[0]).intersection(*sets[1:]) if sets else set()
        return [f for f in sets[0] if f in common] if sets else []

    @property
    def recipient_alternatives(self) -> list[str]:
        """Fields of which exactly one must be present (``oneOf`` branches differ in them)."""
        common = set(self.required_common)
        return [f for s in self.required_sets for f in s if f not in common]

    @property
    def currencies(self) -> list[str]:
        """ISO 4217 codes allowed for ``currency``."""
        node = self.resolve(self.grant["properties"]["currency"])
        return list(node.get("enum", []))

    @property
    def organization_required(self) -> list[str]:
        return list(self.grant["$defs"]["Organization"].get("required", ["id", "name"]))

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local ``#/$defs/...`` reference."""
        ref = node.get("$ref")
        if not ref or not ref.startswith("#/"):
            return node
        target: Any = self.grant
        for part in ref[2:].split("/"):
            target = target[part]
        return dict(target)

    def validator(self) -> Any:
        """A Draft 2020-12 validator for one grant, offline, with date-time checking."""
        from jsonschema import Draft202012Validator, FormatChecker
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resource = Resource.from_contents(self.grant, default_specification=DRAFT202012)
        registry: Registry[Any] = Registry().with_resources(
            [(OLD_GRANT_URL, resource), (self.grant.get("$id", OLD_GRANT_URL), resource)]
        )
        checker = FormatChecker(formats=())
        checker.checks("date-time")(is_datetime)
        checker.checks("date")(_is_date)
        return Draft202012Validator(self.grant, registry=registry, format_checker=checker)


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.match(DATE_RE, value))


def load_schema(path: Path | str) -> GrantSchema:
    """Read the grant schema file (and the package schema beside it, if present)."""
    path = Path(path)
    if path.is_dir():
        path = path / GRANT_SCHEMA_FILE
    if not path.exists():
        raise InputError("360Giving schema not found", path=path)
    try:
        grant = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"360Giving schema is not readable JSON ({exc})", path=path) from None
    if not isinstance(grant, dict) or "properties" not in grant:
        raise InputError("not a 360Giving grant schema (no 'properties')", path=path)
    package_path = path.parent / PACKAGE_SCHEMA_FILE
    package = None
    if package_path.exists():
        package = json.loads(package_path.read_text(encoding="utf-8"))
    return GrantSchema(path, grant, package)


def schema_from_bundle(data_dir: Path | str | None) -> GrantSchema:
    """The schema of the data folder (catalogue id ``schema_360giving``)."""
    from leftbehind.sources.bundle import open_bundle

    bundle = open_bundle(data_dir)
    return load_schema(bundle.path("schema_360giving"))
