"""The HTML opened in a real browser: headless Chromium (Debian's ``chromium`` package).

Asserts what a person would see: no console errors or exceptions, no network request
besides the file itself, every state in the DOM, a click on a state showing its input,
and a screenshot. Skips (saying why) where Chromium or Graphviz is absent; ``.ci/run``
installs both.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from orderflow.executor._local import load_target, run_locally
from orderflow.orders.app import app
from orderflow.report import execution_report, render_html

from ._chromium import Page, chromium_page, find_chromium
from ._pages import ORDER_STATES

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (apt-get install chromium; .ci/run installs it)",
    ),
    pytest.mark.skipif(
        shutil.which("dot") is None,
        reason="Graphviz's dot is not installed (apt-get install graphviz)",
    ),
]

SUSPENDED = {
    "request_id": "r-2",
    "user_id": "u-300",
    "items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 500}],
}


def _open(page: Page, path: Path) -> str:
    for domain in ("Runtime", "Log", "Network", "Page"):
        page.call(f"{domain}.enable")
    url = path.resolve().as_uri()
    page.call("Page.navigate", url=url)
    page.wait_for("Page.loadEventFired")
    return url


def _problems(page: Page) -> list[str]:
    found = []
    for event in page.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails']}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(f"log: {params['entry'].get('text')}")
    return found


def _requests(page: Page) -> list[str]:
    return [
        e["params"]["request"]["url"]
        for e in page.events
        if e["method"] == "Network.requestWillBeSent"
    ]


def _click(page: Page, name: str) -> None:
    """A real mouse click at the centre of the state's box."""
    box: dict[str, Any] = page.evaluate(
        f"""(() => {{
          const node = Array.from(document.querySelectorAll('.node[data-state]'))
            .find(n => n.querySelector('title').textContent.split('\\n')[0] === {json.dumps(name)});
          node.scrollIntoView({{block: 'center', inline: 'center'}});
          const r = node.querySelector('rect, polygon').getBoundingClientRect();
          return {{x: r.x + r.width / 2, y: r.y + r.height / 2}};
        }})()"""
    )
    for kind in ("mousePressed", "mouseReleased"):
        page.call(
            "Input.dispatchMouseEvent",
            type=kind,
            x=box["x"],
            y=box["y"],
            button="left",
            clickCount=1,
        )


def _screenshot(page: Page, path: Path) -> None:
    shot = page.call("Page.captureScreenshot", format="png")
    path.write_bytes(base64.b64decode(shot["data"]))


def test_the_rendered_page_works_in_chromium(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    html = tmp_path / "order.html"
    html.write_text(
        render_html(
            load_target("orderflow.orders.workflow:order_workflow"), title="order workflow"
        ),
        encoding="utf-8",
    )
    with chromium_page(CHROMIUM, tmp_path / "profile") as page:
        url = _open(page, html)
        names = page.evaluate(
            "Array.from(document.querySelectorAll('.node[data-state] tspan.name'))"
            ".map(t => t.textContent)"
        )
        assert sorted(set(names)) == sorted(ORDER_STATES)
        _click(page, "AuthorizePayment")
        assert page.evaluate("document.querySelector('#details h2').textContent") == (
            "AuthorizePayment"
        )
        definition = json.loads(
            page.evaluate("document.querySelector('#details pre.asl').textContent")
        )
        assert definition["Retry"][0]["ErrorEquals"] == ["PaymentGatewayTimeout"]
        _screenshot(page, tmp_path / "order.png")
        problems, requests = _problems(page), _requests(page)
    assert problems == []
    assert requests == [url]
    assert (tmp_path / "order.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_report_of_a_failed_order_works_in_chromium(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    definition = load_target("orderflow.orders.workflow:order_workflow")
    execution = run_locally(definition, SUSPENDED, app=app)
    html = tmp_path / "report.html"
    html.write_text(execution_report(definition, execution.history), encoding="utf-8")
    with chromium_page(CHROMIUM, tmp_path / "profile") as page:
        url = _open(page, html)
        text = page.evaluate("document.body.textContent")
        for name in ORDER_STATES:
            assert name in text
        # Before any click, the panel shows the execution.
        status = page.evaluate("document.querySelector('#details dd').textContent")
        assert status == "FAILED"
        _click(page, "GetUser")
        panel = page.evaluate("document.querySelector('#details').textContent")
        assert "GetUser" in panel and "caught" in panel and "UserInactive" in panel
        shown = page.evaluate("document.querySelector('#details pre.io-input').textContent")
        assert json.loads(shown)["user_id"] == "u-300"
        failed = page.evaluate(
            "Array.from(document.querySelectorAll('.node.st-failed title')).map(t => t.textContent)"
        )
        assert failed == ["OrderRejected"]
        taken = page.evaluate("document.querySelectorAll('.edge.k-catch.taken').length")
        assert taken == 1
        _screenshot(page, tmp_path / "report.png")
        problems, requests = _problems(page), _requests(page)
    assert problems == []
    assert requests == [url]
    png = (tmp_path / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
