"""The activity a running loan learns the bank's working calendar by: its name, its input and
its result (workflows/calendar_learning.py)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from journey.policy.calendar import WorkingCalendar

LOAD_CALENDAR = "load_calendar"


class LoadCalendarInput(BaseModel):
    today: date
    years: int = Field(ge=1, le=60)  # calendar years from `today`'s on (and the one before)


class CalendarResult(BaseModel):
    """The working calendar as the worker has it (the bank's file over the package's), and the
    source note of each year the file lists."""

    calendar: WorkingCalendar
    sources: dict[int, str] = Field(default_factory=dict)
