"""What long and branching paths need: fan-out, conditional steps, stages with continuous numbers, themed notes."""

from __future__ import annotations

import re

import pytest

from blueprint.build import build
from blueprint.pages import picture_html
from conftest import FIXTURES, make_project


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    project = make_project(folder / "project", {"demo.py": (FIXTURES / "features.py").read_text()})
    return build(project, folder / "cache")


def test_a_staged_path_is_one_picture_per_stage(demo):
    assert sorted(demo.pictures) == ["demo/flow-1", "demo/flow-2"]
    assert [p.id for p in demo.shown_by("demo/flow")] == ["demo-flow-1", "demo-flow-2"]
    first, second = demo.shown_by("demo/flow")
    assert [s.number for s in first.stage.steps] == [1, 2, 3]
    assert [s.number for s in second.stage.steps] == [4, 5, 6, 7]
    assert "demo-flow-2-node-queue" not in second.svg  # only the stage's own components
    assert "demo-flow-1-node-cache" not in first.svg


def test_a_fan_out_step_draws_one_numbered_arrow_per_target(demo):
    svg = demo.pictures["demo/flow-1"].svg
    for target in ("worker", "indexer"):
        edge = re.search(rf'<g id="demo-flow-1-step-3-{target}" class="edge blueprint-step-3">(.*?)</g>\n</g>', svg, re.S)
        assert edge, target
        assert ">3</text>" in edge.group(1)
    assert svg.count(">3</text>") == 2


def test_a_conditional_step_is_dashed_and_says_its_condition(demo):
    picture = demo.pictures["demo/flow-2"]
    for number, dashed in ((5, False), (6, True), (7, True)):
        edge = re.search(rf'<g id="demo-flow-2-step-{number}" class="[^"]*">(.*?)</g>\n</g>', picture.svg, re.S).group(1)
        assert ("stroke-dasharray" in edge) is dashed, number
    html = picture_html(picture, "systems/demo/index.html")
    assert '<em class="blueprint-when">On a cache miss:</em> The server reads the database.' in html


def test_stage_lists_continue_the_numbering_and_notes_follow_the_last_stage(demo):
    first, second = demo.shown_by("demo/flow")
    first_html = picture_html(first, "systems/demo/index.html")
    second_html = picture_html(second, "systems/demo/index.html")
    assert 'start="1"' in first_html and 'start="4"' in second_html
    assert "stage 1 of 2: Accept an item (steps 1–3)" in first_html
    assert "stage 2 of 2: Serve it (steps 4–7)" in second_html
    assert "Notes" not in first_html
    notes = second_html[second_html.index("blueprint-notes"):]
    order = [notes.index(text) for text in (
        "An unthemed note comes first.", "<strong>Caching</strong>", "Entries expire after an hour.",
        "Misses fill the cache (cache-aside).", "<strong>Queueing</strong>", "The queue keeps items for a week.",
    )]
    assert order == sorted(order)
    assert 'Worker, Indexer</span>' in first_html  # a fan-out's route names every target
