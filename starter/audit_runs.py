"""Where `loan-journey history` finds a journey's runs, and the chain of them.

A run is read from the server, or from the archive once the server no longer has it (only
from the archive with `--archived`, no server needed). A journey that continued as new is
one audit record over several runs, each its own history: `chain` follows them back to the
first, so that the decisions of the earlier runs are not left out of the trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from journey.settings import Settings
from starter import archivist, audit
from starter.errors import NotFound
from store import archive


@dataclass(frozen=True)
class Run:
    text: str  # as `temporal workflow show -o json` prints it
    history: WorkflowHistory
    where: str  # for the title: "" when the server has it, else which archived run
    warning: str = ""  # an archived run whose seal could not be checked here


class Runs:
    """One journey's runs, from the server (`client`) or, without one, the archive."""

    def __init__(self, settings: Settings, workflow_id: str, client: Client | None) -> None:
        self._settings = settings
        self._workflow_id = workflow_id
        self._client = client

    async def fetch(self, run_id: str | None) -> Run:
        """A run (the latest when `run_id` is None); NotFound when neither place has it."""
        if self._client is None:
            return self._archived(run_id, "")
        try:
            fetched = await audit.fetch_history(self._client, self._workflow_id, run_id)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            server = (f" in namespace {self._settings.temporal_namespace} at "
                      f"{self._settings.temporal_address}, nor")
            found = self._archived(run_id, server)
            return Run(found.text, found.history, f"{found.where}; no longer on the server",
                       found.warning)
        return Run(audit.history_json(fetched), fetched, "")

    def _archived(self, run_id: str | None, elsewhere: str) -> Run:
        """The archived run (the last one closed when `run_id` is None); NotFound names
        `elsewhere`, where it was looked for first."""
        runs = [r for r in archive.runs_of(self._settings.db_url, self._workflow_id)
                if run_id is None or r.run_id == run_id]
        if not runs:
            which = f"{self._workflow_id!r} run {run_id}" if run_id else repr(self._workflow_id)
            raise NotFound(
                f"no journey {which}{elsewhere} in the archive: check the id with "
                "`loan-journey list` and `loan-journey archive list`"
            )
        kept = runs[-1]
        text = archivist.archived_text(self._settings, kept)
        where = f", run {kept.run_id} from the archive (closed {kept.closed_at:%Y-%m-%d})"
        warning = ""
        if kept.seal is not None and self._settings.archive_seal_key is None:
            warning = (f"warning: archived run {kept.run_id} of {self._workflow_id} is sealed, "
                       f"but its seal was not checked: set {archive.KEY_SETTING} to check it")
        return Run(text, WorkflowHistory.from_json(self._workflow_id, text), where, warning)


async def chain(runs: Runs, latest: Run) -> tuple[list[Run], str]:
    """`latest` and every run before it that it continued from, oldest first; and the id of
    the run before those that neither the server nor the archive has ("" when none is lost)."""
    found = [latest]
    while previous := audit.continued_from(found[0].history):
        if any(audit.run_id(r.history) == previous for r in found):
            break  # a chain never loops; a doctored archive must not make it
        try:
            found.insert(0, await runs.fetch(previous))
        except NotFound:
            return found, previous
    return found, ""
