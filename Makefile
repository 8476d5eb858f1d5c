# The two commands of the README. Both install what they need first (scripts/setup.sh).
.PHONY: setup demo test lint

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/loan-journey demo

# Three processes, each test file whole in one of them (its servers and fixtures with it):
# three whatever the machine reports, so that a container that shows many cores and runs on two
# never starts a dev server per reported core. The tests mostly wait on their servers: on two
# cores tests/workflows took 124 s with two processes and 92 s with three, for the same CPU.
# The chaos test (kill -9 the worker, restart the server, then compare every timing row with
# a replay, to the microsecond) runs alone after them: beside another test process it starved
# the dev server (10 s calls) and once saw a stage's exit stamped apart from its replay.
test: setup
	.venv/bin/python -m pytest -q -n 3 --dist loadfile --ignore=tests/chaos
	.venv/bin/python -m pytest -q tests/chaos

lint: setup
	.venv/bin/ruff check .
