"""Importing the stepfunctions SDK quietly, or failing with the install command.

``stepfunctions`` 2.3.0 (January 2022) imports ``sagemaker`` v2 and ``pkg_resources``; on a
machine where ``pip install stepfunctions`` pulled sagemaker 3 or a setuptools without
``pkg_resources`` the import fails deep inside the SDK. Importing it also has side effects
orderflow must not pass on to its users:

- sagemaker's config logger adds a handler writing INFO lines to **stdout**, where they would
  corrupt a command's JSON output;
- ``stepfunctions/__init__`` sets the *root* logger's level to ERROR, silencing the logging of
  the whole application;
- sagemaker emits a deprecation warning for v2.

This module is the only place that imports the SDK, once, with those effects contained.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import threading
import warnings
from types import ModuleType
from typing import TextIO

from orderflow._errors import SdkInteropError

INSTALL_HINT = "pip install 'orderflow[sdk]'"

_lock = threading.Lock()
_loaded: ModuleType | None = None


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at emit time (pytest and redirects swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        # logging.StreamHandler assigns self.stream in __init__; the property ignores it.
        pass


def _quiet_sagemaker_config_logger() -> None:
    # sagemaker only installs its stdout handler when neither 'sagemaker.config' nor
    # 'sagemaker' has a handler, so giving it a stderr one first keeps stdout clean while a
    # user's own logging configuration (handlers already set) is left alone.
    config_logger = logging.getLogger("sagemaker.config")
    if config_logger.handlers or logging.getLogger("sagemaker").handlers:
        return
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)-4s - %(message)s"))
    config_logger.addHandler(handler)
    if config_logger.level == logging.NOTSET:
        config_logger.setLevel(logging.WARNING)
    config_logger.propagate = False


def _explain(exc: ImportError) -> str:
    missing = getattr(exc, "name", None) or ""
    if missing == "stepfunctions":
        return f"the stepfunctions SDK is not installed; run: {INSTALL_HINT}"
    if missing.startswith("sagemaker"):
        return (
            f"stepfunctions 2.3.0 needs sagemaker v2 but importing it failed ({exc}); "
            f"sagemaker 3 removed the modules it uses. Run: {INSTALL_HINT} "
            "(it pins sagemaker>=2,<3)"
        )
    if missing == "pkg_resources":
        return (
            "stepfunctions 2.3.0 imports pkg_resources, which setuptools 81 removed; "
            f"run: {INSTALL_HINT} (it pins setuptools<81)"
        )
    return f"importing the stepfunctions SDK failed ({exc}); run: {INSTALL_HINT}"


def require_sdk() -> ModuleType:
    """Import and return the ``stepfunctions`` package, without its import-time noise.

    Raises:
        SdkInteropError: the SDK or a dependency it needs is missing or incompatible; the
            message gives the command that installs working versions.
    """
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        _quiet_sagemaker_config_logger()
        root = logging.getLogger()
        root_level = root.level
        stdout: TextIO = sys.stderr
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
                warnings.filterwarnings("ignore", message=r".*SageMaker Python SDK v2.*")
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                module = importlib.import_module("stepfunctions")
                for name in ("steps", "inputs", "workflow"):
                    importlib.import_module(f"stepfunctions.{name}")
        except ImportError as exc:
            raise SdkInteropError(_explain(exc)) from exc
        finally:
            root.setLevel(root_level)
        _loaded = module
        return module


__all__ = ["INSTALL_HINT", "require_sdk"]
