"""The journey worker as its own OS process, for tests that kill it with SIGKILL (and for
bench/journeys.py, whose bench/worker_process.py adds the no-op workflow).

    LOAN_JOURNEY_FAKE_OCR_LABELS=readings.json python -m tests.chaos.worker_process

Settings come from the environment (LOAN_JOURNEY_TEMPORAL_ADDRESS, _TASK_QUEUE, _DATA_DIR).
The worker is `worker.py`'s, except that the OCR activity is replaced by name with a reader
of prepared readings: a JSON object from document sha256 to a `DocumentReading`. Test code.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from temporalio import activity

from journey import contracts
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentReading
from journey.settings import Settings
from starter.connect import connect
from starter.errors import SetupError
from worker import build_worker

LABELS = "LOAN_JOURNEY_FAKE_OCR_LABELS"


def fake_reader(labels: Path) -> Callable[[ReadDocumentInput], DocumentReading]:
    readings = json.loads(labels.read_text(encoding="utf-8"))

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        return DocumentReading.model_validate(readings[request.ref.sha256])

    return read_document


async def serve(
    workflows: Sequence[type] = (), activities: Sequence[Callable[..., Any]] = ()
) -> None:
    """Connect (waiting while the server restarts) and run until killed."""
    settings = Settings()
    while True:  # the server may be restarting
        try:
            client = await connect(settings)
            break
        except SetupError:
            await asyncio.sleep(0.5)
    print("worker ready", flush=True)
    reader = fake_reader(Path(os.environ[LABELS]))
    async with build_worker(
        client, settings, workflows=workflows, activities=[reader, *activities]
    ):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve())
