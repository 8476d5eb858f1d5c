"""Early warnings of a loan: raised by the post-loan loop, acknowledged by the risk team.

A warning is a timing event, an outbox message to the risk team and a task on its queue
(search attributes JourneyTeam=<team>, SlaState=early_warning), where a stage visit that waits
on no team keeps it while one is open (a project's next drawdown request, the post-loan stage
it closes into). A member of that team acknowledges it through the `acknowledge_warning`
update, with the action taken and a note, recorded as a decision, once the loan runs or while
a project reviewed as it draws does (workflows/drawdown_reviews.py); once no warning is open
the loan leaves the queue.
"""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.classification import RiskClass
    from journey.decisions import ScheduleAction, ScheduleChange, UpdateResult, Verdict
    from journey.documents import ReadStatus
    from journey.policy.authority import authorize_warning_acknowledgement
    from journey.post_loan_covenants import CovenantCheck
    from journey.post_loan_warnings import (
        Acknowledgement,
        AcknowledgeWarning,
        EarlyWarning,
        WarningAction,
        numbers_to_acknowledge,
        open_numbers,
        open_warnings,
        raised_before,
    )
    from journey.stages import Stage
    from journey.timeline import EARLY_WARNING, EventType
    from workflows.post_loan_carry import PostLoanMemory

# workflow.patched marker: before it, a loan approved with a covenant already breached on
# file carried no warning of it until its first review.
BREACHES_ON_FILE_CARRIED = "breaches-on-file-carried"
# workflow.patched marker: before it, such a loan stayed 正常 until a review assessed it;
# since, those breaches judge it 关注 from the payout, as a review finding them would.
CARRIED_BREACH_CLASSED = "carried-breach-classed"
# workflow.patched marker, taken only when it changes which covenants a payout finds breached:
# the DSCR's debt service counts the interest accrued to the end of its twelve months
# (journey/post_loan_dscr.py); before it, only the payments due in them
DSCR_YEAR_COVERED = "dscr-year-covered"
# workflow.patched marker: before it, a stage visit waiting on no team took a loan with open
# warnings off its risk team's queue (a project's next drawdown request, the post-loan stage
# it closed into); since, the loan stays on the queue until they are acknowledged.
OPEN_WARNINGS_KEPT_LISTED = "open-warnings-kept-listed"
# workflow.patched marker, taken only when it changes what the payout raises: a breach a
# project's review raised while it drew is not raised again when drawdowns close (one open, or
# one acknowledged, waived or cured on the statements on file); before it, it was, as new.
BREACHES_RAISED_ONCE = "drawn-breaches-raised-once"
# workflow.patched marker, taken only when it changes the wait listed: a loan kept on its risk
# team's queue by an open warning as a stage visit begins (a project's next drawdown request,
# the post-loan stage it closes into) lists its wait from when the oldest open warning was
# raised; before it, from the visit's entry, younger than it is.
WARNING_WAIT_SINCE_RAISED = "warning-wait-since-raised"
# workflow.patched marker, taken only when it changes the state listed: once no warning is open
# the loan's SlaState is what its stage visit's own SLA clock says (a drawdown's decision
# warned or breached); before it, "ok", which dropped the decision SLA's state.
CLOCK_STATE_KEPT = "sla-state-kept-after-warnings"
# SlaState of a loan on its risk team's queue because its reviews are paused or deleted
REVIEWS_STOPPED = "reviews_stopped"


class EarlyWarnings(PostLoanMemory):
    async def _warn(
        self, kind: str, detail: str, review_id: str | None = None, subject: str | None = None,
        figure: Decimal | None = None,
    ) -> None:
        """An early warning: a timing event, a task on the risk team's queue, a message."""
        team = self._risk_team()
        self._pl.warnings.append(
            EarlyWarning(kind=kind, at=self.today(), raised_at=workflow.now(), detail=detail,
                         team=team, review_id=review_id, subject=subject, figure=figure)
        )
        self.emit(EventType.ESCALATED, team=team, detail=f"{EARLY_WARNING}{kind}: {detail}")
        self._team, self._sla_state = team, "early_warning"
        self._upsert()
        number = len(self._pl.warnings)
        await self.notify(
            f"{self._workflow_id}:warning:{number}", team, f"early_warning_{kind}", detail
        )

    def _keep_warnings_listed(self) -> None:
        """As a stage visit that waits on no team begins: a loan with an open warning (or its
        reviews stopped, `_list_reviews_stopped`) stays on its risk team's queue, as `_warn`
        put it there (the visit's entry listed it on none), the wait counted from when the
        oldest open warning was raised (before WARNING_WAIT_SINCE_RAISED, from the visit's
        entry)."""
        still_open = open_numbers(self._pl.warnings)
        stopped = self._pl.reviews_stopped is not None  # set since REVIEWS_STOPPED_LISTED
        if self._team is not None or not (still_open or stopped):
            return
        if not workflow.patched(OPEN_WARNINGS_KEPT_LISTED):
            return
        self._team = self._risk_team()
        self._sla_state = "early_warning" if still_open else REVIEWS_STOPPED
        raised = self._pl.warnings[still_open[0] - 1].raised_at if still_open else None
        if raised is not None and raised < workflow.now() \
                and workflow.patched(WARNING_WAIT_SINCE_RAISED):
            self._team_since = (self._team, raised)
        self._upsert()

    def _list_reviews_stopped(self, change: ScheduleChange) -> None:
        """Told its reviews were paused or their schedule deleted (post-loan inspection,
        贷后检查, is mandatory): the loan is on its risk team's queue, saying since when and by
        whom, until they are resumed or a schedule is created again; then off it, unless an
        early warning is open."""
        by, day = change.actor.id, self.calendar.day_of(workflow.now())  # the bank's day
        self._pl.reviews_stopped = {
            ScheduleAction.DELETED: f"reviews stopped: deleted by {by} on {day}",
            ScheduleAction.PAUSED: f"reviews stopped: paused since {day} by {by}",
        }.get(change.action)
        if self._pl.reviews_stopped is not None:
            self._team = self._risk_team()
            if self._sla_state != "early_warning":
                self._sla_state = REVIEWS_STOPPED
        elif self._sla_state == REVIEWS_STOPPED:  # no warning open: off the queue
            self._team, self._sla_state = self._team_without_warnings(), self._clock_state
        self._upsert()

    def _awaited_step(self) -> str | None:
        if self._pl.reviews_stopped is not None and self._team == self._risk_team():
            return f"its reviews to run again ({self._pl.reviews_stopped})"
        return super()._awaited_step()

    def _team_without_warnings(self) -> str | None:
        """The team the loan is with once no warning is open: none (a drawdown waiting for
        its decision: the team deciding it, workflows/drawdown_reviews.py)."""
        return None

    def _require_managed(self) -> None:
        """Newer statements, the review schedule's changes and acknowledgements of early
        warnings are taken once the loan runs (a project reviewed while it draws too:
        workflows/drawdown_reviews.py)."""
        self._require_stage(Stage.POST_LOAN)

    async def _warn_of_breaches_on_file(self) -> None:
        """At the payout, each covenant the loan was approved with already breached on file
        is an open early warning from day one, with the figure, the limit and the approvers'
        reasons: the review path's warning, so a review of the same statements adds none.
        Nor does this one add a breach a project's review raised while it drew, unless on
        statements newer than its last review's (`raised_before`). Unless a review has judged
        it already, they judge the loan 关注 as such a review would: the post-loan loop's
        first reclassification downgrades it, with them as the reason."""
        if self._offer is None or self._offer.covenants is None:
            return  # offered before covenants were loan terms: its reviews test the policy's
        breached = self._breached_at_payout()
        if not breached or not workflow.patched(BREACHES_ON_FILE_CARRIED):
            return
        reasons = "; ".join(f"{v.actor.id}: {v.reason}" for v in self._votes
                            if v.verdict is Verdict.APPROVE)
        newer = self._newer_than_reviewed()
        for check in breached:
            if raised_before(self._pl.warnings, check.covenant.id, newer) \
                    and workflow.patched(BREACHES_RAISED_ONCE):
                continue  # raised while the project drew, on these statements
            await self._warn("covenant_breach",
                             f"{check.detail}: breached on the statements the loan was "
                             f"approved on, approved as an exception ({reasons})",
                             subject=check.covenant.id, figure=check.value)
        if self._pl.last_review is None and workflow.patched(CARRIED_BREACH_CLASSED):
            named = ", ".join(c.covenant.id for c in breached)
            self._pl.assessed = RiskClass.SPECIAL_MENTION
            self._pl.judged_on_file = (f"{named} breached on file since the payout on "
                                       f"{self.today()} (the statements it was approved on)")

    def _newer_than_reviewed(self) -> bool:
        """Whether the file has a statement the last review did not test (none: every one)."""
        review = self._pl.last_review
        tested = set(review.statements) if review is not None else set()
        return any(r.ref.sha256 not in tested for r in self.loan_file()
                   if r.status is ReadStatus.READ and r.statement is not None)

    def _breached_at_payout(self) -> list[CovenantCheck]:
        """The covenants the file breaches at the payout: with the DSCR's debt service
        covering its whole twelve months, or as before DSCR_YEAR_COVERED when the two differ
        and the history ran before it."""
        on_file = self.loan_file()
        year = [c for c in self._covenants_tested(on_file) if c.breached]
        due = [c for c in self._covenants_tested(on_file, to_the_end=False) if c.breached]
        if [c.covenant.id for c in year] == [c.covenant.id for c in due] \
                or workflow.patched(DSCR_YEAR_COVERED):
            return year
        return due

    @workflow.update
    async def acknowledge_warning(self, request: AcknowledgeWarning) -> UpdateResult:
        wanted = request.numbers or open_numbers(self._pl.warnings)
        numbers = [n for n in wanted if self._pl.warnings[n - 1].open]  # a racing twin: skip
        for n in numbers:
            self._pl.warnings[n - 1].acknowledged = Acknowledgement(
                by=request.actor.id, at=workflow.now(), action=request.action, note=request.note
            )
        listed = ", ".join(str(n) for n in numbers)
        self.record_decision(
            request.actor, "warning_acknowledged",
            f"warning {listed}: {request.action}: {request.note}",
        )
        left = open_numbers(self._pl.warnings)
        if not left and self._sla_state == "early_warning" \
                and self._pl.reviews_stopped is not None:  # set since REVIEWS_STOPPED_LISTED
            self._sla_state = REVIEWS_STOPPED  # on the risk team's queue until they run
            self._upsert()
        elif not left and self._sla_state == "early_warning":
            # off the risk team's queue, back to what the stage's own SLA clock says
            state = self._clock_state
            if state != "ok" and not workflow.patched(CLOCK_STATE_KEPT):
                state = "ok"
            self._team, self._sla_state = self._team_without_warnings(), state
            self._upsert()
        return UpdateResult(
            stage=self._stage,
            message=f"early warning(s) {listed} acknowledged; "
            + (f"still open: {', '.join(map(str, left))}" if left else "none open"),
        )

    @acknowledge_warning.validator
    def _validate_acknowledgement(self, request: AcknowledgeWarning) -> None:
        self._require_managed()
        open_warnings(self._pl.warnings, self.day_zone())  # nothing open: said to anyone first
        authorize_warning_acknowledgement(self.policy, request.actor, self._risk_team(),
                                          request.action is WarningAction.WAIVER)
        numbers_to_acknowledge(self._pl.warnings, request, self.day_zone())
