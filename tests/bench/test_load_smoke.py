"""The load test (bench/load_test.py) at tiny scale, on the same code path as the full run: ten workers onboard
and chat for 20 seconds with the bot process through the local Bot API server and the real Rasa server (questions,
small talk, reports, check-in answers, emergencies). Nothing may be lost and the bot may log no error."""
from bench.load_test import Options, run_load_test


async def test_load_smoke_nothing_lost_no_errors(rasa_url, tmp_path):
    # Messages at least 3.2 s apart keep every worker under the flood limit of 20 a minute.
    report = await run_load_test(Options(
        workers=10, minutes=20 / 60, think=(3.2, 6.0), tap=(3.2, 4.0), ramp=1.0, emergency_every=8.0,
        checkin_share=1.0, checkin_at=0.2, sweep_seconds=5, reply_timeout=30.0, drain=30.0, nlu_url=rasa_url,
        log_path=str(tmp_path / "bot.log")))

    requests, log = report["requests"], report["bot_log"]
    assert requests["onboarding_failed"] == 0
    assert (requests["lost"], requests["incomplete"]) == (0, 0), report["latency"]["by_kind"]
    assert requests["failure_replies"] == 0, requests["failure_samples"]
    assert (log["errors"], log["tracebacks"]) == (0, 0), log["error_lines"]
    assert report["latency"]["by_kind"]["faq"]["n"] > 0
    emergencies = report["emergencies"]
    assert emergencies["n"] >= 1 and emergencies["missing_alerts"] == []
    assert report["checkins"]["answered"] >= 1
    assert report["database"]["processed_updates"] == report["database"]["updates_pushed"]
    assert report["ok"]
