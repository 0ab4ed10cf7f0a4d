"""The flashcard deck: an Anki package (assets/flashcards.apkg) built from the declarations.

Cards, each linking back to its page:

- "Draw <system>'s <path>": the answer is the path's pictures and its numbered steps;
- "What happens at step N, and why?": only for a step that carries a reason, that is one
  whose text says why (REASON below) or that declares how a repeat or a crash is handled
  (`idempotent_by`, `after_crash`); the answer is the declared text;
- "Estimate <system>'s <figure> from these assumptions": the assumptions with their
  reasons; the answer is the computed figure and how it is computed;
- "When would you choose this building block?" for each concept page: the answer is the
  page's description.

Re-importing a newer deck updates cards instead of duplicating them: the deck and note
type IDs are constants, and each note's GUID comes from what it asks about (system, path,
step, figure or page), never from its text. The package's bytes depend only on the
declarations and on the notes' modification time, which is the last commit's time
(SOURCE_DATE_EPOCH if set), so a rebuild of the same commit gives the same file.
"""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

SITE_PATH = "assets/flashcards.apkg"
DECK_ID = 1_733_512_024  # chosen once; never change it, or every import makes a second deck
MODEL_ID = 1_733_512_025
DECK_NAME = "System Design Cheat Sheet"
REASON = re.compile(r"\b(because|so that|so the|so a|so it|so no|so each|so every|otherwise|to avoid|to keep|in case|which is why|since)\b", re.I)


@dataclass(frozen=True)
class Card:
    key: str  # what the card asks about; its GUID
    kind: str  # draw, step, estimate, concept
    front: str  # HTML
    back: str  # HTML
    page: str  # site path of the page it comes from


def carries_reason(step) -> bool:
    return bool(REASON.search(step.text) or step.idempotent_by or step.after_crash)


def _link(page: str, anchor: str, site_url: str) -> str:
    url = (site_url.rstrip("/") + "/" if site_url else "") + page + (f"#{anchor}" if anchor else "")
    return f'<p class="source">From <a href="{html.escape(url)}">{html.escape(page)}</a></p>'


def _route(system, step) -> str:
    targets = ", ".join(system.components[target].label for target in step.targets)
    return f"{system.components[step.source].label} → {targets}"


def _step_text(step) -> str:
    condition = f"{step.when}: " if step.when else ""
    return condition + step.text


def cards(catalogue, concept_pages: dict[str, tuple[str, str]], site_url: str = "") -> list[Card]:
    """Every card, in a stable order. `concept_pages`: site path -> (title, description)."""
    found: list[Card] = []
    for system in sorted(catalogue.systems.values(), key=lambda system: system.id):
        page = f"systems/{system.id}.html"
        for path in system.paths.values():
            pictures = catalogue.shown_by(f"{system.id}/{path.id}")
            images = "".join(f'<div class="picture"><img src="{media_name(picture)}"></div>' for picture in pictures)
            steps = "".join(
                f"<li>{html.escape(_route(system, step))}: {html.escape(_step_text(step))}</li>" for step in path.steps
            )
            found.append(Card(
                f"{system.id}/{path.id}/draw", "draw",
                f"<p>Draw {html.escape(system.title)}'s {html.escape(path.title.lower())}: the components and the numbered steps.</p>",
                f'{images}<ol class="steps">{steps}</ol>' + _link(page, f"{pictures[0].id}-figure" if pictures else "", site_url),
                page,
            ))
            for step in path.steps:
                if not carries_reason(step):
                    continue
                extra = ""
                if step.idempotent_by:
                    extra += f"<p>A repeat is harmless: idempotent by {html.escape(step.idempotent_by)}.</p>"
                if step.after_crash:
                    extra += f"<p>After a crash here ({html.escape(step.after_crash[0])}): {html.escape(step.after_crash[1])}</p>"
                anchor = next((f"{p.id}-step-{step.number}-text" for p in pictures if step in p.stage.steps), "")
                found.append(Card(
                    f"{system.id}/{path.id}/step-{step.number}", "step",
                    f"<p>{html.escape(system.title)}, {html.escape(path.title.lower())}: what happens at step {step.number} "
                    f"({html.escape(_route(system, step))}), and why?</p>",
                    f"<p>{html.escape(_step_text(step))}</p>{extra}" + _link(page, anchor, site_url),
                    page,
                ))
        computed = catalogue.capacities.get(system.id)
        if computed:
            assumed = "".join(
                f"<tr><td>{html.escape(a['title'])}</td><td>{html.escape(a['value'])}</td><td>{html.escape(a['reason'])}</td></tr>"
                for a in computed["assumptions"]
            )
            for result in computed["results"]:
                found.append(Card(
                    f"{system.id}/capacity/{result['name']}", "estimate",
                    f"<p>Estimate {html.escape(system.title)}'s {html.escape(result['title'].lower())} from these assumptions:</p>"
                    f"<table>{assumed}</table>",
                    f"<p><strong>{html.escape(result['value'])}</strong></p><p>{html.escape(result['formula'])}</p>"
                    + _link(page, f"{system.id}-capacity", site_url),
                    page,
                ))
    for page, (title, description) in sorted(concept_pages.items()):
        found.append(Card(
            f"concept/{page}", "concept",
            f"<p>{html.escape(title)}: when would you choose this building block?</p>",
            f"<p>{html.escape(description)}</p>" + _link(page, "", site_url),
            page,
        ))
    return found


def page_link() -> str:
    """The paragraph every system page ends with, in Markdown."""
    return (
        "\n\n## Practise\n\n"
        "Under each picture, **Test yourself** hides the steps until you reveal them; the capacity "
        "section's **Try it first** hides the estimates. The [flashcard deck for Anki](../assets/flashcards.apkg) "
        "holds every system's paths, reasoned steps and estimates, and every building block; importing a newer "
        "deck updates your cards.\n"
    )


def media_name(picture) -> str:
    return f"sdcs-{picture.id}.svg"


def _card_svg(svg: str) -> str:
    """A picture for a card: its icons live on the site, so they are left out (the labels stay)."""
    svg = re.sub(r"<image\b[^>]*/>\n?", "", svg)
    return re.sub(r'\sxlink:href="blueprint-concept:[^"]*"', "", svg)


def concept_pages(docs: Path) -> dict[str, tuple[str, str]]:
    """Every concept page (docs/concepts/*.md but the index): its title and description."""
    found = {}
    for source in sorted((docs / "concepts").glob("*.md")):
        if source.name == "index.md":
            continue
        text = source.read_text(encoding="utf-8")
        description = re.search(r"^description:\s*(.+)$", text, re.M)
        title = re.search(r"^# (.+)$", text, re.M)
        if description and title:
            found[f"concepts/{source.stem}.html"] = (title.group(1).strip(), description.group(1).strip())
    return found


def build_time(root: Path) -> int:
    """When the notes were last changed: SOURCE_DATE_EPOCH, or the last commit's time."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        return int(out.stdout.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        return 1_733_500_000


CSS = """.card { font-family: Helvetica, Arial, sans-serif; font-size: 18px; text-align: left; }
.picture img { max-width: 100%; background: #fff; }
table { border-collapse: collapse; font-size: 15px; } td { border: 1px solid #999; padding: 2px 6px; }
.source { font-size: 14px; color: #555; }"""


def package(catalogue, docs: Path, root: Path, site_url: str = "") -> bytes:
    """The .apkg file's bytes."""
    import genanki

    model = genanki.Model(
        MODEL_ID,
        "System Design Cheat Sheet card",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Page"}],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=CSS,
    )
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Generated from the declarations of the System Design Cheat Sheet.")
    every = cards(catalogue, concept_pages(docs), site_url)
    for card in every:
        deck.add_note(genanki.Note(model=model, fields=[card.front, card.back, card.page], guid=genanki.guid_for(card.key),
                                   tags=[card.kind]))
    with tempfile.TemporaryDirectory() as folder:
        media = []
        for picture in sorted(catalogue.pictures.values(), key=lambda picture: picture.id):
            if picture.path is None:
                continue
            file = Path(folder) / media_name(picture)
            file.write_text(_card_svg(picture.svg), encoding="utf-8")
            media.append(str(file))
        package = genanki.Package(deck, media_files=media)
        out = Path(folder) / "deck.apkg"
        package.write_to_file(str(out), timestamp=build_time(root))
        return _stable_zip(out.read_bytes())


def _stable_zip(data: bytes) -> bytes:
    """The same members with fixed dates, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
