"""One self-contained HTML page: header, the SVG graph, a details panel, inline data.

Nothing is loaded from anywhere: the stylesheet, the script and the drawing are inline,
and a Content-Security-Policy of ``default-src 'none'`` tells the browser to refuse any
request the page might still try. The page's data (each state's definition and, in a
report, its runs) sits in a ``<script type="application/json">`` element whose ``<``,
``>`` and ``&`` are written as JSON escapes, so no payload can close the element.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from orderflow.asl import Definition, as_definition
from orderflow.asl._document import JSON
from orderflow.report._assets import SCRIPT, STYLE
from orderflow.report._graph import Graph, build_graph
from orderflow.report._layout import dot_version, layout
from orderflow.report._svg import draw_svg

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
_TYPES = ("Task", "Choice", "Pass", "Wait", "Succeed", "Fail")


def script_json(value: JSON) -> str:
    """``value`` as JSON text that is safe inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def state_records(graph: Graph) -> list[dict[str, JSON]]:
    """What the page's script knows about each state before any execution."""
    return [
        {
            "name": state.name,
            "type": state.kind,
            "role": state.role,
            "comment": state.comment,
            "retry": list(state.retry),
            "asl": state.asl,
        }
        for state in graph.states
    ]


def _legend(items: Sequence[tuple[str, str]]) -> str:
    spans = "".join(f'<span><i class="sw-{css}"></i>{escape(text)}</span>' for css, text in items)
    return f'<div class="legend">{spans}</div>'


def page(
    *,
    title: str,
    subtitle: str,
    svg: str,
    data: Mapping[str, JSON],
    summary: str = "",
    report: bool = False,
) -> str:
    """The whole HTML document; ``summary`` is trusted markup built by this package."""
    if report:
        legend = _legend(
            [
                ("succeeded", "succeeded"),
                ("retried", "succeeded after retries"),
                ("caught", "failed, caught"),
                ("failed", "failed"),
                ("stopped", "stopped"),
                ("notrun", "not run"),
                ("catch", "Catch edge"),
                ("compensation", "compensation"),
            ]
        )
    else:
        legend = _legend(
            [(kind, kind) for kind in _TYPES]
            + [("catch", "Catch edge"), ("compensation", "compensation")]
        )
    body_class = ' class="report"' if report else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="orderflow, Graphviz {escape(dot_version())}">',
            f"<title>{escape(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            f"<body{body_class}>",
            "<header>",
            f"<h1>{escape(title)}</h1>",
            f"<p>{escape(subtitle)}</p>" if subtitle else "",
            summary,
            legend,
            "</header>",
            "<main>",
            f'<div class="graph">\n{svg}\n</div>',
            '<aside id="details" aria-live="polite"></aside>',
            "</main>",
            f'<script type="application/json" id="orderflow-data">{script_json(dict(data))}'
            "</script>",
            f"<script>{SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def render_html(source: Definition | Mapping[str, JSON] | str | bytes, *, title: str = "") -> str:
    """The state machine as one self-contained HTML page with an SVG graph.

    Args:
        source: the ASL (a :class:`~orderflow.asl.Definition`, a dict or JSON text).
        title: the page title (default: the definition's file name, or "State machine").

    Raises:
        orderflow.DefinitionError: ``source`` is not an ASL document.
        LayoutError: Graphviz's ``dot`` is missing or failed.
    """
    definition = as_definition(source)
    graph = build_graph(definition)
    svg = draw_svg(graph, layout(graph))
    return page(
        title=title or _default_title(definition),
        subtitle=graph.comment,
        svg=svg,
        data={"comment": graph.comment, "states": state_records(graph)},
    )


def _default_title(definition: Definition) -> str:
    return Path(definition.file).name if definition.file else "State machine"


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file, so a reader never sees half.

    Raises:
        OSError: the folder does not exist or is not writable.
    """
    target = Path(path)
    # A sibling file (same file system, so the rename is atomic) opened normally, so the
    # result gets the usual permissions rather than mkstemp's private 0600.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


__all__ = ["page", "render_html", "script_json", "state_records", "write_text_atomic"]
