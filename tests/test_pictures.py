"""Every picture matches its declaration: one numbered arrow per step, in order, on the right components."""

from __future__ import annotations

import gzip
import math
import re
import xml.etree.ElementTree as ET

import pytest

from blueprint.build import build
from blueprint.model import BlueprintError
from blueprint.render import Graphviz, bezier_points, icon_names
from conftest import FIXTURES, ROOT, make_project

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
BUDGET_GZIP = 30 * 1024


def path_pictures(catalogue):
    return [picture for picture in catalogue.pictures.values() if picture.stage is not None]


def edge_groups(svg: str, *, connections: bool = False) -> dict[str, ET.Element]:
    """The numbered arrows of a picture (or, with `connections=True`, its persistent connections)."""
    root = ET.fromstring(svg)
    return {
        group.get("id"): group
        for group in root.iter(f"{SVG}g")
        if "edge" in group.get("class", "").split()
        and ("blueprint-connection" in group.get("class", "").split()) == connections
    }


def distance_to_segment(point, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length2))
    return math.dist(point, (ax + t * (bx - ax), ay + t * (by - ay)))


def test_the_real_project_has_pictures(catalogue):
    assert {"pastebin/write", "pastebin/read", "pastebin/schema"} <= set(catalogue.pictures)
    assert len(catalogue.systems["pastebin"].paths["write"].steps) == 12  # includes the reservation, the HEAD check and the Bloom filter
    assert len(catalogue.systems["pastebin"].paths["read"].steps) == 10  # includes filling the cache after a miss


def test_each_arrow_carries_its_step_number_once(catalogue):
    for picture in path_pictures(catalogue):
        steps = picture.stage.steps
        edges = edge_groups(picture.svg)
        arrows = [(f"{picture.id}-{suffix}", step.number) for step in steps for suffix, _ in step.arrows()]
        assert sorted(edges) == sorted(edge_id for edge_id, _ in arrows), picture.id
        for edge_id, number in arrows:
            texts = [text.text for text in edges[edge_id].iter(f"{SVG}text")]
            assert texts == [str(number)], (edge_id, texts)
        # no other numeral is drawn anywhere in the picture, and numbering has no gap
        drawn = sorted(map(int, re.findall(r">(\d+)</text>", picture.svg)))
        assert drawn == sorted(number for _, number in arrows), picture.id
        numbers = [step.number for step in steps]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), picture.id


def test_stages_number_their_steps_continuously(catalogue):
    for system in catalogue.systems.values():
        for path in system.paths.values():
            drawn = [step.number for stage in path.stages() for step in stage.steps]
            assert drawn == list(range(1, len(path.steps) + 1)), (system.id, path.id)


def test_each_arrow_joins_the_step_s_components(catalogue):
    for picture in path_pictures(catalogue):
        for step in picture.stage.steps:
            for suffix, target in step.arrows():
                edge = edge_groups(picture.svg)[f"{picture.id}-{suffix}"]
                title = edge.find(f"{SVG}title").text
                assert set(title.split("->")) == {step.source, target}, (picture.id, step.number, title)
                tooltip = edge.find(f".//{SVG}a").get("{http://www.w3.org/1999/xlink}title")
                assert tooltip == f"{step.number}. {step.text}"
                dashed = 'stroke-dasharray' in ET.tostring(edge, encoding="unicode")
                assert dashed == (step.when is not None), (picture.id, step.number)


def test_each_picture_draws_the_connections_between_its_components(catalogue):
    for picture in path_pictures(catalogue):
        used = picture.path.components(picture.stage.steps)
        expected = {f"{picture.id}-connection-{a}-{b}" for a, b in
                    (c.ends for c in picture.system.connections_between(used))}
        assert set(edge_groups(picture.svg, connections=True)) == expected, picture.id


def test_each_number_sits_on_its_own_arrow(catalogue):
    for picture in path_pictures(catalogue):
        for edge_id, edge in edge_groups(picture.svg).items():
            badge = edge.find(f"{SVG}circle")
            centre = (float(badge.get("cx")), float(badge.get("cy")))
            line = [point for path in edge.iter(f"{SVG}path") for point in bezier_points(path.get("d"))]
            nearest = min(distance_to_segment(centre, a, b) for a, b in zip(line, line[1:]))
            assert nearest < 1.0, edge_id


def test_only_the_picture_s_components_are_drawn(catalogue):
    for picture in path_pictures(catalogue):
        drawn = set(re.findall(rf'id="{picture.id}-node-([a-z0-9_]+)"', picture.svg))
        assert drawn == set(picture.path.components(picture.stage.steps)), picture.id


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
    # what a reader downloads for one picture: the SVG (gzipped by the server) and its icons
    # (PNG, already compressed; shared with other pictures, but counted in full here)
    for picture in catalogue.pictures.values():
        icons = sum((catalogue.icons / name).stat().st_size for name in icon_names(picture.svg))
        assert len(gzip.compress(picture.svg.encode(), 9)) + icons <= BUDGET_GZIP, picture.id


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


def test_every_kind_has_an_icon():
    from blueprint.kinds import KINDS
    from blueprint.render import icon_source

    for kind in KINDS:
        assert icon_source(kind).is_file(), kind


def test_rendering_does_not_depend_on_the_hash_seed(tmp_path):
    """Sets iterate in an order that changes with PYTHONHASHSEED; no picture may."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"seed-{seed}"
        subprocess.run(
            [sys.executable, "-m", "blueprint.cli", "render", "--root", str(ROOT), "--cache", str(tmp_path / f"cache-{seed}"),
             "--out", str(out)],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append({path.relative_to(out): path.read_bytes() for path in out.rglob("*.svg")})
    assert outputs[0] == outputs[1] == outputs[2]
