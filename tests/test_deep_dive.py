"""Deep dive: the failure rules stop the build where a crash or a redelivery would do harm,
and the load on each component follows from the capacity assumptions."""

from __future__ import annotations

import hashlib
import html
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from blueprint import capacity, deep_dive, failure, load
from blueprint.build import build, load_all
from blueprint.model import BlueprintError
from conftest import FIXTURES, ROOT, make_project, mkdocs_build

PROBE = (FIXTURES / "probe.py").read_text()
PAGE = (
    "# Probe\n\n<!-- blueprint: probe/write -->\n\n<!-- blueprint: probe/read -->\n\n<!-- blueprint: probe/api -->\n\n"
    "<!-- blueprint: probe/capacity -->\n\nAt peak the cache takes <!-- blueprint: probe/load#cache --> "
    "(<!-- blueprint: probe/load#cache/bytes -->, <!-- blueprint: probe/load#cache/nodes -->); the hottest is "
    "<!-- blueprint: probe/load#hottest -->.\n"
)


def probe_with(old: str, new: str, script: str = PROBE) -> str:
    assert old in script, old
    return script.replace(old, new, 1)


def problems_of(tmp_path, script: str) -> str:
    with pytest.raises(BlueprintError) as raised:
        load_all(make_project(tmp_path, {"probe.py": script}))
    return str(raised.value)


# --- The four hazards, each planted in the probe ---------------------------------------

IDEMPOTENCY = (',\n           idempotent_by="the order ID, unique in the reservations table")', ")")
CRASH = ('effect="write",\n           after_crash=("outbox", "the relay publishes the outbox row later, so a crash loses nothing"))',
         'effect="write")')
NO_FAILS = ('cache.fails(down="Every read goes to the orders database"', 'cache_fails = dict(down="Every read goes to the orders database"')
ACROSS = '''
move = probe.path("move", "Move stock", rate=(5, "1 kB", "A stock move every 200 ms at peak"))
with move.transaction("Move stock between stores"):
    move.step(1, worker, orders, "The worker records the move.", effect="write")
    move.step(2, worker, stock, "The worker moves the stock.", effect="write")
'''


def test_the_probe_builds_as_declared(tmp_path):
    catalogue = load_all(make_project(tmp_path, {"probe.py": PROBE}))
    assert not failure.problems(catalogue.systems["probe"])


def test_a_write_after_a_delivery_must_name_its_idempotency_key(tmp_path):
    message = problems_of(tmp_path, probe_with(*IDEMPOTENCY))
    assert ("diagrams/probe.py, path 'write', step 5: this write acts on a message from 'queue', which delivers at "
            "least once, so it can run twice; name what makes it idempotent") in message


def test_a_delivery_travels_on_through_the_services_it_reaches(tmp_path):
    """The worker calls the server, and the server writes: still a redelivered message's write."""
    script = probe_with(*IDEMPOTENCY).replace(
        'write.step(5, worker, stock, "The worker reserves the stock.", effect="write")',
        'write.step(5, worker, server, "The worker asks the server.")\n'
        'write.step(6, server, stock, "The server reserves the stock.", effect="write")',
    )
    assert "path 'write', step 6: this write acts on a message from 'queue'" in problems_of(tmp_path, script)


def test_an_at_most_once_queue_needs_no_idempotency_key(tmp_path):
    script = probe_with(*IDEMPOTENCY).replace('kind="kafka", group="Data stores")', 'kind="kafka", group="Data stores", delivery="at most once")')
    load_all(make_project(tmp_path, {"probe.py": script}))


def test_two_writes_in_a_row_need_to_say_what_a_crash_between_them_leaves(tmp_path):
    message = problems_of(tmp_path, probe_with(*CRASH))
    assert ("diagrams/probe.py, path 'write', step 2: this step writes 'orders' then step 3 writes 'queue', "
            "outside one transaction; say what a crash between them leaves and how it is repaired") in message
    assert "step 3:" not in message  # step 3 declares its own after_crash


def test_two_writes_inside_one_transaction_need_no_after_crash(tmp_path):
    script = probe_with(*CRASH).replace(
        'write.step(2, server, orders', 'with write.transaction("Record and publish"):\n  write.step(2, server, orders'
    ).replace('write.step(3, orders, queue', '  write.step(3, orders, queue')
    load_all(make_project(tmp_path, {"probe.py": script}))


@pytest.mark.parametrize("after_crash, message", [
    ('("accepted", "the cache is stale for a while")', "an accepted inconsistency states its bound"),
    ('("hope", "it will be fine")', "after_crash names the repair 'hope'; it is one of 'outbox', 'saga'"),
    ('"outbox"', "after_crash is (repair, "),
])
def test_a_repair_is_one_of_the_known_ones_and_an_accepted_one_is_bounded(tmp_path, after_crash, message):
    script = probe_with('("outbox", "the relay publishes the outbox row later, so a crash loses nothing")', after_crash)
    assert f"diagrams/probe.py, path 'write', step 2: {message}" in problems_of(tmp_path, script)


def test_an_accepted_inconsistency_with_its_bound_builds(tmp_path):
    script = probe_with('("outbox", "the relay publishes the outbox row later, so a crash loses nothing")',
                        '("accepted", "the order waits unpublished for up to 30 s until the relay runs")')
    load_all(make_project(tmp_path, {"probe.py": script}))


def test_a_transaction_over_two_databases_must_be_a_saga(tmp_path):
    message = problems_of(tmp_path, PROBE + ACROSS)
    assert ("diagrams/probe.py, path 'move': transaction 'Move stock between stores' writes to 2 databases "
            "('orders', 'stock'); a transaction runs in one database. Declare the steps as a saga") in message


def test_the_same_steps_as_a_saga_with_compensations_build(tmp_path):
    saga = ACROSS.replace('with move.transaction("Move stock between stores"):',
                          'with move.saga("Move stock between stores", compensations={1: "delete the move record"}):')
    load_all(make_project(tmp_path, {"probe.py": PROBE + saga}))


def test_a_saga_compensates_every_write_but_its_last(tmp_path):
    saga = ACROSS.replace('with move.transaction("Move stock between stores"):',
                          'with move.saga("Move stock between stores", compensations={2: "move it back"}):')
    message = problems_of(tmp_path, PROBE + saga)
    assert "path 'move', step 1: saga 'Move stock between stores' writes here and a later step can still fail" in message


def test_a_stateful_component_must_declare_how_it_fails(tmp_path):
    message = problems_of(tmp_path, probe_with(*NO_FAILS))
    assert ("diagrams/probe.py, component 'cache': a redis holds state, but its failure behaviour is not declared; "
            "add cache.fails(") in message


def test_a_step_into_a_store_must_say_what_it_does(tmp_path):
    script = probe_with('"The server looks in the cache.", effect="read"', '"The server looks in the cache."')
    assert "path 'read', step 2: 'cache' holds state (redis); say what the step does to it" in problems_of(tmp_path, script)


def test_a_conditional_step_of_a_rated_path_declares_its_share(tmp_path):
    script = probe_with('when="On a cache miss", share=0.2)', 'when="On a cache miss")')
    assert "path 'read', step 3: a conditional step ('On a cache miss') declares the share" in problems_of(tmp_path, script)


def test_a_hazard_stops_the_site_build_with_the_located_message(tmp_path):
    project = make_project(tmp_path / "project", {"probe.py": probe_with(*IDEMPOTENCY)}, {"index.md": PAGE})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert "diagrams/probe.py, path 'write', step 5: this write acts on a message from 'queue'" in result.log
    assert "Traceback" not in result.log


# --- The switch for the sixteen systems -----------------------------------------------


def test_every_system_declares_how_each_stateful_component_fails_and_what_each_step_does():
    """The sixteen real systems, with every rule on: each stateful component has fails(...),
    each step into one says its effect, and each path says what drives it."""
    from blueprint.kinds import STATEFUL_KINDS

    catalogue = load_all(ROOT)  # raises, naming file, path and step, if any rule is broken
    assert len(catalogue.systems) == 16
    for system in catalogue.systems.values():
        for component in system.components.values():
            if component.kind in STATEFUL_KINDS:
                assert component.failure is not None, f"{system.id}: {component.id}"
        for path in system.paths.values():
            assert path.per is not None or path.rate is not None, f"{system.id}: {path.id}"
            for step in path.steps:
                if any(system.components[t].kind in STATEFUL_KINDS for t in step.targets):
                    assert step.effect in failure.EFFECTS, f"{system.id}, {path.id}, step {step.number}"


# --- Hot spots, recomputed by hand ------------------------------------------------------


def hand_loads(dau=1_000_000, writes_per_user=0.1, reads_per_write=10, size=10_000, peak=3, miss=0.2):
    """The probe's load per component, from its assumptions and its steps, written out."""
    writes = dau * writes_per_user / 86_400 * peak  # peak writes per second
    reads = writes * reads_per_write
    requests = {
        "server": writes + reads,  # write step 1, read step 1
        "orders": writes + miss * reads,  # write step 2, read step 3 (a miss)
        "queue": writes + writes,  # written at step 3, delivers at step 4
        "worker": writes,  # step 4
        "stock": writes,  # step 5
        "cache": reads + miss * reads,  # read step 2, and the fill at step 4 on a miss
    }
    return {name: (rps, rps * size) for name, rps in requests.items()}


def computed_loads(script: str) -> dict:
    namespace: dict = {}
    exec(compile(script, "probe.py", "exec"), namespace)
    system = namespace["probe"]
    system.id, system.source = "probe", "diagrams/probe.py"
    return {l.component: l for l in load.compute(system, capacity.compute(system))}


def test_the_load_table_is_what_the_assumptions_give_by_hand():
    loads = computed_loads(PROBE)
    expected = hand_loads()
    assert set(loads) == set(expected)  # the client only sends: it carries no load
    for name, (rps, bps) in expected.items():
        assert math.isclose(loads[name].requests, rps, rel_tol=1e-9), name
        assert math.isclose(loads[name].bytes, bps, rel_tol=1e-9), name
    assert load.hottest(list(loads.values())).component == "cache"
    assert loads["cache"].nodes == math.ceil(expected["cache"][0] / 74_000)


@pytest.mark.parametrize("old, new, changed", [
    ('read_to_write=(10,', 'read_to_write=(40,', {"reads_per_write": 40}),
    ('peak_to_average=(3,', 'peak_to_average=(5,', {"peak": 5}),
    ('share=0.2)\nread.step(4', 'share=0.5)\nread.step(4', None),
])
def test_changing_an_assumption_changes_the_table(old, new, changed):
    loads = computed_loads(probe_with(old, new))
    if changed is None:  # only the miss to the database changed
        expected = hand_loads()
        expected["orders"] = hand_loads(miss=0.5)["orders"]
    else:
        expected = hand_loads(**changed)
    assert hand_loads() != expected
    for name, (rps, _) in expected.items():
        assert math.isclose(loads[name].requests, rps, rel_tol=1e-9), name


def test_a_step_that_moves_less_than_its_path_says_so():
    """A read path whose size is a whole page still moves only a small key to the cache."""
    script = probe_with('read.step(2, server, cache, "The server looks in the cache.", effect="read")',
                        'read.step(2, server, cache, "The server looks in the cache.", effect="read", size="200 B")')
    loads = computed_loads(script)
    expected = hand_loads()
    reads = expected["server"][0] - expected["worker"][0]  # the server takes every write and read
    assert math.isclose(loads["cache"].bytes, reads * 200 + 0.2 * reads * 10_000, rel_tol=1e-9)
    assert math.isclose(loads["cache"].requests, expected["cache"][0], rel_tol=1e-9)  # requests do not change
    assert math.isclose(loads["server"].bytes, expected["server"][1], rel_tol=1e-9)  # nor the other steps


def test_a_step_size_that_is_not_a_size_is_refused(tmp_path):
    script = probe_with('read.step(2, server, cache, "The server looks in the cache.", effect="read")',
                        'read.step(2, server, cache, "The server looks in the cache.", effect="read", size="tiny")')
    assert "path 'read', step 2: size='tiny' is what one run of this step moves" in problems_of(tmp_path, script)


def test_a_path_run_several_times_a_request_with_its_own_size():
    """Ten small reports per read: ten times the read rate, each of 200 B, on the cache only."""
    script = PROBE + '''
report = probe.path("report", "Report progress", per="read", times=10, size="200 B")
report.step(1, client, server, "The client reports.")
report.step(2, server, cache, "The server records the report.", effect="write")
'''
    loads = computed_loads(script)
    expected = hand_loads()
    reads = expected["server"][0] - expected["worker"][0]
    assert math.isclose(loads["cache"].requests, expected["cache"][0] + 10 * reads, rel_tol=1e-9)
    assert math.isclose(loads["cache"].bytes, expected["cache"][1] + 10 * reads * 200, rel_tol=1e-9)


def test_a_summary_path_adds_no_load(tmp_path):
    script = PROBE + '''
overview = probe.path("overview", "Overview", per="summary")
overview.step(1, client, server, "The client places an order.")
overview.step(2, server, orders, "The order is stored.", effect="write",
              after_crash=("outbox", "as in the write path"))
'''
    assert {name: (l.requests, l.bytes) for name, l in computed_loads(script).items()} == \
        {name: (l.requests, l.bytes) for name, l in computed_loads(PROBE).items()}
    load_all(make_project(tmp_path, {"probe.py": script}))  # and it builds


@pytest.mark.parametrize("declaration, message", [
    ('per="read", times=0', "times=0 is how many runs each request makes"),
    ('per="read", size="big"', "size='big' is what one run moves"),
    ('rate=(5, "1 kB", "why"), times=2', "times= and size= go with per="),
])
def test_times_and_size_are_checked(tmp_path, declaration, message):
    script = PROBE + f'''
extra = probe.path("extra", "Extra", {declaration})
extra.step(1, client, server, "The client asks.")
'''
    assert message in problems_of(tmp_path, script)


def test_a_background_path_runs_at_its_declared_rate():
    loads = computed_loads(PROBE + ACROSS.replace("move.transaction(", "move.saga(").replace(
        '"Move stock between stores"):', '"Move stock between stores", compensations={1: "delete the record"}):'))
    assert math.isclose(loads["stock"].requests, hand_loads()["stock"][0] + 5)
    assert math.isclose(loads["stock"].bytes, hand_loads()["stock"][1] + 5 * 1_000)


def test_the_page_shows_both_tables_the_picture_and_the_quoted_figures(tmp_path):
    project = make_project(tmp_path / "project", {"probe.py": PROBE}, {"index.md": "# Home\n", "systems/probe.md": PAGE})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 0, result.log
    page = (tmp_path / "site" / "systems" / "probe" / "index.html").read_text()
    cache_rps = hand_loads()["cache"][0]
    assert f"At peak the cache takes {_span('cache', f'{cache_rps:.1f} requests per second')}" in page
    assert _span("hottest", "Cache") in page and _span("cache/nodes", "1 node") in page
    row = page.split('<tr data-component="cache">', 2)[2].split("</tr>")[0]  # [1] is the failures table's row
    assert f"<td>{cache_rps:.1f} /s</td>" in row and "<td>417 KB/s</td>" in row
    failures = page.split('id="probe-failures"')[1].split("</table>")[0]
    assert '<a href="#probe-read-step-2-text">2</a>' in failures  # the cache's steps link to their lines
    assert "<strong>Yes</strong>: no redundancy declared" in failures.split('data-component="stock"')[1].split("</tr>")[0]
    assert "redis.io" in page and 'src="../../assets/blueprint/probe/load.svg" loading="lazy"' in page
    assert 'id="probe-load-node-cache"' in (tmp_path / "site" / "assets" / "blueprint" / "probe" / "load.svg").read_text()
    assert 'id="deep-dive"' in page


def _span(name: str, value: str) -> str:
    return f'<span class="blueprint-figure-value" data-load="{name}">{value}</span>'


def test_a_load_marker_with_a_typo_stops_the_build(tmp_path):
    page = PAGE.replace("probe/load#cache/bytes", "probe/load#cahce/bytes")
    project = make_project(tmp_path / "project", {"probe.py": PROBE}, {"index.md": page})
    result = mkdocs_build(project, tmp_path / "site", tmp_path / "cache")
    assert result.returncode != 0
    assert "docs/index.md: the marker 'probe/load#cahce/bytes' names no figure" in result.log


# --- The picture: deterministic and escaped --------------------------------------------

DRAW = """
import hashlib, sys
from pathlib import Path
sys.path.insert(0, "tests")
from conftest import make_project
from blueprint.build import build
from blueprint import deep_dive
folder = Path(sys.argv[1])
project = make_project(folder / "project", {"probe.py": Path("tests/fixtures/probe.py").read_text()})
catalogue = build(project, folder / "cache")
print(hashlib.sha256(deep_dive.prepare(catalogue, folder / "cache").pictures["probe"].encode()).hexdigest())
"""


def test_the_load_picture_is_the_same_bytes_under_two_hash_seeds(tmp_path):
    digests = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", DRAW, str(tmp_path / seed)], cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}, timeout=300,
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


ATTACK = '<script>alert("x")</script> \\N \\G {a|b} & "quoted" \\'  # DOT escapes, record syntax, HTML


def test_failure_text_is_escaped_in_html_and_in_dot(tmp_path):
    script = probe_with('cache.fails(down="Every read goes to the orders database"', f"cache.fails(down={ATTACK!r}")
    script = script.replace('"cache", "Cache", kind="redis"', f'"cache", {"Cache " + ATTACK!r}, kind="redis"')
    catalogue = build(make_project(tmp_path / "project", {"probe.py": script}), tmp_path / "cache")
    deep = deep_dive.prepare(catalogue, tmp_path / "cache")
    shown = ATTACK
    section = deep_dive.section(catalogue.systems["probe"], deep, catalogue)
    assert "<script>" not in section and f"<td>{html.escape(shown)}</td>" in section
    svg = ET.fromstring(deep.pictures["probe"])
    node = next(g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "probe-load-node-cache")
    texts = [t.text for t in node.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == f"Cache {shown}"  # the label, drawn as written
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in node.iter("{http://www.w3.org/2000/svg}a")]
    assert titles == [f"Cache {shown}: 41.7 requests/s at peak; when it is down: {shown}"]
