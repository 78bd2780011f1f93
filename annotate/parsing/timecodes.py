"""Reading the timestamps that transcripts carry ("00:12:03", "12:03.5", "1:02:03,250", "723.5")."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?")
_SECONDS = re.compile(r"\d+(?:\.\d{1,3})?")


def parse_timecode_ms(value: str) -> int | None:
    """Return the time in milliseconds, or ``None`` if ``value`` is not a timestamp we understand.

    Accepts ``[h]h:mm:ss[.fff]``, ``mm:ss[.fff]`` (a comma may replace the dot, as in SRT) and plain
    seconds (``"723.5"``). Minutes and seconds above 59 after an hour/minute field are rejected rather
    than wrapped, because they signal a typo.

    >>> parse_timecode_ms("00:12:03")
    723000
    >>> parse_timecode_ms("12:03.5")
    723500
    >>> parse_timecode_ms("1:61:00") is None
    True
    """
    value = value.strip().strip("[]()")
    match = _CLOCK.fullmatch(value)
    if match:
        hours, minutes, seconds, fraction = match.groups()
        if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
            return None
        millis = int((fraction or "0").ljust(3, "0"))
        return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis
    if _SECONDS.fullmatch(value):
        whole, _, fraction = value.partition(".")
        return int(whole) * 1000 + int(fraction.ljust(3, "0") or 0)
    return None
