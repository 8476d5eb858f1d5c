"""Where the commands print their tables."""

from __future__ import annotations

from rich.console import Console, ConsoleDimensions

TABLE_WIDTH = 160
BOOK_WIDTH = 280  # the loan book's fifteen columns, its figures and credit codes in full
QUEUE_WIDTH = 80  # a queue fits a terminal: short columns, each case's long texts under them


def wide_console(width: int = TABLE_WIDTH) -> Console:
    """Standard output for the commands' tables: the terminal's width, never narrower than
    `width`. Rich gives output that is not a terminal (a pipe, a log, a script) 80 columns,
    where a journey id alone takes a third and the other columns are cut to "st…"."""
    return _AtLeast(width)


class _AtLeast(Console):
    """A console never narrower than `least` columns, the terminal's width (COLUMNS) read as
    it prints, not as it was made: a module's console is made as the module is imported, before
    the command that prints with it runs."""

    def __init__(self, least: int) -> None:
        super().__init__()
        self._least = least

    @property
    def size(self) -> ConsoleDimensions:
        found = super().size
        return ConsoleDimensions(max(found.width, self._least), found.height)
