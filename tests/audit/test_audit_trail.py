"""The audit trail of a known journey, and what the raw history store holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console
from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadConverter
from temporalio.testing import WorkflowEnvironment

from starter.audit import AuditLine, audit_trail, history_json, render_trail
from starter.audit_summary import WIDTH, summarise
from starter.codec import CodecError
from tests.audit import fixture_workflow as fx

PERSONAL = (fx.APPLICANT, "张伟", "Zhang Wei", fx.ID_NUMBER, fx.REASON, "Li Na")


async def test_trail_matches_expected_lines(
    recorded: WorkflowHistory, audit_converter: DataConverter, audit_env: WorkflowEnvironment
) -> None:
    lines = await audit_trail(recorded, audit_converter)
    me = audit_env.client.identity
    sha = fx.DOC_SHA
    assert [(x.stage, x.event, x.actor, x.role, x.detail) for x in lines] == [
        (
            "",
            "started AuditFixture",
            me,
            "",
            f"application_id=A-1001, applicant_name={fx.APPLICANT}, "
            f"id_number={fx.ID_NUMBER}, amount=5000000.00",
        ),
        ("documents", "stage documents", "", "", ""),
        ("documents", "signal upload_document", me, "", f"sha256={sha}"),
        (
            "documents",
            "activity read_document",
            "",
            "",
            f"sha256={sha}, applicant_name={fx.APPLICANT}",
        ),
        (
            "documents",
            "activity read_document done",
            "",
            "",
            f"sha256={sha}, kind=business_license, status=read, "
            f"legal_representative={fx.APPLICANT}, reader=v1, min_confidence=0.93",
        ),
        ("risk_review", "stage risk_review", "", "", ""),
        ("risk_review", "timer started", "", "", "1d (timer 1)"),
        ("risk_review", "timer fired (SLA/deadline)", "", "", "after 1d (timer 1)"),
        (
            "risk_review",
            "update record_decision",
            "officer-7",
            "risk_officer",
            f"verdict=approve, reason={fx.REASON}",
        ),
        (
            "risk_review",
            "update record_decision done",
            "officer-7",
            "risk_officer",
            "accepted=True, stage=risk_review",
        ),
        ("approved", "stage approved", "", "", ""),
        ("approved", "completed", "", "", "outcome=approved, reader=v1"),
    ]
    timer_started, timer_fired, decided = lines[6], lines[7], lines[8]
    assert abs(timer_fired.time - timer_started.time - fx.SLA) < timedelta(seconds=1)
    assert decided.time > timer_fired.time
    assert render_trail(lines).row_count == len(lines)


def test_the_trail_shows_what_people_wrote_whole() -> None:
    said = "reason=[/x] see the [urgent] memo, reference=[bold]TX-1"
    line = AuditLine(time=datetime(2026, 3, 1, tzinfo=UTC), event_id=9, stage="approval",
                     event="update decide", actor="appr-[1]", role="approver", detail=said)
    console = Console(record=True, width=300)
    console.print(render_trail([line]))  # "[/x]" raised MarkupError before it was escaped
    text = console.export_text()
    assert said in text and "appr-[1]" in text
    # on the bank's clock, which the heading names: 00:00 UTC is 08:00 in the bank
    assert "time (UTC+8)" in text and "2026-03-01 08:00:00" in text


def test_a_summary_is_cut_to_a_line_and_whole_in_full() -> None:
    route = {"explanation": "Rule sme-default fired " + "x" * 100, "loans": ["loan-B1"] * 60}
    cut = summarise(route)
    assert len(cut) == WIDTH and "x" * 56 + "…, loans=" in cut  # each value, and the line, cut
    whole = summarise(route, None)  # `history --full`
    assert "x" * 100 in whole and whole.endswith("/".join(["loan-B1"] * 60))


async def test_raw_history_holds_no_personal_data(recorded: WorkflowHistory) -> None:
    raw_json = history_json(recorded)
    raw_bytes = b"".join(event.SerializeToString() for event in recorded.events)
    for text in PERSONAL:
        assert text not in raw_json
        assert text.encode() not in raw_bytes
    assert '"encryption-key-id": "azI="' in raw_json  # base64 of "k2", the encrypting key


async def test_the_check_would_see_plain_payloads() -> None:
    """Control: without the codec the same value sits in the payload bytes in clear."""
    [plain] = await pydantic_data_converter.encode(
        [fx.Decision(actor=fx.Actor(id="x", role="y"), verdict="approve", reason=fx.REASON)]
    )
    assert fx.REASON.encode() in plain.SerializeToString()


async def test_trail_without_keys_says_what_to_set(recorded: WorkflowHistory) -> None:
    try:
        await audit_trail(recorded, pydantic_data_converter)
    except CodecError as err:
        assert "LOAN_JOURNEY_CODEC_KEYS" in str(err)
    else:
        raise AssertionError("an encrypted history must not read without keys")


async def test_a_failed_workflow_task_is_a_line_with_its_cause(
    recorded: WorkflowHistory, audit_converter: DataConverter
) -> None:
    """A journey whose task once failed (a search attribute the server did not know, a
    deploy that did not replay) keeps a readable trail: the failure is one line of it."""
    failed = HistoryEvent(event_id=len(recorded.events) + 1,
                          event_type=EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    failed.workflow_task_failed_event_attributes.cause = (
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES
    )
    failed.workflow_task_failed_event_attributes.failure.message = (
        "BadSearchAttributes: Namespace default has no mapping defined for search attribute "
        "LoanClass"
    )
    history = WorkflowHistory(recorded.workflow_id, [*recorded.events, failed])
    last = (await audit_trail(history, audit_converter))[-1]
    assert (last.event, last.detail) == (
        "workflow task failed",
        "bad_search_attributes: BadSearchAttributes: Namespace default has no mapping defined "
        "for search attribute LoanClass",
    )


async def test_every_kind_of_event_reads_without_error(audit_converter: DataConverter) -> None:
    """Whatever a history holds, its trail is read: one event of every kind, with empty
    attributes, gives a line or none, never an exception (a handler that named a field the
    event does not have crashed `history` for every journey holding it)."""
    events = []
    for field in HistoryEvent.DESCRIPTOR.oneofs_by_name["attributes"].fields:
        event = HistoryEvent(event_id=len(events) + 1)
        attributes = getattr(event, field.name)
        attributes.SetInParent()
        for f in attributes.DESCRIPTOR.fields:  # every enum and text set, not left empty
            if f.is_repeated:
                continue
            if f.type == f.TYPE_ENUM:
                setattr(attributes, f.name, f.enum_type.values[-1].number)
            elif f.type == f.TYPE_STRING:
                setattr(attributes, f.name, "x")
        events.append(event)
    lines = await audit_trail(WorkflowHistory("every-kind", events), audit_converter)
    assert len(lines) >= 20 and {x.event for x in lines} >= {
        "workflow task failed", "terminated", "timed out", "continued as new"}


async def test_the_engines_own_bookkeeping_is_left_out_unless_in_full(
    audit_converter: DataConverter,
) -> None:
    """The SDK's version markers and a work-list attribute written with no change of stage say
    nothing of the loan: an auditor's trail leaves them out, `--full` keeps them."""
    def upsert(event: HistoryEvent, **values: object) -> None:
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        for key, value in values.items():
            fields.indexed_fields[key].CopyFrom(PayloadConverter.default.to_payloads([value])[0])

    events = [HistoryEvent(event_id=1, event_type=EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
              HistoryEvent(event_id=2), HistoryEvent(event_id=3), HistoryEvent(event_id=4)]
    events[0].workflow_execution_started_event_attributes.workflow_type.name = "LoanJourney"
    upsert(events[1], JourneyStage="documents", TemporalChangeVersion=["docs-kept"],
           WaitingOn="customer")
    events[2].marker_recorded_event_attributes.marker_name = "core_patch"
    upsert(events[3], TemporalChangeVersion=["docs-kept", "later"], WaitingOn="bank")
    history = WorkflowHistory("bookkeeping", events)

    trail = [(x.event, x.detail) for x in await audit_trail(history, audit_converter)]
    assert trail == [("started LoanJourney", ""), ("stage documents", "WaitingOn=customer")]
    full = [(x.event, x.detail) for x in await audit_trail(history, audit_converter, full=True)]
    assert full == [
        ("started LoanJourney", ""),
        ("stage documents", "TemporalChangeVersion=docs-kept, WaitingOn=customer"),
        ("marker core_patch", ""),
        ("search attributes", "TemporalChangeVersion=docs-kept/later, WaitingOn=bank")]
