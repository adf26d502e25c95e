"""The examples in docs/dsl.md run, in order, and their assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "dsl.md"


def test_every_example_in_the_dsl_reference_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 10
    namespace: dict[str, object] = {"__name__": "dsl_reference"}
    for number, block in enumerate(blocks, start=1):
        code = compile(block, f"{DOC.name} example {number}", "exec")
        exec(code, namespace)  # running the documentation is the test


def test_every_flow_method_is_documented() -> None:
    from orderflow.dsl import Flow

    text = DOC.read_text(encoding="utf-8")
    methods = [n for n in vars(Flow) if not n.startswith("_")]
    assert methods
    for name in methods:
        assert f"flow.{name}" in text, name
