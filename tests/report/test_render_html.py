"""``orderflow render --format html``: the golden page, escaping, raw files, robustness."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from orderflow.asl import as_definition
from orderflow.cli import main
from orderflow.cli._render import render_text
from orderflow.report import LayoutError, render_html
from orderflow.report._graph import build_graph
from orderflow.report._layout import dot_version, layout, to_dot

from ._pages import ORDER_STATES, page_data

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REGENERATE = os.environ.get("ORDERFLOW_REGEN_GOLDEN") == "1"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)

HOSTILE = '<script>alert("x")</script>&amp;\\N"]; evil -> x [label="'
HOSTILE_COMMENT = "</script><img src=x onerror=alert(1)>"


class _Collector(HTMLParser):
    """Every start tag and the text of every <script> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


@needs_dot
def test_the_order_workflow_page_matches_the_golden_file() -> None:
    text = render_text("orderflow.orders.workflow:order_workflow", fmt="html")
    path = GOLDEN / "order_workflow.html"
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with ORDERFLOW_REGEN_GOLDEN=1 to create it"
    made_with = re.search(r'content="orderflow, Graphviz ([^"]*)"', path.read_text())
    assert made_with is not None
    if made_with.group(1) != dot_version():
        # Coordinates legitimately move between Graphviz releases; compare like with like.
        pytest.skip(f"golden file laid out by Graphviz {made_with.group(1)}, not {dot_version()}")
    assert text == path.read_text(encoding="utf-8"), (
        "order_workflow.html changed; if intended, regenerate with ORDERFLOW_REGEN_GOLDEN=1"
    )


@needs_dot
def test_the_page_is_self_contained_and_draws_every_state() -> None:
    page = render_text("orderflow.orders.workflow:order_workflow", fmt="html")
    # No URL anywhere a browser would fetch from: no src/href attributes, no url(), no @import.
    assert not re.search(r"\b(src|href)\s*=", page)
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page
    tags = _parse(page).tags
    assert {"svg", "style", "script"} <= set(tags)
    assert "link" not in tags and "img" not in tags and "iframe" not in tags
    names = [s["name"] for s in page_data(page)["states"]]
    assert names == ORDER_STATES
    for name in names:
        assert f">{name}</tspan>" in page
    # Catch edges carry the error names; retriers are annotated on the states.
    assert ">UserNotFound, UserInactive</text>" in page
    # ValidateOrder, GetUser, the approval's, the payment breaker's, and the saga's two
    # (the Parallel, SendNotification).
    assert page.count('class="edge k-catch"') == 6
    assert "↻ retry PaymentGatewayTimeout x4" in page
    # Each Parallel (the order's and its compensation) is a cluster with a box per branch.
    assert page.count('class="cluster t-Parallel body"') == 6


@needs_dot
def test_hostile_state_names_and_comments_are_escaped() -> None:
    definition = {
        "Comment": HOSTILE_COMMENT,
        "StartAt": HOSTILE,
        "States": {
            HOSTILE: {"Type": "Pass", "Comment": HOSTILE_COMMENT, "Next": "B</title>"},
            "B</title>": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.x", "StringEquals": "</script>", "Next": HOSTILE},
                ],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    page = render_html(definition, title=HOSTILE)
    parsed = _parse(page)
    # Exactly the page's own two scripts; no element came from the definition.
    assert parsed.tags.count("script") == 2
    assert "img" not in parsed.tags
    assert "<script>alert" not in page and "<img" not in page and "</title>B" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;" in page
    assert 'class="node t-scriptxscript' in render_html(
        {"StartAt": "A", "States": {"A": {"Type": '<script>"x</script>', "End": True}}}
    )
    # The inline data keeps the names exactly, without a raw "<" that could close the element.
    data = page_data(page)
    assert [s["name"] for s in data["states"]] == [HOSTILE, "B</title>", "Done"]
    assert data["comment"] == HOSTILE_COMMENT
    assert "\\u003c/script\\u003e" in parsed.scripts[0]
    # Graphviz saw synthetic ids and quoted labels: it laid out exactly our nodes and edges.
    graph = build_graph(as_definition(definition))
    assert not re.search(r"^\s*evil", to_dot(graph), flags=re.M)
    laid_out = layout(graph)
    assert set(laid_out.nodes) == {node.key for node in graph.nodes}
    assert set(laid_out.edges) == {edge.key for edge in graph.edges}


@needs_dot
def test_raw_asl_files_render_including_malformed_parts(tmp_path: Path) -> None:
    machine = {
        "StartAt": "Items",
        "States": {
            "Items": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Iterator": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {"Type": "Wait", "Seconds": 1, "Next": "Nowhere"},
                    },
                },
                "Catch": "not a list",
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}, 3],
                "Next": "Compensate",
            },
            "Compensate": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": 1},
            "Broken": "not a state",
        },
    }
    path = tmp_path / "machine.json"
    path.write_text(json.dumps(machine))
    out = tmp_path / "machine.html"
    assert main(["render", str(path), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text()
    assert "<title>machine.json</title>" in page
    assert [s["name"] for s in page_data(page)["states"]] == ["Items", "Check", "Compensate"]
    assert "Map over $.items" in page and "↻ retry States.ALL x2" in page


@needs_dot
def test_a_compensation_on_the_catch_path_is_marked() -> None:
    machine = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}],
                "Next": "Done",
            },
            "Refund": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:refund",
                "Next": "Failed",
            },
            "Failed": {"Type": "Fail", "Error": "Rejected"},
            "Done": {"Type": "Succeed"},
        },
    }
    roles = {s.name: s.role for s in build_graph(as_definition(machine)).states}
    assert roles == {
        "Charge": "main",
        "Refund": "compensation",
        "Failed": "handler",
        "Done": "main",
    }
    assert 'class="node t-Task r-compensation' in render_html(machine)


@needs_dot
def test_rendering_is_deterministic() -> None:
    first = render_text("orderflow.orders.workflow:order_workflow", fmt="html")
    assert render_text("orderflow.orders.workflow:order_workflow", fmt="html") == first


def test_a_missing_dot_is_a_clear_orderflow_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LayoutError, match=r"Graphviz's 'dot'.*install the 'graphviz' package"):
        render_html({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    code = main(["render", "--format", "html"])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: the HTML view needs Graphviz's 'dot'" in err and "Traceback" not in err


def test_a_file_that_is_not_asl_is_refused_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert main(["render", str(path), "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "Traceback" not in err


def test_a_missing_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "no-such-machine.json", "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "no-such-machine.json: cannot read the file" in err and "Traceback" not in err


@needs_dot
def test_the_html_view_stays_off_boto3_and_the_executor(tmp_path: Path) -> None:
    # The lazy-CLI promise of `orderflow render` holds for the HTML format too.
    code = (
        "import sys\n"
        "from orderflow.cli import main\n"
        f"assert main(['render', '--format', 'html', '-o', {str(tmp_path / 'o.html')!r}]) == 0\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')"
        " or m.startswith(('orderflow.executor', 'orderflow.deploy'))]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
