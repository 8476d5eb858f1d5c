"""The one place where exceptions become messages and exit codes (traceback with --verbose)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console

from starter.errors import JourneyError

T = TypeVar("T")
err_console = Console(stderr=True)
verbose = False


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; a JourneyError prints its advice and exits with its code."""
    try:
        return asyncio.run(coro)
    except JourneyError as err:
        if verbose:
            raise
        err_console.print(f"[bold red]error:[/] {err}", highlight=False)
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("stopped")
        raise typer.Exit(130) from None
