"""What `loan-journey` loads to start: every command line is a process of its own (an
operator's, a script's, the e2e tests' hundreds), so what it imports before its command runs
is paid each time."""

from __future__ import annotations

import subprocess
import sys

from tests.deploy.deploy_files import ROOT


def test_the_command_line_loads_no_ocr_engine_until_a_command_reads_a_scan() -> None:
    """opencv and numpy (0.3-0.4 s of a start) load in `start` and `documents`, which read
    scans (starter/applications.py), not at import: activities/metrics.py, which archive_cli
    imports, had loaded them for every command through `ocr.errors`."""
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, starter.cli; print(sorted({'cv2', 'numpy', 'ocr'} & set(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    assert loaded.stdout.strip() == "[]", loaded.stdout
