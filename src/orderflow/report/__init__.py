"""See a state machine: an offline HTML page with its graph, and an execution drawn on it.

``render_html`` draws any ASL document as one self-contained HTML file (inline SVG, CSS
and script; no network); ``execution_report`` draws the same graph with one execution's
path, statuses, durations, retries, caught errors and each state's input and output, read
from the execution's AWS-shaped history, so it serves local runs and deployed executions
alike. The layout comes from Graphviz's ``dot`` (see :mod:`orderflow.report._layout` for
why); without it these raise :class:`LayoutError` naming the program to install.

Example:
    >>> from orderflow.report import execution_report, render_html
    >>> Path("machine.html").write_text(render_html(definition))
    >>> execution = run_asl(definition, {"order": 1})
    >>> Path("run.html").write_text(execution_report(definition, execution.history))
"""

from orderflow.report._execution import execution_report, write_report
from orderflow.report._layout import LayoutError
from orderflow.report._page import render_html

__all__ = ["LayoutError", "execution_report", "render_html", "write_report"]
