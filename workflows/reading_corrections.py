"""A clerk's correction of what OCR read, typed against the paper (journey/reading_corrections.py):
operations only, not the case's submitter, refused before the history when from anyone else,
for a document or field the journey does not have, or for the value the field has already;
recorded as a decision (who, when, what was read, what the paper says; a correction of a
field corrected before says the OCR reading and the earlier correction, and overrides it),
after which the completeness stage checks the file again (CLERK_CORRECTIONS), telling the
customer only what is new to them, and that they need send nothing more once the request
is met by corrections alone (CORRECTIONS_QUIET); a rescan of a corrected document takes its
corrections (CORRECTIONS_CARRIED)."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.correction_checks import contradiction, unit_refusal
    from journey.decisions import UpdateResult
    from journey.documents import DocumentReading
    from journey.policy.authority import authorize_reading_correction
    from journey.policy.errors import DecisionRefused
    from journey.reading_corrections import (
        ReadingCorrection,
        carried,
        corrected,
        document_of,
        figures_moved,
        in_force,
    )
    from journey.stages import Stage
    from workflows.journey_updates import JourneyUpdates

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
READER = Actor(id="document-reader", role=Role.SYSTEM)  # who records corrections carried
NOTHING_MORE = ("You need send nothing more: we have checked your documents again and have "
                "what we asked you for. We will tell you when there is news of your application.")
_CORRECTING_STAGES = (Stage.DOCUMENTS, Stage.COMPLETENESS)


class ReadingCorrections(JourneyUpdates):
    def with_corrections(self, reading: DocumentReading) -> DocumentReading:
        """`reading`, taking the corrections of an earlier scan of the same document (since
        CORRECTIONS_CARRIED), recorded for operations as a decision "corrections carried"."""
        fixed, said = carried(reading, list(self._readings.values()))
        if not said or not workflow.patched(CORRECTIONS_CARRIED):
            return reading
        self.record_decision(READER, "corrections carried", said)
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

    def corrections_since_check(self) -> bool:
        """Whether a clerk corrected a reading since the file was last checked."""
        return self._corrections > self._corrections_checked

    @workflow.update
    async def correct_reading(self, fix: ReadingCorrection) -> UpdateResult:
        reading = document_of(list(self._readings.values()), fix.document)
        fixed, change = corrected(reading, fix, workflow.now())
        earlier = in_force(reading, fix.field)
        self._readings[reading.ref.sha256] = fixed
        self._corrections += 1
        said = f"{reading.ref.filename} {fix.field}: {change}" + (
            f"; overrides {earlier.by}'s correction" if earlier else "")
        if fix.field == "unit" and (moved := figures_moved(reading, fixed)) and workflow.patched(
                UNIT_FIGURES):
            said += f"; {moved}"
        self.record_decision(fix.actor, "overrode a correction" if earlier
                             else "corrected reading",
                             said + (f" ({fix.reason})" if fix.reason else ""))
        return UpdateResult(stage=self._stage,
                            message=f"{said}; the file is checked again with it")

    @correct_reading.validator
    def _validate_correct_reading(self, fix: ReadingCorrection) -> None:
        if self._stage not in _CORRECTING_STAGES:
            raise DecisionRefused(
                f"readings are corrected while the file is checked (documents, "
                f"completeness); the journey is at {self._stage}: tell the deciders what "
                "the paper says instead")
        authorize_reading_correction(self.policy, fix.actor,
                                     self._application.submitted_by.id)
        reading = document_of(list(self._readings.values()), fix.document)
        fixed, _ = corrected(reading, fix, workflow.now())
        if why := unit_refusal(reading, fixed, fix, self._application.amount) or contradiction(
                reading, fixed, fix, self.policy.completeness.balance_tolerance):
            raise DecisionRefused(why)
