"""A new offer priced over the LPR fixing in force on its day, on the time-skipping server:
the fixing really in the journey database, read by the offer stage's activity, and kept as
read by the journey (from then on not corrected)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.actors import Actor, Role
from journey.lpr import LprFixing, floats
from journey.lpr_record import publication_day
from journey.policy import WorkingCalendar
from journey.repayment import add_months
from journey.stages import Stage
from starter.errors import Refused
from starter.lpr import correct_fixing, record_fixing
from starter.render import rate_basis
from store.lpr import recorded_fixing
from tests.post_loan.loan_kit import assert_replays, loan_worker
from tests.workflows.journey_kit import Documents, application, drive_to, start

OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
SUPERVISOR = Actor(id="sup-sme", role=Role.SUPERVISOR)


async def test_an_offer_is_priced_over_the_fixing_in_force_on_its_day(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    now = await env.get_current_time()
    today = WorkingCalendar().day_of(now)
    fixed_on = publication_day(today, china_calendar(today, 1))
    if fixed_on > today:  # this month's is not published yet: last month's is in force
        fixed_on = publication_day(add_months(today, -1), china_calendar(today, 1))
    app = application(docs, term_months=24)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        assert record_fixing(settings, LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0300"),
                                                 five_year=Decimal("0.0350")), OPS, now)
        handle = await start(env.client, settings, app)
        offered = await drive_to(handle, app, Stage.OFFER)

        offer = offered.offer
        assert offer is not None and offer.rate_basis is not None and floats(offer.rate_basis)
        basis = offer.rate_basis
        assert (basis.base, basis.base_rate, basis.fixed_on) == (
            "1y LPR", Decimal("0.0300"), fixed_on)
        assert offer.annual_rate == Decimal("0.0300") + basis.spread  # not the policy's 3.10%
        assert f"(1y LPR 3.00% of {fixed_on} + {basis.spread:.2%})" in rate_basis(offer)
        # the record keeps the journey that read it, and a supervisor's correction is refused
        recorded = recorded_fixing(settings.db_url, fixed_on)
        assert recorded is not None and recorded.used_by == handle.id
        with pytest.raises(Refused, match=f"was read by {handle.id}"):
            correct_fixing(settings, LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0305"),
                                               five_year=Decimal("0.0350")), SUPERVISOR, "typo")
        await handle.terminate("test over")
    await assert_replays(handle)
