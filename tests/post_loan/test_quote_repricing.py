"""A quote dated after a floating-rate loan's next repricing date sees the repricing: the
fixing in force on that date, among those recorded, prices the periods from it, as the
journey will (journey/quote_repricing.py); the quote says so. Pure rule, then the CLI; with
the archive key, no quote is given on a fixing changed with SQL after it was sealed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.actors import Actor, Role
from journey.loan_payments import apply_payments, settlement_quote
from journey.lpr import LprFixing, RateHistory, floats, rate_change, repricing_dates
from journey.lpr_record import publication_day
from journey.policy.pricing import RateBasis
from journey.quote_repricing import repricings_ahead
from journey.repayment import add_months
from journey.status import plan_start
from starter import loan_figures
from starter.lpr import record_fixing
from store.db import engine_for
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed, loan_worker
from tests.workflows.journey_kit import Documents, application

OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
BASIS = RateBasis(base="1y LPR", base_rate=Decimal("0.0310"), spread=Decimal("0.0090"))
START = date(2026, 1, 15)


def fixing(on: date, one_year: str) -> LprFixing:
    return LprFixing(fixed_on=on, one_year=Decimal(one_year), five_year=Decimal("0.035"))


def test_the_repricings_a_day_sees_each_to_the_fixing_in_force_on_its_date() -> None:
    fixings = [fixing(date(2026, 12, 20), "0.0300"), fixing(date(2027, 12, 20), "0.0280")]
    first, second = repricing_dates(START, 36)

    def ahead(day: date, done=()):  # type: ignore[no-untyped-def]
        rate_now = done[-1].new_rate if done else Decimal("0.04")
        return repricings_ahead(BASIS, rate_now, START, 36, list(done), date(2029, 1, 15),
                                fixings, day)

    assert ahead(first - timedelta(days=1)) == []  # before the date: today's rate stands
    seen = ahead(second + timedelta(days=3))
    assert [(c.on, c.old_rate, c.new_rate) for c in seen] == [
        (first, Decimal("0.04"), Decimal("0.0390")), (second, Decimal("0.0390"), Decimal("0.0370"))]
    assert ahead(second, done=seen[:1]) == seen[1:]  # what the journey applied is not again
    # no fixing in force on the date: the rate stands, as the journey would leave it
    stands = repricings_ahead(BASIS, Decimal("0.04"), START, 36, [], date(2029, 1, 15), [],
                              first)
    assert [c.changed for c in stands] == [False] and "the rate stands" in stands[0].note


async def test_a_settlement_quoted_after_the_anniversary_is_at_the_new_rate(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "records-key-0123456789")  # fixings sealed
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=24)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle, running = await disbursed(env.client, settings, app)
        offer, start = running.offer, plan_start(running.offer, running.disbursement)
        assert offer is not None and start is not None and floats(offer.rate_basis)
        assert offer.rate_basis is not None
        # a fixing below the loan's, the latest published: in force on the first anniversary
        month_before = add_months(start, -1)
        lower = fixing(publication_day(month_before, china_calendar(month_before, 1)), "0.0250")
        assert record_fixing(settings, lower, OPS, await env.get_current_time())
        anniversary = repricing_dates(start, 24)[0]
        on = anniversary + timedelta(days=10)

        change = rate_change(offer.rate_basis, offer.annual_rate, anniversary, lower)
        rates = RateHistory(method=offer.method, frequency=offer.frequency, changes=[change])
        seen = apply_payments(offer.schedule, [], start, running.penalty_rate, on,
                              offer.period_rate, running.prepayment_fee, rates)
        expected = settlement_quote(seen, on, start, running.penalty_rate,
                                    running.prepayment_fee).owed
        at_old_rate = loan_figures.settlement(running, on).owed
        assert expected < at_old_rate  # the new rate's ten days cost less

        point_cli_at(monkeypatch, env.client, data_dir=settings.data_dir)
        quoted = said(await cli("settlement", handle.id, "--on", str(on)))
        assert f"takes {expected:,}:" in quoted, quoted
        assert (f"Quoted as repriced on {anniversary}, to the LPR fixings recorded now: rate "
                f"{change.new_rate:.2%} since {anniversary}") in quoted
        # before the anniversary, today's rate, and nothing said about it
        before = said(await cli("settlement", handle.id, "--on", str(anniversary
                                                                     - timedelta(days=1))))
        assert "Quoted as repriced" not in before
        # a prepayment quoted that day too: the instalments it shrinks are at the new rate
        prepaid = await cli("prepayment", handle.id, "--amount", "2000000", "--on", str(on))
        assert prepaid.exit_code == 0, prepaid.output
        assert f"Quoted as repriced on {anniversary}" in said(prepaid)

        # the fixing changed in the database: no quote on it, the fixing and the way out named
        with engine_for(settings.db_url).begin() as c:
            c.execute(text("update lpr_fixings set one_year = '0.020000'"))
        for quote in (["settlement", handle.id, "--on", str(on)],
                      ["prepayment", handle.id, "--amount", "2000000", "--on", str(on)]):
            forged = await cli(*quote)
            assert forged.exit_code == 1, forged.output
            assert (f"{handle.id} not quoted on {on}: LPR fixing #1 ({lower.fixed_on}) fails its "
                    "seal (CHANGED)") in said(forged)
            assert "`loan-journey lpr correct`" in said(forged)
        assert said(await cli("settlement", handle.id, "--on", str(anniversary - timedelta(
            days=1)))) == before  # a quote no repricing of reaches the fixing stands
        # without the key, read unchecked, as a worker without it reads the fixing
        monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
        unchecked = await cli("settlement", handle.id, "--on", str(on))
        assert unchecked.exit_code == 0 and "1y LPR 2.00%" in said(unchecked), unchecked.output
