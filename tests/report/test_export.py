"""The event-log export read back by PM4Py as it is, and a performance DFG computed on it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pm4py  # type: ignore[import-untyped]
import pytest

from store.export import export_csv, export_xes

pytestmark = pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")

H = 3600.0
EVENTS = 19  # 17 stage attempts + the rejected and withdrawn end events


def _check_log(df: pd.DataFrame) -> None:
    assert len(df) == EVENTS
    assert df["case:concept:name"].nunique() == 4
    a = df[df["case:concept:name"] == "A"]
    assert list(a["concept:name"]) == [
        "intake", "documents", "completeness", "routing", "risk_review", "approval", "rejected"
    ]  # fmt: skip
    assert set(df["case:product"]) == {"working_capital", "project_finance"}
    assert dict(df.groupby("case:concept:name")["case:final_state"].first()) == {
        "A": "rejected", "B": "withdrawn", "C": "open", "D": "open"
    }  # fmt: skip
    risk = a[a["concept:name"] == "risk_review"]
    assert (risk["org:resource"].item(), risk["org:group"].item()) == ("officer-1", "risk-a")
    ended = df[df["concept:name"] == "rejected"]
    assert ended["org:resource"].item() == "officer-1"  # whose decision ended the journey
    assert df["time:timestamp"].dt.tz is not None

    # stages follow each other without a gap: start of the next = completion of the previous
    gaps, starts, ends = pm4py.discover_performance_dfg(df)
    assert gaps[("intake", "documents")]["mean"] == 0.0
    assert starts == {"intake": 4}
    assert ends == {"rejected": 1, "withdrawn": 1, "approval": 1, "intake": 1}

    # on completion times alone an edge lasts as long as the stage it leads to
    perf, _, _ = pm4py.discover_performance_dfg(df.drop(columns=["start_timestamp"]))
    assert perf[("intake", "documents")]["mean"] == pytest.approx((2 + 1 + 1.5) * H / 3)
    assert perf[("routing", "risk_review")]["max"] == pytest.approx(48 * H)
    assert perf[("completeness", "completeness")]["mean"] == pytest.approx(6 * H)  # C's retry
    # A's approval took 4 h; C's is open, a `start` event at the moment risk review ended
    assert perf[("risk_review", "approval")]["mean"] == pytest.approx((4 * H + 0) / 2)


def test_csv_reads_back_with_pm4py(report_db: str, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    assert export_csv(report_db, path) == EVENTS
    df = pm4py.format_dataframe(pd.read_csv(path))
    _check_log(df)


def test_xes_reads_back_with_pm4py(report_db: str, tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    assert export_xes(report_db, path) == EVENTS
    df = pm4py.read_xes(str(path))
    _check_log(df)
    assert pm4py.get_event_attribute_values(df, "lifecycle:transition") == {
        "complete": 17, "start": 2
    }  # fmt: skip
