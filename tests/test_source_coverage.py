"""Nothing from the source cheat sheet is silently dropped: every item of its numbered
lists becomes a step (an arrow) or a note of the matching path.

Counts are the lengths of the source's lists; a path may add notes of its own, so the
check is "at least". Paths whose source is prose rather than a numbered list are absent.
"""

from __future__ import annotations

import pytest

SOURCE_ITEMS = {
    ("pastebin", "write"): 9,
    ("pastebin", "read"): 9,
    ("newsfeed", "home_timeline"): 6,
    ("newsfeed", "write"): 18,
    ("newsfeed", "read"): 15,
    ("rate_limiter", "workflow"): 14,
    ("web_crawler", "workflow"): 41,
    ("google_maps", "points_of_interest"): 30,
    ("google_maps", "eta"): 39,
}


@pytest.mark.parametrize("system_id, path_id", sorted(SOURCE_ITEMS))
def test_every_source_item_is_a_step_or_a_note(catalogue, system_id, path_id):
    if system_id not in catalogue.systems:
        pytest.fail(f"diagrams/{system_id}.py is missing")
    path = catalogue.systems[system_id].paths[path_id]
    assert len(path.steps) + len(path.notes) >= SOURCE_ITEMS[(system_id, path_id)]
