"""ISO-8601 timestamps as Step Functions reads them (Choice rules, Wait states).

AWS accepts the *extended offset date-time* form only: a ``T`` between date and time and an
explicit offset (``Z`` or ``±hh:mm``); fractional seconds may carry up to nine digits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})\Z"
)


def parse_timestamp(text: str) -> datetime | None:
    """The timestamp ``text`` names, or ``None`` when AWS would reject it."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    if offset in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 18 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
        )
    except ValueError:
        return None


__all__ = ["parse_timestamp"]
