"""Lambda function references: the one parser for every form a definition may use.

A Task names its function in ``Resource`` (a function ARN) or in ``lambda:invoke``'s
``FunctionName``. AWS accepts three forms there, each with an optional version or alias
(the *qualifier*) appended after a ``:``:

* a name: ``my-function``, ``my-function:v1``;
* a full ARN: ``arn:aws:lambda:us-west-2:123456789012:function:my-function[:v1]``;
* a partial ARN: ``123456789012:function:my-function[:v1]``.

The executor, checker, deployer and local service registry all read references through
:func:`parse_function_name`, so they agree on what the function's name is.

Region and account in a full ARN are taken as written (even empty or a placeholder such
as ``your-account-id``): AWS's TestState and published examples use them, and the
validator reports unreal ones as warnings, so refusing them here would hide that report.
Lengths are not checked either: the validator and the DSL do that with the state's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orderflow._errors import DefinitionError

# Characters AWS's FunctionName pattern allows in the name and in a qualifier.
_NAME = r"(?P<name>[A-Za-z0-9_.-]+)"
_QUALIFIER = r"(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?"
_FULL_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]*):(?P<account>[^:]*):function:"
    + _NAME
    + _QUALIFIER
    + r"\Z"
)
_PARTIAL_ARN = re.compile(r"(?P<account>\d+):function:" + _NAME + _QUALIFIER + r"\Z")
_BARE_NAME = re.compile(_NAME + _QUALIFIER + r"\Z")


class LambdaNameError(DefinitionError):
    """Text is not a Lambda function name, partial ARN or full function ARN.

    ``reference`` is the text as given.
    """

    def __init__(self, message: str, *, reference: str) -> None:
        super().__init__(message)
        self.reference = reference


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A Lambda function reference taken apart.

    Attributes:
        name: the function name (``my-function``), never with a qualifier.
        qualifier: the version or alias (``v1``, ``7``, ``$LATEST``), or None.
        account: the account id from a full or partial ARN, or None for a name.
        region: the region from a full ARN, or None otherwise.
        partition: the partition from a full ARN (``aws``, ``aws-cn``), or None otherwise.
    """

    name: str
    qualifier: str | None = None
    account: str | None = None
    region: str | None = None
    partition: str | None = None

    @property
    def qualified_name(self) -> str:
        """``name:qualifier``, or just the name when there is no qualifier."""
        return f"{self.name}:{self.qualifier}" if self.qualifier else self.name


def parse_function_name(text: str) -> FunctionRef:
    """Take a Lambda function reference apart, in any form AWS accepts.

    Args:
        text: a name (``shop-pay``, ``shop-pay:live``), a partial ARN
            (``123456789012:function:shop-pay``) or a full function ARN
            (``arn:aws:lambda:us-east-1:123456789012:function:shop-pay:7``).

    Returns:
        The parts; fields a form does not carry are None.

    Raises:
        LambdaNameError: ``text`` is none of those forms (another service's ARN, empty,
            spaces or other characters AWS refuses in a name, a malformed qualifier).

    Example:
        >>> parse_function_name("123456789012:function:shop-get-user:live").name
        'shop-get-user'
    """
    if not isinstance(text, str):
        raise LambdaNameError(
            f"a Lambda function reference must be a string, not {type(text).__name__}",
            reference=repr(text),
        )
    if text.startswith("arn:"):
        full = _FULL_ARN.match(text)
        if full is None:
            raise LambdaNameError(
                f"{text!r} is not a Lambda function ARN "
                "(arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])",
                reference=text,
            )
        return FunctionRef(
            full["name"], full["qualifier"], full["account"], full["region"], full["partition"]
        )
    partial = _PARTIAL_ARN.match(text)
    if partial is not None:
        return FunctionRef(partial["name"], partial["qualifier"], partial["account"])
    bare = _BARE_NAME.match(text)
    if bare is None:
        raise LambdaNameError(
            f"{text!r} is not a Lambda function name (letters, digits, '-', '_' and '.', "
            "optionally ':VERSION' or ':ALIAS'), partial ARN (ACCOUNT:function:NAME) "
            "or function ARN",
            reference=text,
        )
    return FunctionRef(bare["name"], bare["qualifier"])


def is_lambda_function_arn(text: object) -> bool:
    """Whether ``text`` is a full Lambda function ARN (with or without a qualifier).

    This is what makes a Task's ``Resource`` a direct function call rather than a service
    integration (``arn:aws:states:::lambda:invoke``) or an activity.
    """
    return isinstance(text, str) and _FULL_ARN.match(text) is not None


__all__ = ["FunctionRef", "LambdaNameError", "is_lambda_function_arn", "parse_function_name"]
