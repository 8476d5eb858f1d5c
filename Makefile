# The two commands of the README. Both install what they need first (scripts/setup.sh).
.PHONY: setup demo test lint

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/loan-journey demo

# One process per core, each test file whole on one of them (its servers and fixtures with it).
test: setup
	.venv/bin/python -m pytest -q -n auto --dist loadfile

lint: setup
	.venv/bin/ruff check .
