"""How the customer asks for a drawdown and the risk team decides it; what status shows.

Validators refuse before the history: a request outside the drawdown stage, by someone not
on the customer's side, for an unknown or drawn tranche, above what the tranche may draw,
paid to the borrower when the tranche's drawdowns to it would add up above the
entrusted-payment figure, or while another drawdown is being decided; a decision by anyone
but a risk officer or the supervisor of the routed team, or by the person who asked for the
money (four eyes).
Handlers only record state; `workflows/drawdowns.py` acts on it. The drawdown record rides
through continue-as-new, the drawdown stage's own and post-loan's, in the carried journey
(key "drawdowns").
"""

from decimal import Decimal

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Role
    from journey.application import Product
    from journey.availability_interest import FeesDue
    from journey.decisions import Withdrawal
    from journey.drawdowns import (
        DEFAULT_MIN_DSCR,
        Commitment,
        DrawdownDecision,
        DrawdownOutcome,
        DrawdownPlan,
        DrawdownRecord,
        DrawdownRequest,
        DrawdownState,
        available,
        default_plan,
        open_tranches,
        payee_refusal,
    )
    from journey.fee_waiver import WaivedFee
    from journey.loan_account import Payment
    from journey.policy import DecisionRefused, authorize_staff
    from journey.post_loan_state import PostLoanCarry
    from journey.repayment import money
    from journey.stages import Party, Stage
    from journey.status import JourneyStatus
    from journey.timeline import EventType
    from workflows.class_judgements import ClassJudgements

CARRY_KEY = "drawdowns"


class DrawdownMemo(BaseModel):
    plan: DrawdownPlan | None = None
    commitment: Commitment | None = None
    records: list[DrawdownRecord] = Field(default_factory=list)
    interest_payments: list[Payment] = Field(default_factory=list)  # while it drew
    # what a run continued while the project draws needs besides (workflows/drawdowns.py)
    partial: bool = True
    penalties: bool = False
    reminded: list[int] = Field(default_factory=list)
    overdue_noticed: list[int] = Field(default_factory=list)
    reviewed: bool = False
    continues: bool = False


class DrawdownUpdates(ClassJudgements):
    def _init_updates(self) -> None:
        super()._init_updates()
        self._dd_plan: DrawdownPlan | None = None
        self._dd_commitment: Commitment | None = None
        self._dd_records: list[DrawdownRecord] = []
        self._dd_decision: DrawdownDecision | None = None
        self._dd_partial = True  # a tranche drawn in several drawdowns (workflows/drawdowns.py)
        # the quarterly interest while it draws: paid, reminded of, told past due
        self._dd_interest_payments: list[Payment] = []
        self._dd_reminded: list[int] = []
        self._dd_overdue_noticed: list[int] = []
        self._dd_penalties = False  # a quarter past due accrues penalty interest (drawdowns.py)
        self._dd_fees_due: FeesDue | None = None  # closed with nothing drawn, the fee owed
        self._dd_fee_waived: WaivedFee | None = None  # what the bank waived of it
        self._dd_reviewed = False  # reviewed while it draws (workflows/drawdown_reviews.py)
        # the stage continues as new past the post-loan policy's event count (drawdowns.py)
        self._dd_continues = False
        self._dd_idle = False  # the quarters' collector at its wait, in no activity

    def _dd_current(self) -> DrawdownRecord | None:
        """The attempt in progress: the latest one, unless it is settled."""
        last = self._dd_records[-1] if self._dd_records else None
        return last if last is not None and not last.state.settled else None

    def _dd_outcome(self, record: DrawdownRecord, message: str = "") -> DrawdownOutcome:
        assert self._dd_commitment is not None
        return DrawdownOutcome(
            tranche_id=record.request.tranche_id,
            state=record.state,
            conditions=record.conditions,
            commitment=self._dd_commitment,
            message=message or record.reason,
        )

    def _withdrawal_refusal(self) -> str | None:
        """A project may be withdrawn while it draws, between drawdowns: what was drawn is
        repaid under the plan, the rest of the commitment is cancelled."""
        commitment = self._dd_commitment
        if self._stage is not Stage.DISBURSEMENT or commitment is None \
                or commitment.closed_at is not None:
            return super()._withdrawal_refusal()
        if (current := self._dd_current()) is not None:
            return (f"drawdown {current.request.tranche_id} is in progress: withdraw once the "
                    "bank has decided it")
        return None

    def _withdrawn(self, withdrawal: Withdrawal) -> str:
        commitment = self._dd_commitment
        if self._stage.terminal or commitment is None or commitment.closed_at is None:
            return super()._withdrawn(withdrawal)
        if self._dd_fees_due is not None:
            return (f"{commitment.closing_note}; nothing was drawn: the commitment fee it "
                    f"accrued, {self._dd_fees_due.total:,}, is owed, and the journey ends once "
                    "it is paid")
        return (f"{commitment.closing_note}; the {commitment.drawn:,} drawn is repaid under "
                "the plan (`plan` shows it)")

    # -- the customer asks ---------------------------------------------------------------

    @workflow.update
    async def request_drawdown(self, request: DrawdownRequest) -> DrawdownOutcome:
        record = DrawdownRecord(
            number=len(self._dd_records) + 1, request=request, requested_at=workflow.now()
        )
        self._dd_records.append(record)
        self.emit(EventType.TOUCHPOINT, actor=request.actor.id, channel=request.channel,
                  detail=f"drawdown {request.tranche_id} requested: {request.amount}")
        await workflow.wait_condition(lambda: record.state is not DrawdownState.REQUESTED)
        return self._dd_outcome(record)

    @request_drawdown.validator
    def _validate_request_drawdown(self, request: DrawdownRequest) -> None:
        plan, commitment = self._dd_open()
        self._authorize_customer_side(request.actor, "request a drawdown")
        if self._withdrawal is not None:
            raise DecisionRefused("the project is being withdrawn: its drawdowns are closing")
        labels: dict[str, str] = {}
        for doc in request.documents:  # one document meets one condition, not two
            other = labels.setdefault(doc.ref.sha256, doc.label)
            if other != doc.label:
                raise DecisionRefused(
                    f"document {doc.ref.sha256[:12]} is sent as both {other} and {doc.label}: "
                    "one document "
                    "cannot meet two conditions; attach each document under its own label"
                )
        current = self._dd_current()
        if current is not None:
            raise DecisionRefused(
                f"drawdown {current.request.tranche_id} is still being decided: wait for its "
                "outcome (loan-journey status shows it), then ask again"
            )
        tranche = plan.tranche(request.tranche_id)
        open_ids = ", ".join(
            t.id for t in open_tranches(plan, self._dd_records, self._dd_partial)) or "none"
        if tranche is None:
            raise DecisionRefused(
                f"the drawdown plan has no tranche {request.tranche_id!r}: ask for one of the "
                f"open tranches ({open_ids})"
            )
        limit = available(plan, commitment, tranche, self._dd_records, self._dd_partial)
        if limit <= 0:
            raise DecisionRefused(
                f"tranche {tranche.id} is drawn: ask for one of the open tranches ({open_ids})"
            )
        if request.amount > limit:
            raise DecisionRefused(
                f"tranche {tranche.id} may draw at most {money(limit)} now (cap "
                f"{money(tranche.cap)}, commitment available {money(commitment.available)}); "
                f"{money(request.amount)} is more: ask for {money(limit)} or less"
            )
        if (refusal := payee_refusal(plan, request, self._application,
                                     self._dd_records)) is not None:
            raise DecisionRefused(refusal)

    def _dd_covenant_floor(self) -> Decimal:
        """The higher of the plan's DSCR floor and the loan's own min-DSCR covenant."""
        covenants = (self._offer.covenants or []) if self._offer else []
        return max([DEFAULT_MIN_DSCR, *(c.limit for c in covenants
                                         if c.ratio == "dscr" and c.bound == "min")])

    def dd_offered_plan(self) -> DrawdownPlan:
        """The drawdown plan the offer proposes, as signing opens it: the default plan,
        each drawdown's DSCR floor the loan's own covenant when higher."""
        return default_plan(self._application, self._dd_covenant_floor(),
                            self.policy.entrusted_over(Product.PROJECT_FINANCE))

    def _dd_open(self) -> tuple[DrawdownPlan, Commitment]:
        if self._application.product is not Product.PROJECT_FINANCE:
            raise DecisionRefused(
                "only project finance draws by milestone; this loan is disbursed at once"
            )
        plan, commitment = self._dd_plan, self._dd_commitment
        if commitment is not None and commitment.closed_at is not None:
            raise DecisionRefused(
                # not the closing note: it may quote a withdrawal's reason, and a refusal
                # travels unencrypted (starter/codec.py)
                f"drawdowns closed on {commitment.closed_at:%Y-%m-%d} (`loan-journey status` "
                "says why): a further drawdown needs a new facility"
            )
        if self._stage.before_disbursement:  # text only: a validator takes no marker
            raise DecisionRefused(
                f"the journey is at {self._stage}: drawdowns open once the customer signs the "
                "offer" + (" (`loan-journey sign <id> --as <credit code>`): sign it first, "
                           "then ask again" if self._stage is Stage.OFFER else
                           "; ask again after signing"))
        self._require_stage(Stage.DISBURSEMENT)
        if plan is None or commitment is None:
            raise DecisionRefused("drawdowns are opening: try again in a moment")
        return plan, commitment

    # -- the risk team decides -------------------------------------------------------------

    @workflow.update
    async def decide_drawdown(self, decision: DrawdownDecision) -> DrawdownOutcome:
        record = self._dd_current()
        assert record is not None
        self._dd_decision = decision
        self.record_decision(decision.actor, f"drawdown {decision.tranche_id} {decision.verdict}",
                             decision.reason)
        await workflow.wait_condition(
            lambda: record.state.settled or record.state is DrawdownState.AWAITING_PAYEES
            or self.held_payout() is not None)
        if (held := self.held_payout()) is not None and not record.state.settled:
            return self._dd_outcome(record, held)
        if record.state is DrawdownState.AWAITING_PAYEES and record.request.payee is not None:
            return self._dd_outcome(record, (
                f"approved; operations pay {money(record.request.amount)} to "
                f"{record.request.payee.name} once one of them enters the payment instruction, "
                "checked against the contract (`pay-to`), and a second confirms it "
                "(`confirm-payees`)"))
        return self._dd_outcome(record)

    @decide_drawdown.validator
    def _validate_decide_drawdown(self, decision: DrawdownDecision) -> None:
        self._require_stage(Stage.DISBURSEMENT)
        record = self._dd_current()
        if record is None or record.state is not DrawdownState.AWAITING_DECISION:
            raise DecisionRefused(
                "no drawdown waits for a decision"
                + ("" if record is None else ": its conditions are being checked, try again")
            )
        if decision.tranche_id != record.request.tranche_id:
            raise DecisionRefused(
                f"the drawdown waiting is tranche {record.request.tranche_id}, not "
                f"{decision.tranche_id}: decide that one"
            )
        if self._dd_decision is not None:
            raise DecisionRefused(f"drawdown {decision.tranche_id} is already decided")
        team = self.route.team
        member = authorize_staff(self.policy, decision.actor, {Role.RISK_OFFICER, Role.SUPERVISOR})
        if member.team != team:
            raise DecisionRefused(
                f"{decision.actor.id!r} is in team {member.team!r}; drawdowns of this loan are "
                f"decided by {team!r}: ask a {team} risk officer"
            )
        if decision.actor.id in {record.request.actor.id, self._application.submitted_by.id}:
            raise DecisionRefused(
                f"{decision.actor.id!r} asked for this money and cannot approve it (four eyes): "
                "ask a colleague"
            )

    # -- status and continue-as-new --------------------------------------------------------

    @workflow.query
    def status(self) -> JourneyStatus:
        base = super().status()
        if self._application.product is not Product.PROJECT_FINANCE:
            return base
        plan = self._dd_plan or (self.dd_offered_plan() if self._offer else None)
        update: dict[str, object] = {
            "drawdown_plan": plan,
            "commitment": self._dd_commitment,
            "drawdowns": self._dd_records,
            "run": self._pl.runs,  # a project continues as new while it draws too
        }
        if self._stage is Stage.DISBURSEMENT and self._dd_commitment is not None:
            update["waiting_for"] = self._dd_waiting_for()
            if self._waits_on is Party.BANK and plan is not None and self._visits:
                # the decision's SLA, which arm_own_sla watches (workflows/drawdowns.py)
                update["wait"] = self.wait_from(self._visits[-1].entered_at, self._stage,
                                                plan.decision_sla)
        return base.model_copy(update=update)

    def _dd_waiting_for(self) -> list[str]:
        current, commitment = self._dd_current(), self._dd_commitment
        assert commitment is not None
        if self._dd_fees_due is not None:
            return [f"the commitment fee, {money(self._dd_fees_due.total)}, paid with `repay`: "
                    "nothing was drawn, and the journey ends once it is paid"]
        if current is None and self._waits_on is not Party.CUSTOMER:
            return []  # a drawdown just settled: the bank is finishing it
        if current is None:
            return [f"a drawdown request: {money(commitment.available)} available until "
                    f"{commitment.available_until:%Y-%m-%d}"]
        tranche = current.request.tranche_id
        if (held := self.held_payout()) is not None:
            return [f"drawdown {tranche}: operations: {held}"]
        if current.state is DrawdownState.AWAITING_DECISION:
            return [f"drawdown {tranche} decision from team {self._team}"]
        if current.state is DrawdownState.AWAITING_PAYEES:
            return [f"drawdown {tranche}: operations book it to the payee they confirmed"]
        return [f"drawdown {tranche}: {current.state}"]

    def _carry(self) -> PostLoanCarry:
        carry = super()._carry()
        memo = DrawdownMemo(
            plan=self._dd_plan, commitment=self._dd_commitment, records=self._dd_records,
            interest_payments=self._dd_interest_payments, partial=self._dd_partial,
            penalties=self._dd_penalties, reminded=self._dd_reminded,
            overdue_noticed=self._dd_overdue_noticed, reviewed=self._dd_reviewed,
            continues=self._dd_continues,
        )
        carry.journey[CARRY_KEY] = memo.model_dump(mode="json")
        return carry

    def _restore(self, carry: PostLoanCarry) -> None:
        super()._restore(carry)
        memo = DrawdownMemo.model_validate(carry.journey.get(CARRY_KEY) or {})
        self._dd_plan, self._dd_commitment = memo.plan, memo.commitment
        self._dd_records, self._dd_interest_payments = memo.records, memo.interest_payments
        self._dd_partial, self._dd_penalties = memo.partial, memo.penalties
        self._dd_reminded, self._dd_overdue_noticed = memo.reminded, memo.overdue_noticed
        self._dd_reviewed, self._dd_continues = memo.reviewed, memo.continues
