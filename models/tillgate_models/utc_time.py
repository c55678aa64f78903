"""Time as the feature spec reads it (mirror of shared/src/features/utc-time.ts): instants in integer
epoch milliseconds (digits beyond milliseconds truncated, like JavaScript's Date.parse), days as UTC
calendar days 'YYYY-MM-DD'."""

import calendar
import re
from datetime import UTC, date, datetime, timedelta

MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$")


def instant_ms(iso: str) -> int:
    match = _ISO.match(iso)
    if match is None:
        raise ValueError(f"not an ISO 8601 timestamp with offset: {iso}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    seconds = calendar.timegm((int(year), int(month), int(day), int(hour), int(minute), int(second)))
    millis = int((fraction or "0")[:3].ljust(3, "0"))
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    return seconds * 1000 + millis


def utc_day(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, UTC).date().isoformat()


def shift_day(day: str, offset: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=offset)).isoformat()


def canonical_instant(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"
