"""Persistent two-way connections and transactions: drawn as such, listed under the steps, validated."""

from __future__ import annotations

import re

import pytest

from blueprint.build import build
from blueprint.model import BlueprintError
from blueprint.pages import picture_html
from conftest import FIXTURES, make_project

FIXTURE = (FIXTURES / "connections.py").read_text()


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    return build(make_project(folder / "project", {"shop.py": FIXTURE}), folder / "cache")


def edge(svg: str, edge_id: str) -> str:
    match = re.search(rf'<g id="{edge_id}" class="([^"]*)">(.*?)</g>\n', svg, re.S)
    assert match, edge_id
    return match.group(1) + match.group(2)


def test_a_connection_is_a_thick_unnumbered_line_with_heads_at_both_ends(shop):
    svg = shop.pictures["shop/buy"].svg
    for edge_id in ("shop-buy-connection-alice-gateway", "shop-buy-connection-gateway-bob"):
        drawn = edge(svg, edge_id)
        assert "blueprint-connection" in drawn
        assert 'stroke-width="4"' in drawn
        assert drawn.count("<polygon") == 2  # an arrowhead at each end
        assert "WebSocket" in drawn
        assert "blueprint-badge" not in drawn  # no step number on it
    # the numbered steps are still one arrow each
    for number in range(1, 6):
        assert f'id="shop-buy-step-{number}"' in svg


def test_a_connection_appears_only_where_both_ends_are_drawn(shop):
    assert "connection" not in shop.pictures["shop/browse"].svg
    assert "Persistent" not in picture_html(shop.pictures["shop/browse"], "systems/shop.html")


def test_connections_are_listed_under_the_steps(shop):
    html = picture_html(shop.pictures["shop/buy"], "systems/shop.html")
    steps_end = html.index("</ol>")
    listed = html[steps_end:]
    assert "<li>Client A ↔ Gateway: WebSocket</li>" in listed
    assert "<li>Gateway ↔ Client B: WebSocket</li>" in listed


def test_a_transaction_s_arrows_have_their_own_colour_and_its_steps_are_marked(shop):
    svg = shop.pictures["shop/buy"].svg
    for number in (3, 4):
        drawn = edge(svg, f"shop-buy-step-{number}")
        assert "blueprint-transaction" in drawn and "#a2550a" in drawn
    for number in (1, 2, 5):
        drawn = edge(svg, f"shop-buy-step-{number}")
        assert "blueprint-transaction" not in drawn and "#a2550a" not in drawn
    html = picture_html(shop.pictures["shop/buy"], "systems/shop.html")
    marked = re.findall(r'<li id="shop-buy-step-(\d)-text"[^>]*data-transaction="Reserve and pay"', html)
    assert marked == ["3", "4"]
    assert html.count("Steps 3–4, one transaction or saga: Reserve and pay") == 1


BROKEN = {
    "unknown end": (
        ('shop.connection(alice, gateway, "WebSocket")', 'shop.connection(alice, "ghost", "WebSocket")'),
        "connection 1 (alice <-> ghost): unknown component 'ghost'",
    ),
    "empty label": (
        ('shop.connection(alice, gateway, "WebSocket")', 'shop.connection(alice, gateway, " ")'),
        "connection 1 (alice <-> gateway): the label is empty",
    ),
    "twice": (
        ('shop.connection(gateway, bob, "WebSocket")', 'shop.connection(gateway, alice, "WebSocket")'),
        "the same two components are connected more than once",
    ),
    "interrupted transaction": (
        ('buy.step(5, gateway, bob, "Client B sees the item sold.")',
         'buy.step(5, gateway, bob, "Client B sees the item sold.")\n'
         'with buy.transaction("Reserve and pay"):\n    buy.step(6, orders, database, "Again.")'),
        "path 'buy', step 6: transaction 'Reserve and pay' is interrupted",
    ),
    "nested transaction": (
        ('    buy.step(4, orders, payments, "The order is paid.")',
         '    with buy.transaction("Inner"):\n        buy.step(4, orders, payments, "The order is paid.")'),
        "transaction 'Inner' is opened inside another",
    ),
    "transaction across stages": (
        ('    buy.step(4, orders, payments, "The order is paid.")',
         '    buy.stage("Pay")\n    buy.step(4, orders, payments, "The order is paid.")'),
        "transaction 'Reserve and pay' spans two stages",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_mistakes_stop_the_build_with_a_located_message(tmp_path, case):
    (old, new), message = BROKEN[case]
    assert old in FIXTURE
    project = make_project(tmp_path / "project", {"shop.py": FIXTURE.replace(old, new)})
    with pytest.raises(BlueprintError) as raised:
        build(project, tmp_path / "cache")
    assert "diagrams/shop.py" in str(raised.value)
    assert message in str(raised.value)
