"""The approver's authority on the borrower's exposure as it stands when the approval would
settle (统一授信): routing read it stages earlier, and since then the borrower's other
applications and loans may have come, grown, been repaid or ended. An activity reads it
again and routes the case on it; a higher tier re-routes the case, and the votes that no longer
count are set aside, both recorded with the figures.

An application that routing found alone, and that no new application of the borrower has
told of itself since (the signal EXPOSURE_ROSE, journey/exposure.py), has the exposure it
read: it is routed again on that, with no read for the approver's answer to wait for. One
told of that has since ended without a loan (the signal EXPOSURE_FELL) is no longer said to
have come, in status and the work lists; since the marker below, the exposure is read again
all the same.

Both signals can be sent by anyone who reaches the server (`temporal workflow signal`), so
neither is taken as a figure: what they say is shown, and a rise only asks for a read; the
exposure the tier is chosen on is the store's, read by the activity. Before the marker a fell
also lifted that read, so a forged one let an approval settle on an exposure that had risen."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.contracts import RouteInput
    from journey.decisions import ApprovalDecision
    from journey.exposure import EXPOSURE_FELL, EXPOSURE_ROSE, ExposureFell, ExposureRose
    from journey.policy import Route
    from journey.policy.authority import votes_standing
    from journey.policy.routing import reroute, rerouted_because
    from workflows import search_attributes as sa
    from workflows.decision_reads import decisions_queue
    from workflows.exposure import route_on_exposure
    from workflows.journey_updates import JourneyUpdates

# workflow.patched marker: before it, an approval settled on the exposure read at routing;
# since, on the exposure read again as it would settle, re-routing when the tier must rise.
EXPOSURE_AT_DECISION = "exposure-at-decision"
# workflow.patched marker: before it, the check ran as a local activity, which kept the
# approver's answer off the task queue but, when the activity finished as the task
# completed, left the journey's next steps in a task of their own that a replay did not
# reproduce (a patch marker then met no command: a nondeterminism error after a worker
# restart, seen in the chaos test); since, an activity like any other.
EXPOSURE_CHECK_AS_ACTIVITY = "exposure-check-as-activity"
# workflow.patched marker: before it, every approval read the exposure again as it would
# settle; since, one routed alone and told of no new application since routes on what it read.
EXPOSURE_READ_WHEN_TOLD = "exposure-read-when-told"
# workflow.patched marker: before it, an application told of a new one that then ended
# (EXPOSURE_FELL) settled on the exposure it read, with no read; since, it is read again.
EXPOSURE_READ_AFTER_FELL = "exposure-read-after-fell"
AUTHORITY_CHECK = Actor(id="credit-authority", role=Role.SYSTEM)


class ExposureAtDecision(JourneyUpdates):
    @workflow.signal(name=EXPOSURE_ROSE)
    def exposure_rose(self, rose: ExposureRose) -> None:
        if rose.credit_code == self._application.credit_code:
            self._told = [*(t for t in self._told if t.workflow_id != rose.line.workflow_id),
                          rose.line]
            self._rose = True

    @workflow.signal(name=EXPOSURE_FELL)
    def exposure_fell(self, fell: ExposureFell) -> None:
        """An application this one was told of ended without a loan: it counts no more, and
        is not said to stand if told of again (an amendment's keep of its line, an activity
        beside the end's notice, may tell after it). Kept for `status` only: no marker."""
        if fell.credit_code == self._application.credit_code:
            self._told = [t for t in self._told if t.workflow_id != fell.workflow_id]
            self._fell.add(fell.workflow_id)

    async def _routed_on_exposure(self, case: RouteInput, *, local: bool = False,
                                  task_queue: str | None = None) -> Route:
        """`case` routed on the exposure read now; what comes after the read starts is told."""
        self._told, self._rose = [], False
        return await route_on_exposure(self._workflow_id, case, local=local,
                                       task_queue=task_queue)

    def _exposure_as_read(self, was: Route) -> bool:
        """The exposure `was` routed on stands: it had no other application or loan, and no
        new application has told of itself since it was read (since EXPOSURE_READ_AFTER_FELL,
        whether or not one has said since that it ended)."""
        return (not self._told and was.exposure is not None and not was.exposure.others
                and workflow.patched(EXPOSURE_READ_WHEN_TOLD)
                and not (self._rose and workflow.patched(EXPOSURE_READ_AFTER_FELL)))

    async def _authority_now(self) -> list[ApprovalDecision] | None:
        """Route the case on the exposure now: None when the votes cast settle it still;
        else the votes that still count, to vote on at the route's tier, which may be higher."""
        was = self.route
        case = RouteInput(policy=self.policy, application=self._application,
                          readings=self.loan_file())
        if self._exposure_as_read(was):
            fresh = case.model_copy(update={"exposure": was.exposure}).routed()
        else:
            local = not workflow.patched(EXPOSURE_CHECK_AS_ACTIVITY)
            fresh = await self._routed_on_exposure(
                case, local=local, task_queue=None if local else decisions_queue())
        self._route = now = reroute(was, fresh)
        kept, self._set_aside = votes_standing(
            self.policy, now, self._votes, self._application.amount,
            self._application.submitted_by.id, self._reviewed_by)
        if now.tier is not was.tier:
            self._checked.append(self.record_decision(
                AUTHORITY_CHECK, "re-routed",
                f"{now.why_tier()}; because {rerouted_because(was, now)}: "
                f"{now.approvals_required} approval(s) at {now.tier} are needed"))
            workflow.upsert_search_attributes([sa.TIER.value_set(now.tier.value)])
        if self._set_aside:
            self._checked.append(self.record_decision(
                AUTHORITY_CHECK, "votes set aside", "; ".join(self._set_aside.values())))
        if now.rules_give is not None:  # in the vote's answer only: the visit's last decision
            # names who ended it (the timing events), which stays the approver's
            self._checked.append(self.decision_in_visit(AUTHORITY_CHECK, "tier kept",
                                                        now.why_tier()))
        return None if now.tier is was.tier and not self._set_aside else kept
