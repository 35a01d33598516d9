"""Pure rules every service's reports share: calendar months ("YYYY-MM") and free-text reasons
counted alike. No I/O and no framework imports, so each service's ``domain/`` may use them."""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any

NO_REASON = "(none given)"


def month_of(moment: datetime, zone: tzinfo) -> str:
    """The "YYYY-MM" in which ``moment`` (an aware datetime) falls in ``zone``."""
    return moment.astimezone(zone).strftime("%Y-%m")


def shifted(month: str, by: int) -> str:
    """The month ``by`` months after (before, if negative) ``month``."""
    index = _index(month) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_from(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included."""
    return [shifted(first, n) for n in range(_index(last) - _index(first) + 1)]


def month_start(month: str, zone: tzinfo) -> datetime:
    """When ``month`` starts in ``zone``, as a UTC datetime."""
    year, number = map(int, month.split("-"))
    return datetime(year, number, 1, tzinfo=zone).astimezone(UTC)


def count_reasons(reasons: Iterable[str | None]) -> list[dict[str, Any]]:
    """[{"reason", "count"}], most frequent first: reasons that differ only in letter case or
    spacing are one, shown as most people wrote it (the first written, on a tie)."""
    spellings: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    for reason in reasons:
        shown = " ".join((reason or "").split()) or NO_REASON
        key = shown.casefold()
        spellings.setdefault(key, Counter())[shown] += 1
        counts[key] += 1
    rows = [{"reason": spellings[key].most_common(1)[0][0], "count": count} for key, count in counts.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["reason"].casefold()))


def _index(month):
    year, number = map(int, month.split("-"))
    return year * 12 + number - 1
