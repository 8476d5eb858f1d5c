"""Every act a workflow takes has the bank's words (starter/act_words.py): an update added
without them would reach the people who type it by its code name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from temporalio.workflow import _Definition

import workflows
from starter.act_words import ACT_WORDS, act_words
from workflows.archivist import HistoryArchivistWorkflow
from workflows.late_feedback import LateFeedbackWorkflow
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow

WORKFLOWS = (LoanJourneyWorkflow, PostLoanReviewWorkflow, LateFeedbackWorkflow,
             HistoryArchivistWorkflow)


def _updates() -> set[str]:
    return {name for wf in WORKFLOWS for name in _Definition.from_class(wf).updates}


def test_every_update_has_words() -> None:
    assert _updates() - ACT_WORDS.keys() == set()


def test_no_words_for_an_update_that_is_gone() -> None:
    assert ACT_WORDS.keys() - _updates() == set()


def test_every_workflow_is_looked_at() -> None:
    """A workflow class added to the package is in WORKFLOWS, so its updates are checked."""
    modules = [importlib.import_module(f"workflows.{m.name}")
               for m in pkgutil.iter_modules(workflows.__path__)]
    defined = {cls for module in modules for cls in vars(module).values()
               if inspect.isclass(cls) and hasattr(cls, "__temporal_workflow_definition")}
    assert defined == set(WORKFLOWS)


def test_words_are_words() -> None:
    assert act_words("record_risk_opinion") == "risk opinion"
    assert act_words("decide") == "approval vote"
    assert all("_" not in words for words in ACT_WORDS.values())
    assert len(set(ACT_WORDS.values())) == len(ACT_WORDS)  # no two acts read alike
