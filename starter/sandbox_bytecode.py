"""Bytecode for the modules that the workflow sandbox imports again for every new run.

temporalio's sandbox (the worker's default runner) re-imports the module that defines a
workflow class for each new run, each run it must rebuild and each replay. Python reads that
module's bytecode from `__pycache__` when it is there and fresh; with PYTHONDONTWRITEBYTECODE
(the Dockerfile sets it, and so do the development and CI machines) nothing ever writes it,
and every new journey compiled workflows/loan_journey.py from source again: 5-11 ms of the
worker's CPU a journey (bench/RESULTS.md, "Journeys, what the figures say", 2026-12-06).
"""

from __future__ import annotations

import logging
import py_compile
import sys
from collections.abc import Iterable

log = logging.getLogger(__name__)


def write_sandbox_bytecode(workflows: Iterable[type]) -> None:
    """Write the bytecode of the modules that define `workflows` where imports look for it
    (`importlib.util.cache_from_source`). One whose `__pycache__` cannot be written (a
    read-only install: the Dockerfile compiles its own at build) is compiled from source at
    each new run, as before."""
    sources = {getattr(sys.modules[w.__module__], "__file__", None) for w in workflows}
    for source in sorted(s for s in sources if s and s.endswith(".py")):
        try:
            py_compile.compile(source, doraise=True)  # to cache_from_source(source)
        except OSError as err:
            log.info("no bytecode written for %s (each new run compiles it): %s", source, err)
