"""Whose a credit code is, as the bank holds it, from the licences read (activities/exposure.py
`holders_of`): a name OCR read unsure holds nothing, and once a clerk corrects it against the
paper, the licence holds the code under the name the paper prints; a rescan that takes the
correction holds it so too. The journey store keeps the readings as corrected."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from activities.exposure import code_held_by_another
from journey.decisions import AddDocuments
from journey.reading_corrections import ReadingCorrection
from journey.stages import Stage
from store.documents import licences_printing
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    asked_again,
    customer,
    new_application,
    ref,
    running_journey,
    until_stage,
)
from tests.workflows.test_reading_corrections import CLERK
from workflows.loan_journey import LoanJourneyWorkflow

OTHER = "天津金桥信息技术股份有限公司"  # another company applying with the code


async def test_a_licence_holds_its_code_under_the_name_a_clerk_corrected(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application(drop={"income"})  # the file stays short after the correction
    docs.kept = True
    licence = docs.readings[app.documents[0].sha256]
    assert licence.license is not None
    misread = f"{app.applicant_name}了股份有限公司（非上市）"  # a phone photo's reading
    photo = licence.model_copy(update={"license": licence.license.model_copy(update={
        "name": misread, "confidence": {"name": 0.3, "credit_code": 0.97},
        "problems": {"name": f"{misread!r} does not look like a registered name: check it"}})})
    docs.readings[licence.ref.sha256] = photo
    rescan = ref("licence-rescan")
    docs.readings[rescan.sha256] = photo.model_copy(update={"ref": rescan})
    client, code = time_skipping_env.client, app.credit_code
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.DOCUMENTS, asking=True)  # the unsure name: operations
        url = settings.db_url
        assert licences_printing(url, code) == []  # an unsure name is no evidence of a holder
        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=licence.ref.sha256, field="name", value=app.applicant_name))
        [(journey, held)] = licences_printing(url, code)
        assert (journey, held.name) == (handle.id, app.applicant_name)
        assert "name" in held.corrected
        # the company applies again: the code is its own; another company is refused it
        assert await code_held_by_another(client, url, code, app.applicant_name) is None
        assert await code_held_by_another(client, url, code, OTHER) == (
            f"credit code {code} is {app.applicant_name}'s, not {OTHER}'s: the bank holds "
            f"{app.applicant_name}'s business licence printing it (in {handle.id})",
            app.applicant_name)

        await asked_again(handle, 1)  # for the income statement, once the name is checked
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[rescan]))
        await asked_again(handle, 2)  # the rescan takes the correction: not held again
        assert [lic.name for _, lic in licences_printing(url, code)] == [app.applicant_name] * 2
        await assert_replays(handle)  # the corrections kept, under their marker
