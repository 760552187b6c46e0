"""Check-in time arithmetic: time zones, DST, quiet hours, the fixed offset, frequencies. No database, no clock."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from bot.checkins import schedule as sched

UTC = timezone.utc
NIGHT = sched.Window(time(21, 0), time(7, 0))
NO_QUIET = sched.Window(time(0, 0), time(0, 0))


def plan(tz="Asia/Taipei", at=time(10, 0), frequency="daily", worker_id=1, quiet=NIGHT, jitter=0):
    return sched.Plan(worker_id=worker_id, frequency=frequency, local_time=at, zone=ZoneInfo(tz), quiet=quiet,
                      jitter_minutes=jitter)


def slots(p, start, count):
    out, after = [], start
    for _ in range(count):
        after = sched.next_slot(p, after)
        out.append(after)
    return out


def test_daily_slot_is_the_local_time_in_the_workers_zone():
    # 09:00 in Taipei (UTC+8) -> today's 10:00 Taipei = 02:00 UTC
    assert sched.next_slot(plan(), datetime(2026, 1, 5, 1, 0, tzinfo=UTC)) == datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    # exactly at the slot -> strictly after: tomorrow
    assert sched.next_slot(plan(), datetime(2026, 1, 5, 2, 0, tzinfo=UTC)) == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)


def test_same_local_hour_in_different_zones_is_a_different_instant():
    after = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    riyadh = sched.next_slot(plan("Asia/Riyadh"), after)  # UTC+3
    tokyo = sched.next_slot(plan("Asia/Tokyo"), after)  # UTC+9
    assert riyadh.astimezone(ZoneInfo("Asia/Riyadh")).time() == time(10, 0)
    assert tokyo.astimezone(ZoneInfo("Asia/Tokyo")).time() == time(10, 0)
    assert riyadh - tokyo == timedelta(hours=6)


def test_dst_change_keeps_the_local_time():
    # Europe/Berlin moves to summer time on 2026-03-29: 10:00 local is 09:00 UTC before, 08:00 UTC after.
    berlin = plan("Europe/Berlin")
    got = slots(berlin, datetime(2026, 3, 27, 12, 0, tzinfo=UTC), 3)
    assert got == [datetime(2026, 3, 28, 9, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
                   datetime(2026, 3, 30, 8, 0, tzinfo=UTC)]
    assert {g.astimezone(ZoneInfo("Europe/Berlin")).time() for g in got} == {time(10, 0)}
    # and back on 2026-10-25
    back = slots(berlin, datetime(2026, 10, 23, 12, 0, tzinfo=UTC), 3)
    assert [b.hour for b in back] == [8, 9, 9]


def test_a_wall_time_skipped_by_dst_moves_forward_and_a_doubled_one_happens_once():
    berlin = plan("Europe/Berlin", at=time(2, 30), quiet=NO_QUIET)
    # 02:30 does not exist on 2026-03-29 (clocks jump 02:00 -> 03:00): asked at 03:30 local instead
    spring = sched.next_slot(berlin, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert spring.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    # 02:30 happens twice on 2026-10-25: asked once, at the first
    autumn = slots(berlin, datetime(2026, 10, 24, 12, 0, tzinfo=UTC), 2)
    assert autumn[0] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert autumn[1].astimezone(ZoneInfo("Europe/Berlin")).date() == date(2026, 10, 26)


def test_istanbul_history_with_dst_then_without():
    # Turkey kept DST until 2016 and has stayed on UTC+3 since: the same code handles both eras.
    old = sched.next_slot(plan("Europe/Istanbul"), datetime(2015, 7, 1, 0, 0, tzinfo=UTC))
    new = sched.next_slot(plan("Europe/Istanbul"), datetime(2025, 7, 1, 0, 0, tzinfo=UTC))
    assert old.hour == 7 and new.hour == 7  # summer time UTC+3 in 2015, permanent UTC+3 now
    winter_old = sched.next_slot(plan("Europe/Istanbul"), datetime(2015, 1, 10, 0, 0, tzinfo=UTC))
    assert winter_old.hour == 8  # UTC+2 in the winter of 2015


def test_preferred_time_in_quiet_hours_moves_to_the_morning():
    late = plan(at=time(23, 0))
    got = sched.next_slot(late, datetime(2026, 1, 5, 0, 0, tzinfo=UTC))
    assert got.astimezone(ZoneInfo("Asia/Taipei")).time() == time(7, 0)
    early = plan(at=time(5, 0))
    got = sched.next_slot(early, datetime(2026, 1, 5, 0, 0, tzinfo=UTC))
    assert got.astimezone(ZoneInfo("Asia/Taipei")).time() == time(7, 0)


def test_offset_never_pushes_a_slot_into_quiet_hours():
    for worker_id in range(200):
        p = plan(at=time(20, 55), jitter=20, worker_id=worker_id)
        got = sched.next_slot(p, datetime(2026, 1, 5, 0, 0, tzinfo=UTC))
        local = got.astimezone(ZoneInfo("Asia/Taipei")).time()
        assert time(20, 55) <= local < time(21, 0)


def test_offset_is_fixed_per_worker_and_day_and_spreads_a_round():
    day = date(2026, 1, 5)
    assert sched.offset_for(7, day, 20) == sched.offset_for(7, day, 20)
    offsets = [sched.offset_for(w, day, 20) for w in range(2000)]
    assert all(timedelta(0) <= o <= timedelta(minutes=20) for o in offsets)
    minutes = {int(o.total_seconds() // 60) for o in offsets}
    assert len(minutes) >= 20  # spread over (nearly) every minute of the window
    assert sched.offset_for(7, day, 0) == timedelta(0)


@pytest.mark.parametrize("frequency, days", [("every_3_days", 3), ("weekly", 7)])
def test_longer_periods_are_evenly_spaced_and_phased_by_worker(frequency, days):
    got = slots(plan(frequency=frequency, worker_id=11), datetime(2026, 1, 1, tzinfo=UTC), 4)
    assert [(b - a) for a, b in zip(got, got[1:])] == [timedelta(days=days)] * 3
    first_days = {sched.next_slot(plan(frequency=frequency, worker_id=w), datetime(2026, 1, 1, tzinfo=UTC)).date()
                  for w in range(days)}
    assert len(first_days) == days  # workers are spread over the days of the period


def test_off_has_no_slot():
    assert sched.next_slot(plan(frequency="off"), datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_out_of_quiet():
    tz = ZoneInfo("Asia/Hong_Kong")  # UTC+8
    evening = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # 22:00 local
    assert sched.out_of_quiet(evening, tz, NIGHT) == datetime(2026, 1, 5, 23, 0, tzinfo=UTC)  # 07:00 next day
    small_hours = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)  # 04:00 local
    assert sched.out_of_quiet(small_hours, tz, NIGHT) == datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    noon = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)
    assert sched.out_of_quiet(noon, tz, NIGHT) == noon
    assert sched.out_of_quiet(evening, tz, NO_QUIET) == evening


def test_window_shapes():
    assert NIGHT.contains(time(21, 0)) and NIGHT.contains(time(3, 0)) and not NIGHT.contains(time(7, 0))
    lunch = sched.Window(time(12, 0), time(13, 0))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13, 0))
    assert not NO_QUIET.contains(time(0, 0))


def test_timezone_of_a_worker(kb):
    assert sched.timezone_for("TW", "Taichung", kb) == "Asia/Taipei"
    assert sched.timezone_for("sa", None, kb) == "Asia/Riyadh"
    assert sched.timezone_for("AU", "Perth", kb) == "Australia/Perth"  # a country with several zones: the city
    assert sched.timezone_for("AU", "Sydney", None) == "Australia/Sydney"
    assert sched.timezone_for(None, None, kb) == sched.FALLBACK_TIMEZONE
    assert sched.timezone_for("XX", "somewhere", kb) == sched.FALLBACK_TIMEZONE


def test_country_profile_decides_the_zone():
    class Profile:
        timezone = "Asia/Kuching"

    class Kb:
        def country(self, code):
            return Profile() if code == "MY" else None

    assert sched.timezone_for("MY", None, Kb()) == "Asia/Kuching"
    assert sched.timezone_for("MY", None, None) == "Asia/Kuala_Lumpur"


ZONES = ["Asia/Taipei", "Asia/Hong_Kong", "Asia/Riyadh", "Europe/Berlin", "America/New_York",
         "Australia/Sydney", "Europe/Istanbul", "Asia/Kolkata", "Pacific/Chatham"]


@hsettings(max_examples=300, deadline=None)
@given(zone_name=st.sampled_from(ZONES), hour=st.integers(0, 23), minute=st.integers(0, 59),
       frequency=st.sampled_from(["daily", "every_3_days", "weekly"]), worker_id=st.integers(1, 10**7),
       jitter=st.integers(0, 30),
       after=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)))
def test_slots_are_in_the_future_outside_quiet_hours_and_one_per_period(zone_name, hour, minute, frequency,
                                                                         worker_id, jitter, after):
    p = plan(zone_name, time(hour, minute), frequency, worker_id, NIGHT, jitter)
    first = sched.next_slot(p, after)
    second = sched.next_slot(p, first)
    assert after < first < second
    for slot in (first, second):
        assert not NIGHT.contains(slot.astimezone(p.zone).time())
    gap = second - first
    period = timedelta(days=sched.PERIOD_DAYS[frequency])
    assert period - timedelta(hours=3) <= gap <= period + timedelta(hours=3)  # +-DST shift and the offset


@hsettings(max_examples=300, deadline=None)
@given(zone_name=st.sampled_from(ZONES), hour=st.integers(0, 23), minute=st.integers(0, 59),
       frequency=st.sampled_from(["daily", "every_3_days", "weekly"]), worker_id=st.integers(1, 10**7),
       jitter=st.sampled_from([0, 20, 59, 240]), quiet=st.sampled_from([NIGHT, NO_QUIET]),
       after=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)))
def test_next_slot_never_skips_one(zone_name, hour, minute, frequency, worker_id, jitter, quiet, after):
    """next_slot is the earliest slot after `after` of all dates around it (brute force)."""
    p = plan(zone_name, time(hour, minute), frequency, worker_id, quiet, jitter)
    start = after.astimezone(p.zone).date() - timedelta(days=3)
    candidates = [sched.slot_moment(p, start + timedelta(days=k)) for k in range(sched.PERIOD_DAYS[frequency] + 6)
                  if sched.on_period(p, start + timedelta(days=k))]
    assert sched.next_slot(p, after) == min(c for c in candidates if c > after)
