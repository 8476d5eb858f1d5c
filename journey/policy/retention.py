"""How long the bank keeps a journey's scans once the journey has ended.

PIPL (个人信息保护法 art. 19, 47) wants personal information deleted once the time the law
requires it kept has passed; the anti-money-laundering law wants a customer's files kept at
least 5 years after the business relationship ends. So a scan (a business licence naming the
legal representative, a statement) is kept `years_after_end` years after the last journey that
read it ended (closed, written off, rejected, withdrawn, expired, or ended outside the
engine), then `loan-journey scans erase` erases it. Fewer than 5 years is refused as the
policy file is read; a policy without `retention` keeps them 5 years.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from journey.repayment import add_months

LEAST_YEARS = 5  # the AML law's: files kept 5 years after the relationship ends, at least


class ScanRetention(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    years_after_end: int = Field(default=LEAST_YEARS, le=100)
    note: str = ""  # where the figure comes from, as the bank's records policy says it

    @field_validator("years_after_end")
    @classmethod
    def _not_below_the_law(cls, years: int) -> int:
        if years < LEAST_YEARS:
            raise ValueError(f"{years} is below {LEAST_YEARS}: the anti-money-laundering law "
                             f"keeps a loan's files {LEAST_YEARS} years at least after it "
                             f"ends; give {LEAST_YEARS} or more")
        return years

    def kept_until(self, ended_on: date) -> date:
        """The last day a scan of a journey that ended on `ended_on` is kept."""
        return add_months(ended_on, 12 * self.years_after_end)

    def said(self, version: str) -> str:
        """The rule as an erasure records it: "policy 2026.12-8: scans kept 5 years after
        their last journey ended"."""
        return (f"policy {version}: scans kept {self.years_after_end} years after their last "
                "journey ended")
