"""SLA sweeps move a FakeClock, never sleep: supervisor escalation repeats until claimed, each alert once."""
from datetime import timedelta

from sqlalchemy import select

from bot.cases import officers, service, sla
from bot.cases.models import Alert, Case
from tests.cases.test_service import events, make_worker, open_one


async def alert_keys(db) -> list[tuple[str, int | None]]:
    async with db.transaction() as session:
        return [(a.kind, a.chat_id) for a in await session.scalars(select(Alert).order_by(Alert.id))
                if a.kind not in ("card", "new_case_dm")]


async def test_unclaimed_emergency_escalates_to_supervisors_and_repeats_until_claimed(db, clock, settings):
    worker_id = await make_worker(db, clock)
    async with db.transaction() as session:
        await officers.add_officer(session, 501, "officer", clock.now())
        await officers.add_officer(session, 502, "supervisor", clock.now())
    case = await open_one(db, clock, settings, worker_id, severity="emergency", category="abuse")
    minutes = settings.sla.emergency_claim_minutes

    clock.advance(minutes=minutes - 1)
    assert (await sla.sweep(db, settings, clock.now())).escalated == []
    clock.advance(minutes=1)
    assert (await sla.sweep(db, settings, clock.now())).escalated == [case.reference]
    assert await alert_keys(db) == [("sla_unclaimed", None), ("sla_unclaimed_dm", 502)]
    # the same moment again (a second sweeper, a restart): nothing new
    assert (await sla.sweep(db, settings, clock.now())).escalated == []
    assert len(await alert_keys(db)) == 2
    clock.advance(minutes=minutes)
    assert (await sla.sweep(db, settings, clock.now())).escalated == [case.reference]
    assert await alert_keys(db) == [("sla_unclaimed", None), ("sla_unclaimed_dm", 502),
                                    ("sla_unclaimed", None), ("sla_unclaimed_dm", 502)]
    async with db.transaction() as session:
        assert (await session.get(Case, case.id)).escalation_level == 2
        await service.claim_case(session, case.id, 501, "officer", clock.now(), settings)
    clock.advance(minutes=minutes * 5)
    assert (await sla.sweep(db, settings, clock.now())).escalated == []
    assert [k for k in await alert_keys(db) if k[0].startswith("sla_")] == [
        ("sla_unclaimed", None), ("sla_unclaimed_dm", 502), ("sla_unclaimed", None), ("sla_unclaimed_dm", 502)]
    assert (await events(db, case.id)).count("escalation") == 2


async def test_bootstrap_admins_are_alerted_when_there_is_no_supervisor(db, clock, settings):
    worker_id = await make_worker(db, clock)
    await open_one(db, clock, settings, worker_id, severity="emergency")
    clock.advance(minutes=settings.sla.emergency_claim_minutes)
    await sla.sweep(db, settings, clock.now())
    assert ("sla_unclaimed_dm", 900) in await alert_keys(db)


async def test_normal_case_reminds_the_group_then_supervisors(db, clock, settings):
    worker_id = await make_worker(db, clock)
    async with db.transaction() as session:
        await officers.add_officer(session, 502, "supervisor", clock.now())
    await open_one(db, clock, settings, worker_id, severity="normal")
    clock.advance(minutes=settings.sla.normal_first_response_minutes)
    await sla.sweep(db, settings, clock.now())
    assert await alert_keys(db) == [("sla_unclaimed", None)]
    clock.advance(minutes=settings.sla.normal_first_response_minutes)
    await sla.sweep(db, settings, clock.now())
    assert await alert_keys(db) == [("sla_unclaimed", None), ("sla_unclaimed", None), ("sla_unclaimed_dm", 502)]


async def test_quiet_handled_case_reminds_its_officer(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        await service.claim_case(session, case.id, 501, "officer", clock.now(), settings)
    clock.advance(hours=settings.sla.follow_up_hours - 1)
    assert (await sla.sweep(db, settings, clock.now())).reminded == []
    clock.advance(hours=1)
    assert (await sla.sweep(db, settings, clock.now())).reminded == [case.reference]
    assert (await sla.sweep(db, settings, clock.now())).reminded == []
    assert await alert_keys(db) == [("claimed", None), ("follow_up_dm", 501), ("follow_up", None)]


async def test_resolved_case_closes_itself_after_a_week(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        await service.resolve_case(session, case.id, 501, "officer", "solved", clock.now())
    clock.advance(days=6)
    assert (await sla.sweep(db, settings, clock.now())).closed == []
    clock.advance(days=1, seconds=1)
    assert (await sla.sweep(db, settings, clock.now())).closed == [case.reference]
    async with db.transaction() as session:
        closed = await session.get(Case, case.id)
        assert closed.status == "closed" and closed.closed_at == clock.now()
    assert (await events(db, case.id))[-1] == "closed"


async def test_a_long_outage_escalates_once_not_in_a_burst(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id, severity="emergency")
    clock.advance(hours=3)  # the bot was down for three hours
    await sla.sweep(db, settings, clock.now())
    async with db.transaction() as session:
        stored = await session.get(Case, case.id)
        assert stored.escalation_level == 1
        assert stored.next_escalation_at == clock.now() + timedelta(minutes=settings.sla.emergency_claim_minutes)
