"""The ASL document model and everything that reads it without running it."""

from orderflow.asl._document import (
    JSON,
    Definition,
    as_definition,
    dumps,
    load_definition,
    parse_definition,
    pointer_join,
)
from orderflow.asl._mermaid import to_mermaid

__all__ = [
    "JSON",
    "Definition",
    "as_definition",
    "dumps",
    "load_definition",
    "parse_definition",
    "pointer_join",
    "to_mermaid",
]
