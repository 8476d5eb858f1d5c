"""The bank's sealed records (store/seals.py): each table, as a row of it is named and checked,
and the chains they are sealed in, whose rows `records verify` checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from store import policy_check, stage_event_check
from store.beside_seals import first_reads_differ, returns_missing
from store.code_names import CHAIN as NAMES_CHAIN
from store.code_names import CreditCodeNameRow, CreditCodeNameWithdrawalRow, withdrawal_facts
from store.code_names import facts as rename_facts
from store.exposure import CHAIN as EXPOSURE_CHAIN
from store.exposure import CreditExposureChangeRow, CreditExposureRow
from store.exposure import change_facts as exposure_change_facts
from store.exposure import facts as exposure_facts
from store.ledger import facts as booking_facts
from store.lpr import (
    CHAIN,
    LprCorrectionRow,
    LprFixingRow,
    LprReadRow,
    correction_facts,
    fixing_facts,
    read_facts,
)
from store.models import BookingRow, DocumentReadingRow, OutboxRow, StageEventRow
from store.outbox import facts as notice_facts
from store.payer_outflows import CHAIN as ENTRIES_CHAIN
from store.payer_outflows import PayerOutflowRow, entry_facts
from store.payer_returns import CHAIN as RETURNS_CHAIN
from store.payer_returns import PayerRefundRow, PayerReturnRow, refund_facts
from store.payer_returns import facts as return_facts
from store.payment_references import CHAIN as CLAIMS_CHAIN
from store.payment_references import PaymentReferenceChangeRow, PaymentReferenceRow
from store.payment_references import change_facts as claim_change_facts
from store.payment_references import facts as claim_facts
from store.pending import PendingRow
from store.pending import facts as pending_facts
from store.policies import CHAIN as POLICIES_CHAIN
from store.policies import LendingPolicyRow, PolicyLoadRow, load_facts, load_named, named
from store.policies import facts as policy_facts
from store.reading_seals import CHAIN as READINGS_CHAIN
from store.reading_seals import DocumentReadingChangeRow
from store.reading_seals import change_facts as reading_change_facts
from store.reading_seals import facts as reading_facts
from store.refusals import RefusalRow
from store.refusals import facts as refusal_facts
from store.reset_acknowledgements import ResetAcknowledgementRow
from store.reset_acknowledgements import facts as acknowledgement_facts
from store.reset_acknowledgements import named as acknowledgement_named
from store.scan_erasures import ScanErasureRow
from store.scan_erasures import facts as erasure_facts
from store.seal_findings import Finding
from store.seals import Column, found_changed, kept_seal
from store.timing import facts as stage_event_facts


@dataclass(frozen=True)
class SealedTable:
    name: str  # as a row is named: "refusal", "LPR fixing"
    row: Any  # the mapped class
    facts: Callable[[Any], list[object]]
    covers: str  # what changed when its seal no longer matches
    kept_in: str  # the tables to restore it in
    of: tuple[str, str] | None = None  # the column naming the row it is of, and that row's name
    # the column naming the row it sealed again, and that row's name: it keeps the seal that
    # row had before (`replaced_seal`), which the chain holds
    replaces: tuple[str, str] | None = None
    about: Callable[[Any], str] | None = None  # what else names a row: a stage event's stage
    # how people name a row, in place of its table's name and id: "lending policy 2026.12-8"
    called: Callable[[Any], str] | None = None

    def label(self, row: Any) -> str:
        if self.called is not None:
            return self.called(row)
        day = getattr(row, "fixed_on", None)
        of = f" (of {self.of[1]} {getattr(row, self.of[0])})" if self.of else ""
        about = f" ({self.about(row)})" if self.about else ""
        return f"{self.name} #{row.id}" + (f" ({day})" if day else "") + about + of

    def replaced(self, rows: list[Any]) -> dict[str, str]:
        """The seals `rows` (of this table) keep of the rows they sealed again, each with what
        held it."""
        if self.replaces is None:
            return {}
        column, name = self.replaces
        return {kept_seal(r.replaced_seal): f"{name} #{getattr(r, column)} before {self.name} "
                                            f"#{r.id}"
                for r in rows if r.replaced_seal is not None}

    def found_changed(self, rows: list[Any]) -> list[tuple[str, Any]]:
        """The rows `rows` (of this table) sealed again that no longer matched their seals
        then (store/seals.py `replaced_seal`), each named, with the change that found it."""
        if self.replaces is None:
            return []
        column, name = self.replaces
        return [(f"{name} #{getattr(r, column)}{_of_journey(r)}", r)
                for r in rows if found_changed(r.replaced_seal)]


def _of_journey(change: Any) -> str:
    """Whose journey the row a change sealed again was, as the change says (a claim moved:
    the loan it was on)."""
    journey = getattr(change, "workflow_id_before", None) or getattr(change, "workflow_id", None)
    return f" (of journey {journey})" if journey else ""


FIXINGS = SealedTable("LPR fixing", LprFixingRow, fixing_facts,
                      "the fixing (its date, rates, who recorded it and when)", "lpr_fixings")
CORRECTIONS = SealedTable("LPR correction", LprCorrectionRow, correction_facts,
                          "the correction (the rates it replaced, who, why and when)",
                          "lpr_fixing_corrections", replaces=("fixing_id", "LPR fixing"))
REFUSALS = SealedTable("refusal", RefusalRow, refusal_facts,
                       "the refused attempt (who, what, on which loan, from where, why and when)",
                       "refusals")
READS = SealedTable("LPR first read", LprReadRow, read_facts,
                    "the first read of a fixing (which fixing, by which loan, when)",
                    "lpr_fixing_reads", ("fixing_id", "LPR fixing"))
RETURNS = SealedTable("return to payer", PayerReturnRow, return_facts,
                      "the return or the money received it settles",
                      "payer_returns, and its instruction in pending_instructions",
                      ("instruction_id", "pending instruction"))
REFUNDS = SealedTable("refund to payer", PayerRefundRow, refund_facts,
                      "the refund (which loan and payment, how much, to which account, who, why "
                      "and when)", "payer_refunds")
ENTRIES = SealedTable("refund or return entry", PayerOutflowRow, entry_facts,
                      "what the maker entered (which money, how much, to which account, under "
                      "which reference, why, who, from where and when) and the payer's "
                      "account it was checked against", "payer_outflows",
                      ("workflow_id", "journey"))
BOOKINGS = SealedTable("ledger booking", BookingRow, booking_facts,
                       "the booking (its journey, amount, payee, purpose, key, when and value "
                       "date)",
                       "ledger_bookings", ("workflow_id", "journey"))
EXPOSURES = SealedTable("credit exposure line", CreditExposureRow, exposure_facts,
                        "the line (its journey, borrower, amount applied for, principal owed and "
                        "when)", "credit_exposures", ("workflow_id", "journey"))
EXPOSURE_CHANGES = SealedTable("credit exposure change", CreditExposureChangeRow,
                               exposure_change_facts,
                               "the change of a line's principal, or of its amount applied "
                               "for by an amendment (from, to, when, the seal replaced)",
                               "credit_exposure_changes", ("workflow_id", "journey"),
                               ("exposure_id", EXPOSURES.name))
NOTICES = SealedTable("outbox notice", OutboxRow, notice_facts,
                      "the notice (its journey, channel, recipient, template, text and when "
                      "queued)", "outbox", ("workflow_id", "journey"))
RENAMES = SealedTable("credit code rename", CreditCodeNameRow, rename_facts,
                      "the rename (its credit code, former and new names, who declared it in "
                      "which role, when, and its journey)", "credit_code_names",
                      ("workflow_id", "journey"))
WITHDRAWALS = SealedTable("credit code rename withdrawn", CreditCodeNameWithdrawalRow,
                          withdrawal_facts,
                          "the withdrawal (which rename, its code and names, its journey, when, "
                          "the seal it kept)", "credit_code_name_withdrawals",
                          ("workflow_id", "journey"), ("name_id", RENAMES.name))
CLAIMS = SealedTable("payment reference claim", PaymentReferenceRow, claim_facts,
                     "the claim (its reference, loan, kind, amount, who typed it, when and "
                     "from where)", "payment_references", ("workflow_id", "journey"))
CLAIM_CHANGES = SealedTable("payment reference change", PaymentReferenceChangeRow,
                            claim_change_facts,
                            "the change of a claim's loan (its reference, from, to or released, "
                            "when, the seal replaced)", "payment_reference_changes",
                            replaces=("claim_id", CLAIMS.name))
STAGE_EVENTS = SealedTable("stage event", StageEventRow, stage_event_facts,
                           "the stage event (its journey, stage, entry or exit, time, actor, "
                           "team, outcome, what it waited on)", "stage_events",
                           ("workflow_id", "journey"),
                           about=lambda r: f"{r.type} {r.stage}")
READINGS = SealedTable("document reading", DocumentReadingRow, reading_facts,
                       "the reading (its journey, document, kind, status, the fields read or "
                       "corrected, why, when)", "document_readings", ("workflow_id", "journey"))
READING_CHANGES = SealedTable("document reading change", DocumentReadingChangeRow,
                              reading_change_facts,
                              "the reading kept again (which reading, when, the seal replaced)",
                              "document_reading_changes", ("workflow_id", "journey"),
                              ("reading_id", READINGS.name))
ERASURES = SealedTable("scan erasure", ScanErasureRow, erasure_facts,
                       "the erasure (which scan, of which journeys, when they ended, when it "
                       "was erased, by whom, under which rule)", "scan_erasures",
                       about=lambda r: f"sha256 {r.sha256[:12]}")
PENDING = SealedTable("pending instruction", PendingRow, pending_facts,
                      "what was typed (the update, its request, who, from where and when)",
                      "pending_instructions")
POLICY_ROWS = SealedTable("policy", LendingPolicyRow, policy_facts,
                         "the policy (its kind, version, text, the sha256 kept with it, when "
                         "first loaded)",
                         "lending_policies; or its text and sha256 from the policy file of its "
                         "version", called=named)
POLICY_LOADS = SealedTable("policy load", PolicyLoadRow, load_facts,
                           "the load (which policy, of which kind and version, its sha256, "
                           "when, by which worker; the newest of a kind is the one in force)",
                           "policy_loads", called=load_named)
ACKNOWLEDGEMENTS = SealedTable("reset acknowledgement", ResetAcknowledgementRow,
                              acknowledgement_facts,
                              "the acknowledgement (which reset of which run, as its history "
                              "says it, who acknowledged it, why, when and from where)",
                              "reset_acknowledgements", called=acknowledgement_named)


@dataclass(frozen=True)
class SealedRecords:
    records: str
    lock: str  # the chain's sealing lock
    tables: list[SealedTable]
    columns: list[Column]
    # what else is wrong with the chain's rows, beside their seals
    also: Callable[[Session], list[Finding]] = lambda s: []
    replaced: tuple[Column, ...] = ()  # the seals a row kept when it was sealed again


LPR = SealedRecords("LPR fixings and corrections", LprFixingRow.__tablename__,
                    [FIXINGS, CORRECTIONS, READS], CHAIN, first_reads_differ,
                    replaced=(LprCorrectionRow.replaced_seal,))
REFUSED = SealedRecords("refused attempts", RefusalRow.__tablename__, [REFUSALS],
                        [RefusalRow.seal])
KEPT = SealedRecords("pending instructions", PendingRow.__tablename__, [PENDING],
                     [PendingRow.seal])
RETURNED = SealedRecords("money returned to payers", PayerReturnRow.__tablename__,
                         [RETURNS, REFUNDS], RETURNS_CHAIN, returns_missing)
# entered under the lock of the returns to payers (store/payer_returns.py), as CLAIMED
ENTERED = SealedRecords("refunds and returns entered", PayerReturnRow.__tablename__,
                        [ENTRIES], ENTRIES_CHAIN)
BOOKED = SealedRecords("ledger bookings", BookingRow.__tablename__, [BOOKINGS],
                       [BookingRow.seal])
EXPOSED = SealedRecords("credit exposures", CreditExposureRow.__tablename__,
                        [EXPOSURES, EXPOSURE_CHANGES], EXPOSURE_CHAIN,
                        replaced=(CreditExposureChangeRow.replaced_seal,))
NOTIFIED = SealedRecords("outbox notices", OutboxRow.__tablename__, [NOTICES], [OutboxRow.seal])
NAMED = SealedRecords("credit code renames", CreditCodeNameRow.__tablename__,
                      [RENAMES, WITHDRAWALS], NAMES_CHAIN,
                      replaced=(CreditCodeNameWithdrawalRow.replaced_seal,))
# claimed under the lock of the returns to payers (store/reference_claims.py)
CLAIMED = SealedRecords("payment reference claims", PayerReturnRow.__tablename__,
                        [CLAIMS, CLAIM_CHANGES], CLAIMS_CHAIN,
                        replaced=(PaymentReferenceChangeRow.replaced_seal,))
# their numbering checked beside their seals, as before they were sealed
STAGED = SealedRecords(stage_event_check.RECORDS, StageEventRow.__tablename__,
                       [STAGE_EVENTS], [StageEventRow.seal], stage_event_check.findings)
READ = SealedRecords("document readings", DocumentReadingRow.__tablename__,
                     [READINGS, READING_CHANGES], READINGS_CHAIN,
                     replaced=(DocumentReadingChangeRow.replaced_seal,))
ERASED = SealedRecords("scan erasures", ScanErasureRow.__tablename__, [ERASURES],
                      [ScanErasureRow.seal])
# their texts checked by their sha256 beside their seals, as before they were sealed
POLICIES = SealedRecords(policy_check.RECORDS, LendingPolicyRow.__tablename__,
                         [POLICY_ROWS, POLICY_LOADS], POLICIES_CHAIN, policy_check.findings)
ACKNOWLEDGED = SealedRecords("reset acknowledgements", ResetAcknowledgementRow.__tablename__,
                             [ACKNOWLEDGEMENTS], [ResetAcknowledgementRow.seal])
CHAINS = [LPR, REFUSED, KEPT, RETURNED, ENTERED, BOOKED, EXPOSED, NOTIFIED, NAMED, CLAIMED,
          STAGED, READ, ERASED, POLICIES, ACKNOWLEDGED]
