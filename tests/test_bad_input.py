"""A mistake in a diagram script or schema stops the build with a message that says where."""

from __future__ import annotations

import pytest

from blueprint.build import load_all
from blueprint.model import BlueprintError
from conftest import FIXTURES, make_project, mkdocs_build

# fixture file -> what the message must say (file, path, step, and the problem)
EXPECTED = {
    "unknown_component": "diagrams/unknown_component.py, path 'write', step 2: unknown component 'cache'",
    "step_gap": "diagrams/step_gap.py, path 'write', step 3: step 3 is missing",
    "step_duplicate": "diagrams/step_duplicate.py, path 'write', step 2: the number 2 is used 2 times",
    "empty_step_text": "diagrams/empty_step_text.py, path 'write', step 2: the step's text is empty",
    "no_steps": "diagrams/no_steps.py, path 'read': the path has no steps",
    "unknown_kind": "diagrams/unknown_kind.py, component 'database': unknown kind 'quantum_database'",
    "empty_label": "diagrams/empty_label.py, component 'server': the label is empty",
    "script_error": "diagrams/script_error.py, line 14: NameError: name 'clinet' is not defined",
    "missing_docstring": "diagrams/missing_docstring.py: the script needs a docstring",
    "too_many_arrows": "diagrams/too_many_arrows.py, path 'write': 'Write path' would draw 13 arrows in one picture; "
    "split the path with path.stage(...) so that no picture has more than 12",
    "target_twice": "diagrams/target_twice.py, path 'write', step 2: a target is named twice",
    "two_systems": "diagrams/two_systems.py: a script declares exactly one System; this one declares 2",
    "broken_ddl": "snippets/schemas/broken.sql: the DDL does not execute on SQLite: near \"name\": syntax error",
    "wrong_relationships": "diagrams/wrong_relationships.py: the relationships it states ['users 1-to-1 pastes'] "
    "differ from what snippets/schemas/users_pastes.sql defines ['users 1-to-many pastes']",
}


def test_every_broken_fixture_is_covered():
    assert {path.stem for path in (FIXTURES / "broken").glob("*.py")} == set(EXPECTED)


def test_the_valid_fixture_loads(tmp_path):
    project = make_project(tmp_path, {"tiny.py": (FIXTURES / "valid_tiny.py").read_text()})
    assert list(load_all(project).pictures) == ["tiny/write"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mistake_is_reported_with_its_location(tmp_path, name):
    project = make_project(tmp_path, {f"{name}.py": (FIXTURES / "broken" / f"{name}.py").read_text()})
    with pytest.raises(BlueprintError) as raised:
        load_all(project)
    assert EXPECTED[name] in str(raised.value)


def test_all_problems_of_all_scripts_are_reported_at_once(tmp_path):
    scripts = {f"{name}.py": (FIXTURES / "broken" / f"{name}.py").read_text() for name in ("step_gap", "unknown_kind")}
    project = make_project(tmp_path, scripts)
    with pytest.raises(BlueprintError) as raised:
        load_all(project)
    assert EXPECTED["step_gap"] in str(raised.value)
    assert EXPECTED["unknown_kind"] in str(raised.value)


def test_the_site_build_stops_with_the_message_and_no_traceback(tmp_path):
    script = (FIXTURES / "broken" / "step_gap.py").read_text()
    project = make_project(tmp_path / "project", {"step_gap.py": script}, {"index.md": "<!-- blueprint: step_gap/write -->\n"})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert EXPECTED["step_gap"] in result.log
    assert "Traceback" not in result.log
    assert not (tmp_path / "site" / "index.html").exists(), "a broken build must not publish pages"


def test_a_marker_naming_no_picture_stops_the_build(tmp_path):
    script = (FIXTURES / "valid_tiny.py").read_text()
    page = "<!-- blueprint: tiny/write -->\n\n<!-- blueprint: tiny/read -->\n"
    project = make_project(tmp_path / "project", {"tiny.py": script}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert "docs/index.md: the marker 'tiny/read' names no picture" in result.log


def test_a_picture_no_page_shows_stops_the_build(tmp_path):
    project = make_project(tmp_path / "project", {"tiny.py": (FIXTURES / "valid_tiny.py").read_text()})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert "docs/systems/tiny.md does not show tiny/write: add <!-- blueprint: tiny/write -->" in result.log
