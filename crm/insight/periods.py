"""Periods of time the metrics cover, and the local days a period touches.

A period is half-open, [start, end), held in UTC. Days are local days of a zone: a manager's
"last 7 days" starts at local midnight, and a day is 23 or 25 hours long on DST changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.errors import InvalidInput

__all__ = ["Period", "local_midnight"]


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open span of time [start, end), held in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidInput(f"Period.{name} must be an aware datetime")
            object.__setattr__(self, name, value.astimezone(UTC))
        if self.end < self.start:
            raise InvalidInput("a period cannot end before it starts")

    @classmethod
    def last_days(cls, days: int, *, now: datetime, zone: ZoneInfo) -> Period:
        """Return the last `days` local days up to now: today so far and the whole days before.

        `last_days(1)` is today since local midnight; `last_days(30)` starts at local
        midnight 29 days ago. A manager asking for 30 days at 10:00 sees this morning too.
        """
        if days < 1:
            raise InvalidInput("a period needs at least one day")
        today = now.astimezone(zone).date()
        return cls(start=local_midnight(today - timedelta(days=days - 1), zone), end=now)

    @classmethod
    def local_day(cls, day: date, *, zone: ZoneInfo) -> Period:
        """Return one whole local day (23 or 25 hours long on DST changes)."""
        return cls(
            start=local_midnight(day, zone), end=local_midnight(day + timedelta(days=1), zone)
        )

    def local_days(self, zone: ZoneInfo) -> list[date]:
        """Return every local date the period touches, in order."""
        if self.end <= self.start:
            return []
        first = self.start.astimezone(zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the UTC instant a local day starts."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
