"""One bank payment under one reference across loans (store/reference_claims.py): two loans
claiming a reference at once, one wins and the other is told which loan holds it; a claim the
journey refused is released; money received and not booked under it (of the same amount) may
be booked on the loan it pays, and a return or refund may not take a claimed reference; one
reference however typed (case, spaces) is one claim, and claims kept under two spellings
before that migrate and are reported."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from threading import Barrier

import pytest
from alembic import command
from sqlalchemy import text

from store.db import alembic_config, engine_for, migrate
from store.payer_returns import PayerRefund, ReferenceUsed, record_refund
from store.payment_references import ReferenceClaim, key_shared
from store.reference_claims import Claimed, claim, release
from tests.store.test_pending_unbooked import unbooked

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def wanted(workflow_id: str, reference: str = "RP-OPS-0001", amount: str = "10000"
           ) -> ReferenceClaim:
    return ReferenceClaim(reference=reference, workflow_id=workflow_id, kind="repayment",
                          amount=Decimal(amount), claimed_by="ops-li", claimed_at=NOW,
                          origin="ops@host pid 1")


def test_two_loans_claiming_one_reference_at_once_one_wins(db_url: str) -> None:
    migrate(db_url)
    loans = [f"loan-APP-OPS-{n:02d}" for n in range(1, 9)]
    start = Barrier(len(loans))

    def try_claim(workflow_id: str) -> Claimed | ReferenceUsed:
        start.wait()
        try:
            return claim(db_url, wanted(workflow_id))
        except ReferenceUsed as used:
            return used

    with ThreadPoolExecutor(len(loans)) as pool:
        tried = list(pool.map(try_claim, loans))
    (won,) = [t for t in tried if isinstance(t, Claimed)]
    assert won.new
    for lost in (t for t in tried if isinstance(t, ReferenceUsed)):
        assert str(lost) == (f"reference RP-OPS-0001 is already recorded on "
                             f"{won.claim.workflow_id}: a repayment of 10,000.00, typed by "
                             "ops-li at 2026-12-06 09:00:00 UTC")
    assert not claim(db_url, wanted(won.claim.workflow_id)).new  # its own: typed again
    release(db_url, won)  # its journey refused it: free for another loan
    assert claim(db_url, wanted("loan-APP-OPS-99")).new


def test_money_not_booked_moves_to_the_loan_it_pays_and_back_if_refused(db_url: str) -> None:
    migrate(db_url)
    claim(db_url, wanted("loan-APP-ENDED", "FA-R2", "50000.00"))
    unbooked(db_url, "loan-APP-ENDED", "FA-R2", "50000.00")
    with pytest.raises(ReferenceUsed, match="recorded on loan-APP-ENDED"):
        claim(db_url, wanted("loan-APP-1", "FA-R2", "40000.00"))  # another amount
    moved = claim(db_url, wanted("loan-APP-1", "FA-R2", "50000.00"))
    assert moved.moved_from == "loan-APP-ENDED"
    release(db_url, moved)
    with pytest.raises(ReferenceUsed, match="recorded on loan-APP-ENDED"):
        claim(db_url, wanted("loan-APP-3", "FA-R2", "40000.00"))


def test_a_refund_may_not_take_a_repayments_reference(db_url: str) -> None:
    migrate(db_url)
    claim(db_url, wanted("loan-APP-OPS-01"))
    refund = PayerRefund(workflow_id="loan-APP-OPS-02", payment="SETTLE-2",
                         paid_on=NOW.date(), amount=Decimal("50.00"), account="6222020200112233",
                         refunded_at=NOW, refunded_by="ops-li", role="operations",
                         origin="ops@host pid 1", reference="RP-OPS-0001", reason="paid over")
    with pytest.raises(ReferenceUsed, match="recorded on loan-APP-OPS-01: a repayment"):
        record_refund(db_url, refund, Decimal("50.00"))
    record_refund(db_url, refund.model_copy(update={"reference": "RF-0001"}), Decimal("50.00"))
    with pytest.raises(ReferenceUsed, match="RF-0001 is already the refund of 50.00"):
        claim(db_url, wanted("loan-APP-OPS-03", "RF-0001"))


def test_one_reference_however_typed_is_one_claim(db_url: str) -> None:
    migrate(db_url)
    first = claim(db_url, wanted("loan-APP-A", "fin-pre-003"))
    assert first.new and first.claim.reference == "FIN-PRE-003"  # claimed in its normal form
    for typed in ("FIN-PRE-003", " fin-pre-003", "FIN-PRE-003 ", "ＦＩＮ－ＰＲＥ－００３"):
        assert not claim(db_url, wanted("loan-APP-A", typed)).new  # its own, typed again
        with pytest.raises(ReferenceUsed, match="FIN-PRE-003 is already recorded on loan-APP-A"):
            claim(db_url, wanted("loan-APP-B", typed))
    refund = PayerRefund(workflow_id="loan-APP-C", payment="SETTLE-2", paid_on=NOW.date(),
                         amount=Decimal("50.00"), account="6222020200112233", refunded_at=NOW,
                         refunded_by="ops-li", role="operations", origin="ops@host pid 1",
                         reference="Fin-Pre-003", reason="paid over")
    with pytest.raises(ReferenceUsed, match="recorded on loan-APP-A: a repayment"):
        record_refund(db_url, refund, Decimal("50.00"))
    record_refund(db_url, refund.model_copy(update={"reference": "rf-0002 "}), Decimal("50.00"))
    with pytest.raises(ReferenceUsed, match="is already the refund of 50.00"):
        claim(db_url, wanted("loan-APP-D", "RF-0002"))


def test_claims_typed_before_the_normal_form_migrate_and_are_reported(db_url: str) -> None:
    """Variants kept before migration 0027 (one payment twice: the same loan's, and two
    loans') are kept as they are, keyed, and listed as sharing a key, not merged."""
    migrate(db_url)  # the database made, then as the version before the key left it
    command.downgrade(alembic_config(db_url), "0026_payer_outflows")
    typed = [("FIN-PRE-001", "loan-APP-A"), ("fin-pre-001", "loan-APP-A"),
             (" FIN-PRE-001", "loan-APP-A"), ("FIN-PRE-003", "loan-APP-A"),
             ("fin-pre-003", "loan-APP-B"), ("ONE-ONLY", "loan-APP-B")]
    with engine_for(db_url).begin() as c:
        for reference, loan in typed:
            c.execute(text(
                "insert into payment_references (reference, workflow_id, kind, amount, "
                "claimed_by, claimed_at, origin) values (:r, :w, 'prepayment', '100000.00', "
                "'ops-li', :at, 'ops@host pid 1')"), {"r": reference, "w": loan, "at": NOW})
    migrate(db_url)
    shared = key_shared(db_url)
    assert sorted(shared) == ["FIN-PRE-001", "FIN-PRE-003"]
    assert [c.reference for c in shared["FIN-PRE-001"]] == ["FIN-PRE-001", "fin-pre-001",
                                                            " FIN-PRE-001"]
    assert [c.workflow_id for c in shared["FIN-PRE-003"]] == ["loan-APP-A", "loan-APP-B"]
    with pytest.raises(ReferenceUsed, match="recorded on loan-APP-A"):
        claim(db_url, wanted("loan-APP-C", "Fin-Pre-001"))
    assert not claim(db_url, wanted("loan-APP-B", "one-only")).new


def test_a_claim_written_without_its_key_still_holds_its_reference(db_url: str) -> None:
    """Written by a command line older than migration 0027, against a database migrated under
    it: no key, and its reference held all the same."""
    migrate(db_url)
    with engine_for(db_url).begin() as c:
        c.execute(text(
            "insert into payment_references (reference, workflow_id, kind, amount, claimed_by, "
            "claimed_at, origin) values ('old-0001 ', 'loan-APP-A', 'repayment', '10000.00', "
            "'ops-li', :at, 'ops@host pid 1')"), {"at": NOW})
    with pytest.raises(ReferenceUsed, match="recorded on loan-APP-A"):
        claim(db_url, wanted("loan-APP-B", "OLD-0001"))
    assert not claim(db_url, wanted("loan-APP-A", "Old-0001")).new
