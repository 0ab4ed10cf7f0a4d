"""The concept pages' corrected facts stay corrected (the independent review's CP errors).

Each test reads the page a reader gets and checks the order or the figure that was wrong.
"""

from __future__ import annotations

import re

from conftest import ROOT


def concept(name: str) -> str:
    return (ROOT / "docs" / "concepts" / f"{name}.md").read_text(encoding="utf-8")


def test_expand_and_contract_switches_reads_only_after_the_backfill():
    steps = re.findall(r"^(\d)\. (.+)$", concept("deployment"), flags=re.MULTILINE)
    text = {int(number): line.lower() for number, line in steps}
    backfill = next(n for n, line in text.items() if "backfill" in line)
    switch = next(n for n, line in text.items() if "switch reads" in line)
    stop_old = next(n for n, line in text.items() if "stop writing the old" in line)
    writes_both = next(n for n, line in text.items() if "writes both" in line)
    assert "reads the old" in text[writes_both]
    assert writes_both < backfill < switch < stop_old


def test_memcached_is_not_said_to_sample_or_to_have_lfu():
    page = concept("caches")
    assert "Redis and Memcached approximate" not in page
    assert re.search(r"Memcached does not sample and\s+has no LFU mode", page)


def test_s3_object_size_limits_are_current():
    page = concept("storage")
    assert "up to 50 TB in S3" in page and "5 GB" in page
    assert "5 TB" not in page
