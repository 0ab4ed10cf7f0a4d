"""SQL pages: markers in Markdown become what the queries really return, run at build time.

    <!-- sql-result: snippets/sql/select.sql:select_all -->             the section's rows, as a table
    <!-- sql-joins: snippets/sql/join.sql:inner_join,left_join -->      a Venn picture per join, with the rows it keeps

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
                raise BlueprintError(f"{file}, section '{name}': it starts twice")
            inside = found = True
        elif not inside:
            raise BlueprintError(f"{file}, section '{name}': it ends before it starts")
        else:
            inside = False
    if not found:
        known = ", ".join(section_names(root, file)) or "none"
        raise BlueprintError(f"{file}: no section '{name}' (its sections: {known})")
    if inside:
        raise BlueprintError(f"{file}, section '{name}': no end marker '-- --8<-- [end:{name}]'")
    text = textwrap.dedent("\n".join(body)).strip("\n")
    if not text.strip():
        raise BlueprintError(f"{file}, section '{name}': the section is empty")
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
    script = statements(sql)
    if not script:
        raise BlueprintError("the section holds no SQL statement")
    cursor = connection.cursor()
    for statement in script:
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
    columns = [[row[index] for row in result.rows] for index in range(len(result.columns))]
    numeric = [
        any(_is_number(value) for value in column) and all(_is_number(value) or value is None for value in column)
        for column in columns
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
    """One join query, run: its kind, its two tables, and what became of their rows."""

    kind: str
    left: str
    right: str
    rows: int
    matched: int  # pairs with a row from each table
    alone: dict[str, list[str]]  # "left"/"right" -> the rows that found no partner


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
    matched = 0
    alone: dict[str, list[str]] = {"left": [], "right": []}
    for left_value, right_value in result.rows:
        if left_value is None and right_value is None:
            raise BlueprintError(
                f"{file}, section '{section}': a row is NULL on both sides; select a key of each table"
            )
        if left_value is None:
            alone["right"].append(str(right_value))
        elif right_value is None:
            alone["left"].append(str(left_value))
        else:
            matched += 1
    for part, rows in alone.items():
        if rows and part not in KEEPS[kind]:
            raise BlueprintError(
                f"{file}, section '{section}': the {kind} JOIN cannot return unmatched {part} rows; "
                "does a WHERE clause change the join?"
            )
    return Join(kind, source["table"], joins[0]["table"], len(result.rows), matched, alone)


def joins_figure(root: Path, file: str, sections: list[str]) -> str:
    """A grid of Venn pictures, one per join section, as raw HTML."""
    joins = [run_join(root, file, section) for section in sections]
    # Each picture names every unmatched row, faded where its join drops it, so that it
    # shows what is lost as well as what is kept.
    every = {part: sorted({row for join in joins for row in join.alone[part]}) for part in ("left", "right")}
    figures = "".join(_join_card(join, every) for join in joins)
    return f'<div class="sql-joins">{figures}</div>'


# Geometry of the picture: two circles of radius R whose centres are D apart.
_R, _D, _CX, _CY = 80, 80, 100, 115
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
    labels = (
        _labels(every["left"], join.alone["left"], x=_CX - _R / 2)
        + _labels([f"{join.matched} pairs"], [f"{join.matched} pairs"], x=_CX + _D / 2)
        + _labels(every["right"], join.alone["right"], x=_CX + _D + _R / 2)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sql-join-venn" viewBox="0 0 {2 * _CX + _D} {_CY + _R + 5}" '
        f'role="img" aria-label="{html.escape(_describe(join))}">{shapes}{outlines}{names}{labels}</svg>'
    )
    phrase = {
        "INNER": "only matching rows",
        "LEFT": f"every row of {join.left}, matched or not",
        "RIGHT": f"every row of {join.right}, matched or not",
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
    kept = [f"{join.matched} matched pairs"]
    dropped = []
    for part, table in (("left", join.left), ("right", join.right)):
        if part not in KEEPS[join.kind]:
            dropped.append(f"{table} without a match")
        elif join.alone[part]:
            kept.append(f"{table} without a match ({', '.join(join.alone[part])})")
    listed = ", ".join(kept[:-1]) + " and " + kept[-1] if len(kept) > 1 else kept[0]
    text = f"{join.kind} JOIN of {join.left} and {join.right}: keeps {listed}"
    return text + (f"; drops {' and '.join(dropped)}" if dropped else "")
