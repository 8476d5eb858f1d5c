"""The bench's worker process: the chaos test's journey worker (real activities, prepared
OCR readings) plus the no-op workflow and its activity, so both run on the same workers.

    LOAN_JOURNEY_FAKE_OCR_LABELS=readings.json python -m bench.worker_process
"""

import asyncio

from bench.noop_workflow import NoopWorkflow, noop
from tests.chaos.worker_process import serve

if __name__ == "__main__":
    asyncio.run(serve(workflows=[NoopWorkflow], activities=[noop]))
