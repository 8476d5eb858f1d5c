"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; timestamptz on PostgreSQL, naive UTC text on SQLite.

    Naive datetimes are taken to be UTC. SQLite keeps the text sortable, so MIN/MAX and
    `julianday()` work on it in SQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _ExactDecimal(TypeDecorator[Decimal]):
    """Numeric(DIGITS, PLACES) as Decimal; exact text on SQLite (its NUMERIC would round
    through float)."""

    impl = Numeric(18, 2)
    cache_ok = True
    DIGITS, PLACES = 18, 2

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(self.DIGITS, self.PLACES, asdecimal=True))

    def _exact(self, value: Any) -> Decimal:
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-self.PLACES))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = self._exact(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else self._exact(value)


class Money(_ExactDecimal):
    """Yuan to the fen: Numeric(18, 2)."""

    cache_ok = True  # compared in a WHERE clause (store/exposure.py's lines); its own, as
    # SQLAlchemy asks of each subclass: inherited, it warns and caches no statement using it


class YearlyRate(_ExactDecimal):
    """A yearly rate as a fraction to six places (0.031000 is 3.10%): Numeric(8, 6)."""

    impl = Numeric(8, 6)
    cache_ok = True  # compared in a WHERE clause (store/lpr.py's correction)
    DIGITS, PLACES = 8, 6
