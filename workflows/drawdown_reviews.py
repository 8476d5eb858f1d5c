"""Project finance: a project is reviewed and classed from its first booked drawdown.

Since the marker, once a drawdown is booked the review schedule is created (the first review
counted from that drawdown's day, as a term loan's from its payout), and until drawdowns close
the quarters' collector (workflows/drawdown_interest.py) also applies review results,
reclassifies by the days its interest is past due and keeps the schedule's cadence, woken by
a review as by a drawdown. A review reads what the project owes (its quarters' interest) and
its statements; newer statements are taken for it (`add_statements`), changes to its
schedule recorded (`record_schedule_change`) and its early warnings acknowledged
(`acknowledge_warning`: a breach waived, or cured by a later review, no longer refuses a
drawdown, workflows/drawdowns.py); status and the book show its class. When drawdowns close
the post-loan stage carries the schedule on, as it stands: it is not created again. Projects
drawing before the marker are reviewed from the close, as they were.
"""

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.drawdowns import DrawdownState
    from journey.loan_account import Account
    from journey.stages import Party, Stage
    from journey.status import JourneyStatus
    from workflows.fee_waivers import FeeWaivers
    from workflows.post_loan_review import REVIEWS_WHILE_DRAWING



class DrawdownReviews(FeeWaivers):
    async def _dd_monitor(self) -> bool:
        """Once something is drawn: apply reviews, reclassify, keep the review schedule
        (created the first time). Called by the quarters' collector on each wake-up."""
        if not self._dd_reviewed:
            commitment = self._dd_commitment
            if commitment is None or commitment.drawn <= 0 or self._pl_policy is None:
                return False
            if not workflow.patched(REVIEWS_WHILE_DRAWING):
                return False
            self._dd_reviewed = True
        await self._apply_reviews()
        await self._reclassify()
        await self._keep_review_cadence()
        return True

    def _dd_wakes(self) -> object:
        """What wakes the quarters' collector: a drawdown or the close, and once reviewed
        while drawing a handler too (a review's result)."""
        return self._dd_drawing(), (self._changes if self._dd_reviewed else 0)

    def _dd_reviewing(self) -> bool:
        """Reviewed while drawing, and drawdowns not closed yet."""
        return self._dd_reviewed and self._disbursement is None

    # -- the hooks of post-loan monitoring (workflows/post_loan_monitoring.py) -----------

    def _reviewed_from(self) -> date:
        if not self._dd_reviewing():
            return super()._reviewed_from()
        booked = [r.booked_at for r in self._dd_records
                  if r.state is DrawdownState.BOOKED and r.booked_at is not None]
        return self.day_of(min(booked))

    def _class_account(self) -> Account:
        if self._dd_reviewing() and (interest := self._dd_interest_account()) is not None:
            return interest
        return super()._class_account()

    def _review_basis(self) -> tuple[Account, date | None] | None:
        if not self._dd_reviewing():
            return super()._review_basis()
        return self._class_account(), self._reviewed_from()

    def _require_managed(self) -> None:
        if self._dd_reviewing() and self._stage is Stage.DISBURSEMENT:
            return  # its statements, schedule changes and warnings' acknowledgements too
        super()._require_managed()

    def _team_without_warnings(self) -> str | None:
        if self._dd_reviewing() and self._waits_on is Party.BANK:
            return self.route.team  # a drawdown waits for its decision
        return super()._team_without_warnings()

    @workflow.query
    def status(self) -> JourneyStatus:
        base = super().status()
        if not self._dd_reviewing():
            return base
        return base.model_copy(update={
            "risk_class": self._pl.risk_class,
            "risk_class_reason": self._pl.class_reason,
            "max_days_past_due": self._pl.max_days_past_due,
            "warnings": self._pl.warnings,
            "last_review": self._pl.last_review,
        })
