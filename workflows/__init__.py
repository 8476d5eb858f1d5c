"""Orchestration only: deterministic workflow code, no I/O."""
