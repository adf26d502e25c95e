"""The page's stylesheet and script, inlined into every HTML file (no CDN, no network).

The script reads the page's data from a ``<script type="application/json">`` element and
writes it into the details panel with ``textContent`` only, never as markup, so nothing
from a definition or a payload can become HTML or code.
"""

from __future__ import annotations

STYLE = """
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #9aa5b1;
  --task: #e3f0fb; --choice: #fff4d6; --pass: #f0f0f0; --wait: #efe6fb; --succeed: #e3f6e5;
  --fail: #fde2e1; --ok: #2e7d32; --bad: #c0392b; --warn: #d68910; --retry: #7d8f00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 Helvetica, Arial, sans-serif; color: var(--ink); }
header { padding: 12px 20px; border-bottom: 1px solid #d9e2ec; }
header h1 { margin: 0 0 4px; font-size: 18px; }
header p { margin: 2px 0; color: var(--muted); }
.summary span { margin-right: 14px; }
.status-SUCCEEDED { color: var(--ok); font-weight: bold; }
.status-FAILED, .status-TIMED_OUT, .status-ABORTED { color: var(--bad); font-weight: bold; }
.legend { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 6px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: -2px; border: 1px solid var(--line); border-radius: 2px; }
main { display: flex; align-items: flex-start; }
.graph { flex: 1 1 auto; overflow: auto; padding: 12px; }
aside { flex: 0 0 380px; max-height: 100vh; overflow: auto; position: sticky; top: 0;
  padding: 12px 16px; border-left: 1px solid #d9e2ec; background: #fbfcfd; }
@media (max-width: 1000px) {
  main { flex-direction: column; }
  aside { position: static; flex-basis: auto; width: 100%; max-height: none;
    border-left: none; border-top: 1px solid #d9e2ec; }
}
aside h2 { margin: 0 0 6px; font-size: 16px; word-break: break-all; }
aside h3 { margin: 12px 0 4px; font-size: 13px; }
aside dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
aside dt { color: var(--muted); }
aside dd { margin: 0; word-break: break-all; }
aside .error { margin: 4px 0 2px; color: var(--bad); font-weight: bold; }
aside pre.cause { max-height: 140px; }
aside pre { margin: 2px 0 8px; padding: 6px; max-height: 280px; overflow: auto;
  background: #fff; border: 1px solid #d9e2ec; font-size: 12px; white-space: pre-wrap;
  word-break: break-all; }
svg.flow { font-family: Helvetica, Arial, sans-serif; font-size: 11px; }
.node { cursor: pointer; }
.node rect, .node polygon, .node ellipse { fill: #fff; stroke: var(--line); stroke-width: 1.2; }
.node text { fill: var(--ink); }
.node .name { font-weight: bold; }
.node .retry { fill: var(--retry); font-size: 10px; }
.node .badge { font-size: 10px; fill: var(--muted); }
.node.t-Task rect { fill: var(--task); }
.node.t-Choice polygon { fill: var(--choice); }
.node.t-Pass polygon { fill: var(--pass); }
.node.t-Wait polygon { fill: var(--wait); }
.node.t-Succeed rect { fill: var(--succeed); stroke: var(--ok); }
.node.t-Fail rect { fill: var(--fail); stroke: var(--bad); }
.node.p-header rect { fill: #fff; stroke: #52606d; }
.node.p-join rect { fill: #52606d; stroke: #52606d; }
.node.r-compensation rect, .node.r-compensation polygon { stroke: var(--warn);
  stroke-dasharray: 5 2; stroke-width: 1.6; }
.node.marker ellipse { fill: #52606d; stroke: #52606d; }
.node.marker text { fill: #fff; font-size: 10px; }
.node.selected rect, .node.selected polygon { stroke: #0b69a3; stroke-width: 3; }
.node:focus { outline: none; }
.node:focus rect, .node:focus polygon { stroke: #0b69a3; stroke-width: 2.4; }
.cluster rect { fill: #f7f9fb; stroke: #7b8794; stroke-width: 1; }
.cluster.body rect { fill: #ffffff; stroke: #bcccdc; stroke-dasharray: 4 3; }
.cluster text { fill: var(--muted); font-size: 11px; }
.edge path { fill: none; stroke: var(--line); stroke-width: 1.2; }
.edge .arrow { fill: var(--line); stroke: none; }
.edge text { fill: var(--muted); font-size: 10px; paint-order: stroke; stroke: #fff;
  stroke-width: 3px; stroke-linejoin: round; }
.edge.k-catch path { stroke: var(--bad); stroke-dasharray: 5 3; }
.edge.k-catch .arrow { fill: var(--bad); }
.edge.k-catch text { fill: var(--bad); }
.edge.k-branch path, .edge.k-join path { stroke-dasharray: 2 3; }
.edge.taken path { stroke: #0b69a3; stroke-width: 2.6; }
.edge.taken .arrow { fill: #0b69a3; }
.edge.taken.k-catch path { stroke: var(--bad); stroke-width: 2.6; }
.edge.taken.k-catch .arrow { fill: var(--bad); }
.report .node.st-succeeded rect, .report .node.st-succeeded polygon { fill: #d4f0d8;
  stroke: var(--ok); stroke-width: 2; }
.report .node.st-retried rect, .report .node.st-retried polygon { fill: #f3f7c8;
  stroke: var(--retry); stroke-width: 2; }
.report .node.st-caught rect, .report .node.st-caught polygon { fill: #fde9c9;
  stroke: var(--warn); stroke-width: 2.4; }
.report .node.st-failed rect, .report .node.st-failed polygon { fill: #f9c9c4;
  stroke: var(--bad); stroke-width: 2.6; }
.report .node.st-stopped rect, .report .node.st-stopped polygon { fill: #eceff1;
  stroke: #7b8794; stroke-dasharray: 3 2; }
.report .node.st-running rect, .report .node.st-running polygon { fill: #e0f2fe;
  stroke: #0b69a3; stroke-dasharray: 3 2; }
.report .node.st-notrun { opacity: 0.45; }
.report .edge:not(.taken) { opacity: 0.5; }
.sw-succeeded { background: #d4f0d8; } .sw-retried { background: #f3f7c8; }
.sw-caught { background: #fde9c9; } .sw-failed { background: #f9c9c4; }
.sw-stopped { background: #eceff1; } .sw-notrun { background: #fff; opacity: 0.45; }
.sw-Task { background: var(--task); } .sw-Choice { background: var(--choice); }
.sw-Pass { background: var(--pass); } .sw-Wait { background: var(--wait); }
.sw-Succeed { background: var(--succeed); } .sw-Fail { background: var(--fail); }
.sw-catch { background: var(--bad); height: 3px !important; }
.sw-compensation { border: 2px dashed var(--warn) !important; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("orderflow-data").textContent);
  var panel = document.getElementById("details");

  function add(parent, tag, text, cls) {
    var element = document.createElement(tag);
    if (text !== undefined && text !== null) { element.textContent = String(text); }
    if (cls) { element.className = cls; }
    parent.appendChild(element);
    return element;
  }
  function pretty(text) {
    if (text === undefined || text === null) { return "(not recorded)"; }
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return String(text); }
  }
  function seconds(value) {
    return (value === undefined || value === null) ? "-" : value.toFixed(3) + " s";
  }
  function facts(parent, rows) {
    var list = add(parent, "dl");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") { return; }
      add(list, "dt", row[0]);
      add(list, "dd", row[1]);
    });
  }
  function errors(parent, items) {
    if (!items || !items.length) { return; }
    add(parent, "h3", "Errors");
    items.forEach(function (item) {
      add(parent, "p", item.error + (item.caught ? " (caught)" : ""), "error");
      if (item.cause) { add(parent, "pre", pretty(item.cause), "cause"); }
    });
  }
  function overview() {
    panel.textContent = "";
    var run = data.execution;
    add(panel, "h2", run ? "Execution" : "State machine");
    if (run) {
      facts(panel, [["status", run.status], ["error", run.error], ["cause", run.cause],
                    ["duration", seconds(run.duration)]]);
      add(panel, "h3", "Execution input");
      add(panel, "pre", pretty(run.input), "io-input");
      add(panel, "h3", "Execution output");
      add(panel, "pre", pretty(run.output), "io-output");
    } else if (data.comment) {
      add(panel, "p", data.comment);
    }
    add(panel, "p", "Click a state to see its details.", "hint");
  }
  function show(index) {
    var state = data.states[index];
    if (!state) { return; }
    document.querySelectorAll(".node.selected").forEach(function (node) {
      node.classList.remove("selected");
    });
    document.querySelectorAll('.node[data-state="' + index + '"]').forEach(function (node) {
      node.classList.add("selected");
    });
    panel.textContent = "";
    add(panel, "h2", state.name);
    facts(panel, [["type", state.type], ["role", state.role === "main" ? "" : state.role],
                  ["status", state.status], ["runs", state.runs], ["retries", state.retries],
                  ["duration", state.runs ? seconds(state.duration) : ""],
                  ["comment", state.comment]]);
    if (!state.visits || state.visits.length !== 1) { errors(panel, state.errors); }
    (state.visits || []).forEach(function (visit, i) {
      var title = (state.visits.length > 1 ? "Run " + (i + 1) + ": " : "") + visit.status +
        ", entered at +" + seconds(visit.start) + ", took " + seconds(visit.duration) +
        (visit.retries ? ", " + visit.retries + " retries" : "");
      add(panel, "h3", title);
      errors(panel, visit.errors);
      add(panel, "h3", "Input");
      add(panel, "pre", pretty(visit.input), "io-input");
      add(panel, "h3", "Output");
      add(panel, "pre", pretty(visit.output), "io-output");
    });
    if (state.more) { add(panel, "p", state.more + " more runs not shown."); }
    add(panel, "h3", "Definition");
    add(panel, "pre", state.asl, "asl");
  }
  document.querySelectorAll(".node[data-state]").forEach(function (node) {
    var index = Number(node.getAttribute("data-state"));
    node.addEventListener("click", function () { show(index); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); show(index); }
    });
  });
  overview();
})();
"""

__all__ = ["SCRIPT", "STYLE"]
