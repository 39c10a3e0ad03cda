"""The staging SQL: one SELECT turning read grant records into the store's layout plus a list of
problems per record, generated from the 360Giving schema.

Why generated SQL: the checks run vectorised in DuckDB on all cores (a million records in
about a second), not record by record in Python. Why typed organisation and location lists:
DuckDB's JSON reader builds them while it parses (``STRUCT(...)[]`` columns), which saves a
second parse of each list here; the scalar fields stay ``JSON`` so their JSON type can still
be checked (the reader would silently turn a number into text).

The input relation (``SOURCE`` in the SQL) has ``row_no``, one column per field of
:func:`read_fields` (scalars as JSON, organisation and location lists typed as in
:func:`typed_columns`), ``_not_object`` (the JSON type of an array item that is not an
object) and ``_shape_<field>`` for each typed list: why the value could not be read as a
list of objects (else NULL). :func:`typed_source` and :func:`json_source` build it from a
typed read or from all-``JSON`` columns.
"""

from __future__ import annotations

from leftbehind.funding.postcodes import postcode_key_sql
from leftbehind.funding.schema import DATE_RE, DATETIME_RE, GrantSchema

SOURCE = "__SOURCE__"
EXTRA_FIELDS = ("beneficiaryLocation", "dateModified", "_recipient_codes")
LOCATION_FIELD = "beneficiaryLocation"
LOCATION_KEYS = ("geoCode", "geoCodeType")
GSS_RE = r"^[EWSNK][0-9]{8}$"
LSOA_PREFIXES = ("E01", "W01")
WARD_PREFIXES = ("E05", "W05", "S13", "N08")
_JSON_TYPES = {
    "string": "('VARCHAR')",
    "number": "('DOUBLE', 'BIGINT', 'UBIGINT', 'HUGEINT')",
    "integer": "('BIGINT', 'UBIGINT', 'HUGEINT')",
    "array": "('ARRAY')",
    "object": "('OBJECT')",
    "boolean": "('BOOLEAN')",
}
# A JSON value as DuckDB holds it is minified text, so its first character gives the type of
# strings, numbers, arrays and objects without parsing it again (``NaN``/``Infinity`` are
# numbers to DuckDB's reader; ``null``/``true``/``false`` are not).
_FIRST_CHARS = {"string": '"', "number": "-0123456789NI", "array": "[", "object": "{"}


def read_fields(schema: GrantSchema) -> list[str]:
    """The record fields the checks and the store need."""
    wanted = [*schema.required_common, *schema.recipient_alternatives, *EXTRA_FIELDS]
    return list(dict.fromkeys(wanted))


def org_keys(schema: GrantSchema) -> dict[str, list[str]]:
    """Organisation lists and the keys read from their items (ids and names, which the schema
    requires, and the recipient's postcode, which locates it)."""
    required = schema.organization_required
    return {field: list(dict.fromkeys([*own, *required])) for field, own in (
        ("recipientOrganization", ["id", "name", "postalCode"]),
        ("fundingOrganization", ["id", "name"]))}


def list_keys(schema: GrantSchema) -> dict[str, list[tuple[str, str]]]:
    """Each list field's item keys with their DuckDB types: organisation items keep their
    values as JSON (their type is checked), location codes are read as text."""
    keys = {field: [(k, "JSON") for k in own] for field, own in org_keys(schema).items()}
    keys[LOCATION_FIELD] = [(k, "VARCHAR") for k in LOCATION_KEYS]
    return keys


def typed_columns(schema: GrantSchema) -> dict[str, str]:
    """DuckDB type of each list field (a list of structs, see :func:`list_keys`)."""
    return {field: "STRUCT(" + ", ".join(f'"{k}" {kind}' for k, kind in keys) + ")[]"
            for field, keys in list_keys(schema).items()}


def _fields_read(schema: GrantSchema, package: bool) -> list[str]:
    # ``_recipient_codes`` carries GrantNav's recipient code columns of flattened files; a
    # JSON package has no such field, so it is not looked for there.
    return [f for f in read_fields(schema) if not (package and f == "_recipient_codes")]


def reader_columns(schema: GrantSchema, *, typed: bool, package: bool = True) -> str:
    """The ``columns`` argument of ``read_json``: every field as JSON, lists typed if asked
    (untyped reads also take ``_not_object``, the marker written for items that are not
    objects when records are re-serialised from Python)."""
    types = typed_columns(schema) if typed else {}
    fields = _fields_read(schema, package) + ([] if typed else ["_not_object"])
    return "{" + ", ".join(f"'{f}': '{types.get(f, 'JSON')}'" for f in fields) + "}"


def typed_source(schema: GrantSchema, reader: str) -> str:
    """``SOURCE`` from a typed ``read_json(...)`` call (``reader``); rows numbered from 1.

    A reader with typed lists fails on a list that is not an array of objects: the caller
    then reads the file again with :func:`json_source`."""
    shapes = "".join(f", NULL::VARCHAR AS \"_shape_{f}\"" for f in typed_columns(schema))
    return f"""(SELECT ordinality AS row_no, * EXCLUDE (ordinality), NULL::JSON AS
        _recipient_codes, NULL::VARCHAR AS _not_object{shapes} FROM {reader} WITH ORDINALITY)"""


def json_source(schema: GrantSchema, table: str, *, package: bool) -> str:
    """``SOURCE`` from ``table`` (``row_no``, every field as JSON, ``_not_object``): the lists
    are converted to the typed layout where they are arrays of objects (or nulls)."""
    types = list_keys(schema)
    picks = ['row_no']
    shapes = []
    for field in read_fields(schema):
        if field not in _fields_read(schema, package):
            picks.append(f'NULL::JSON AS "{field}"')
            continue
        if field not in types:
            picks.append(f'"{field}"')
            continue
        structure = "[{" + ", ".join(f'"{key}": "{kind}"' for key, kind in types[field]) + "}]"
        objects = f"""json_type("{field}") = 'ARRAY' AND coalesce(list_bool_and(
            list_transform(json_extract("{field}", '$[*]'),
                           lambda x: json_type(x) IN ('OBJECT', 'NULL'))), TRUE)"""
        picks.append(f"""CASE WHEN {objects} THEN from_json("{field}", '{structure}') END
            AS "{field}" """)
        shapes.append(f"""CASE WHEN "{field}" IS NULL THEN NULL
            WHEN json_type("{field}") <> 'ARRAY'
                THEN 'must be an array, got ' || {json_kind(f'"{field}"')}
            WHEN NOT ({objects}) THEN 'must be an array of objects' END AS "_shape_{field}" """)
    return f"""(SELECT {', '.join(picks)}, "_not_object"->>'$' AS _not_object, {', '.join(shapes)}
        FROM {table})"""


def json_kind(value: str) -> str:
    """SQL naming the JSON type of ``value`` in JSON's words (DuckDB says ``UBIGINT``,
    ``VARCHAR``…), for problem messages."""
    return f"""CASE json_type({value}) WHEN 'VARCHAR' THEN 'a string' WHEN 'OBJECT' THEN
        'an object' WHEN 'ARRAY' THEN 'an array' WHEN 'BOOLEAN' THEN 'a boolean'
        WHEN 'NULL' THEN 'null' ELSE 'a number' END"""


def _org_item_ok(item: str, required: list[str]) -> str:
    """SQL: organisation ``item`` has a JSON string for each required key."""
    return " AND ".join(f"left({item}.\"{r}\"::VARCHAR, 1) = '\"'" for r in required)


def _type_check(column: str, kind: str) -> str:
    if kind in _FIRST_CHARS:  # a JSON value is never empty, so contains(…, '') cannot occur
        return f"contains('{_FIRST_CHARS[kind]}', left(\"{column}\"::VARCHAR, 1))"
    return f"json_type(\"{column}\") IN {_JSON_TYPES.get(kind, _JSON_TYPES['string'])}"


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _checks(schema: GrantSchema, currencies: str) -> list[str]:
    """One SQL expression per check: a ``{field, problem}`` struct, or NULL if it passes."""
    typed = typed_columns(schema)
    props = schema.grant["properties"]

    def present(field: str) -> str:
        extra = f' OR "_shape_{field}" IS NOT NULL' if field in typed else ""
        return f'("{field}" IS NOT NULL{extra})'

    checks = ["""CASE WHEN _not_object IS NOT NULL THEN
        {'field': '(record)', 'problem': 'not a JSON object but ' || _not_object} END"""]
    for field in schema.required_common:
        kind = schema.resolve(props.get(field, {})).get("type", "string")
        missing = f"""WHEN NOT {present(field)} THEN
            {{'field': '{field}', 'problem': 'required field missing'}}"""
        wrong_type = "" if field in typed else f"""WHEN NOT {_type_check(field, kind)} THEN
            {{'field': '{field}', 'problem': 'must be {_article(kind)} {kind}, got '
              || {json_kind(f'"{field}"')}}}"""
        checks.append(f"CASE WHEN _not_object IS NOT NULL THEN NULL {missing} {wrong_type} END")
    alternatives = schema.recipient_alternatives
    if alternatives:
        count = " + ".join(f"{present(a)}::INT" for a in alternatives)
        names = " or ".join(alternatives)
        checks.append(f"""CASE WHEN _not_object IS NULL AND {count} = 0 THEN
            {{'field': '{alternatives[0]}', 'problem': 'required field missing (one of {names})'}}
            WHEN {count} > 1 THEN {{'field': '{alternatives[-1]}',
            'problem': 'give only one of {names}'}} END""")
    checks += [f"""CASE WHEN "_shape_{field}" IS NOT NULL THEN
        {{'field': '{field}', 'problem': "_shape_{field}"}} END""" for field in typed]
    required = schema.organization_required
    for field in org_keys(schema):
        if field not in props:
            continue
        # The usual case, one organisation, is checked without a lambda.
        first_ok = _org_item_ok(f'"_first_{field}"', required)
        checks.append(f"""CASE WHEN "{field}" IS NOT NULL
                AND NOT coalesce(len("{field}") = 1 AND {first_ok}, FALSE)
                AND NOT coalesce(len("{field}") > 1 AND list_bool_and(list_transform("{field}",
                    lambda x: coalesce({_org_item_ok('x', required)}, FALSE))), FALSE)
            THEN {{'field': '{field}', 'problem':
                'needs at least one organisation, each with a string {" and ".join(required)}'
            }} END""")
    checks += [
        f"""CASE WHEN currency_s IS NOT NULL AND currency_s NOT IN (SELECT code FROM {currencies})
            THEN {{'field': 'currency', 'problem': 'not an ISO 4217 currency code: '
                  || currency_s}} END""",
        """CASE WHEN amount IS NOT NULL AND amount <= 0 THEN {'field': 'amountAwarded',
            'problem': 'not positive: ' || ("amountAwarded"->>'$')} END""",
        """CASE WHEN date_s IS NOT NULL AND award_date IS NULL THEN {'field': 'awardDate',
            'problem': 'not a valid date (YYYY-MM-DD or date-time): ' || date_s} END""",
        f"""CASE WHEN "dateModified" IS NOT NULL AND NOT ({_type_check('dateModified', 'string')}
                AND regexp_full_match("dateModified"->>'$', '{DATETIME_RE}'))
            THEN {{'field': 'dateModified', 'problem': 'not a date-time: '
                  || ("dateModified"->>'$')}} END""",
    ]
    return checks


def _passes(schema: GrantSchema, currencies: str) -> str:
    """One cheap condition true only of records that pass every check: the usual record is
    tested with it alone, and only the others go through the checks that name problems.

    Each part implies that the matching checks of :func:`_checks` find nothing (a record
    failing it may still pass them all, e.g. one with two funders: it then gets no
    problems)."""
    typed = typed_columns(schema)
    props = schema.grant["properties"]
    parts = ["_not_object IS NULL"]
    parts += [f'"_shape_{field}" IS NULL' for field in typed]
    for field in schema.required_common:
        if field in typed:
            parts.append(f'"{field}" IS NOT NULL')
        else:
            kind = schema.resolve(props.get(field, {})).get("type", "string")
            parts.append(f"coalesce({_type_check(field, kind)}, FALSE)")
    alternatives = schema.recipient_alternatives
    if alternatives:
        parts.append(" + ".join(f'("{a}" IS NOT NULL)::INT' for a in alternatives) + " = 1")
    required = schema.organization_required
    for field in org_keys(schema):
        if field in props:
            item_ok = _org_item_ok(f'"_first_{field}"', required)
            parts.append(f'("{field}" IS NULL OR coalesce(len("{field}") = 1 AND {item_ok}, '
                         "FALSE))")
    parts += [
        f"currency_s IN (SELECT code FROM {currencies})",
        "amount > 0",
        "award_date IS NOT NULL",
        f"""("dateModified" IS NULL OR coalesce({_type_check('dateModified', 'string')}
            AND regexp_full_match("dateModified"->>'$', '{DATETIME_RE}'), FALSE))""",
    ]
    return "coalesce(" + "\n            AND ".join(parts) + ", FALSE)"


def _trimmed(text: str) -> str:
    """``trim`` (spaces at either end) only where there are any: about half the time."""
    return (f"CASE WHEN starts_with({text}, ' ') OR ends_with({text}, ' ') THEN trim({text}) "
            f"ELSE {text} END")


def stage_select(schema: GrantSchema, currencies: str) -> str:
    """SELECT turning ``SOURCE`` into the staging layout (see :mod:`leftbehind.funding.ingest`);
    ``currencies`` names a table of allowed currency codes (column ``code``)."""
    checks = _checks(schema, currencies)
    gss = f"'{GSS_RE}'"
    lsoa = ", ".join(f"'{p}'" for p in LSOA_PREFIXES)
    ward = ", ".join(f"'{p}'" for p in WARD_PREFIXES)
    firsts = "".join(f'"{field}"[1] AS "_first_{field}", ' for field in org_keys(schema))

    def code(key: str) -> str:
        return f"upper(trim(x.\"{key}\"))"

    located = " ".join(f"WHEN regexp_full_match({code(k)}, {gss}) THEN {code(k)}"
                       for k in LOCATION_KEYS)
    return f"""
    WITH e AS (
        SELECT *,
            CASE WHEN {_type_check('id', 'string')} THEN "id"->>'$' END AS grant_id,
            CASE WHEN {_type_check('title', 'string')} THEN "title"->>'$' END AS title_s,
            CASE WHEN {_type_check('currency', 'string')} THEN "currency"->>'$' END AS currency_s,
            CASE WHEN {_type_check('amountAwarded', 'number')}
                 THEN CAST("amountAwarded" AS DOUBLE) END AS amount,
            CASE WHEN {_type_check('awardDate', 'string')} THEN "awardDate"->>'$' END AS date_s,
            CASE WHEN regexp_full_match(date_s, '{DATE_RE}') THEN TRY_CAST(date_s AS DATE)
                 WHEN regexp_full_match(date_s, '{DATETIME_RE}')
                 THEN TRY_CAST(left(date_s, 10) AS DATE) END AS award_date,
            {firsts}
            CASE WHEN "{LOCATION_FIELD}" IS NOT NULL THEN list_filter(
                list_transform("{LOCATION_FIELD}", lambda x: CASE {located} END),
                lambda c: c IS NOT NULL) END AS ben_codes
        FROM {SOURCE}
    )
    SELECT row_no, grant_id, title_s AS title, currency_s AS currency, amount,
        1::BIGINT AS grant_count, award_date, award_date AS date_lo, award_date AS date_hi,
        year(award_date)::INTEGER AS award_year,
        "_first_fundingOrganization".id->>'$' AS funder_id,
        {_trimmed('"_first_fundingOrganization".name->>' + "'$'")} AS funder_name,
        "_first_recipientOrganization".id->>'$' AS recipient_id,
        "_first_recipientOrganization".name->>'$' AS recipient_name,
        {postcode_key_sql('("_first_recipientOrganization"."postalCode"->>' + "'$')")} AS postcode,
        coalesce(list_filter(ben_codes, lambda c: left(c, 3) IN ({lsoa}))[1],
                 list_filter(ben_codes, lambda c: left(c, 3) IN ({ward}))[1],
                 ben_codes[1]) AS ben_code,
        upper(coalesce("_recipient_codes"->>'$.lsoa', "_recipient_codes"->>'$.ward',
                       "_recipient_codes"->>'$.district')) AS rec_code,
        FALSE AS aggregated,
        CASE WHEN {_passes(schema, currencies)}
            THEN []::STRUCT(field VARCHAR, problem VARCHAR)[]
            ELSE list_filter([{", ".join(checks)}], lambda p: p IS NOT NULL) END AS problems
    FROM e"""
