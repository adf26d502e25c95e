"""Reference paths read during a run (``Variable``, ``*Path`` fields), compiled once.

A thin layer over :func:`orderflow.asl.expressions.compile_path` that picks the root
(state input, context object or variable) and records which ASL field the path sits in,
so a failure can be worded the way AWS words it for that field.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from orderflow.asl import JSON
from orderflow.asl.expressions import CompiledPath, PathNotFound, compile_path


class PathReader:
    """One compiled path plus the field it came from.

    Attributes:
        text: the path as written.
        field: the ASL field (``Variable``, ``SecondsPath``…).
    """

    __slots__ = ("_path", "field", "text")

    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self._path: CompiledPath = compile_path(text)

    def get(
        self,
        data: JSON,
        context: JSON,
        variables: Mapping[str, JSON] | None,
        rng: random.Random | None = None,
    ) -> JSON:
        """The selected value (``rng`` is unused; readers of intrinsics need it).

        Raises:
            PathNotFound: nothing selected (``States.Runtime``).
        """
        return self._path.resolve(data, context, variables)

    def get_or(
        self, data: JSON, context: JSON, variables: Mapping[str, JSON] | None, default: Any
    ) -> Any:
        """The selected value, or ``default`` when the path selects nothing."""
        try:
            return self._path.resolve(data, context, variables)
        except PathNotFound:
            return default

    def exists(self, data: JSON, context: JSON, variables: Mapping[str, JSON] | None) -> bool:
        """Whether the path selects something (``IsPresent``)."""
        try:
            value = self._path.resolve(data, context, variables)
        except PathNotFound:
            return False
        # An indefinite path that selects nothing returns an empty list.
        return not (not self._path.is_definite and value == [])

    @property
    def is_input_root(self) -> bool:
        return self._path.root == "input"

    def __repr__(self) -> str:
        return f"PathReader({self.text!r}, field={self.field!r})"


def read_path(text: str, *, field: str) -> PathReader:
    """Compile ``text`` for reading at run time."""
    return PathReader(text, field)


__all__ = ["PathReader", "read_path"]
