"""A clerk's correction of what OCR read, typed against the paper (journey/reading_corrections.py):
operations only, refused before the history when from anyone else or for a document or field
the journey does not have; recorded as a decision (who, when, what was read, what the paper
says), after which the completeness stage checks the file again (CLERK_CORRECTIONS)."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.decisions import UpdateResult
    from journey.policy.authority import authorize_reading_correction
    from journey.policy.errors import DecisionRefused
    from journey.reading_corrections import (
        ReadingCorrection,
        corrected,
        document_of,
        figures_moved,
        unit_refusal,
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
_CORRECTING_STAGES = (Stage.DOCUMENTS, Stage.COMPLETENESS)


class ReadingCorrections(JourneyUpdates):
    def corrections_since_check(self) -> bool:
        """Whether a clerk corrected a reading since the file was last checked."""
        return self._corrections > self._corrections_checked

    @workflow.update
    async def correct_reading(self, fix: ReadingCorrection) -> UpdateResult:
        reading = document_of(list(self._readings.values()), fix.document)
        fixed, change = corrected(reading, fix, workflow.now())
        self._readings[reading.ref.sha256] = fixed
        self._corrections += 1
        said = f"{reading.ref.filename} {fix.field}: {change}"
        if fix.field == "unit" and (moved := figures_moved(reading, fixed)) and workflow.patched(
                UNIT_FIGURES):
            said += f"; {moved}"
        self.record_decision(fix.actor, "corrected reading",
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
        authorize_reading_correction(self.policy, fix.actor)
        reading = document_of(list(self._readings.values()), fix.document)
        fixed, _ = corrected(reading, fix, workflow.now())
        if why := unit_refusal(reading, fixed, fix, self._application.amount):
            raise DecisionRefused(why)
