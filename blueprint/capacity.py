"""Capacity estimates: a system's assumptions, each with a reason, and what follows.

    pastebin.capacity(
        daily_active_users=(1_000_000, "A popular developer tool"),
        writes_per_user_per_day=(0.1, "One paste every ten days"),
        ...
    )

Computed with pint, so a size cannot be added to a duration; shown with the marker
`<!-- blueprint: <system>/capacity -->`. Sizes are SI (1 KB = 1,000 bytes; write
"10 KiB" for 1,024-byte units) and a year is 365.25 days. pint is slow to import, so
results are cached like pictures (see `blueprint.build`).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

from blueprint.model import BlueprintError, System

# The code that computes is the code this process imported, even if the file changes
# later (a long `mkdocs serve`): cached estimates are keyed by this, not by the file.
LOADED_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass(frozen=True)
class Assumption:
    name: str
    title: str
    dimension: str  # pint dimensionality, "" for a plain number
    unit: str  # how the value is shown
    minimum: float  # values must be greater than this (or equal, with `inclusive`)
    maximum: float = math.inf
    inclusive: bool = False


ASSUMPTIONS = (
    Assumption("daily_active_users", "Daily active users", "", "", 0),
    Assumption("writes_per_user_per_day", "Writes per user per day", "", "", 0),
    Assumption("read_to_write", "Reads per write", "", "", 0),
    Assumption("write_size", "Size of one write", "[information]", "byte", 0),
    Assumption("read_size", "Size of one read response", "[information]", "byte", 0),
    Assumption("retention", "Retention", "[time]", "year", 0),
    Assumption("peak_to_average", "Peak-to-average factor", "", "", 1, inclusive=True),
    Assumption("hot_fraction", "Share of a day's reads worth caching", "", "", 0, maximum=1),
)
BY_NAME = {assumption.name: assumption for assumption in ASSUMPTIONS}

# What is computed, in order: (name, title, formula as the page shows it)
FORMULAS = (
    ("write_qps", "Writes per second, average", "daily active users × writes per user per day ÷ 86,400 s"),
    ("write_qps_peak", "Writes per second, peak", "average writes per second × peak-to-average factor"),
    ("read_qps", "Reads per second, average", "average writes per second × reads per write"),
    ("read_qps_peak", "Reads per second, peak", "average reads per second × peak-to-average factor"),
    ("ingress", "Ingress bandwidth, average", "average writes per second × size of one write"),
    ("egress", "Egress bandwidth, average", "average reads per second × size of one read response"),
    ("egress_peak", "Egress bandwidth, peak", "egress bandwidth × peak-to-average factor"),
    ("storage", "Storage over the retention period", "writes per day × size of one write × retention"),
    ("cache", "Cache memory (80-20 rule)", "reads per day × size of one read response × share worth caching (an upper bound: a hot item read many times is held once)"),
)


def problems(system: System) -> list[str]:
    """Every missing, unknown or impossible assumption, naming the file and the field."""
    if not system.assumptions:
        return []
    from pint import UnitRegistry  # noqa: F401 - imported here: a warm build never needs it

    found = []
    where = f"{system.source}, capacity"
    for name in system.assumptions:
        if name not in BY_NAME:
            found.append(f"{where}: unknown assumption '{name}' (known: {', '.join(BY_NAME)})")
    for assumption in ASSUMPTIONS:
        if assumption.name not in system.assumptions:
            found.append(f"{where}: '{assumption.name}' is missing: give ({assumption.title.lower()}, a one-line reason)")
            continue
        declared = system.assumptions[assumption.name]
        field = f"{where}, '{assumption.name}'"
        if not (isinstance(declared, tuple) and len(declared) == 2 and isinstance(declared[1], str) and declared[1].strip()):
            found.append(f"{field}: write it as (value, \"a one-line reason\")")
            continue
        try:
            quantity = _quantity(assumption, declared[0])
        except ValueError as error:
            found.append(f"{field}: {error}")
            continue
        value = quantity.to(assumption.unit).magnitude if assumption.unit else quantity
        low_ok = value >= assumption.minimum if assumption.inclusive else value > assumption.minimum
        if not (low_ok and value <= assumption.maximum and math.isfinite(value)):
            bound = "at least" if assumption.inclusive else "more than"
            top = "" if math.isinf(assumption.maximum) else f" and at most {assumption.maximum:g}"
            found.append(f"{field}: {declared[0]!r} is out of range; it must be {bound} {assumption.minimum:g}{top}")
    return found


def _registry():
    from pint import UnitRegistry

    global _UNITS
    if _UNITS is None:
        _UNITS = UnitRegistry()
    return _UNITS


_UNITS = None


def _quantity(assumption: Assumption, value):
    """The declared value as a pint quantity of the right dimension, or ValueError."""
    units = _registry()
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{value!r} is neither a number nor a quantity such as '10 kB'")
    hint = ""
    if isinstance(value, str) and re.search(r"(?<![A-Za-z])KB(?![A-Za-z])", value):
        # the site shows KB for 1,000 bytes, but pint knows no capital-K kilo
        hint = "; write 'kB' for 1,000 bytes (the site shows it as KB), or 'KiB' for 1,024"
    try:
        quantity = units.Quantity(value) if isinstance(value, str) else units.Quantity(value, "")
    except Exception as error:  # pint raises several kinds for text it cannot read
        raise ValueError(f"{value!r} is not a quantity pint can read ({type(error).__name__}){hint}") from None
    expected = units.Quantity(1, assumption.unit).dimensionality if assumption.unit else units.Quantity(1).dimensionality
    if quantity.dimensionality != expected:
        wanted = f"a {assumption.dimension.strip('[]')} such as '10 kB'" if assumption.dimension == "[information]" else (
            f"a {assumption.dimension.strip('[]')} such as '5 years'" if assumption.dimension else "a plain number"
        )
        raise ValueError(f"{value!r} has the wrong unit; it must be {wanted}{hint}")
    if not assumption.unit:
        magnitude = float(quantity.to("").magnitude)
        if not math.isfinite(magnitude):
            raise ValueError(f"{value!r} is not a finite number")
        return magnitude
    return quantity


def compute(system: System) -> dict:
    """Assumptions and results as plain data (text), ready to show and to cache."""
    found = problems(system)
    if found:
        raise BlueprintError("\n".join(found))
    try:
        return _compute(system)
    except (OverflowError, ZeroDivisionError) as error:  # pint's arithmetic on extreme values
        raise BlueprintError(
            f"{system.source}, capacity: the estimates cannot be computed from these assumptions ({error}); "
            "check their sizes"
        ) from None


def _compute(system: System) -> dict:
    units = _registry()
    q = {a.name: _quantity(a, system.assumptions[a.name][0]) for a in ASSUMPTIONS}
    day = units.Quantity(1, "day")
    writes_per_day = q["daily_active_users"] * q["writes_per_user_per_day"] / day
    write_qps = writes_per_day.to("1/s")
    read_qps = write_qps * q["read_to_write"]
    results = {
        "write_qps": write_qps,
        "write_qps_peak": write_qps * q["peak_to_average"],
        "read_qps": read_qps,
        "read_qps_peak": read_qps * q["peak_to_average"],
        "ingress": (write_qps * q["write_size"]).to("byte/s"),
        "egress": (read_qps * q["read_size"]).to("byte/s"),
        "egress_peak": (read_qps * q["read_size"] * q["peak_to_average"]).to("byte/s"),
        "storage": (writes_per_day * q["write_size"] * q["retention"]).to("byte"),
        "cache": (read_qps * day * q["read_size"] * q["hot_fraction"]).to("byte"),
    }
    for name, title, _ in FORMULAS:
        magnitude = float(results[name].to_base_units().magnitude)
        if not math.isfinite(magnitude):
            raise BlueprintError(
                f"{system.source}, capacity: {title.lower()} comes out as {magnitude} (too large for a number); "
                "check the assumptions' sizes"
            )
    return {
        "assumptions": [
            {"name": a.name, "title": a.title, "value": _show_assumption(a, system.assumptions[a.name][0], q[a.name]),
             "reason": system.assumptions[a.name][1]}
            for a in ASSUMPTIONS
        ],
        "results": [
            {"name": name, "title": title, "value": _show(results[name]), "formula": formula,
             "magnitude": float(results[name].to_base_units().magnitude)}
            for name, title, formula in FORMULAS
        ],
        # one request's bytes, for the hot spots (blueprint/load.py)
        "sizes": {name: float(q[name].to("byte").magnitude) for name in ("write_size", "read_size")},
    }


def _show_assumption(assumption: Assumption, declared, quantity) -> str:
    if not assumption.unit:
        return _number(quantity)
    if assumption.unit == "byte":
        return _bytes(quantity.to("byte").magnitude)
    years = quantity.to("year").magnitude
    if years < 1:  # "30 days" reads better than "0.0821 years"
        shown, unit = _number(quantity.to("day").magnitude), "day"
    else:
        shown, unit = _number(years), "year"
    return f"{shown} {unit}" if shown == "1" else f"{shown} {unit}s"  # "1 day", not "1 days"


def _show(quantity) -> str:
    units = str(quantity.units)
    if units == "1 / second":
        return f"{_number(quantity.magnitude)} /s"
    if units == "byte / second":
        return _bytes(quantity.magnitude) + "/s"
    if units == "byte":
        return _bytes(quantity.magnitude)
    return f"{quantity:~P}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _number(value: float) -> str:
    """Three significant figures, thousands separated, no trailing zeros: 1,160, 0.116, 2.
    From 10¹⁵ on, a figure is written 1.23 × 10¹⁸: a float's digits beyond the 16th are
    noise, not a count."""
    if value == 0:
        return "0"
    if abs(value) >= 1e15:
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    text = f"{round(value, digits):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bytes(value: float) -> str:
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if value >= size:
            return f"{_number(value / size)} {unit}"
    return f"{_number(value)} bytes"


def capacity_html(system: System, computed: dict) -> str:
    """Two tables: what is assumed and why; what follows and how it is computed."""
    assumed = "\n".join(
        f"<tr><td>{html.escape(a['title'])}</td><td>{html.escape(a['value'])}</td><td>{html.escape(a['reason'])}</td></tr>"
        for a in computed["assumptions"]
    )
    results = "\n".join(
        f'<tr data-quantity="{r["name"]}"><td>{html.escape(r["title"])}</td><td><strong>{html.escape(r["value"])}</strong></td>'
        f"<td>{html.escape(r['formula'])}</td></tr>"
        for r in computed["results"]
    )
    return (
        f'<div class="blueprint-capacity" id="{system.id}-capacity">\n'
        "<table>\n<thead><tr><th>Assumption</th><th>Value</th><th>Why</th></tr></thead>\n"
        f"<tbody>\n{assumed}\n</tbody>\n</table>\n"
        "<table>\n<thead><tr><th>Estimate</th><th>Value</th><th>How</th></tr></thead>\n"
        f"<tbody>\n{results}\n</tbody>\n</table>\n"
        f"<p>Computed by the build from the assumptions in <code>{html.escape(system.source)}</code>. "
        "KB, MB, GB and TB are powers of 1,000; a year is 365.25 days.</p>\n"
        "</div>\n"
    )
