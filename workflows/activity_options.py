"""How long the journey's activities may take and how they retry, in one place.

A retry policy or a timeout is not part of what a replay compares: a change here applies to
running journeys from their next activity on.
"""

from datetime import timedelta

from temporalio.common import RetryPolicy

QUICK = timedelta(seconds=30)  # a database write, a policy file, a pure rule
# One document through the OCR pipeline: a scanned PDF's pages are read one after another, up to
# 20 (ocr._pages.MAX_PAGES) at 2-8 s each on a reader shared by other reads; a read past this is
# retried until it succeeds, so a PDF that could never fit would hold its journey for ever
OCR_TIMEOUT = timedelta(minutes=10)
# A read heartbeats while it runs (activities/heartbeat.py): a reader that dies mid-read
# costs its document this long before another reader takes it, not OCR_TIMEOUT.
OCR_HEARTBEAT = timedelta(seconds=10)
# Business refusals are non-retryable ApplicationErrors raised by the activities.
IO_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=10)
# A document read that raises, or a policy, completeness or routing read, is infrastructure
# failing (a reader without the codec keys, a database down; an unreadable scan is a result,
# not an error): it retries until it succeeds, as bookings do, never failing the loan
# (workflows/io_retry.py: IO_RETRY in journeys from before).
UNTIL_READ_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Booking funds must eventually succeed or be looked at by a person: keep retrying.
BOOKING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))
# Timing events must never be lost: retry until the database takes them. Nor must notices,
# and an outbox outage must not end a loan: they retry until the outbox takes them too (the
# attempts and the last error show on the journey's pending activity). Notices kept at most
# 20 attempts until 2026-12-05.
TIMING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))
NOTIFY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))
# Nor must a database outage on a repricing date or at an offer: reading the LPR fixing
# retries until the database answers.
FIXING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))
