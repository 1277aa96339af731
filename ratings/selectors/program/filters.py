"""The filters of the program view: a period (whole days, agency time), a program, a category."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ratings.clock import agency_today, end_of_day, start_of_day
from ratings.constants import HealthResourceCategory

DEFAULT_MONTHS = 12


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)


@dataclass(frozen=True)
class ProgramFilters:
    start: dt.date
    end: dt.date
    program_id: int | None = None
    category: str = ""
    errors: tuple[str, ...] = ()

    @classmethod
    def default(cls) -> ProgramFilters:
        today = agency_today()
        return cls(start=_months_back(_first_of_month(today), DEFAULT_MONTHS - 1), end=today)

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> ProgramFilters:
        """Read the filters from a query string; what cannot be read falls back to the default
        and is named in `errors` (the page says so instead of failing)."""
        default = cls.default()
        errors: list[str] = []

        def day(name: str, fallback: dt.date) -> dt.date:
            raw = (query.get(name) or "").strip()
            if not raw:
                return fallback
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                errors.append(f"“{raw[:20]}” is not a date (YYYY-MM-DD); the default {name} is used.")
                return fallback

        start, end = day("start", default.start), day("end", default.end)
        if start > end:
            errors.append("The period starts after it ends; the default period is used.")
            start, end = default.start, default.end
        raw_program = (query.get("program") or "").strip()
        program_id = int(raw_program) if raw_program.isdigit() else None
        if raw_program and program_id is None:
            errors.append("Unknown program; all programs are shown.")
        category = (query.get("category") or "").strip()
        if category and category not in HealthResourceCategory.values:
            errors.append("Unknown category; all categories are shown.")
            category = ""
        return cls(start=start, end=end, program_id=program_id, category=category, errors=tuple(errors))

    @property
    def since(self) -> dt.datetime:
        return start_of_day(self.start)

    @property
    def until(self) -> dt.datetime:
        return end_of_day(self.end)

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches, oldest first."""
        months, current = [], _first_of_month(self.start)
        while current <= self.end:
            months.append(current)
            current = _months_back(current, -1)
        return months

    def as_query(self) -> dict[str, str]:
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.program_id:
            query["program"] = str(self.program_id)
        if self.category:
            query["category"] = self.category
        return query
