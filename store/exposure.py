"""Each journey's line in its borrower's credit exposure (journey/exposure.py): the amount
applied for, kept at intake, and once the loan runs the principal it still owes. A journey
whose timing events record a terminal stage (rejected, withdrawn, expired, closed) no longer
counts: the stage events are the store's record of how each journey ended.

With the archive key, each line is sealed as it is kept, next in the exposures' chain
(store/seals.py), and sealed again as its principal changes, or its amount applied for as the
application is amended (workflows/amendments.py), that change kept in its own row with the
seal it replaced: a line's amount or principal changed, or a line inserted or deleted, in the
database is reported (`loan-journey records verify`).

The line says too whose the journey is, as `start` keeps it: the applicant's name and the
relationship manager who submitted it, for `list` and the relationship manager's work list
(outside the seal: no figure), shown by its company's current name where the company was
renamed since (store/code_names.py); and the borrower's applications that ended, read by
credit code with how and when each ended, are what `status` shows of a new application's
history with the bank (`ended_applications`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from journey.actors import Actor, Role
from journey.decline_reasons import decline_categories
from journey.earlier_applications import EndedApplication
from journey.exposure import ExposureLine, JourneyParties, KeepExposureInput
from journey.renames import current_name
from journey.stages import TERMINAL, Stage
from journey.timeline import EventType
from store.code_names import renames
from store.db import session
from store.models import Base, BigId, StageEventRow
from store.seals import add_sealed, replaced_seal, seal_next, sealing
from store.types import Money, UTCDateTime


class CreditExposureRow(Base):
    __tablename__ = "credit_exposures"
    __table_args__ = (
        UniqueConstraint("workflow_id", name="uq_credit_exposures_workflow_id"),
        Index("ix_credit_exposures_credit_code", "credit_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str] = mapped_column(String(18))
    amount: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal | None] = mapped_column(Money, nullable=True)  # once it runs
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed
    # whose: kept by `start` (a line the journey's intake kept first has neither until then)
    applicant_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # who submitted it (a relationship manager or operations), and in which role
    submitted_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    submitted_role: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CreditExposureChangeRow(Base):
    """A sealed line's principal, or its amount applied for, changed: the line sealed again
    over it, this row keeps the seal it replaced (as an LPR correction keeps its fixing's), so
    the chain stays whole. An amendment's change keeps the amount from and to (`amount` set),
    and the principal as it stands (none before the loan runs); a change of principal keeps no
    amount, as before amendments were kept (migration 0030)."""

    __tablename__ = "credit_exposure_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("credit_exposures.id"), index=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    principal_before: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    principal: Mapped[Decimal | None] = mapped_column(Money, nullable=True)  # None: not run
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_seal: Mapped[str | None] = mapped_column(String(64))  # the line's, before
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed
    # an amendment's: the amount applied for, before and after (None: a change of principal)
    amount_before: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)


# the exposures' chain of seals: the lines (the chain is named by them), then their changes
CHAIN = [CreditExposureRow.seal, CreditExposureChangeRow.seal]


def facts(row: CreditExposureRow) -> list[object]:
    """What a line's seal covers: the whole row but the seal."""
    return [row.id, row.workflow_id, row.credit_code, f"{row.amount:.2f}",
            None if row.principal is None else f"{row.principal:.2f}",
            row.updated_at.astimezone(UTC).isoformat()]


def change_facts(row: CreditExposureChangeRow) -> list[object]:
    """What a change's seal covers: the whole row but its seal. A change of principal's facts
    are those it was sealed with before amendments were kept (its seal holds); an
    amendment's add the amount from and to."""
    facts = [row.id, row.exposure_id, row.workflow_id, _fen(row.principal_before),
             _fen(row.principal), row.changed_at.astimezone(UTC).isoformat(),
             row.replaced_seal]
    if row.amount is None and row.amount_before is None:
        return facts
    return [*facts, _fen(row.amount_before), _fen(row.amount)]


def _fen(money: Decimal | None) -> str | None:
    return None if money is None else f"{money:.2f}"


def keep(url: str, line: KeepExposureInput, key: bytes | None = None) -> None:
    """Write the journey's line, sealed with `key` when given, next in the exposures' chain
    (store/seals.py); a line kept again (a retried activity) changes nothing, a principal
    given updates the one kept, as an amended amount (`amended`) does its amount. A sealed
    line's new principal or amount is sealed again over it, its change kept with the seal it
    replaced; without `key`, the line is left unsealed (`records verify` names it inserted),
    the change kept all the same. Whose the journey is (`start`'s line) is written on the one
    the journey's intake may have kept first. An amendment keeps no line that was not kept
    (its credit code held for another company, or a journey from before lines were kept)."""
    with sealing(url, CreditExposureRow.__tablename__) as s:
        row = s.scalars(select(CreditExposureRow).where(
            CreditExposureRow.workflow_id == line.workflow_id)).first()
        now = datetime.now(UTC)
        if row is None and line.amended:
            return
        if row is None:
            add_sealed(s, key, CreditExposureRow(
                workflow_id=line.workflow_id, credit_code=line.credit_code, amount=line.amount,
                principal=line.principal, updated_at=now, applicant_name=line.applicant_name,
                **_submitter(line.submitted_by)), facts, CHAIN)
            return
        if line.applicant_name is not None:  # `start`'s, after the intake's maybe
            row.applicant_name = line.applicant_name
            for column, value in _submitter(line.submitted_by).items():
                setattr(row, column, value)
        if line.amended and line.amount != row.amount:
            _changed(s, key, row, now, amount=line.amount)
        elif line.principal is not None and line.principal != row.principal:
            _changed(s, key, row, now, principal=line.principal)


def _changed(s: Session, key: bytes | None, row: CreditExposureRow, now: datetime, *,
             principal: Decimal | None = None, amount: Decimal | None = None) -> None:
    """The line's new principal or amount, sealed again over it when it was sealed: the
    change first, next in the chain while the line still holds its seal, keeping that seal."""
    sealed = row.seal is not None  # one kept before the key is sealed by `records seal`
    if sealed:
        add_sealed(s, key, CreditExposureChangeRow(
            exposure_id=row.id, workflow_id=row.workflow_id, principal_before=row.principal,
            principal=row.principal if principal is None else principal, changed_at=now,
            replaced_seal=replaced_seal(s, key, row, facts, CHAIN, "credit exposure line"),
            amount_before=None if amount is None else row.amount,
            amount=amount), change_facts, CHAIN)
    if principal is not None:
        row.principal = principal
    if amount is not None:
        row.amount = amount
    row.updated_at, row.seal = now, None
    if sealed and key is not None:
        seal_next(s, key, row, facts, CHAIN)


def _submitter(by: Actor | None) -> dict[str, str | None]:
    """A line's columns of who submitted it."""
    return {"submitted_by": by.id if by else None, "submitted_role": by.role if by else None}


def parties(url: str, workflow_ids: list[str]) -> dict[str, JourneyParties]:
    """Whose each of `workflow_ids` is, as its line says, and the amount applied for (as last
    amended), in one read (a journey with no line yet left out; one kept before `start` kept
    whose it is has its amount only). The applicant by its company's current name: that of
    the latest rename of its credit code linking its name (store/code_names.py)."""
    if not workflow_ids:
        return {}
    with session(url) as s:
        rows = s.execute(
            select(CreditExposureRow.workflow_id, CreditExposureRow.credit_code,
                   CreditExposureRow.applicant_name, CreditExposureRow.submitted_by,
                   CreditExposureRow.submitted_role, CreditExposureRow.amount)
            .where(CreditExposureRow.workflow_id.in_(workflow_ids))
        ).all()
    named = renames(url, [r.credit_code for r in rows if r.applicant_name])
    return {r.workflow_id: JourneyParties(
                applicant=r.applicant_name and current_name(named.get(r.credit_code, []),
                                                            r.applicant_name),
                submitted_by=Actor(id=r.submitted_by, role=Role(r.submitted_role))
                if r.submitted_by and r.submitted_role else None,
                amount=r.amount)
            for r in rows}


def ended_applications(url: str, credit_code: str, workflow_id: str) -> list[EndedApplication]:
    """The borrower's other journeys that ended without a loan (declined, withdrawn,
    expired), oldest end first, each with its end as its timing events recorded it (a
    decline's reason categories in the detail of its end, where recorded): one read of the
    store by credit code, no journey asked."""
    ends = [Stage.REJECTED.value, Stage.WITHDRAWN.value, Stage.EXPIRED.value]
    with session(url) as s:
        rows = s.execute(
            select(StageEventRow.workflow_id, StageEventRow.stage, StageEventRow.at,
                   StageEventRow.detail)
            .join(CreditExposureRow, CreditExposureRow.workflow_id == StageEventRow.workflow_id)
            .where(CreditExposureRow.credit_code == credit_code,
                   CreditExposureRow.workflow_id != workflow_id,
                   StageEventRow.type == EventType.ENTERED.value,
                   StageEventRow.stage.in_(ends))
            .order_by(StageEventRow.at, StageEventRow.workflow_id)
        ).all()
    return [EndedApplication(workflow_id=r.workflow_id, outcome=Stage(r.stage), at=r.at,
                             categories=decline_categories(r.detail)) for r in rows]


def others(url: str, credit_code: str, workflow_id: str) -> list[ExposureLine]:
    """The borrower's other journeys that have not ended, by journey id: a running loan with
    the principal it owes, an application with its amount."""
    with session(url) as s:
        return lines_of(live_rows(s, credit_code, workflow_id))


def live_rows(s: Session, credit_code: str, workflow_id: str) -> list[CreditExposureRow]:
    """The lines of `credit_code` but `workflow_id`'s whose journeys recorded no end, by
    journey id: what `others` reads (and store/exposure_vouched.py checks)."""
    ended = select(StageEventRow.workflow_id).where(
        StageEventRow.type == EventType.ENTERED.value,
        StageEventRow.stage.in_([s.value for s in TERMINAL]),
    )
    return list(s.scalars(
        select(CreditExposureRow)
        .where(CreditExposureRow.credit_code == credit_code,
               CreditExposureRow.workflow_id != workflow_id,
               CreditExposureRow.workflow_id.not_in(ended))
        .order_by(CreditExposureRow.workflow_id)
    ))


def lines_of(rows: list[CreditExposureRow]) -> list[ExposureLine]:
    """`rows` as the exposure counts them: a running loan with the principal it owes, an
    application with its amount; those owing nothing left out."""
    lines = [
        ExposureLine(workflow_id=r.workflow_id, amount=r.amount, running=False)
        if r.principal is None
        else ExposureLine(workflow_id=r.workflow_id, amount=r.principal, running=True)
        for r in rows
    ]
    return [line for line in lines if line.amount > 0]
