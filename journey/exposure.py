"""A borrower's credit exposure (统一授信): what the bank would lend it in all if this
application were approved. Routing chooses the approval tier on the total, so a large need
split into several applications, or an application on top of running loans, is decided at
the authority the whole deserves.

The exposure of one unified social credit code is this application's amount, the amount of
each of its other live applications (not rejected, withdrawn, expired or closed) and the
principal its running loans still owe (store/exposure.py reads them at routing time, and
again as an approval would settle). A line whose journey is no longer running on the Temporal
server, though it recorded no end, is left out, and the exposure says why
(activities/exposure.py asks the server). So is a line whose journey read a business licence
of another company and none printing the borrower's code (`another_company`): an application
whose credit code was mistyped, which counts in no one's exposure until it is corrected.

A new application tells the borrower's other applications that their exposure rose (the
signal EXPOSURE_ROSE, sent as its line is kept): an application routed alone, and told of no
other since, settles its approval on the exposure it read, with no read to wait for
(workflows/exposure_now.py). An application that ends without a loan tells them it counts
no more (the signal EXPOSURE_FELL): what they were told of it is no longer said.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, computed_field

from journey.actors import Actor
from journey.documents import BusinessLicense
from journey.repayment import money

KEEP_EXPOSURE = "keep_exposure"
ROUTE_ON_EXPOSURE = "route_on_exposure"
EXPOSURE_ROSE = "exposure_rose"  # signal: another application of the borrower was kept
EXPOSURE_FELL = "exposure_fell"  # signal: another application of the borrower has ended
TELL_EXPOSURE_FELL = "tell_exposure_fell"


def _yuan(amount: Decimal) -> Decimal:
    """3000000.00 as 3000000, as an application states it: the store keeps fen."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


Yuan = Annotated[Decimal, AfterValidator(_yuan)]


def another_company(credit_code: str, licences: list[BusinessLicense]) -> str | None:
    """Why a line of `credit_code` is left out when its journey read `licences`: one of
    another company, none printing the code (its application's code mistyped, it seems);
    None while none is read or one prints the code."""
    read = [lic for lic in licences if lic.credit_code_valid and lic.credit_code]
    if not read or any(lic.credit_code == credit_code for lic in read):
        return None
    lic = read[-1]
    return (f"its business licence is of {lic.name or 'another company'} "
            f"({lic.credit_code}), not of {credit_code}: the application's credit code looks "
            "mistyped; its relationship manager checks it, and it counts again once a licence "
            "printing this code is read in it")


class ExposureLine(BaseModel):
    """Another journey of the borrower: an application's amount, or what a running loan
    still owes."""

    workflow_id: str
    amount: Yuan
    running: bool = False  # a loan paid out: `amount` is the principal it still owes
    note: str = ""  # why the line was left out, or counted though the server could not say

    def describe(self) -> str:
        what = "loan running, principal owed" if self.running else "application"
        note = f": {self.note}" if self.note else ""
        return f"{self.workflow_id} {money(self.amount)} ({what}{note})"


class Exposure(BaseModel):
    """This application and the borrower's other exposure, by journey, as routing read it."""

    credit_code: str
    amount: Yuan  # this application
    others: list[ExposureLine] = Field(default_factory=list)
    # lines the store keeps whose journeys are no longer running on the Temporal server though
    # they recorded no end (ended outside the engine: `temporal workflow terminate`)
    left_out: list[ExposureLine] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> Decimal:
        return self.amount + sum((o.amount for o in self.others), Decimal(0))

    @property
    def beyond_amount(self) -> Decimal | None:
        """The total when the borrower has more than this application; None when it has not,
        and the application is weighed on its own amount."""
        return self.total if self.others else None

    def describe(self) -> str:
        """e.g. "CNY 62,000,000: this 12,000,000 + loan-X 50,000,000 (application)"."""
        parts = [f"this {money(self.amount)}", *(o.describe() for o in self.others)]
        return f"CNY {money(self.total)}: {' + '.join(parts)}{self.leaving_out()}"

    def leaving_out(self) -> str:
        """e.g. "; left out loan-X 3,000,000 (application: terminated on the server ...)"."""
        return "".join(f"; left out {o.describe()}" for o in self.left_out)


class KeepExposureInput(BaseModel):
    """A journey's line in the borrower's exposure: registered at intake with the amount
    applied for; once the loan runs, `principal` is what it still owes. `amended`: `amount`
    is the application's as amended (workflows/amendments.py), which the line takes; every
    other keep leaves a kept line's amount as it is."""

    workflow_id: str
    credit_code: str
    amount: Decimal
    principal: Decimal | None = None
    amended: bool = False
    # whose the journey is, kept by `start` (the journey's intake keeps neither)
    applicant_name: str | None = None
    submitted_by: Actor | None = None  # a relationship manager or operations


class JourneyParties(BaseModel):
    """Whose a journey is, as its line in the store says (`start` keeps it)."""

    applicant: str | None = None
    submitted_by: Actor | None = None  # who submitted it: a relationship manager or operations
    # applied for, kept at intake, as amended since: the queues show it, not a band
    amount: Decimal | None = None


class KeepExposureResult(BaseModel):
    kept: bool
    told: list[str] = Field(default_factory=list)  # the other applications told of a new one
    # why a new application's line was not kept: its credit code is another company's
    # (`code_held_by_another`), for its relationship manager to check
    held: str = ""


class ExposureRose(BaseModel):
    """The signal EXPOSURE_ROSE: `line`, a new application of the borrower, was kept."""

    credit_code: str
    line: ExposureLine


class ExposureFell(BaseModel):
    """The signal EXPOSURE_FELL, and the input of the activity that sends it: the journey
    `workflow_id`, an application of the borrower, ended without a loan and counts no more."""

    credit_code: str
    workflow_id: str


class ExposureFellResult(BaseModel):
    told: list[str] = Field(default_factory=list)  # the other applications told
