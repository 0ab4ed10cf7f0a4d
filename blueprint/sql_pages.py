"""SQL pages: markers in Markdown become what the queries really return, run at build time.

    <!-- sql-result: snippets/sql/select.sql:select_all -->                 the section's rows, as a table
    <!-- sql-joins: snippets/sql/join.sql:inner_join,left_join,... -->      one Venn picture per join, with the rows it keeps

Each marker runs its section on a fresh in-memory SQLite database made from the Pastebin
DDL and the seed data, so a table on the page is exactly what the included query returns.
"""

from __future__ import annotations

import html
import re
import sqlite3
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from blueprint.model import BlueprintError

SCHEMA = "snippets/schemas/pastebin.sql"
SEED = "snippets/sql/seed.sql"

# A marker stands alone on its line; its indentation is kept, so it also works inside
# admonitions and content tabs.
MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--[ \t]*sql-(?P<kind>result|joins):[ \t]*(?P<target>\S+)[ \t]*-->[ \t]*$",
    re.MULTILINE,
)
# Anything that looks like one of our markers but did not match above is a mistake.
_MARKER_LIKE = re.compile(r"<!--\s*sql-[\w-]*\s*:")
# The section markers pymdownx.snippets reads: `-- --8<-- [start:name]` ... `-- --8<-- [end:name]`.
_SECTION = re.compile(r"-+8<-+[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*(?P<name>[a-z][-_0-9a-z]*)[ \t]*\]")


@dataclass(frozen=True)
class Result:
    """What the last statement of a section returned."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


# --- Reading sections and running them -------------------------------------------------


def section_names(root: Path, file: str) -> list[str]:
    """The sections a file declares, in order."""
    text = _read(root, file)
    return list(dict.fromkeys(match["name"] for match in _SECTION.finditer(text) if match["type"] == "start"))


def read_section(root: Path, file: str, name: str) -> str:
    """One section's text as pymdownx.snippets includes it: other markers dropped, dedented."""
    lines = _read(root, file).splitlines()
    body: list[str] = []
    inside = found = False
    for line in lines:
        marker = _SECTION.search(line)
        if marker is None:
            if inside:
                body.append(line)
            continue
        if marker["name"] != name:
            continue  # a marker of another (possibly nested) section
        if marker["type"] == "start":
            if found:
                raise BlueprintError(f"{file}: section '{name}' starts twice")
            inside = found = True
        elif not inside:
            raise BlueprintError(f"{file}: section '{name}' ends before it starts")
        else:
            inside = False
    if not found:
        known = ", ".join(section_names(root, file)) or "none"
        raise BlueprintError(f"{file}: no section '{name}' (its sections: {known})")
    if inside:
        raise BlueprintError(f"{file}: section '{name}' has no end marker '-- --8<-- [end:{name}]'")
    text = textwrap.dedent("\n".join(body)).strip("\n")
    if not statements(text):
        raise BlueprintError(f"{file}: section '{name}' holds no SQL statement")
    return text + "\n"


def statements(sql: str) -> list[str]:
    """Split a script into statements; SQLite's tokenizer knows about quotes and comments."""
    found: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if any(line.strip() and not line.strip().startswith("--") for line in pending.splitlines()):
        raise BlueprintError(f"this statement does not end with ';': {pending.strip()!r}")
    return found


def run(connection: Any, sql: str) -> Result:
    """Run each statement in order on a DB-API connection (sqlite3, duckdb or psycopg).

    The result is what the last statement returns: a section that changes data ends with
    the SELECT that shows the change.
    """
    cursor = connection.cursor()
    for statement in statements(sql):
        cursor.execute(statement)
    if cursor.description is None:
        raise BlueprintError("the last statement returns no rows (end the section with a SELECT)")
    columns = tuple(column[0] for column in cursor.description)
    return Result(columns, tuple(tuple(row) for row in cursor.fetchall()))


def sample_script(root: Path) -> str:
    """The DDL and the seed data: every query on the SQL page starts from this."""
    return _read(root, SCHEMA) + "\n" + _read(root, SEED)


def load_sample(connection: Any, root: Path) -> None:
    cursor = connection.cursor()
    for statement in statements(sample_script(root)):
        cursor.execute(statement)


def sample_database(root: Path) -> sqlite3.Connection:
    """A fresh in-memory SQLite database holding the sample data."""
    # isolation_level=None: the driver opens no transactions of its own, so BEGIN,
    # COMMIT and ROLLBACK in a section mean exactly what they say.
    connection = sqlite3.connect(":memory:", isolation_level=None)
    load_sample(connection, root)
    return connection


def run_section(root: Path, file: str, name: str) -> Result:
    """Run one section on SQLite, the engine the site's tables come from."""
    sql = read_section(root, file, name)
    connection = sample_database(root)
    try:
        return run(connection, sql)
    except sqlite3.Error as error:
        raise BlueprintError(f"{file}, section '{name}': SQLite says: {error}") from None
    except BlueprintError as error:
        raise BlueprintError(f"{file}, section '{name}': {error}") from None
    finally:
        connection.close()


def _read(root: Path, file: str) -> str:
    path = root / file
    if not path.is_file():
        raise BlueprintError(f"{file}: no such file (paths are relative to {root})")
    return path.read_text(encoding="utf-8")


# --- Expanding markers -----------------------------------------------------------------


def expand(markdown: str, root: Path, page: str = "the page") -> str:
    """Replace every sql-result and sql-joins marker; any problem stops the build."""

    def replace(match: re.Match) -> str:
        marker = match.group(0).strip()
        try:
            file, sections = _parse_target(match["target"])
            if match["kind"] == "result":
                if len(sections) != 1:
                    raise BlueprintError("a sql-result marker names exactly one section")
                block = markdown_table(run_section(root, file, sections[0]))
            else:
                block = joins_figure(root, file, sections)
        except BlueprintError as error:
            raise BlueprintError(f"{page}: marker {marker}: {error}") from None
        indent = match["indent"]
        # Blank lines around the block: a table or raw HTML must be a block of its own.
        return "\n" + "\n".join(indent + line if line else line for line in block.splitlines()) + "\n"

    expanded = MARKER.sub(replace, markdown)
    leftover = _MARKER_LIKE.search(expanded)
    if leftover:
        line = expanded.splitlines()[expanded.count("\n", 0, leftover.start())]
        raise BlueprintError(
            f"{page}: {line.strip()!r} is not a marker this site knows: write "
            "'<!-- sql-result: FILE:SECTION -->' or '<!-- sql-joins: FILE:SECTION,SECTION -->' alone on its line"
        )
    return expanded


def _parse_target(target: str) -> tuple[str, list[str]]:
    file, colon, names = target.rpartition(":")
    sections = [name for name in names.split(",") if name]
    if not colon or not file or not sections:
        raise BlueprintError(f"'{target}' should be FILE:SECTION, e.g. snippets/sql/select.sql:select_all")
    return file, sections


def markdown_table(result: Result) -> str:
    """A Markdown table of the rows; NULL is shown as an italic NULL, numbers align right."""
    if not result.rows:
        return f"*No rows* (columns: {', '.join(_cell(column) for column in result.columns)})."
    numeric = [
        all(_is_number(row[index]) or row[index] is None for row in result.rows)
        for index in range(len(result.columns))
    ]
    lines = [
        "| " + " | ".join(_cell(column) for column in result.columns) + " |",
        "| " + " | ".join("---:" if right else "---" for right in numeric) + " |",
    ]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in result.rows]
    return "\n".join(lines)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if value is None:
        return "*NULL*"
    text = html.escape(str(value), quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", text)


# --- The JOIN picture --------------------------------------------------------------------

# Which parts of the Venn picture each join keeps: rows of the left table with no match,
# matched pairs, rows of the right table with no match.
KEEPS = {
    "INNER": ("both",),
    "LEFT": ("left", "both"),
    "RIGHT": ("both", "right"),
    "FULL": ("left", "both", "right"),
}
_JOIN = re.compile(r"\b(?:(?P<kind>INNER|LEFT|RIGHT|FULL)\s+(?:OUTER\s+)?)?JOIN\s+(?P<table>\w+)", re.IGNORECASE)
_FROM = re.compile(r"\bFROM\s+(?P<table>\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class Join:
    """One join query, run: its kind, its two tables, and its rows sorted into the picture's parts."""

    section: str
    kind: str
    left: str
    right: str
    rows: int
    parts: dict[str, list[str]]  # part -> labels: left-only values, "N" matched pairs, right-only values


def run_join(root: Path, file: str, section: str) -> Join:
    """Run a join section and sort its rows: matched pair, left row alone, or right row alone."""
    sql = read_section(root, file, section)
    joins = list(_JOIN.finditer(sql))
    source = _FROM.search(sql)
    if len(joins) != 1 or source is None:
        raise BlueprintError(
            f"{file}, section '{section}': the picture needs one FROM and exactly one "
            f"[INNER|LEFT|RIGHT|FULL] JOIN (found {len(joins)} joins)"
        )
    kind = (joins[0]["kind"] or "INNER").upper()
    result = run_section(root, file, section)
    if len(result.columns) != 2:
        raise BlueprintError(
            f"{file}, section '{section}': the picture needs two columns, one from each table "
            f"(got {', '.join(result.columns)})"
        )
    parts: dict[str, list[str]] = {"left": [], "both": [], "right": []}
    for left_value, right_value in result.rows:
        if left_value is None and right_value is None:
            raise BlueprintError(f"{file}, section '{section}': a row is NULL on both sides; select a key of each table")
        part = "right" if left_value is None else "left" if right_value is None else "both"
        parts[part].append(str(right_value if part == "right" else left_value))
    unexpected = [part for part, labels in parts.items() if labels and part not in KEEPS[kind]]
    if unexpected:
        raise BlueprintError(
            f"{file}, section '{section}': a {kind} JOIN cannot return unmatched {unexpected[0]} rows; "
            "does a WHERE clause change the join?"
        )
    parts["both"] = [str(len(parts["both"]))]
    return Join(section, kind, source["table"], joins[0]["table"], len(result.rows), parts)


def joins_figure(root: Path, file: str, sections: list[str]) -> str:
    """A row of Venn pictures, one per join section, as raw HTML."""
    joins = [run_join(root, file, section) for section in sections]
    # Rows a join drops are drawn faded, so each picture shows what is lost as well as kept.
    every = {part: sorted({label for join in joins for label in join.parts[part]}) for part in ("left", "right")}
    figures = "".join(_join_card(join, every) for join in joins)
    return f'<div class="sql-joins">{figures}</div>'


# Geometry of the picture: two circles of radius R whose centres are D apart.
_R, _D, _CX, _CY = 70, 70, 95, 105
_TOP = (_CX + _D / 2, _CY - (_R**2 - (_D / 2) ** 2) ** 0.5)
_BOTTOM = (_CX + _D / 2, 2 * _CY - _TOP[1])


def _region_path(part: str) -> str:
    """SVG path of one part: the left crescent, the lens, or the right crescent."""
    (x, top), (_, bottom) = _TOP, _BOTTOM
    arcs = {
        # From the upper crossing point to the lower one, then back, along the two circles.
        "left": f"A {_R} {_R} 0 1 0 {x:.2f} {bottom:.2f} A {_R} {_R} 0 0 1 {x:.2f} {top:.2f}",
        "both": f"A {_R} {_R} 0 0 1 {x:.2f} {bottom:.2f} A {_R} {_R} 0 0 1 {x:.2f} {top:.2f}",
        "right": f"A {_R} {_R} 0 1 1 {x:.2f} {bottom:.2f} A {_R} {_R} 0 0 0 {x:.2f} {top:.2f}",
    }
    return f"M {x:.2f} {top:.2f} {arcs[part]} Z"


def _join_card(join: Join, every: dict[str, list[str]]) -> str:
    kept = KEEPS[join.kind]
    shapes = "".join(
        f'<path class="sql-join-kept" d="{_region_path(part)}"/>' for part in ("left", "both", "right") if part in kept
    )
    outlines = "".join(
        f'<circle class="sql-join-outline" cx="{cx}" cy="{_CY}" r="{_R}"/>' for cx in (_CX, _CX + _D)
    )
    names = (
        f'<text class="sql-join-table" x="{_CX - 30}" y="22" text-anchor="middle">{html.escape(join.left)}</text>'
        f'<text class="sql-join-table" x="{_CX + _D + 30}" y="22" text-anchor="middle">{html.escape(join.right)}</text>'
    )
    pairs = join.parts["both"][0]
    labels = (
        _labels(every["left"], join.parts["left"], x=_CX - 32)
        + _labels([f"{pairs} pairs"], [f"{pairs} pairs"], x=_CX + _D / 2)
        + _labels(every["right"], join.parts["right"], x=_CX + _D + 32)
    )
    description = _describe(join)
    svg = (
        f'<svg class="sql-join-venn" viewBox="0 0 {2 * _CX + _D} {2 * _CY - 5}" role="img" '
        f'aria-label="{html.escape(description)}">{shapes}{outlines}{names}{labels}</svg>'
    )
    phrase = {
        "INNER": "only matching rows",
        "LEFT": f"every {join.left} row, matched or not",
        "RIGHT": f"every {join.right} row, matched or not",
        "FULL": "every row of both tables",
    }[join.kind]
    caption = f"<strong>{join.kind} JOIN</strong>: {join.rows} rows, {html.escape(phrase)}"
    return f'<figure class="sql-join" data-join="{join.kind.lower()}">{svg}<figcaption>{caption}</figcaption></figure>'


def _labels(every: list[str], kept: list[str], *, x: float) -> str:
    """The rows of one part, stacked around the circles' middle; the dropped ones faded."""
    shown = [(label, label in kept) for label in every]
    if len(shown) > 4:  # the picture has room for four lines
        hidden = shown[3:]
        shown = shown[:3] + [(f"+{len(hidden)} more", any(is_kept for _, is_kept in hidden))]
    top = _CY - (len(shown) - 1) * 8
    return "".join(
        f'<text class="{"sql-join-row" if is_kept else "sql-join-row sql-join-dropped"}" '
        f'x="{x:.0f}" y="{top + index * 16 + 4:.0f}" text-anchor="middle">{html.escape(label)}</text>'
        for index, (label, is_kept) in enumerate(shown)
    )


def _describe(join: Join) -> str:
    """The picture in words, for screen readers."""
    kept = [f"{join.parts['both'][0]} matched pairs"]
    dropped = []
    for part, table in (("left", join.left), ("right", join.right)):
        alone = join.parts[part]
        if part in KEEPS[join.kind]:
            if alone:
                kept.append(f"{table} without a match ({', '.join(alone)})")
        else:
            dropped.append(f"{table} without a match")
    text = f"{join.kind} JOIN of {join.left} and {join.right}: keeps {' and '.join(kept)}"
    return text + (f"; drops {' and '.join(dropped)}" if dropped else "")
