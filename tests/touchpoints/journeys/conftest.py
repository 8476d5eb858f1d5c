from __future__ import annotations

from tests.workflows.conftest import server_today

__all__ = ["server_today"]
