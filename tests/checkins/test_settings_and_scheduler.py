"""Check-in settings (read from config.yml, one readable line per bad value) and the scheduler's sweep job."""
from datetime import timedelta

import pytest

from bot.config import ROOT, ConfigError, Settings, load_settings


def write(tmp_path, text):
    path = tmp_path / "config.yml"
    path.write_text(text)
    return path


def test_shipped_checkin_settings():
    checkin = load_settings(ROOT / "config.yml", env={}).checkin
    assert (checkin.escalate_after_missed, checkin.unreachable_is_welfare_signal) == (1, True)
    assert checkin.batch_size == 500 and checkin.officer_timezone == "Asia/Jakarta"
    assert checkin.reply_window_minutes < checkin.escalation_minutes


def test_checkin_settings_are_read(tmp_path):
    checkin = load_settings(write(tmp_path, "checkin:\n  escalate_after_missed: 3\n"
                                            "  unreachable_is_welfare_signal: false\n  batch_size: 50\n"
                                            "  officer_timezone: Asia/Makassar\n"), env={}).checkin
    assert (checkin.escalate_after_missed, checkin.unreachable_is_welfare_signal, checkin.batch_size,
            checkin.officer_timezone) == (3, False, 50, "Asia/Makassar")


@pytest.mark.parametrize("text, words", [
    ("checkin:\n  escalate_after_missed: 0\n", "checkin.escalate_after_missed"),
    ("checkin:\n  unreachable_is_welfare_signal: maybe\n", "checkin.unreachable_is_welfare_signal"),
    ("checkin:\n  batch_size: lots\n", "checkin.batch_size"),
    ("checkin:\n  officer_timezone: Jakarta\n", "checkin.officer_timezone"),
    ("checkin:\n  default_time: '22:00'\n", "quiet hours"),
])
def test_bad_checkin_values_name_the_setting(tmp_path, text, words):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), env={})
    assert words in str(err.value) and "\n" not in str(err.value)


def test_the_sweep_is_one_coalesced_job_that_runs_at_start(clock):
    from bot.scheduler import build_scheduler
    from bot.services import Services

    settings = Settings()
    scheduler = build_scheduler(Services(settings=settings, db=None, clock=clock, router=None, kb=None))
    job = scheduler.get_job("checkin_sweep")
    assert job.coalesce is True and job.max_instances == 1  # missed ticks run once; never two at a time
    assert job.trigger.interval == timedelta(seconds=settings.checkin.sweep_seconds)
    assert job.next_run_time is not None  # first run at start: what was missed while down is caught up
    assert [j.id for j in scheduler.get_jobs()].count("checkin_sweep") == 1
