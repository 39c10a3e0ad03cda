"""The ``leftbehind`` command: a Typer app whose command groups live in sibling modules.

Bad input never shows a traceback: :func:`main` catches :class:`InputError`, prints its one
line to stderr and exits with code 2.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from leftbehind import __version__
from leftbehind.errors import InputError

app = typer.Typer(
    name="leftbehind",
    help="Find England's left-behind neighbourhoods and measure the funding gap they face.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"leftbehind {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Find England's left-behind neighbourhoods and measure the funding gap they face."""


def _register_commands() -> None:
    # Each module adds its commands to ``app``; imported here so the order is explicit.
    from leftbehind.cli import core, data, grants, impact, outputs

    for module in (core, data, grants, impact, outputs):
        module.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning bad input into one line and exit code 2.

    Usage mistakes (an unknown option, a missing argument) are Click's: it prints the usage
    and exits with code 2 too.
    """
    try:
        app(args=argv, prog_name="leftbehind")
    except SystemExit as exc:  # Click ends even a successful run with SystemExit(0)
        if exc.code not in (0, None):
            raise
    except InputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
