"""Does a payload shape fit a contract shape? (What a Task sends vs. what it accepts.)

A payload fits when every value it can take is valid for the contract. The answer is
graded like path reads: a mismatch for every value is an error (a required field the
payload never has, a string where the contract wants a number, a field a closed contract
forbids), a mismatch for some values is a warning (an optional field feeding a required
one, a union member of the wrong type). Unknown parts of the payload (``ANY``, fields of
open objects) are assumed to fit: the checker only reports what it can show.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow.checker._shape import (
    AnyShape,
    Arr,
    Obj,
    Scalar,
    Shape,
    element_union,
    members,
)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a payload fails its contract.

    Attributes:
        code: a checker code (``contract-missing-field``, ``type-mismatch``…).
        where: the payload location, as a JSONPath from the payload root (``$.amount``).
        message: what is wrong there.
    """

    code: str
    where: str
    message: str


def check_fit(payload: Shape, contract: Shape, where: str = "$") -> list[Mismatch]:
    """List how ``payload`` fails ``contract`` (empty: it fits, as far as can be shown)."""
    out: list[Mismatch] = []
    _fit(payload, contract, where, out, certain=True)
    return out


def _kind(shape: Shape) -> str:
    if isinstance(shape, Obj):
        return "object"
    if isinstance(shape, Arr):
        return "array"
    if isinstance(shape, Scalar):
        return shape.kind
    return "any"


def _accepts_kind(contract_member: Shape, payload_member: Shape) -> bool:
    if isinstance(contract_member, AnyShape) or isinstance(payload_member, AnyShape):
        return True
    pk, ck = _kind(payload_member), _kind(contract_member)
    if pk == ck:
        return True
    # Every integer is a number; a number may happen to be integral (checked as "may").
    return pk == "integer" and ck == "number"


def _fit(payload: Shape, contract: Shape, where: str, out: list[Mismatch], certain: bool) -> None:
    if isinstance(contract, AnyShape):
        return
    payload_members = members(payload)
    contract_members = members(contract)
    if not payload_members:
        return
    fitting: list[tuple[Shape, Shape]] = []
    unfit: list[Shape] = []
    maybe_fit: list[Shape] = []
    for pm in payload_members:
        match = next((cm for cm in contract_members if _accepts_kind(cm, pm)), None)
        if match is not None:
            fitting.append((pm, match))
        elif _kind(pm) == "number" and any(_kind(cm) == "integer" for cm in contract_members):
            maybe_fit.append(pm)
        else:
            unfit.append(pm)
    wanted = " or ".join(m.describe() for m in contract_members)
    if not fitting and not maybe_fit:
        out.append(
            Mismatch(
                "type-mismatch" if certain else "type-may-mismatch",
                where,
                f"{where} is {payload.describe()}, but the contract wants {wanted}",
            )
        )
        return
    if unfit or maybe_fit:
        out.append(
            Mismatch(
                "type-may-mismatch",
                where,
                f"{where} may be {' or '.join(m.describe() for m in unfit + maybe_fit)}, "
                f"but the contract wants {wanted}",
            )
        )
    alone = certain and not unfit and not maybe_fit and len(fitting) == 1
    for pm, cm in fitting:
        if isinstance(pm, Obj) and isinstance(cm, Obj):
            _fit_object(pm, cm, where, out, alone)
        elif isinstance(pm, Arr) and isinstance(cm, Arr):
            _fit_array(pm, cm, where, out, alone)


def _fit_object(
    payload: Obj, contract: Obj, where: str, out: list[Mismatch], certain: bool
) -> None:
    for prop in contract.props:
        at = f"{where}.{prop.name}"
        mine = payload.get(prop.name)
        if mine is None:
            if prop.required and payload.closed:
                out.append(
                    Mismatch(
                        "contract-missing-field" if certain else "contract-field-may-be-missing",
                        at,
                        f"the payload has no {prop.name!r}, which the contract requires "
                        f"(the payload is {payload.describe()})",
                    )
                )
            continue
        if prop.required and not mine.required:
            out.append(
                Mismatch(
                    "contract-field-may-be-missing",
                    at,
                    f"{prop.name!r} is required by the contract but present only for some data",
                )
            )
        _fit(mine.shape, prop.shape, at, out, certain)
    if contract.closed:
        allowed = set(contract.names())
        for prop in payload.props:
            if prop.name in allowed:
                continue
            code = "contract-extra-field" if certain and prop.required else "type-may-mismatch"
            out.append(
                Mismatch(
                    code,
                    f"{where}.{prop.name}",
                    f"the contract forbids extra fields, and the payload adds {prop.name!r}",
                )
            )


def _fit_array(payload: Arr, contract: Arr, where: str, out: list[Mismatch], certain: bool) -> None:
    width = max(len(payload.prefix), len(contract.prefix))
    for i in range(width):
        mine = payload.prefix[i] if i < len(payload.prefix) else payload.items
        theirs = contract.prefix[i] if i < len(contract.prefix) else contract.items
        if mine is None or theirs is None:
            continue
        _fit(mine, theirs, f"{where}[{i}]", out, certain and i < payload.min_len)
    if payload.items is not None and contract.items is not None:
        rest = element_union(Arr((), payload.items, 0))
        _fit(rest, contract.items, f"{where}[*]", out, False)


__all__ = ["Mismatch", "check_fit"]
