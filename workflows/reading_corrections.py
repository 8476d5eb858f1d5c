"""A clerk's correction of what OCR read, typed against the paper (journey/reading_corrections.py):
operations only, not the case's submitter, refused before the history when from anyone else,
for a document or field the journey does not have, for a document the loan file no longer uses
(superseded: the refusal names the one that replaced it), or for the value the field has
already; recorded as a decision (who, when, what was read, what the paper says; a correction of a
field corrected before says the OCR reading and the earlier correction, and overrides it),
after which the completeness stage checks the file again (CLERK_CORRECTIONS), telling the
customer only what is new to them, and that they need send nothing more once the request
is met by corrections alone (CORRECTIONS_QUIET); a rescan of a corrected document takes its
corrections (CORRECTIONS_CARRIED). The reading corrected is kept in the journey store in place
of what OCR read (CORRECTIONS_KEPT): the store's readings say whose a credit code is. Unsure
figures a decision uses hold the case for operations to check or correct (FIGURES_CHECKED),
under the policy's figures-check SLA (FIGURES_CHECK_SLA); a rescan takes a check against the
paper where it reads the value checked (CHECKS_CARRIED)."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import loan_file
    from journey.actors import Actor, Role
    from journey.correction_checks import contradiction, unit_refusal
    from journey.decisions import UpdateResult, Verdict
    from journey.documents import DocumentReading
    from journey.entrusted_payment import OPERATIONS_TEAM
    from journey.figures_checked import (
        AS_READ,
        FigureToCheck,
        checked_as_read,
        checks_carried,
        to_check,
        to_check_text,
    )
    from journey.policy.authority import authorize_reading_correction
    from journey.policy.errors import DecisionRefused
    from journey.policy.routing import Route, rerouted_because
    from journey.reading_corrections import (
        LICENCE_FIELDS,
        ReadingCorrection,
        carried,
        corrected,
        document_of,
        figures_moved,
        in_force,
    )
    from journey.stages import Party, Stage
    from journey.status import JourneyStatus
    from workflows.exposure_now import AUTHORITY_CHECK
    from workflows.info_requests import VOTE_KEEPER, reviewed_again
    from workflows.journey_updates import JourneyUpdates
    from workflows.reading import keep_reading

# workflow.patched marker: before it, a journey waiting for the customer's supplements woke
# only for documents or a written answer; since, a clerk's correction of a reading wakes it
# too, and the file is checked again before the customer is asked for anything.
CLERK_CORRECTIONS = "clerk-corrections"
# workflow.patched marker: since, a unit correction's answer and recorded decision say what
# the statement's key figures became ("total assets 99,243,700.84 → 992,437,008,400.00")
UNIT_FIGURES = "unit-correction-figures"
# workflow.patched marker: before it, each check a correction caused sent the customer the
# whole request again; since, only what is new to them since they were last asked, nothing
# when that is nothing, and a notice that they need send nothing more when corrections alone
# complete the file.
CORRECTIONS_QUIET = "corrections-quiet"
# workflow.patched marker: before it, a rescan of a corrected document was read afresh, its
# misreads back; since, it takes the corrections (journey/reading_corrections.py `carried`).
CORRECTIONS_CARRIED = "corrections-carried"
# workflow.patched marker: before it, a correction of a figure made after the case was routed
# (a decider asked for information) went back to the stage that asked, on the route and the
# risk opinion given on the figures before it; since, the case is routed again on the
# corrected figures and the risk opinion given again, the votes cast before it set aside.
CORRECTIONS_REVIEWED = "corrections-reviewed-again"
# workflow.patched marker: before it, the journey store kept what OCR read of a document a clerk
# corrected (or a rescan took corrections of), and a misread name held its credit code for a
# company that does not exist (activities/exposure.py `holders_of`); since, the reading as
# corrected is kept in its place.
CORRECTIONS_KEPT = "corrections-kept-in-store"
# workflow.patched marker: before it, the file went on to the completeness check and the risk
# review on figures the reader was unsure of, unchecked; since, the documents stage goes on to
# a visit that waits on operations until each such figure a decision uses is corrected or
# checked as read (journey/figures_checked.py). Taken only where one is.
FIGURES_CHECKED = "figures-checked-before-review"
# workflow.patched marker: before it, a rescan of a document whose unsure figures a clerk had
# checked as read (or corrected to what the rescan reads) was held for operations to check them
# all again; since, it takes each check where it reads the value checked
# (journey/figures_checked.py `checks_carried`), recorded for operations as a decision "checks
# carried" that names what reads otherwise, to check again. Taken only where a check is carried
# or wanted again.
CHECKS_CARRIED = "figures-checks-carried"
# workflow.patched marker: before it, operations' check of unsure figures ran under no SLA (the
# policy gives the documents stage none) and a case could wait on it unwarned for ever; since,
# under the pinned policy's sla.figures_check: listed on operations' queue, warned, breached and
# escalated as a stage's SLA is. Taken only where the policy gives one.
FIGURES_CHECK_SLA = "figures-check-sla"
READER = Actor(id="document-reader", role=Role.SYSTEM)  # who records corrections carried
NOTHING_MORE = ("You need send nothing more: we have checked your documents again and have "
                "what we asked you for. We will tell you when there is news of your application.")
_CORRECTING_STAGES = (Stage.DOCUMENTS, Stage.COMPLETENESS)
NOT_FIGURES = (*LICENCE_FIELDS, "company")  # the fields a correction may take that are no figure


class ReadingCorrections(JourneyUpdates):
    async def with_corrections(self, reading: DocumentReading) -> DocumentReading:
        """`reading`, taking the corrections of an earlier scan of the same document (since
        CORRECTIONS_CARRIED), recorded for operations as a decision "corrections carried" and
        kept so in the store (since CORRECTIONS_KEPT)."""
        fixed, said = carried(reading, list(self._readings.values()))
        if not said or not workflow.patched(CORRECTIONS_CARRIED):
            return reading
        self.record_decision(READER, "corrections carried", said)
        if workflow.patched(CORRECTIONS_KEPT):
            await keep_reading(self._workflow_id, fixed)
        return fixed

    def with_checks(self, reading: DocumentReading) -> DocumentReading:
        """`reading`, taking the checks against the paper of an earlier scan of the same
        document where it reads the value checked (since CHECKS_CARRIED), recorded for
        operations as a decision "checks carried"."""
        fixed, said = checks_carried(reading, list(self._readings.values()))
        if not said or not workflow.patched(CHECKS_CARRIED):
            return reading
        self.record_decision(READER, "checks carried", said)
        return fixed

    def to_tell(self, items: list[str]) -> list[str]:
        """What of the request `items` to send the customer: all of it, unless they have sent
        nothing since they were last asked this round (a clerk's correction caused the check),
        then only what is new to them."""
        acted = (self.submissions(), self._answers)
        by_clerk = self._asked is not None and acted == self._asked_at
        new = [i for i in items if not by_clerk or i not in (self._asked or [])]
        self._asked, self._asked_at = [*(self._asked or []), *new] if by_clerk else items, acted
        return new

    def met_by_clerk(self) -> bool:
        """Whether the customer was asked this round and has sent nothing since: what met the
        request is a clerk's correction."""
        return self._asked is not None and (self.submissions(), self._answers) == self._asked_at

    def goes_back_to(self, stage: Stage) -> Stage:
        """Where `back_to` would send the case now, deciding nothing: what the customer is told
        before a figures check that comes first (workflows/loan_journey.py `_tell_met`)."""
        if reviewed_again(stage, self._since_routed) and workflow.patched(CORRECTIONS_REVIEWED):
            return Stage.ROUTING
        return stage

    def back_to(self, stage: Stage) -> Stage:
        """Where the case goes once the file checked is complete: to `stage`, which asked; to
        routing when figures were corrected since the case was routed (since
        CORRECTIONS_REVIEWED), so that the route and the risk opinion are given on them."""
        if self.goes_back_to(stage) is stage:
            return stage
        on = self._routed_on()
        self.record_decision(AUTHORITY_CHECK, "back to risk review", (
            f"{'; '.join(self._since_routed)}: figures the route and the risk opinion were "
            f"given on were {'amended' if self._amended_since_routed else 'corrected'} since; "
            f"the case is routed and its risk opinion given again on {on}"))
        return Stage.ROUTING

    def _routed_on(self) -> str:
        """What the case is routed again on, in words: the corrected figures, or (since an
        amendment, workflows/amendments.py) the amended application."""
        if not self._amended_since_routed:
            return "the corrected figures"
        amended = all(s.startswith("amended:") for s in self._since_routed)
        return "the amended application" + ("" if amended else " and the corrected figures")

    def votes_set_aside(self) -> None:
        """The votes cast on figures corrected (or an application amended) since (`back_to`)
        do not count: every approver votes again, once the risk opinion is given again; the
        decision says whose."""
        cast = [v for v in self._votes if v.verdict is not Verdict.REQUEST_INFO]
        self._votes = []
        on = ("the application before it was amended" if self._amended_since_routed
              else "figures corrected since")
        if cast:
            self.record_decision(VOTE_KEEPER, "votes set aside", (
                f"{', '.join(f'{v.actor.id} ({v.verdict})' for v in cast)}: cast on {on}; "
                "every approver votes again once the risk opinion is given again"))

    def routed_again(self, was: Route, fresh: Route) -> Route:
        """The case's route on the corrected figures (`back_to`): `fresh`, the earlier one kept
        in words if the tier or the team changed; recorded with why, and on which corrections."""
        moved = (fresh.tier, fresh.team) != (was.tier, was.team)
        on = self._routed_on()
        now = fresh.model_copy(update={
            "explanation": f"Routed again on {on.removeprefix('the ')}: {fresh.explanation}",
            "rerouted_from": [*was.rerouted_from, *([was.on_what()] if moved else [])]})
        self.record_decision(AUTHORITY_CHECK, "re-routed" if moved else "routed again", (
            f"{now.why_tier()}; " + (f"because {rerouted_because(was, now)}; " if moved else "")
            + f"on {on} ({'; '.join(self._since_routed)}): "
            f"{now.team} reviews, {now.approvals_required} approval(s) at {now.tier}"))
        self._since_routed, self._amended_since_routed = [], False
        return now

    def off_file(self, reading: DocumentReading, fixed: DocumentReading) -> str:
        """Why a correction making `reading` `fixed` is refused: the loan file does not use the
        document (a rescan or a later statement superseded it), nor would once corrected (a
        period or company misread that put it in another's place); "" when it does."""
        def on_file(readings: list[DocumentReading]) -> bool:
            return reading.ref.sha256 in {r.ref.sha256 for r in self.loan_file(readings)}

        readings = list(self._readings.values())
        if on_file(readings) or on_file([fixed if r is reading else r for r in readings]):
            return ""
        name = f"{reading.ref.filename} ({reading.ref.sha256[:12]})"
        by = loan_file.replaced_by(reading, self.loan_file(), self._batch_of,
                                   kept=self._documents_kept)
        if by is None:
            return (f"{name} is not one the loan file uses: correct the document the case is "
                    "decided on (`status` shows which stand)")
        return (f"{name} is superseded: {by.ref.filename} ({by.ref.sha256[:12]}) replaced it, "
                "and the case is decided on that one: correct it instead (--document "
                f"{by.ref.sha256[:12]})")

    def figures_to_check(self) -> list[FigureToCheck]:
        """The fields the loan file's decision would use that the reader was unsure of, that
        no clerk has checked or corrected yet."""
        return to_check(self.loan_file())

    def figures_held(self) -> bool:
        """At the end of the documents' reading, since FIGURES_CHECKED: whether figures are to
        check, in which case the reading visit goes on to a visit of its own that waits on
        operations (`figures_checked`), so that the journey map counts that wait as the
        bank's, on operations, and whoever checked them as who ended it (unless the customer
        is asked for what the file lacks first: workflows/loan_journey.py `documents`)."""
        if not self.figures_to_check() or not workflow.patched(FIGURES_CHECKED):
            return False
        self.take_rescans()  # the loan file the completeness check will read
        return True

    async def figures_checked(self) -> None:
        """The documents visit that waits on operations until no figure is left to check
        (`figures_held`), under the policy's figures-check SLA since FIGURES_CHECK_SLA; the
        customer is told nothing of it."""
        self._checking_figures = True  # before the visit's entry lists what it awaits
        sla = self.policy.sla.figures_check
        if sla is not None and not workflow.patched(FIGURES_CHECK_SLA):
            sla = None
        if sla is not None:
            self.list_own_sla(Stage.DOCUMENTS, sla)  # on operations' queue from the entry
        async with self.stage(Stage.DOCUMENTS, Party.BANK, OPERATIONS_TEAM) as visit:
            watcher = self.arm_own_sla(visit, sla) if sla is not None else None
            try:
                await self.wait_for(lambda: not self.figures_to_check())
            finally:
                if watcher is not None:
                    watcher.cancel()
            self._checking_figures = False

    @workflow.query
    def status(self) -> JourneyStatus:
        base = super().status()
        listed = self._listed_sla
        if not self._checking_figures or self._stage is not Stage.DOCUMENTS or listed is None \
                or listed[0] is not Stage.DOCUMENTS:
            return base
        # the figures check's SLA, which arm_own_sla watches
        return base.model_copy(update={"wait": self.wait_from(
            self._visits[-1].entered_at, Stage.DOCUMENTS, listed[1])})

    def _awaited_step(self) -> str | None:
        # what QueueWait lists, which no codec encrypts: each document by its kind and sha256,
        # not its file name. No marker: replay matches an upsert command by its kind, not its
        # values (the recorded histories that listed file names replay), so a journey already
        # at the check lists the new text from its next upsert on, as a marker would not
        # (patched is False for the rest of a run that began before it)
        if self._checking_figures and self._stage is Stage.DOCUMENTS:
            return to_check_text(self.figures_to_check(), listed=True)
        return super()._awaited_step()

    def _waiting_for(self) -> list[str]:
        if self._checking_figures and self._stage is Stage.DOCUMENTS:
            return [f"operations: {to_check_text(self.figures_to_check())}"]
        return super()._waiting_for()

    def corrections_since_check(self) -> bool:
        """Whether a clerk corrected a reading since the file was last checked."""
        return self._corrections > self._corrections_checked

    @workflow.update
    async def correct_reading(self, fix: ReadingCorrection) -> UpdateResult:
        reading = document_of(list(self._readings.values()), fix.document)
        if fix.as_read:
            return self._checked_as_read(reading, fix)
        fixed, change = corrected(reading, fix, workflow.now())
        earlier = in_force(reading, fix.field)
        self._readings[reading.ref.sha256] = fixed
        self._corrections += 1
        said = f"{reading.ref.filename} {fix.field}: {change}" + (
            f"; overrides {earlier.by}'s correction" if earlier else "")
        if fix.field == "unit" and (moved := figures_moved(reading, fixed)) and workflow.patched(
                UNIT_FIGURES):
            said += f"; {moved}"
        if self._route is not None and fix.field not in NOT_FIGURES:
            self._since_routed.append(said)  # the route and the risk opinion saw it otherwise
        self.record_decision(fix.actor, "overrode a correction" if earlier
                             else "corrected reading",
                             said + (f" ({fix.reason})" if fix.reason else ""))
        if workflow.patched(CORRECTIONS_KEPT):
            await keep_reading(self._workflow_id, fixed)
        if self._checking_figures:
            self._upsert()  # the queue's count of figures to check
        return UpdateResult(stage=self._stage,
                            message=f"{said}; the file is checked again with it")

    def _checked_as_read(self, reading: DocumentReading, fix: ReadingCorrection
                         ) -> UpdateResult:
        """A clerk checked `fix.field` against the paper: it says what was read."""
        checked, said = checked_as_read(reading, fix.field, fix.actor.id, workflow.now(),
                                        fix.reason)
        self._readings[reading.ref.sha256] = checked
        self._corrections += 1  # the file is checked again: the reader's note is settled
        self.record_decision(fix.actor, AS_READ, said + (f" ({fix.reason})" if fix.reason
                                                         else ""))
        left = self.figures_to_check()
        if self._checking_figures:
            self._upsert()  # the queue's count of figures to check
        return UpdateResult(stage=self._stage, message=f"{said}: {AS_READ}" + (
            f"; {to_check_text(left)}" if left else ""))

    @correct_reading.validator
    def _validate_correct_reading(self, fix: ReadingCorrection) -> None:
        fix.refuse_unless_one()
        if self._stage not in _CORRECTING_STAGES:
            raise DecisionRefused(
                f"readings are corrected while the file is checked (documents, "
                f"completeness); the journey is at {self._stage}: tell the deciders what "
                "the paper says instead")
        authorize_reading_correction(self.policy, fix.actor,
                                     self._application.submitted_by.id)
        reading = document_of(list(self._readings.values()), fix.document)
        if fix.as_read:
            checked_as_read(reading, fix.field, fix.actor.id, workflow.now())
            if why := self.off_file(reading, reading):
                raise DecisionRefused(why)
            return
        fixed, _ = corrected(reading, fix, workflow.now())
        if why := self.off_file(reading, fixed):
            raise DecisionRefused(why)
        if why := unit_refusal(reading, fixed, fix, self._application.amount) or contradiction(
                reading, fixed, fix, self.policy.completeness.balance_tolerance):
            raise DecisionRefused(why)
