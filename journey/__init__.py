"""The loan-journey domain: pure models and rules, no I/O.

Everything else imports from here; this package imports nothing of ours. It is safe
to import inside the Temporal workflow sandbox.
"""

TASK_QUEUE = "loan-journey"
