"""Check-in time arithmetic. Pure functions: no database, no clock of their own, no Telegram.

A slot is one local calendar date on which the worker is asked. Its moment is the worker's preferred local time
on that date in their time zone (zoneinfo, so DST is right), plus a fixed offset of 0..jitter minutes that is
derived from the worker id and the date, so rounds spread over time and the same slot always lands on the same
instant (restarts and several sweepers agree). Nothing is ever sent inside quiet hours (21:00-07:00 local by
default): a moment that falls inside moves to the end of the quiet hours.

Frequencies: daily, every_3_days and weekly; the day within the period is fixed per worker (worker id modulo the
period), which spreads a weekly round over the seven days too.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PERIOD_DAYS = {"daily": 1, "every_3_days": 3, "weekly": 7}
# Where the worker's country is unknown ("other" without a match): Indonesia's western time, which the
# officers and families use. The worker can still pick the hour that suits them.
FALLBACK_TIMEZONE = "Asia/Jakarta"
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Window:
    """Quiet hours [start, end) in local time; start > end wraps past midnight; start == end means none."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Plan:
    """Everything needed to compute a worker's slots."""

    worker_id: int
    frequency: str  # daily | every_3_days | weekly (off has no slots)
    local_time: time
    zone: ZoneInfo
    quiet: Window
    jitter_minutes: int = 0


@lru_cache(maxsize=4096)
def parse_hhmm(text: str | None, default: time | None) -> time | None:
    """"HH:MM" to a time; `default` when missing or malformed (a bad stored value must not stop the sweep)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", (text or "").strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return default
    return time(int(match[1]), int(match[2]))


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65_536)  # a round repeats the same (date, hour, zone) for many workers
def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `wall` on `day` in `tz`.

    A wall time that does not exist (the hour skipped when DST starts) moves forward by the gap, as a clock on
    the wall does; a wall time that happens twice (when DST ends) is the first of the two.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(timezone.utc)
    back = instant.astimezone(tz).replace(tzinfo=None)
    if back != naive:  # inside a gap: fold=0 used the offset before the change; keep it, it lands after the gap
        later = naive.replace(tzinfo=tz, fold=1).astimezone(timezone.utc)
        instant = max(instant, later)
    return instant


def offset_for(worker_id: int, day: date, jitter_minutes: int) -> timedelta:
    """A fixed 0..jitter_minutes offset for this worker and date (the same on every run and every sweeper)."""
    if jitter_minutes <= 0:
        return timedelta(0)
    digest = hashlib.blake2b(f"{worker_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return timedelta(seconds=int.from_bytes(digest, "big") % (jitter_minutes * 60 + 1))


def out_of_quiet(moment: datetime, tz: ZoneInfo, quiet: Window, worker_id: int = 0,
                 jitter_minutes: int = 0) -> datetime:
    """`moment` itself when it is outside quiet hours, else the end of those quiet hours (plus the offset)."""
    local = moment.astimezone(tz)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return moment
    day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        day += timedelta(days=1)  # evening part of an overnight window: quiet ends tomorrow morning
    end = local_to_utc(day, quiet.end, tz)
    return max(end + offset_for(worker_id, day, jitter_minutes), moment)


def on_period(plan: Plan, day: date) -> bool:
    period = PERIOD_DAYS[plan.frequency]
    return ((day - _EPOCH).days + plan.worker_id) % period == 0


def slot_moment(plan: Plan, day: date) -> datetime:
    """The UTC instant of the worker's slot on local date `day` (quiet hours respected)."""
    base = local_to_utc(day, plan.local_time, plan.zone)
    offset = offset_for(plan.worker_id, day, plan.jitter_minutes)
    moment = base + offset
    if plan.quiet.contains(plan.local_time):
        # The preferred time itself is quiet (e.g. 23:00): ask when the quiet hours end instead.
        return out_of_quiet(base, plan.zone, plan.quiet, plan.worker_id, plan.jitter_minutes)
    if plan.quiet.contains(moment.astimezone(plan.zone).time()):
        # Only the offset pushed it into the quiet hours (e.g. 20:55 + 10 min): go back before they start.
        start = local_to_utc(day, plan.quiet.start, plan.zone)
        return max(base, start - timedelta(minutes=1))
    return moment


def next_slot(plan: Plan, after: datetime) -> datetime | None:
    """The first slot strictly after `after` (an aware datetime), or None for frequency "off"."""
    if plan.frequency not in PERIOD_DAYS:
        return None
    if after.tzinfo is None:
        raise ValueError("next_slot needs an aware datetime")
    # A slot lies on its own local date, unless its preferred time is in the quiet hours (then it moves to the
    # next morning) or late enough for the offset or a DST shift to carry it past midnight: then the previous
    # date's slot may still be ahead of `after`.
    day = after.astimezone(plan.zone).date()
    late = plan.local_time.hour * 60 + plan.local_time.minute + plan.jitter_minutes + 60  # + a DST hour
    if plan.quiet.contains(plan.local_time) or late >= 24 * 60:
        day -= timedelta(days=1)
    for _ in range(PERIOD_DAYS[plan.frequency] + 3):
        if on_period(plan, day):
            moment = slot_moment(plan, day)
            if moment > after:
                return moment
        day += timedelta(days=1)
    raise AssertionError("no slot found within a period")  # pragma: no cover - a period always has a slot


# --- time zone of a worker ------------------------------------------------------------------------------------

def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", text)


@lru_cache(maxsize=1)
def _zone_table() -> dict[str, tuple[str, ...]]:
    """Country code -> its IANA zones, from the zone.tab shipped with tzdata (or the system's)."""
    text = None
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = Path("/usr/share/zoneinfo/zone.tab")
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            table.setdefault(parts[0].upper(), []).append(parts[2])
    return {code: tuple(zones) for code, zones in table.items()}


def timezone_for(country: str | None, city: str | None, kb=None) -> str:
    """The worker's IANA time zone from their destination country (and city, where a country has several).

    The country profile in the knowledge base decides (`kb.country(code).timezone`); for a country with several
    zones a city that names one of them wins (Perth -> Australia/Perth); without a profile, the country's zone
    from tzdata; with no country at all, FALLBACK_TIMEZONE.
    """
    code = (country or "").upper()
    zones = _zone_table().get(code, ())
    if city and len(zones) > 1:
        wanted = _fold(city)
        for name in zones:
            if wanted and _fold(name.rsplit("/", 1)[-1]) == wanted:
                return name
    profile = kb.country(code) if kb is not None and code else None
    name = getattr(profile, "timezone", None)
    if name:
        try:
            zone(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if zones:
        return zones[0]
    return FALLBACK_TIMEZONE
