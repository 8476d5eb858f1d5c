"""The approver's authority on the borrower's exposure as it stands when the approval would
settle (统一授信): routing read it stages earlier, and since then the borrower's other
applications and loans may have come, grown, been repaid or ended. An activity reads it
again and routes the case on it; a higher tier re-routes the case, and the votes that no longer
count are set aside, both recorded with the figures."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.contracts import RouteInput
    from journey.decisions import ApprovalDecision
    from journey.policy.authority import votes_standing
    from journey.policy.routing import reroute
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
AUTHORITY_CHECK = Actor(id="credit-authority", role=Role.SYSTEM)


class ExposureAtDecision(JourneyUpdates):
    async def _authority_now(self) -> list[ApprovalDecision] | None:
        """Route the case on the exposure now: None when the votes cast settle it still;
        else the votes that still count, to vote on at the route's tier, which may be higher."""
        was = self.route
        case = RouteInput(policy=self.policy, application=self._application,
                          readings=self.loan_file())
        local = not workflow.patched(EXPOSURE_CHECK_AS_ACTIVITY)
        fresh = await route_on_exposure(self._workflow_id, case, local=local,
                                        task_queue=None if local else decisions_queue())
        self._route = now = reroute(was, fresh)
        kept, aside = votes_standing(self.policy, now, self._votes, self._application.amount,
                                     self._application.submitted_by.id, self._reviewed_by)
        if now.tier is not was.tier:
            self.record_decision(AUTHORITY_CHECK, "re-routed",
                                 f"{now.why_tier()}: {now.approvals_required} approval(s) "
                                 f"at {now.tier} are needed")
            workflow.upsert_search_attributes([sa.TIER.value_set(now.tier.value)])
        if aside:
            self.record_decision(AUTHORITY_CHECK, "votes set aside", "; ".join(aside))
        return None if now.tier is was.tier and not aside else kept
