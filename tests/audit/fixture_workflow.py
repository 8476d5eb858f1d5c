"""A small journey-shaped workflow for the audit tests.

It carries personal data the way the loan journey does (an applicant in the input, a
decision with an actor and a reason in an update, an OCR reading in an activity result),
upserts a stage search attribute, and waits on a person under an SLA timer.

Three classes share one workflow type name, as one workflow does across releases:
`AuditFixture` (release 1), `AuditFixtureChanged` (an incompatible release 2: reads the
document with another activity, unguarded) and `AuditFixturePatched` (release 2 done right,
behind `workflow.patched`). A worker or replayer registers exactly one of them.

No `from __future__ import annotations`: a workflow definition module, kept plain for the
sandbox.
"""

from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import SearchAttributeKey

WORKFLOW_NAME = "AuditFixture"
PATCH_ID = "read-document-v2"
SLA = timedelta(days=1)
STAGE = SearchAttributeKey.for_keyword("JourneyStage")

# the personal strings the tests look for in the raw history
APPLICANT = "Zhang Wei 张伟"
ID_NUMBER = "110101199003077777"
REASON = "Cash flow covers debt 2.1x; guarantor Li Na"
DOC_SHA = "ab" * 32


class Actor(BaseModel):
    id: str
    role: str


class Application(BaseModel):
    application_id: str
    applicant_name: str
    id_number: str
    amount: str


class DocumentRef(BaseModel):
    sha256: str
    filename: str


class ReadDocumentInput(BaseModel):
    ref: DocumentRef
    applicant_name: str


class DocumentReading(BaseModel):
    ref: DocumentRef
    kind: str
    status: str
    fields: dict[str, str]
    confidence: dict[str, float]


class Decision(BaseModel):
    actor: Actor
    verdict: str
    reason: str


class UpdateResult(BaseModel):
    accepted: bool
    stage: str


class FixtureResult(BaseModel):
    outcome: str
    reader: str


@activity.defn(name="read_document")
async def read_document(input: ReadDocumentInput) -> DocumentReading:
    return _reading(input, "v1")


@activity.defn(name="read_document_v2")
async def read_document_v2(input: ReadDocumentInput) -> DocumentReading:
    return _reading(input, "v2")


def _reading(input: ReadDocumentInput, reader: str) -> DocumentReading:
    return DocumentReading(
        ref=input.ref,
        kind="business_license",
        status="read",
        fields={"legal_representative": input.applicant_name, "reader": reader},
        confidence={"legal_representative": 0.93},
    )


class _Journey:
    """Release-independent state and handlers; each release overrides `_read`."""

    def __init__(self) -> None:
        self._stage = "intake"
        self._document: DocumentRef | None = None
        self._decision: Decision | None = None

    async def _read(self, input: ReadDocumentInput) -> DocumentReading:
        raise NotImplementedError

    async def _journey(self, app: Application) -> FixtureResult:
        self._enter("documents")
        await workflow.wait_condition(lambda: self._document is not None)
        assert self._document is not None
        reading = await self._read(
            ReadDocumentInput(ref=self._document, applicant_name=app.applicant_name)
        )
        self._enter("risk_review")
        try:
            await workflow.wait_condition(lambda: self._decision is not None, timeout=SLA)
        except TimeoutError:
            workflow.logger.info("risk review SLA breached")
            await workflow.wait_condition(lambda: self._decision is not None)
        assert self._decision is not None
        outcome = "approved" if self._decision.verdict == "approve" else "rejected"
        self._enter(outcome)
        return FixtureResult(outcome=outcome, reader=reading.fields["reader"])

    def _enter(self, stage: str) -> None:
        self._stage = stage
        workflow.upsert_search_attributes([STAGE.value_set(stage)])

    @workflow.signal
    def upload_document(self, ref: DocumentRef) -> None:
        self._document = ref

    @workflow.update
    def record_decision(self, decision: Decision) -> UpdateResult:
        self._decision = decision
        return UpdateResult(accepted=True, stage=self._stage)

    @record_decision.validator
    def _check_decision(self, decision: Decision) -> None:
        if self._stage != "risk_review":
            raise ValueError(f"no decision is due in stage {self._stage}")


@workflow.defn(name=WORKFLOW_NAME)
class AuditFixture(_Journey):
    @workflow.run
    async def run(self, app: Application) -> FixtureResult:
        return await self._journey(app)

    async def _read(self, input: ReadDocumentInput) -> DocumentReading:
        return await workflow.execute_activity(
            read_document, input, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn(name=WORKFLOW_NAME)
class AuditFixtureChanged(_Journey):
    """Incompatible: running journeys scheduled `read_document`, this schedules v2."""

    @workflow.run
    async def run(self, app: Application) -> FixtureResult:
        return await self._journey(app)

    async def _read(self, input: ReadDocumentInput) -> DocumentReading:
        return await workflow.execute_activity(
            read_document_v2, input, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn(name=WORKFLOW_NAME)
class AuditFixturePatched(_Journey):
    """Compatible: journeys that already read with v1 keep v1; new ones take v2."""

    @workflow.run
    async def run(self, app: Application) -> FixtureResult:
        return await self._journey(app)

    async def _read(self, input: ReadDocumentInput) -> DocumentReading:
        reader = read_document_v2 if workflow.patched(PATCH_ID) else read_document
        return await workflow.execute_activity(
            reader, input, start_to_close_timeout=timedelta(seconds=10)
        )
