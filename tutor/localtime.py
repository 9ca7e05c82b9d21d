"""Times as students and teachers read them: stored naive UTC, shown in the course's timezone."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

# Names people in China use for the zones a school here would configure; any other zone is named by its key.
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Hong_Kong": "香港时间",
              "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间", "UTC": "UTC"}


def to_local(moment: datetime, zone: str) -> datetime:
    """A naive-UTC (or aware) moment as wall-clock time in `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(zone))


def zone_name(zone: str) -> str:
    return ZONE_NAMES.get(zone, zone)


def short(moment: datetime | None, zone: str, today: datetime | None = None, seconds: bool = False) -> str:
    """'12月2日 22:02' ('22:02:31' with seconds); the year is added when it is not the current one."""
    if moment is None:
        return ""
    local = to_local(moment, zone)
    year = "" if today is None or to_local(today, zone).year == local.year else f"{local.year}年"
    return f"{year}{local.month}月{local.day}日 {local:%H:%M:%S}" if seconds else f"{year}{local.month}月{local.day}日 {local:%H:%M}"


def day(moment: datetime | None, zone: str) -> str:
    """'12月2日'."""
    if moment is None:
        return ""
    local = to_local(moment, zone)
    return f"{local.month}月{local.day}日"


def iso(moment: datetime | None, zone: str) -> str:
    """'2026-12-02 22:02' in the zone, for CSV files that spreadsheets sort."""
    return "" if moment is None else f"{to_local(moment, zone):%Y-%m-%d %H:%M}"


def from_input(text: str | None, zone: str) -> datetime | None:
    """A `datetime-local` field's '2026-12-08T20:00', read as wall-clock time in `zone`, as naive
    UTC; None for anything else."""
    try:
        local = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if local.tzinfo is not None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc).replace(tzinfo=None)


def to_input(moment: datetime | None, zone: str) -> str:
    """The value a `datetime-local` field shows for a naive-UTC moment."""
    return "" if moment is None else f"{to_local(moment, zone):%Y-%m-%dT%H:%M}"
