"""The ``orderflow`` command line: a thin layer over library functions.

Each command lives in its own module (``orderflow.cli._render``…) and is imported only when
it is invoked, so ``orderflow render`` never pays for boto3, the executor or the SDK.

Exit codes: 0 success; 1 the subject is bad (invalid definition, failed execution, failed
deploy); 2 usage errors or unreadable input; 70 an internal error (a bug in orderflow: the
message says so, and ``ORDERFLOW_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

# Private aliases: this module's public names are exactly ``__all__``.
import importlib as _importlib
import os as _os
import sys as _sys
from collections.abc import Sequence as _Sequence

import click as _click

from orderflow._errors import DeployError as _DeployError
from orderflow._errors import InvalidDefinition as _InvalidDefinition
from orderflow._errors import OrderflowError as _OrderflowError

# command name -> "module:attribute" of a click.Command
COMMANDS: dict[str, str] = {
    "render": "orderflow.cli._render:render",
    "run": "orderflow.cli._run:run",
    "check": "orderflow.cli._check:check",
    "deploy": "orderflow.cli._deploy:deploy",
    "destroy": "orderflow.cli._deploy:destroy",
    "start-execution": "orderflow.cli._deploy:start_execution",
    "executions": "orderflow.cli._deploy:executions",
    "history": "orderflow.cli._deploy:history",
    "send-event": "orderflow.cli._deploy:send_event",
    "serve": "orderflow.cli._serve:serve",
    "approve": "orderflow.cli._serve:approve",
    "reject": "orderflow.cli._serve:reject",
}


class _LazyGroup(_click.Group):
    def list_commands(self, ctx: _click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        command = getattr(_importlib.import_module(module_name), attr)
        assert isinstance(command, _click.Command)
        return command


@_click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@_click.version_option(package_name="orderflow")
def cli() -> None:
    """orderflow: typed AWS Step Functions workflows for Python microservices."""


def main(argv: _Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of raising SystemExit."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except _click.exceptions.Exit as exc:
        return exc.exit_code
    except _click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except _click.exceptions.Abort:
        _click.echo("Aborted.", err=True)
        return 1
    except (_InvalidDefinition, _DeployError) as exc:
        # The subject is bad (exit 1), not the command line (exit 2).
        _click.echo(f"error: {exc}", err=True)
        return 1
    except _OrderflowError as exc:
        _click.echo(f"error: {exc}", err=True)
        return 2
    except Exception as exc:
        if _os.environ.get("ORDERFLOW_DEBUG") == "1":
            raise
        _click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in orderflow; please report it with the command you ran "
            "(ORDERFLOW_DEBUG=1 shows the traceback).",
            err=True,
        )
        return 70
    return result if isinstance(result, int) else 0


def entry() -> None:
    _sys.exit(main())


__all__ = ["COMMANDS", "cli", "entry", "main"]
