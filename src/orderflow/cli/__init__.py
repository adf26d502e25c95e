"""The ``orderflow`` command line: a thin layer over library functions.

Each command lives in its own module (``orderflow.cli._render``…) and is imported only when
it is invoked, so ``orderflow render`` never pays for boto3, the executor or the SDK.

Exit codes: 0 success; 1 the subject is bad (invalid definition, failed execution, failed
deploy); 2 usage errors or unreadable input; 70 an internal error (a bug in orderflow: the
message says so, and ``ORDERFLOW_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from orderflow._errors import DeployError, InvalidDefinition, OrderflowError

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
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="orderflow")
def cli() -> None:
    """orderflow: typed AWS Step Functions workflows for Python microservices."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of raising SystemExit."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except (InvalidDefinition, DeployError) as exc:
        # The subject is bad (exit 1), not the command line (exit 2).
        click.echo(f"error: {exc}", err=True)
        return 1
    except OrderflowError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except Exception as exc:
        if os.environ.get("ORDERFLOW_DEBUG") == "1":
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in orderflow; please report it with the command you ran "
            "(ORDERFLOW_DEBUG=1 shows the traceback).",
            err=True,
        )
        return 70
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())


__all__ = ["COMMANDS", "cli", "entry", "main"]
