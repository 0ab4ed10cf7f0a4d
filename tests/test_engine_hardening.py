"""Bad input and a damaged cache: the engine escapes what it shows, refuses what it cannot
show with a located message, and never trusts a cache entry it has not checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from blueprint import cli
from blueprint.build import build, load_all, read_cached, run_script, stale
from blueprint.model import BlueprintError
from blueprint.pages import picture_html
from conftest import FIXTURES, ROOT, make_project, mkdocs_build

TINY = (FIXTURES / "valid_tiny.py").read_text()
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def tiny(**replacements: str) -> str:
    script = TINY
    for old, new in replacements.items():
        assert old in script, old
        script = script.replace(old, new)
    return script


def tiny_with(old: str, new: str) -> str:
    assert old in TINY, old
    return TINY.replace(old, new)


# --- Text from scripts and DDL reaches the page as text ------------------------------

ATTACK = "<img src=x onerror=alert(1)>"


def test_html_in_any_script_text_or_ddl_name_reaches_the_reader_as_text(tmp_path):
    script = (
        TINY.replace('"""The smallest valid system; each file in broken/ is this with one mistake."""', f'"""Tiny {ATTACK}"""')
        .replace('tiny = System("Tiny")',
                 'tiny = System("Tiny", schema="schemas/evil.sql", relationships=["<b>users</b> 1-to-many pastes"])')
        .replace('"The server stores it."', f'"The server stores it {ATTACK}.", when="If {ATTACK}"')
        .replace('kind="postgresql", group="Data stores"', f'kind="postgresql", group="Data stores", role="{ATTACK}"')
        .replace('write.note("Nothing is cached on this path.")', f'write.note("Note {ATTACK}", theme="Theme {ATTACK}")')
    )
    project = make_project(tmp_path / "project", {"tiny.py": script},
                           {"index.md": "<!-- blueprint: systems -->\n", "systems/tiny.md": "# Tiny\n\n<!-- blueprint: tiny/write -->\n\n<!-- blueprint: tiny/schema -->\n"})
    (project / "snippets/schemas/evil.sql").write_text(
        'CREATE TABLE "<b>users</b>" (id INTEGER PRIMARY KEY);\n'
        'CREATE TABLE pastes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "<b>users</b>" (id));\n'
    )
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    for page in ("index.html", "systems/tiny.html", "systems/tiny/index.html"):
        file = tmp_path / "site" / page
        if not file.exists():
            continue
        html = file.read_text()
        assert "<img src=x" not in html and '<img src="x"' not in html, page
        assert "<b>users</b>" not in html, page
    page = next(p for p in (tmp_path / "site").rglob("*.html") if "tiny" in p.as_posix() and "systems" in p.as_posix())
    html = page.read_text()
    for shown in (f"The server stores it {ATTACK}.", f"If {ATTACK}", f"Note {ATTACK}", f"Theme {ATTACK}"):
        assert shown.replace("<", "&lt;").replace(">", "&gt;") in html, shown
    assert "&lt;b&gt;users&lt;/b&gt;" in html
    assert "Tiny &lt;img src=x onerror=alert(1)&gt;" in (tmp_path / "site" / "index.html").read_text()


def test_step_text_keeps_inline_markdown_but_no_blocks_images_or_script_links(tmp_path):
    link_to = lambda src: {"index.md": "../index.html", "concepts/trie.md": "../concepts/trie.html"}.get(src)  # noqa: E731
    script = tiny_with('"The server stores it."', '"# The server stores `it` in *one* [table](concepts/trie.md#top)."')
    catalogue = build(make_project(tmp_path / "p", {"tiny.py": script}), tmp_path / "cache")
    html = picture_html(catalogue.pictures["tiny/write"], "systems/tiny.html", link_to)
    assert '# The server stores <code>it</code> in <em>one</em> <a href="../concepts/trie.html#top">table</a>.' in html
    assert "<h1" not in html
    for text, message in (
        ("![x](http://example.com/x.png)", None),
        ("[x](javascript:alert(1))", "the link 'javascript:alert(1)' is neither an http(s) address nor a page of this site"),
        ("[x](//evil.example/x)", "the link '//evil.example/x' is neither"),
        ("[x](concepts/missing.md)", "the link 'concepts/missing.md' is neither"),
    ):
        script = tiny_with('"The server stores it."', repr(text))
        catalogue = build(make_project(tmp_path / f"p{abs(hash(text))}", {"tiny.py": script}), tmp_path / "cache")
        if message is None:
            assert "<img" not in picture_html(catalogue.pictures["tiny/write"], "systems/tiny.html", link_to)
        else:
            with pytest.raises(BlueprintError) as raised:
                picture_html(catalogue.pictures["tiny/write"], "systems/tiny.html", link_to)
            assert "diagrams/tiny.py, path 'write', step 2" in str(raised.value)
            assert message in str(raised.value)


# --- Text reaches Graphviz escaped ---------------------------------------------------

def svg_texts(svg: str) -> list[str]:
    return [text.text or "" for text in ET.fromstring(svg).iter(f"{SVG}text")]


def node_text(svg: str, node_id: str) -> str:
    root = ET.fromstring(svg)
    node = next(g for g in root.iter(f"{SVG}g") if g.get("id") == node_id)
    return "".join(text.text or "" for text in node.iter(f"{SVG}text"))


def edge_tooltip(svg: str, edge_id: str) -> str:
    root = ET.fromstring(svg)
    edge = next(g for g in root.iter(f"{SVG}g") if g.get("id") == edge_id)
    return next(a.get(f"{XLINK}title") for a in edge.iter(f"{SVG}a"))


TRICKY = ["AT&T &lt; &#92; &amp;", "back\\slash", "ends in \\", "\\N and \\G and \\L", 'a "quote"', "a|b {c} <d>", "<b>bold</b>", "\\l\\r\\n"]


@pytest.mark.parametrize("label", TRICKY)
def test_labels_and_step_texts_are_drawn_as_written(tmp_path, label):
    script = tiny_with('"Server", kind="server"', f'{label!r}, kind="server"').replace(
        '"The server stores it."', repr(label)
    )
    catalogue = build(make_project(tmp_path, {"tiny.py": script}), tmp_path / "cache")
    svg = catalogue.pictures["tiny/write"].svg
    assert node_text(svg, "tiny-write-node-server").replace(" ", "") == label.replace(" ", "")
    assert edge_tooltip(svg, "tiny-write-step-2") == f"2. {label}"


@pytest.mark.parametrize("name", ["we|rd", "a{b}", "c<d>", 'q"t', "back\\slash", "\\N"])
def test_erd_tables_and_columns_with_record_syntax_in_their_names_are_drawn_as_written(tmp_path, name):
    quoted = '"' + name.replace('"', '""') + '"'
    project = make_project(tmp_path / "p", {"tiny.py": tiny_with('tiny = System("Tiny")', 'tiny = System("Tiny", schema="schemas/odd.sql", relationships=[' + repr(f"{name} 1-to-many items") + "])")})
    (project / "snippets/schemas/odd.sql").write_text(
        f"CREATE TABLE {quoted} ({quoted} INTEGER PRIMARY KEY, label TEXT);\n"
        f"CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES {quoted} ({quoted}));\n"
    )
    catalogue = build(project, tmp_path / "cache")
    texts = [" ".join(t.replace("\xa0", " ").split()) for t in svg_texts(catalogue.pictures["tiny/schema"].svg)]
    assert name.upper() in texts, texts
    assert f"{name} integer (PK)" in texts, texts
    assert "owner integer (FK)" in texts
    assert len(ET.fromstring(catalogue.pictures["tiny/schema"].svg).findall(f".//{SVG}g[@class='edge']")) == 1


@pytest.mark.parametrize("where, script", [
    ("component 'server': the label contains the control character U+0007", tiny_with('"Server", kind', '"Ser\\x07ver", kind')),
    ("path 'write', step 2: the text contains the control character U+0000", tiny_with('"The server stores it."', '"nul \\x00"')),
    ("path 'write', note 1: the text contains the control character U+001B", tiny_with('"Nothing is cached on this path."', '"esc \\x1b[31m"')),
    ("path 'write': the title contains the control character U+000A", tiny_with('"Write path"', '"Write\\npath"')),
])
def test_control_characters_are_refused_with_their_place(tmp_path, where, script):
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"tiny.py": script}))
    assert f"diagrams/tiny.py, {where}" in str(raised.value)


def test_a_control_character_in_a_ddl_name_is_refused_naming_the_table(tmp_path):
    project = make_project(tmp_path / "p", {"tiny.py": tiny_with('tiny = System("Tiny")', 'tiny = System("Tiny", schema="schemas/odd.sql")')})
    (project / "snippets/schemas/odd.sql").write_text('CREATE TABLE odd ("bell\x07" INTEGER);\n')
    with pytest.raises(BlueprintError) as raised:
        load_all(project)
    assert "snippets/schemas/odd.sql" in str(raised.value) and "odd" in str(raised.value)
    assert "U+0007" in str(raised.value)


# --- Smaller holes in validation -----------------------------------------------------

@pytest.mark.parametrize("old, new, message", [
    ('tiny.component("server", "Server"', 'tiny.component("server\\n", "Server"', "component 'server\n': ids are lowercase"),
    ("write.step(1,", "write.step(True,", "path 'write': step numbers are whole numbers from 1"),
])
def test_ids_and_numbers_are_checked_exactly(tmp_path, old, new, message):
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"tiny.py": tiny_with(old, new)}))
    assert message in str(raised.value)


def test_a_component_of_another_system_is_refused(tmp_path):
    script = tiny_with(
        'write.step(2, server, database, "The server stores it.", effect="write")',
        'from blueprint import System as _S\nother = _S("Other").component("database", "Other DB", kind="mysql")\n'
        'write.step(2, server, other, "The server stores it.", effect="write")',
    )
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"tiny.py": script}))
    assert "diagrams/tiny.py, path 'write', step 2: component 'database' was declared by another system" in str(raised.value)


def test_two_scripts_with_one_title_are_refused(tmp_path):
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"tiny.py": TINY, "tiny2.py": TINY}))
    assert "diagrams/tiny.py and diagrams/tiny2.py declare systems with the same title" in str(raised.value)


def test_a_fan_out_too_wide_for_a_picture_gets_advice_that_can_be_followed(tmp_path):
    declare = "\n".join(f'tiny.component("s{i}", "S{i}", kind="server", group="Services")' for i in range(13))
    script = tiny_with('write.note(', declare + '\nwrite.step(4, server, [f"s{i}" for i in range(13)], "Fan out.")\nwrite.note(')
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"tiny.py": script}))
    message = str(raised.value)
    assert "path 'write', step 4: one step fans out to 13 targets" in message
    assert "split its targets over two steps" in message
    assert "path.stage" not in message


# --- Scripts that end the process or never finish ------------------------------------

@pytest.mark.parametrize("call", ["exit()", "import sys; sys.exit(0)", "raise SystemExit(3)", "raise KeyError('x')"])
def test_a_script_that_exits_stops_the_build_naming_the_script(tmp_path, call):
    project = make_project(tmp_path / "project", {"tiny.py": TINY + f"\n{call}\n"},
                           {"index.md": "<!-- blueprint: tiny/write -->\n"})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0, result.log
    assert "diagrams/tiny.py" in result.log
    assert "Traceback" not in result.log
    assert not (tmp_path / "site" / "index.html").exists()


@pytest.mark.parametrize("body", [
    "while True:\n    pass",
    "import time\ntime.sleep(60)",
    "while True:\n    try:\n        x = 1\n    except Exception:\n        pass",
    "x = sum(range(10**11))",  # a loop in C code: no trace function or thread can stop it
    "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass",
])
def test_a_script_that_never_finishes_is_stopped_in_time(tmp_path, body):
    script = tmp_path / "diagrams" / "slow.py"
    script.parent.mkdir()
    script.write_text(TINY + "\n" + body + "\n")
    started = time.monotonic()
    with pytest.raises(BlueprintError) as raised:
        run_script(script, "diagrams/slow.py", limit=0.5)
    assert time.monotonic() - started < 5
    assert "diagrams/slow.py: the script did not finish within 0.5 s" in str(raised.value)
    assert "BLUEPRINT_SCRIPT_TIMEOUT" in str(raised.value)


def build_with(project: Path, tmp_path: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` with extra environment variables; a hang fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "BLUEPRINT_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1", **env},
    )


def test_a_loop_in_c_code_stops_the_build_in_time_naming_the_script(tmp_path):
    project = make_project(tmp_path / "project", {"tiny.py": TINY + "\nx = sum(range(10**11))\n"},
                           {"index.md": "<!-- blueprint: tiny/write -->\n"})
    started = time.monotonic()
    result = build_with(project, tmp_path, timeout=60, BLUEPRINT_SCRIPT_TIMEOUT="1")
    assert time.monotonic() - started < 30
    assert result.returncode != 0
    assert "diagrams/tiny.py: the script did not finish within 1 s" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_script_that_ends_the_process_stops_the_build_naming_the_script(tmp_path):
    project = make_project(tmp_path / "project", {"tiny.py": TINY + "\nimport os\nos._exit(0)\n"},
                           {"index.md": "<!-- blueprint: tiny/write -->\n"})
    result = build_with(project, tmp_path)
    assert result.returncode != 0, result.stderr
    assert "diagrams/tiny.py: the script ended the process it runs in" in result.stderr, result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_print_and_input_in_a_script_do_not_disturb_the_build(tmp_path):
    script = TINY + "\nprint('hello from the script')\ntry:\n    input()\nexcept EOFError:\n    pass\n"
    project = make_project(tmp_path / "project", {"tiny.py": script}, {"index.md": "<!-- blueprint: tiny/write -->\n"})
    result = build_with(project, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hello from the script" in result.stdout + result.stderr


def test_a_value_a_script_defines_is_refused_not_run_in_the_build(tmp_path):
    """Only the model's classes and plain values cross from the worker: unpickling a
    script's own object would run its code, unlimited, in the build's process."""
    script = TINY.replace('tiny = System("Tiny")', (
        'import time\n'
        'class Slow:\n'
        '    def __reduce__(self):\n'
        '        return (time.sleep, (600,))\n'
        'tiny = System("Tiny")\n'
        'tiny.extra = Slow()'
    ))
    project = make_project(tmp_path / "project", {"tiny.py": script}, {"index.md": "<!-- blueprint: tiny/write -->\n"})
    result = build_with(project, tmp_path, timeout=60)
    assert result.returncode != 0
    assert "diagrams/tiny.py: the system holds a value that is not plain data" in result.stderr, result.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan"])
def test_a_bad_script_time_limit_is_named_without_a_traceback(tmp_path, value):
    project = make_project(tmp_path / "project", {"tiny.py": TINY}, {"index.md": "<!-- blueprint: tiny/write -->\n"})
    result = build_with(project, tmp_path, BLUEPRINT_SCRIPT_TIMEOUT=value)
    assert result.returncode != 0
    assert f"BLUEPRINT_SCRIPT_TIMEOUT='{value}' is not a number of seconds" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    command = subprocess.run([sys.executable, "-m", "blueprint.cli", "render", "--check", "--root", str(project),
                              "--cache", str(tmp_path / "cache")], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "BLUEPRINT_SCRIPT_TIMEOUT": value}, cwd=ROOT)
    assert command.returncode == 1 and "BLUEPRINT_SCRIPT_TIMEOUT" in command.stderr, command.stderr
    assert "Traceback" not in command.stderr


# --- Markers -------------------------------------------------------------------------

@pytest.mark.parametrize("page, message", [
    ("<!-- blueprint: tiny/write -->\n\n<!-- blueprint: tiny/write -->\n", "docs/index.md: the marker 'tiny/write' appears twice"),
    ("<!-- bluepirnt: tiny/write -->\n", "docs/index.md: '<!-- bluepirnt: tiny/write -->' looks like a blueprint marker"),
    ("<!-- Blueprint: tiny/write -->\n", "docs/index.md: '<!-- Blueprint: tiny/write -->' looks like a blueprint marker"),
])
def test_marker_mistakes_name_the_page(tmp_path, page, message):
    project = make_project(tmp_path / "project", {"tiny.py": TINY}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert message in result.log, result.log


# --- The cache -----------------------------------------------------------------------

@pytest.fixture
def tiny_project(tmp_path):
    return make_project(tmp_path / "project", {"tiny.py": TINY})


def cached_svg(cache: Path) -> Path:
    (svg,) = cache.glob("*.svg")
    return svg


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # truncated
    lambda data: b"<svg>not the picture</svg>",  # garbage that parses
    lambda data: bytes(range(256)) * 4,  # binary garbage
    lambda data: b"",
])
def test_a_damaged_cache_entry_is_reported_and_drawn_again(tiny_project, tmp_path, capsys, damage):
    cache = tmp_path / "cache"
    good = build(tiny_project, cache).pictures["tiny/write"].svg
    entry = cached_svg(cache)
    entry.write_bytes(damage(entry.read_bytes()))
    assert read_cached(entry) is None
    assert stale(tiny_project, cache) == [f"tiny/write (corrupt cache entry {entry.name})"]
    assert cli.main(["render", "--check", "--root", str(tiny_project), "--cache", str(cache)]) == 1
    assert "corrupt cache entry" in capsys.readouterr().err
    again = build(tiny_project, cache)
    assert again.rendered == 1 and again.pictures["tiny/write"].svg == good
    assert cli.main(["render", "--check", "--root", str(tiny_project), "--cache", str(cache)]) == 0


def test_with_icons_deleted_the_build_puts_them_back(tiny_project, tmp_path):
    cache = tmp_path / "cache"
    first = build(tiny_project, cache)
    icons = sorted(first.icons.glob("*.png"))
    assert icons
    for icon in icons[::2]:
        icon.unlink()
    icons[-1].write_bytes(b"damaged")
    again = build(tiny_project, cache)
    assert sorted(again.icons.glob("*.png")) == icons
    assert all(icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for icon in icons)


@pytest.mark.parametrize("damage", [bytes(range(256)) * 4, b"client ../../etc/passwd 00\n", b""])
def test_a_damaged_icon_list_is_reported_and_made_again(tiny_project, tmp_path, capsys, damage):
    cache = tmp_path / "cache"
    first = build(tiny_project, cache)
    icons = sorted(first.icons.glob("*.png"))
    (first.icons / "icons.txt").write_bytes(damage)
    assert cli.main(["render", "--check", "--root", str(tiny_project), "--cache", str(cache)]) == 1
    assert f"icons (missing or corrupt in {first.icons.name})" in capsys.readouterr().err
    again = build(tiny_project, cache)  # no traceback: the list and the icons are made again
    assert sorted(again.icons.glob("*.png")) == icons
    assert cli.main(["render", "--check", "--root", str(tiny_project), "--cache", str(cache)]) == 0


def test_an_unwritable_cache_says_which_folder_and_what_to_do(tiny_project, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = tmp_path / "readonly"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        if os.access(cache / "x", os.W_OK) or os.geteuid() == 0:
            # root writes anywhere: make the folder impossible instead (a path under a file)
            cache = blocker / "cache"
        with pytest.raises(BlueprintError) as raised:
            build(tiny_project, cache)
    finally:
        (tmp_path / "readonly").chmod(0o700)
    message = str(raised.value)
    assert str(cache) in message or str(blocker) in message
    assert "BLUEPRINT_CACHE" in message


def test_the_command_honours_blueprint_cache(tiny_project, tmp_path, monkeypatch):
    monkeypatch.setenv("BLUEPRINT_CACHE", str(tmp_path / "elsewhere"))
    assert cli.main(["render", "--root", str(tiny_project)]) == 0
    assert list((tmp_path / "elsewhere").glob("*.svg"))
    assert not (tiny_project / ".cache").exists()


def test_leftovers_of_an_interrupted_render_are_removed(tiny_project, tmp_path):
    cache = tmp_path / "cache"
    build(tiny_project, cache)
    old, fresh = cache / "tmpold.tmp", cache / "tmpfresh.tmp"
    old.write_text("half a picture")
    fresh.write_text("a render under way")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    build(tiny_project, cache)
    assert not old.exists() and fresh.exists()


def test_the_cache_key_describes_the_engine_that_drew(tmp_path):
    """Editing the engine under a running process: pictures it draws keep the old code's
    key, and the MkDocs hook refuses to draw until restarted."""
    copy = tmp_path / "engine"
    shutil.copytree(ROOT / "blueprint", copy / "blueprint", ignore=shutil.ignore_patterns("__pycache__"))
    program = (
        "import pathlib, blueprint.build as b\n"
        "before = b.renderer_fingerprint()\n"
        "render = pathlib.Path(b.__file__).with_name('render.py')\n"
        "render.write_text(render.read_text() + '\\n# edited\\n')\n"
        "print(before == b.renderer_fingerprint(), b.engine_changed_on_disk())\n"
        "import blueprint.mkdocs_hooks as h\n"
        "class Config: config_file_path = str(pathlib.Path.cwd() / 'mkdocs.yml'); plugins = {}\n"
        "try:\n    h.on_pre_build(Config())\nexcept Exception as error:\n    print(type(error).__name__, error)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=copy, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(copy)})
    lines = result.stdout.splitlines()
    assert lines[0] == "True True", result.stdout + result.stderr
    assert lines[1].startswith("PluginError") and "restart `mkdocs serve`" in lines[1], result.stdout + result.stderr


def test_capacity_estimates_are_keyed_by_the_code_that_computed_them(tmp_path):
    """capacity.py edited under a running process (a long `mkdocs serve`): the estimates
    that process computes come from the code it imported, so it must not file them under
    the new code's key, where a fresh build and `render --check` would trust them."""
    copy = tmp_path / "engine"
    shutil.copytree(ROOT / "blueprint", copy / "blueprint", ignore=shutil.ignore_patterns("__pycache__"))
    project = make_project(tmp_path / "project", {"paste.py": (FIXTURES / "api_capacity.py").read_text()})
    program = (
        "import pathlib, sys, blueprint.build as b\n"
        "project, cache = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])\n"
        "storage = lambda: b.build(project, cache).capacities['paste']['results'][7]\n"
        "print(storage()['magnitude'])\n"
        "if sys.argv[3] == 'edit':\n"
        "    code = pathlib.Path(b.__file__).with_name('capacity.py')\n"
        "    text = code.read_text()\n"
        "    old = '(writes_per_day * q[\"write_size\"] * q[\"retention\"]).to(\"byte\")'\n"
        "    assert old in text\n"
        "    code.write_text(text.replace(old, '(2 * writes_per_day * q[\"write_size\"] * q[\"retention\"]).to(\"byte\")'))\n"
        "    print(b.engine_changed_on_disk())\n"
        "    print(storage()['magnitude'])\n"
    )

    def run(*args):
        result = subprocess.run([sys.executable, "-c", program, str(project), str(tmp_path / "cache"), *args],
                                cwd=copy, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(copy)})
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    before, changed, same_process = run("edit")
    assert changed == "True"  # the hooks refuse to build with it: restart `mkdocs serve`
    assert float(same_process) == float(before)  # the old code, still running, gave the old figure
    (fresh,) = run("fresh")
    assert float(fresh) == 2 * float(before), "a fresh build computes with the new code"
    check = subprocess.run([sys.executable, "-m", "blueprint.cli", "render", "--check", "--root", str(project),
                            "--cache", str(tmp_path / "cache")], cwd=copy, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(copy)})
    assert check.returncode == 0, check.stderr


# --- Any text at all: refused with its place, or shown exactly -----------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from blueprint import render  # noqa: E402
from blueprint.model import System  # noqa: E402
from blueprint.pages import _inline  # noqa: E402

@pytest.fixture(scope="module")
def graphviz(tmp_path_factory):
    icons = render.icon_folder(tmp_path_factory.mktemp("icons"), {"client", "server"})
    instance = render.Graphviz(icons)
    yield instance
    del instance


def draw(system: System, graphviz) -> str:
    path = system.paths["write"]
    prefix = render.picture_id(system, "write")
    arrows = [(suffix, step.number) for step in path.steps for suffix, _ in step.arrows()]
    return render.finish_svg(graphviz.svg(render.path_dot(system, prefix, tuple(path.steps))), prefix, arrows)


TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),  # anything, control characters included
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40),
    st.lists(st.sampled_from(list('\\"<>{}|&;#NGLlrn* _`[]()!') + ["\\N", "&lt;", "&#92;", "\\\\"]), min_size=1, max_size=20).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=TEXT, step_text=TEXT)
def test_any_label_or_step_text_is_refused_with_its_place_or_shown_exactly(graphviz, label, step_text):
    system = System("Any")
    system.id, system.source, system.summary = "any", "diagrams/any.py", "Any text."
    client = system.component("client", label, kind="client", group="Client")
    server = system.component("server", "Server", kind="server", group="Services")
    write = system.path("write", "Write path")
    write.step(1, client, server, step_text)
    problems = system.problems({"client", "server"})
    if problems:
        # refused: and the message says where
        assert all(p.startswith(("diagrams/any.py, component 'client'", "diagrams/any.py, path 'write', step 1")) for p in problems), problems
        return
    svg = draw(system, graphviz)
    shown = "".join(node_text(svg, "any-write-node-client").split())
    assert shown == "".join(label.split()), (label, shown)
    assert " ".join(edge_tooltip(svg, "any-write-step-1").split()) == " ".join(f"1. {step_text}".split())
    try:
        listed = _inline(step_text, "diagrams/any.py, path 'write', step 1")
    except BlueprintError as error:  # a Markdown link to no page of the site
        assert str(error).startswith("diagrams/any.py, path 'write', step 1: the link"), error
        return
    parsed = ET.fromstring(f"<li>{listed}</li>")  # well-formed: no stray markup
    assert {element.tag for element in parsed.iter()} <= {"li", "code", "em", "strong", "a", "br"}, listed
    if not any(char in step_text for char in "`*_[]<>\\!&"):
        assert "".join(parsed.itertext()) == step_text


# --- Lesser cases (issue 25, case 9) -------------------------------------------------

def test_a_comment_that_mentions_blueprint_is_prose_not_a_broken_marker(tmp_path):
    page = ("<!-- blueprint: tiny/write -->\n\n<!-- TODO: explain how the blueprint engine draws this -->\n"
            "<!-- Blueprint tables come from the scripts. -->\n")
    project = make_project(tmp_path / "project", {"tiny.py": TINY}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    for number, broken in enumerate(["<!-- blueprint tiny/write -->", "<!-- blueprnt: tiny/write -->", "<!-- BluePrint: tiny -->"]):
        bad = make_project(tmp_path / f"bad{number}", {"tiny.py": TINY}, {"index.md": page + broken + "\n"})
        result = mkdocs_build(bad, tmp_path / "site-bad", tmp_path / "cache")
        assert result.returncode != 0 and "looks like a blueprint marker" in result.log, broken


def test_a_capacity_marker_in_a_code_sample_is_shown_as_written(tmp_path):
    script = (FIXTURES / "api_capacity.py").read_text()
    page = ("# Paste\n\n<!-- blueprint: paste/write -->\n\n<!-- blueprint: paste/read -->\n\n<!-- blueprint: paste/api -->\n\n"
            "<!-- blueprint: paste/capacity -->\n\nStorage: <!-- blueprint: paste/capacity#storage -->.\n\n"
            "Write `<!-- blueprint: paste/capacity#cache -->` in prose.\n\n"
            "```markdown\nAbout <!-- blueprint: paste/capacity#storage --> in five years.\n```\n")
    project = make_project(tmp_path / "project", {"paste.py": script}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    html = (tmp_path / "site" / "index.html").read_text()
    assert html.count('class="blueprint-figure-value"') == 1  # the prose one only
    assert "<code>&lt;!-- blueprint: paste/capacity#cache --&gt;</code>" in html
    assert "About &lt;!-- blueprint: paste/capacity#storage --&gt; in five years." in html.replace("<span>", "").replace("</span>", "")


def test_a_link_to_a_missing_anchor_in_step_text_stops_the_build(tmp_path):
    pages = {"index.md": "# Home\n\n<!-- blueprint: tiny/write -->\n", "other.md": "# Other\n\n## Real heading\n"}
    good = tiny_with('"The server stores it."', '"The server stores it ([why](other.md#real-heading))."')
    project = make_project(tmp_path / "good", {"tiny.py": good}, pages)
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    bad = tiny_with('"The server stores it."', '"The server stores it ([why](other.md#no-such-heading))."')
    project = make_project(tmp_path / "bad", {"tiny.py": bad}, pages)
    result = mkdocs_build(project, tmp_path / "site2", tmp_path / "cache")
    assert result.returncode != 0
    assert "diagrams/tiny.py, path 'write', step 2: the link 'other.md#no-such-heading' names no heading or anchor" in result.log, result.log


def test_tables_whose_names_differ_only_in_punctuation_get_their_own_ids(tmp_path):
    script = TINY.replace('tiny = System("Tiny")', 'tiny = System("Tiny", schema="schemas/odd.sql", relationships=["a b 1-to-many a-b"])')
    project = make_project(tmp_path / "project", {"tiny.py": script})
    (project / "snippets/schemas/odd.sql").write_text(
        'CREATE TABLE "a b" (id INTEGER PRIMARY KEY);\n'
        'CREATE TABLE "a-b" (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES "a b" (id));\n'
    )
    svg = build(project, tmp_path / "cache").pictures["tiny/schema"].svg
    ids = [element.get("id") for element in ET.fromstring(svg).iter() if element.get("id")]
    assert len(ids) == len(set(ids)), ids
    assert "tiny-schema-table-a-20-b" in ids and "tiny-schema-table-a-2d-b" in ids
