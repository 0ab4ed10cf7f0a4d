"""Every picture matches its declaration: one numbered arrow per step, in order, on the right components."""

from __future__ import annotations

import gzip
import math
import re
import xml.etree.ElementTree as ET

import pytest

from blueprint.build import build
from blueprint.model import BlueprintError
from blueprint.render import Graphviz, bezier_points
from conftest import FIXTURES, ROOT, make_project

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
BUDGET_GZIP = 30 * 1024


def path_pictures(catalogue):
    return [picture for picture in catalogue.pictures.values() if picture.view != "schema"]


def edge_groups(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {group.get("id"): group for group in root.iter(f"{SVG}g") if group.get("class") == "edge"}


def distance_to_segment(point, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length2))
    return math.dist(point, (ax + t * (bx - ax), ay + t * (by - ay)))


def test_the_real_project_has_pictures(catalogue):
    assert {"pastebin/write", "pastebin/read", "pastebin/schema"} <= set(catalogue.pictures)
    assert len(catalogue.systems["pastebin"].paths["write"].steps) == 9
    assert len(catalogue.systems["pastebin"].paths["read"].steps) == 9


def test_each_step_is_one_arrow_with_its_number(catalogue):
    for picture in path_pictures(catalogue):
        steps = picture.system.paths[picture.view].steps
        edges = edge_groups(picture.svg)
        assert len(edges) == len(steps), picture.id
        numbers = []
        for step in steps:
            edge = edges[f"{picture.id}-step-{step.number}"]
            texts = [text.text for text in edge.iter(f"{SVG}text")]
            assert texts == [str(step.number)], (picture.id, step.number)
            numbers.append(int(texts[0]))
        assert numbers == list(range(1, len(steps) + 1))
        # and no other numeral is drawn anywhere in the picture
        all_numerals = re.findall(r">(\d+)</text>", picture.svg)
        assert sorted(map(int, all_numerals)) == numbers, picture.id


def test_each_arrow_joins_the_step_s_components(catalogue):
    for picture in path_pictures(catalogue):
        for step in picture.system.paths[picture.view].steps:
            edge = edge_groups(picture.svg)[f"{picture.id}-step-{step.number}"]
            title = edge.find(f"{SVG}title").text
            assert set(title.split("->")) == {step.source, step.target}, (picture.id, step.number, title)
            tooltip = edge.find(f".//{SVG}a").get("{http://www.w3.org/1999/xlink}title")
            assert tooltip == f"{step.number}. {step.text}"


def test_each_number_sits_on_its_own_arrow(catalogue):
    for picture in path_pictures(catalogue):
        for edge_id, edge in edge_groups(picture.svg).items():
            badge = edge.find(f"{SVG}circle")
            centre = (float(badge.get("cx")), float(badge.get("cy")))
            line = [point for path in edge.iter(f"{SVG}path") for point in bezier_points(path.get("d"))]
            nearest = min(distance_to_segment(centre, a, b) for a, b in zip(line, line[1:]))
            assert nearest < 1.0, edge_id


def test_only_the_path_s_components_are_drawn(catalogue):
    for picture in path_pictures(catalogue):
        path = picture.system.paths[picture.view]
        drawn = set(re.findall(rf'id="{picture.id}-node-([a-z0-9_]+)"', picture.svg))
        assert drawn == set(path.components()), picture.id


def test_no_absolute_paths_and_every_icon_exists(catalogue):
    for picture in catalogue.pictures.values():
        root = ET.fromstring(picture.svg)
        for image in root.iter(f"{SVG}image"):
            href = image.get(XLINK_HREF)
            assert href.startswith("../icons/") and "/" not in href.removeprefix("../icons/"), href
            assert (catalogue.icons / href.removeprefix("../icons/")).is_file(), href
        assert str(ROOT) not in picture.svg
        assert "site-packages" not in picture.svg
        assert not re.search(r'(href|src)="(/|file:)', picture.svg), picture.id


def test_rendering_twice_gives_the_same_bytes(catalogue, tmp_path):
    again = build(ROOT, tmp_path / "cache")
    assert again.rendered == len(catalogue.pictures)
    for name, picture in catalogue.pictures.items():
        assert again.pictures[name].svg == picture.svg, name


def test_each_picture_is_within_budget(catalogue):
    for picture in catalogue.pictures.values():
        assert len(gzip.compress(picture.svg.encode(), 9)) <= BUDGET_GZIP, picture.id
    # icons are shared by every picture; even all of them together stay within one budget
    icons = sum(path.stat().st_size for path in catalogue.icons.iterdir())
    assert icons <= 3 * BUDGET_GZIP


def test_the_cache_renders_only_what_changed(tmp_path):
    script = (FIXTURES / "valid_tiny.py").read_text()
    script += '\nread = tiny.path("read", "Read path")\nread.step(1, client, server, "The client asks.")\n'
    project = make_project(tmp_path / "project", {"tiny.py": script})
    cache = tmp_path / "cache"
    assert build(project, cache).rendered == 2
    assert build(project, cache).rendered == 0
    edited = script.replace("The client asks.", "The client asks again.")
    (project / "diagrams" / "tiny.py").write_text(edited)
    assert build(project, cache).rendered == 1
    (project / "diagrams" / "tiny.py").write_text(edited + "\n# a comment changes no picture\n")
    assert build(project, cache).rendered == 0


def test_graphviz_errors_become_blueprint_errors(catalogue):
    graphviz = Graphviz(catalogue.icons)
    with pytest.raises(BlueprintError, match="Graphviz could not draw it"):
        graphviz.svg("digraph { a -> }")
