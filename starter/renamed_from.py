"""`start --renamed-from`: a company renamed (名称变更) applies under its new name with the
credit code the bank holds under its old one. The old name must be one the bank holds the code
under (a typo would link another company's exposure); declared by the submitter `start`
authorized, the rename is recorded as the journey starts (store/code_names.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from journey.application import LoanApplication
from journey.policy.completeness import same_name
from journey.renames import Rename, one_company
from starter.errors import BadInput


def rename_declared(application: LoanApplication, renamed_from: str,
                    holders: list[tuple[str, str, str]], known: list[Rename], workflow_id: str,
                    not_started: str) -> Rename:
    """The rename of the applicant's company from `renamed_from` that `workflow_id` starts
    with, its former name as the bank holds it; refused when the code's `holders`
    (activities/exposure.py `holders_of`) do not hold the application's credit code under
    `renamed_from` (nor under a name its renames `known` link to it), or hold it for no
    company."""
    code, name = application.credit_code, application.applicant_name
    said = f"{not_started}: --renamed-from '{renamed_from}'"
    if same_name(renamed_from, name):
        raise BadInput(f"{said} is the applicant's own name: start without --renamed-from")
    held = list(dict.fromkeys(h for _, _, h in holders if h))
    if not held:
        raise BadInput(f"{said}: the bank holds credit code {code} for no company, under no "
                       "name: start without --renamed-from")
    if not any(one_company(known, h, renamed_from) for h in held):
        raise BadInput(f"{said}: the bank holds credit code {code} under {', '.join(held)}, "
                       f"not under {renamed_from}: give the former name the bank holds, as "
                       "the company's record of the change of name (名称变更) states it")
    former = next((h for h in held if same_name(h, renamed_from)), renamed_from)
    return Rename(credit_code=code, former_name=former, name=name,
                  declared_by=application.submitted_by, declared_at=datetime.now(UTC),
                  workflow_id=workflow_id)
