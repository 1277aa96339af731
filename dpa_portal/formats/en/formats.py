"""Dates and times as HHS staff, applicants and suppliers read them: ISO dates, 24-hour times in
the agency's time zone with its abbreviation (the format of ratings.clock.agency_time)."""

from ratings.clock import AGENCY_DATETIME_FORMAT

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = AGENCY_DATETIME_FORMAT
SHORT_DATETIME_FORMAT = AGENCY_DATETIME_FORMAT
TIME_FORMAT = "H:i T"
