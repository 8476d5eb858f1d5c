"""A decider's request for information (journey/info_request.py), kept open until what it
names has come and been read; a committee member's suspends the vote, and the votes cast
before it stand when the case returns on an unchanged file."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.decisions import (
        ApprovalDecision,
        RiskOpinion,
        UpdateResult,
        Verdict,
        WrittenAnswer,
    )
    from journey.documents import DocumentReading, ReadStatus
    from journey.info_request import OpenRequest
    from journey.policy.authority import authorize_customer_voice, case_manager
    from journey.policy.errors import DecisionRefused
    from journey.stages import Stage
    from journey.timeline import EventType
    from workflows.journey_updates import JourneyUpdates

# workflow.patched marker: before it, a decider's request for information was met by any
# batch of documents and a committee voted afresh after it; since, it stays open until what
# it names has come and been read, and the votes cast before it stand on an unchanged file.
INFO_REQUESTS_MET = "info-requests-met"
# workflow.patched marker: before it, a copy of a document on file before the request, and a
# statement whose company is illegible, met a request; since, only new information does.
INFO_REQUESTS_NEW = "info-requests-new-and-own"
# workflow.patched marker: before it, the customer was asked for what a request awaits in
# operations' words (the stage that asked, the command that records a written answer); since,
# in the customer's (`status` keeps operations' words).
CUSTOMER_WORDS = "requests-in-customer-words"
VOTE_KEEPER = Actor(id="committee-secretary", role=Role.SYSTEM)
DECIDING = (Stage.RISK_REVIEW, Stage.APPROVAL)  # a figure corrected while they asked: routed again


def reviewed_again(asked: Stage, corrected_since_routed: list[str]) -> bool:
    """Whether a case that `asked` sent for information goes back through routing and risk
    review once its file is checked, not to `asked`: figures the route and the risk opinion
    were given on were corrected since (workflows/reading_corrections.py `back_to`)."""
    return asked in DECIDING and bool(corrected_since_routed)


class InfoRequests(JourneyUpdates):
    def _ask(self, stage: Stage, decision: RiskOpinion | ApprovalDecision) -> str:
        """A decider's request for information, in words: since the marker, it stays open
        until what it names has come and been read (since INFO_REQUESTS_NEW, as new)."""
        if not workflow.patched(INFO_REQUESTS_MET):
            return decision.reason  # before it, any batch of documents answered it
        on_file = ([d.sha256 for d in self.all_documents()]
                   if workflow.patched(INFO_REQUESTS_NEW) else None)
        self._info_request = OpenRequest(stage=stage,
                                         question=decision.question or decision.reason,
                                         asks=decision.asks, since=self.submissions(),
                                         on_file=on_file)
        return "; ".join(self.awaited_by_customer())

    def awaited_by_customer(self) -> list[str]:
        """What the open request waits for, as the customer is asked for it (since
        CUSTOMER_WORDS, in the customer's words). Calls `workflow.patched` when a request is
        open: never from a query or a validator."""
        if self._info_request is None:
            return []
        return self.awaited(customer=workflow.patched(CUSTOMER_WORDS))

    def _votes_kept(self, voted_on: list[DocumentReading]) -> list[ApprovalDecision]:
        """A member's request for information suspends the committee's vote: the votes cast
        before it stand when the case returns if every document they were cast on still
        stands (what came answers the request and changes none of it); if one was superseded,
        every member votes again, and the decisions say why. The member who asked votes."""
        cast = [v for v in self._votes if v.verdict is not Verdict.REQUEST_INFO]
        standing = {r.ref.sha256 for r in self.loan_file()}
        changed = [r.ref.filename for r in voted_on
                   if r.status is ReadStatus.READ and r.ref.sha256 not in standing]
        if not cast:
            return []
        if changed:
            self.record_decision(VOTE_KEEPER, "votes set aside",
                                 f"{len(cast)} vote(s) were cast on {', '.join(changed)}, "
                                 "superseded since: every member votes again")
            return []
        self.record_decision(VOTE_KEEPER, "votes kept",
                             f"{', '.join(f'{v.actor.id} ({v.verdict})' for v in cast)}: the "
                             "documents they were cast on still stand")
        return cast

    def answered(self) -> int:
        """How many written answers have come: a new one is something to look at."""
        return self._answers

    @workflow.update
    async def answer_question(self, answer: WrittenAnswer) -> UpdateResult:
        """The customer's written answer to the decider's question: the request is met and
        the case returns to the stage that asked (or, figures corrected since it was routed,
        goes through routing and risk review again), which reads the answer in the
        decisions."""
        assert self._info_request is not None  # the validator saw it open
        self._info_request = self._info_request.model_copy(update={"answer": answer})
        self._answers += 1
        # an unreadable scan sent for the question (a letter) is answered by it too
        self._answered.append((self._info_request.since, self.submissions()))
        self.record_decision(answer.actor, "answered", answer.text)
        self.emit(EventType.TOUCHPOINT, actor=answer.actor.id, channel=answer.channel,
                  detail=f"written answer to the question asked at {self._info_request.stage}")
        return UpdateResult(stage=self._stage, message=(
            "answer taken: once the file is checked, the case "
            f"{self._returns_to(self._info_request.stage)}"))

    def _returns_to(self, asked: Stage) -> str:
        """Where the case goes once the file is checked, in words: back to the stage that
        asked, or through routing and risk review again (`reviewed_again`). Asks no marker:
        a validator says it too."""
        if reviewed_again(asked, self._since_routed):
            return ("goes back through routing and risk review, not to "
                    f"{asked}: figures were corrected since it was routed")
        return f"returns to {asked}"

    @answer_question.validator
    def _validate_answer(self, answer: WrittenAnswer) -> None:
        asked = self._info_request
        if self._stage is not Stage.COMPLETENESS or asked is None:
            raise DecisionRefused(
                f"no question waits for an answer: the journey is at {self._stage}; a "
                "decider's question is answered while the case waits at completeness")
        if asked.asks is not None:
            raise DecisionRefused(
                f"the request of {asked.stage} asks for documents, not a written answer: "
                f"send {'; '.join(self.awaited()) or 'them'} with `loan-journey documents`")
        if asked.answer is not None:
            raise DecisionRefused(
                f"the question is answered already, by {asked.answer.actor.id}: once the file "
                f"is checked, the case {self._returns_to(asked.stage)}")
        authorize_customer_voice(self.policy, answer.actor, self._application.credit_code,
                                 case_manager(self._application.submitted_by),
                                 "a written answer")
