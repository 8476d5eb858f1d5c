"""Where the commands print their tables."""

from __future__ import annotations

from rich.console import Console

TABLE_WIDTH = 160
BOOK_WIDTH = 280  # the loan book's fifteen columns, its figures and credit codes in full
QUEUE_WIDTH = 80  # a queue fits a terminal: short columns, each case's long texts under them


def wide_console(width: int = TABLE_WIDTH) -> Console:
    """Standard output for the commands' tables: the terminal's width, never narrower than
    `width`. Rich gives output that is not a terminal (a pipe, a log, a script) 80 columns,
    where a journey id alone takes a third and the other columns are cut to "st…"."""
    return Console(width=max(Console().width, width))
