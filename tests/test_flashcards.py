"""The flashcard deck: an Anki package (a zip holding a SQLite collection) built from the declarations."""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import zipfile

import pytest

from blueprint import flashcards
from blueprint.capacity import FORMULAS
from conftest import ROOT

DECK = "assets/flashcards.apkg"


def open_deck(data: bytes, tmp_path) -> tuple[sqlite3.Connection, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert "collection.anki2" in archive.namelist() and "media" in archive.namelist()
    database = tmp_path / "collection.anki2"
    database.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(database), archive


def notes(connection) -> list[dict]:
    rows = connection.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
    return [{"guid": guid, "mid": mid, "fields": fields.split("\x1f"), "tags": tags.split()} for guid, mid, fields, tags in rows]


@pytest.fixture(scope="module")
def deck(built_site, tmp_path_factory):
    data = (built_site.site / DECK).read_bytes()
    connection, archive = open_deck(data, tmp_path_factory.mktemp("deck"))
    return data, connection, archive


def test_the_deck_is_published_and_linked_from_home_and_every_system_page(built_site, catalogue):
    assert (built_site.site / DECK).stat().st_size > 10_000
    assert 'href="assets/flashcards.apkg"' in (built_site.site / "index.html").read_text(encoding="utf-8")
    for system in catalogue.systems.values():
        page = (built_site.site / "systems" / f"{system.id}.html").read_text(encoding="utf-8")
        assert 'href="../assets/flashcards.apkg"' in page, system.id


def test_one_card_per_path_reasoned_step_estimate_and_concept(deck, catalogue):
    _, connection, _ = deck
    found = notes(connection)
    paths = sum(len(system.paths) for system in catalogue.systems.values())
    reasoned = sum(flashcards.carries_reason(step) for system in catalogue.systems.values()
                   for path in system.paths.values() for step in path.steps)
    estimates = len(FORMULAS) * sum(system.id in catalogue.capacities for system in catalogue.systems.values())
    concepts = len([page for page in (ROOT / "docs" / "concepts").glob("*.md") if page.name != "index.md"])
    by_kind = {kind: sum(kind in note["tags"] for note in found) for kind in ("draw", "step", "estimate", "concept")}
    assert by_kind == {"draw": paths, "step": reasoned, "estimate": estimates, "concept": concepts}
    assert 0 < reasoned < sum(len(path.steps) for system in catalogue.systems.values() for path in system.paths.values())
    assert len(found) == paths + reasoned + estimates + concepts
    assert connection.execute("SELECT count(*) FROM cards").fetchone()[0] == len(found)


def test_answers_are_the_declared_texts_and_computed_figures(deck, catalogue, built_site):
    _, connection, archive = deck
    found = {note["guid"]: note for note in notes(connection)}
    import genanki

    def note(key):
        return found[genanki.guid_for(key)]

    for system in catalogue.systems.values():
        for path in system.paths.values():
            back = note(f"{system.id}/{path.id}/draw")["fields"][1]
            for step in path.steps:
                assert html.escape(step.text) in back, (system.id, path.id, step.number)
            assert back.index(html.escape(path.steps[0].text)) < back.index(html.escape(path.steps[-1].text))
            for step in path.steps:
                if flashcards.carries_reason(step):
                    front, back, page = note(f"{system.id}/{path.id}/step-{step.number}")["fields"]
                    assert f"step {step.number} " in front and html.escape(step.text) in back
        for result in catalogue.capacities.get(system.id, {}).get("results", []):
            front, back, page = note(f"{system.id}/capacity/{result['name']}")["fields"]
            assert f"<strong>{html.escape(result['value'])}</strong>" in back
            assert html.escape(catalogue.capacities[system.id]["assumptions"][0]["value"]) in front
    dns = note("concept/concepts/dns.html")["fields"]
    description = re.search(r"^description:\s*(.+)$", (ROOT / "docs/concepts/dns.md").read_text(), re.M).group(1)
    assert html.escape(description) in dns[1]
    # every card links back to a page that exists; pictures travel as media
    for item in found.values():
        page = item["fields"][2]
        assert (built_site.site / page).is_file(), page
        assert f">{page}</a>" in item["fields"][1]
    media = json.loads(archive.read("media"))
    draws = [item for item in found.values() if "draw" in item["tags"]]
    shown = {name for item in draws for name in re.findall(r'<img src="([^"]+)"', item["fields"][1])}
    assert shown and shown <= set(media.values())
    for index, name in media.items():
        assert archive.read(index).startswith(b"<svg"), name


def test_ids_are_stable_so_a_reimport_updates(deck, catalogue, tmp_path, monkeypatch):
    data, connection, _ = deck
    decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
    models = json.loads(connection.execute("SELECT models FROM col").fetchone()[0])
    assert str(flashcards.DECK_ID) in decks and str(flashcards.MODEL_ID) in models
    assert {note["mid"] for note in notes(connection)} == {flashcards.MODEL_ID}
    guids = [note["guid"] for note in notes(connection)]
    assert len(set(guids)) == len(guids)
    # built again from the same declarations at the same time (the build's commit): the same bytes
    stamp = connection.execute("SELECT max(mod) FROM notes").fetchone()[0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(stamp))
    assert flashcards.package(catalogue, ROOT / "docs", ROOT) == data
    assert flashcards.package(catalogue, ROOT / "docs", ROOT) == data
    # built at another time (a later commit): the same deck, note type and note GUIDs
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    later = flashcards.package(catalogue, ROOT / "docs", ROOT)
    assert later != data
    other, _ = open_deck(later, tmp_path)
    assert [note["guid"] for note in notes(other)] == guids
    assert json.loads(other.execute("SELECT decks FROM col").fetchone()[0]).keys() == decks.keys()
    assert {note["mid"] for note in notes(other)} == {flashcards.MODEL_ID}
