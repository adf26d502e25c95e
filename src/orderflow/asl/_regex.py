"""Regular expressions with a bounded cost (JSONata regex literals, JSONPath ``=~``).

A workflow author writes the patterns, but the text they run on is workflow data, and a
backtracking engine can take minutes on a pattern such as ``(a|aa)+$``. Patterns are
compiled with the ``regex`` module instead of ``re``: it accepts the same syntax with the
same meaning (so nothing that runs today changes behaviour), detects and prunes most
catastrophic backtracking by itself (``(a+)+$`` on 31 characters: milliseconds, where
``re`` needs minutes), and takes a per-call ``timeout`` that bounds the rest. A linear-time
engine (RE2) was the alternative; it refuses backreferences and lookaround, which the
JavaScript engine behind AWS's JSONata accepts, so it would reject working workflows.

Running out of time raises :class:`RegexBudgetExceeded`; callers turn it into the ASL
error of their context (``States.QueryEvaluationError`` for JSONata, ``States.Runtime``
for a JSONPath filter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import regex

REGEX_TIMEOUT_SECONDS: float = 1.0
"""Wall-clock budget of one regex call (a match, search, substitution or split). Read at
call time, so tests and embedders can lower or raise it."""


class RegexBudgetExceeded(Exception):
    """A regular expression ran past :data:`REGEX_TIMEOUT_SECONDS`."""

    def __init__(self, pattern: str) -> None:
        super().__init__(
            f"the regular expression /{pattern}/ did not finish within its "
            f"{REGEX_TIMEOUT_SECONDS:g} s budget (catastrophic backtracking); "
            "simplify the pattern (avoid nested quantifiers such as (a|aa)+)"
        )
        self.pattern = pattern


def _budgeted(pattern: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, timeout=REGEX_TIMEOUT_SECONDS, **kwargs)
    except TimeoutError:
        raise RegexBudgetExceeded(pattern) from None


class BudgetedPattern:
    """A compiled pattern whose every call is bounded; the interface of ``re.Pattern``
    that jsonata-python and the JSONPath filter use."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._compiled = regex.compile(pattern, flags)

    def search(self, string: str) -> Any:
        return _budgeted(self.pattern, self._compiled.search, string)

    def fullmatch(self, string: str) -> Any:
        return _budgeted(self.pattern, self._compiled.fullmatch, string)

    def finditer(self, string: str) -> Iterator[Any]:
        # Materialised so the budget covers the whole scan, not just its first step.
        compiled = self._compiled

        def scan(text: str, timeout: float) -> list[Any]:
            return list(compiled.finditer(text, timeout=timeout))

        return iter(_budgeted(self.pattern, scan, string))

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        result: str = _budgeted(self.pattern, self._compiled.sub, repl, string, count)
        return result

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        result: list[str] = _budgeted(self.pattern, self._compiled.split, string, maxsplit)
        return result


def compile_bounded(pattern: str, *, ignore_case: bool = False, multiline: bool = False) -> Any:
    """Compile ``pattern`` (Python ``re`` syntax) into a :class:`BudgetedPattern`.

    Raises:
        regex.error: the pattern does not compile.
    """
    flags = (regex.IGNORECASE if ignore_case else 0) | (regex.MULTILINE if multiline else 0)
    return BudgetedPattern(pattern, flags)


def jsonata_regex_engine(pattern: str, flags: Any) -> Any:
    """The ``regex_engine`` hook of jsonata-python: JSONata regex literals, bounded."""
    return compile_bounded(
        pattern, ignore_case=bool(flags.case_insensitive), multiline=bool(flags.multiline)
    )


__all__ = [
    "REGEX_TIMEOUT_SECONDS",
    "BudgetedPattern",
    "RegexBudgetExceeded",
    "compile_bounded",
    "jsonata_regex_engine",
]
