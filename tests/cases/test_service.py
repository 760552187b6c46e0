"""The case service without Telegram: lifecycle, timeline, alert queue, relays, roles (SQLite and PostgreSQL)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.cases import officers, service
from bot.cases.models import Alert, Case, CaseEvent, RelayMessage
from bot.cases.service import CaseError, IncomingMessage
from bot.workers import service as workers
from bot.workers.models import Worker


async def make_worker(db, clock, user_id=1001, consent=True, country="TW") -> int:
    async with db.transaction() as session:
        worker, _ = await workers.get_or_create(session, user_id, user_id, clock.now())
        worker.consent = consent
        worker.country = country if consent else None
        return worker.id


async def alerts(db, case_id=None) -> list[Alert]:
    async with db.transaction() as session:
        query = select(Alert).order_by(Alert.id)
        if case_id is not None:
            query = query.where(Alert.case_id == case_id)
        return list(await session.scalars(query))


async def events(db, case_id) -> list[str]:
    async with db.transaction() as session:
        return [e.kind for e in await service.timeline(session, case_id)]


async def open_one(db, clock, settings, worker_id, severity="normal", category="wages", **kw) -> Case:
    async with db.transaction() as session:
        return await service.open_case(session, worker_id=worker_id, category=category, severity=severity,
                                       summary="gaji belum dibayar 3 bulan", source="worker", now=clock.now(),
                                       actor="worker", settings=settings, **kw)


async def test_open_case_gives_reference_deadlines_event_and_card_alert(db, clock, settings):
    worker_id = await make_worker(db, clock)
    first = await open_one(db, clock, settings, worker_id)
    second = await open_one(db, clock, settings, worker_id, severity="high")
    assert (first.reference, second.reference) == ("PMI-2026-000001", "PMI-2026-000002")
    assert first.status == "new" and first.source == "worker"
    assert first.first_response_due_at == clock.now() + timedelta(minutes=settings.sla.normal_first_response_minutes)
    assert second.first_response_due_at == clock.now() + timedelta(minutes=settings.sla.high_first_response_minutes)
    assert await events(db, first.id) == ["created"]
    queued = await alerts(db, first.id)
    assert [(a.kind, a.audience, a.status) for a in queued] == [("card", "group", "pending")]
    # the numbering restarts each year
    clock.set(datetime(2027, 1, 1, 0, 5, tzinfo=timezone.utc))
    assert (await open_one(db, clock, settings, worker_id)).reference == "PMI-2027-000001"


async def test_open_case_signature_defaults_work_without_settings(db, clock):
    """The check-ins engineer calls open_case with only the required keywords."""
    worker_id = await make_worker(db, clock)
    async with db.transaction() as session:
        case = await service.open_case(session, worker_id=worker_id, category="other", severity="high",
                                       summary="tidak menjawab cek keamanan", source="checkin", now=clock.now())
    assert case.reference.startswith("PMI-2026-") and case.source == "checkin"
    async with db.transaction() as session:
        created = (await service.timeline(session, case.id))[0]
    assert created.actor == "system" and created.kind == "created"


@pytest.mark.parametrize("field,value", [("category", "astrology"), ("severity", "urgent"), ("source", "email")])
async def test_open_case_rejects_values_outside_the_contract(db, clock, field, value):
    worker_id = await make_worker(db, clock)
    kwargs = dict(worker_id=worker_id, category="wages", severity="normal", summary="x", source="worker",
                  now=clock.now())
    kwargs[field] = value
    with pytest.raises(CaseError):
        async with db.transaction() as session:
            await service.open_case(session, **kwargs)
    async with db.transaction() as session:
        assert await session.scalar(select(Case.id)) is None


async def test_emergency_alerts_every_on_duty_officer_directly(db, clock, settings):
    worker_id = await make_worker(db, clock)
    async with db.transaction() as session:
        await officers.add_officer(session, 501, "officer", clock.now(), "Budi")
        await officers.add_officer(session, 502, "supervisor", clock.now(), "Sari")
        off_duty = await officers.add_officer(session, 503, "officer", clock.now(), "Tono")
        off_duty.on_duty = False
    case = await open_one(db, clock, settings, worker_id, severity="emergency", category="abuse")
    assert case.first_response_due_at == clock.now() + timedelta(minutes=settings.sla.emergency_claim_minutes)
    queued = await alerts(db, case.id)
    assert {(a.kind, a.chat_id) for a in queued} == {("card", None), ("new_case_dm", 501), ("new_case_dm", 502)}


async def test_claim_checks_role_and_state(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        with pytest.raises(CaseError) as refused:
            await service.claim_case(session, case.id, 777, None, clock.now())
    assert refused.value.code == "not_allowed"
    async with db.transaction() as session:
        assert (await session.get(Case, case.id)).status == "new"
    clock.advance(minutes=3)
    async with db.transaction() as session:
        claimed = await service.claim_case(session, case.id, 501, "officer", clock.now(), settings)
    assert claimed.status == "claimed" and claimed.assignee_id == 501 and claimed.next_escalation_at is None
    assert claimed.first_response_at == clock.now()
    assert claimed.follow_up_due_at == clock.now() + timedelta(hours=settings.sla.follow_up_hours)
    for officer_id, code in ((502, "already_claimed"), (501, "already_yours")):
        async with db.transaction() as session:
            with pytest.raises(CaseError) as again:
                await service.claim_case(session, case.id, officer_id, "officer", clock.now())
        assert again.value.code == code
    async with db.transaction() as session:
        with pytest.raises(CaseError) as missing:
            await service.claim_case(session, 99999, 501, "officer", clock.now())
    assert missing.value.code == "not_found"
    assert await events(db, case.id) == ["created", "claimed"]
    assert [a.kind for a in await alerts(db, case.id)] == ["card", "claimed"]


async def test_full_lifecycle_resolve_reopen_close(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        await service.claim_case(session, case.id, 501, "officer", clock.now(), settings)
        with pytest.raises(CaseError):
            await service.resolve_case(session, case.id, 501, "officer", "teleported", clock.now())
        resolved = await service.resolve_case(session, case.id, 501, "officer", "solved", clock.now())
    assert resolved.status == "resolved" and resolved.outcome == "solved"
    async with db.transaction() as session:
        reopened = await service.reopen_case(session, case.id, clock.now(), by_worker=True, settings=settings)
    assert reopened.status == "claimed" and reopened.outcome is None
    async with db.transaction() as session:
        await service.resolve_case(session, case.id, 501, "officer", "referred", clock.now())
        closed = await service.close_case(session, case.id, clock.now())
    assert closed.status == "closed" and closed.closed_at == clock.now()
    async with db.transaction() as session:
        with pytest.raises(CaseError):
            await service.close_case(session, case.id, clock.now())
    assert await events(db, case.id) == ["created", "claimed", "resolved", "reopened", "resolved", "closed"]
    kinds = [(a.kind, a.audience) for a in await alerts(db, case.id)]
    assert kinds == [("card", "group"), ("claimed", "worker"), ("ask_solved", "worker"),
                     ("worker_reopened", "group"), ("reopened_dm", "officer"), ("ask_solved", "worker"),
                     ("worker_confirmed", "group")]


async def test_reopen_without_assignee_goes_back_to_the_queue_with_a_new_deadline(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        await service.withdraw_case(session, case.id, worker_id, clock.now())
    clock.advance(hours=1)
    async with db.transaction() as session:
        case = await service.reopen_case(session, case.id, clock.now(), officer_id=501, role="officer",
                                         settings=settings)
    assert case.status == "new" and case.escalation_level == 0
    assert case.next_escalation_at == clock.now() + timedelta(minutes=settings.sla.normal_first_response_minutes)


async def test_relays_are_recorded_once_and_move_the_status(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        case = await session.get(Case, case.id)
        out = await service.record_officer_message(session, case, 501, "officer",
                                                   IncomingMessage(-100500, 40, "text", "Halo, saya Budi"),
                                                   clock.now(), settings)
        assert out is not None and out.dest_chat_id == 1001
        assert case.status == "waiting_worker" and case.assignee_id == 501  # a reply claims a new case
        again = await service.record_officer_message(session, case, 501, "officer",
                                                     IncomingMessage(-100500, 40, "text", "Halo, saya Budi"),
                                                     clock.now(), settings)
        assert again is None
    async with db.transaction() as session:
        case = await session.get(Case, case.id)
        first = await service.record_worker_message(session, case, IncomingMessage(1001, 7, "text", "iya pak"),
                                                    clock.now(), settings)
        duplicate = await service.record_worker_message(session, case, IncomingMessage(1001, 7, "text", "iya pak"),
                                                        clock.now(), settings)
        assert first is not None and duplicate is None and case.status == "claimed"
    async with db.transaction() as session:
        relays = list(await session.scalars(select(RelayMessage).order_by(RelayMessage.id)))
        found = await service.case_of_worker_message(session, await session.get(Worker, worker_id), 7)
    assert [(r.direction, r.source_message_id, r.status) for r in relays] == [("out", 40, "pending"),
                                                                              ("in", 7, "pending")]
    assert found.id == case.id
    assert await events(db, case.id) == ["created", "claimed", "message_out", "message_in"]
    async with db.transaction() as session:
        case = await session.get(Case, case.id)
        await service.resolve_case(session, case.id, 501, "officer", "solved", clock.now())
        with pytest.raises(CaseError):
            await service.record_officer_message(session, case, 501, "officer",
                                                 IncomingMessage(-100500, 41, "text", "tambahan"), clock.now())


async def test_a_non_officer_cannot_write_to_a_worker(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        case = await session.get(Case, case.id)
        with pytest.raises(CaseError):
            await service.record_officer_message(session, case, 666, None, IncomingMessage(-100500, 9, "text", "hai"),
                                                 clock.now())
    async with db.transaction() as session:
        assert await session.scalar(select(RelayMessage.id)) is None


async def test_timeline_is_append_only(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            event = await session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id))
            event.kind = "tampered"
    assert await events(db, case.id) == ["created"]


async def test_alert_lease_hands_work_to_one_sender_until_it_expires(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        taken = await service.take_due_alerts(session, clock.now())
    assert [a.kind for a in taken] == ["card"]
    async with db.transaction() as session:
        assert await service.take_due_alerts(session, clock.now()) == []  # a second sender gets nothing
    clock.advance(seconds=service.LEASE.total_seconds() + 1)  # the first sender died mid-send
    async with db.transaction() as session:
        again = await service.take_due_alerts(session, clock.now())
        assert [a.id for a in again] == [taken[0].id] and again[0].attempts == 2
        service.mark_sent(again[0], clock.now(), -100500, 10)
    clock.advance(minutes=10)
    async with db.transaction() as session:
        assert await service.take_due_alerts(session, clock.now()) == []
    assert (await alerts(db, case.id))[0].sent_message_id == 10


async def test_retry_after_flood_limit_waits_and_does_not_count(db, clock, settings):
    worker_id = await make_worker(db, clock)
    await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        [alert] = await service.take_due_alerts(session, clock.now())
        service.mark_retry(alert, clock.now(), timedelta(seconds=30), "flood", count_attempt=False)
        assert alert.attempts == 0 and alert.status == "pending"
    async with db.transaction() as session:
        assert await service.take_due_alerts(session, clock.now()) == []
    clock.advance(seconds=31)
    async with db.transaction() as session:
        assert len(await service.take_due_alerts(session, clock.now())) == 1


async def test_retries_give_up_after_the_maximum(db, clock, settings):
    worker_id = await make_worker(db, clock)
    await open_one(db, clock, settings, worker_id)
    for _ in range(service.MAX_ATTEMPTS):
        async with db.transaction() as session:
            [alert] = await service.take_due_alerts(session, clock.now())
            service.mark_retry(alert, clock.now(), timedelta(seconds=1), "network")
        clock.advance(seconds=2)
    assert (await alerts(db))[0].status == "failed"


async def test_blocked_worker_is_marked_and_officers_told_once(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        await service.claim_case(session, case.id, 501, "officer", clock.now(), settings)
    for _ in range(2):
        async with db.transaction() as session:
            await service.mark_worker_blocked(session, worker_id, clock.now())
    async with db.transaction() as session:
        assert (await session.get(Worker, worker_id)).status == "blocked_bot"
    kinds = [a.kind for a in await alerts(db, case.id)]
    assert kinds.count("worker_blocked") == 1 and kinds.count("worker_blocked_dm") == 1
    assert (await events(db, case.id)).count("worker_blocked_bot") == 1


async def test_an_emergency_in_an_open_case_raises_it_and_alerts(db, clock, settings):
    worker_id = await make_worker(db, clock)
    async with db.transaction() as session:
        await officers.add_officer(session, 501, "officer", clock.now())
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        case = await session.get(Case, case.id)
        assert await service.raise_to_emergency(session, case, clock.now(), settings) is True
        assert await service.raise_to_emergency(session, case, clock.now(), settings) is False
        assert case.severity == "emergency"
        assert case.next_escalation_at == clock.now() + timedelta(minutes=settings.sla.emergency_claim_minutes)
    kinds = {(a.kind, a.chat_id) for a in await alerts(db, case.id)}
    assert ("now_emergency", None) in kinds and ("new_case_dm", 501) in kinds


async def test_handoff_prefers_the_most_severe_open_case(db, clock, settings):
    worker_id = await make_worker(db, clock)
    normal = await open_one(db, clock, settings, worker_id)
    clock.advance(minutes=1)
    emergency = await open_one(db, clock, settings, worker_id, severity="emergency")
    clock.advance(minutes=1)
    async with db.transaction() as session:
        await service.record_worker_message(session, await session.get(Case, normal.id),
                                            IncomingMessage(1001, 3, "text", "x"), clock.now())
    async with db.transaction() as session:
        assert (await service.handoff_case(session, worker_id)).id == emergency.id
        await service.withdraw_case(session, emergency.id, worker_id, clock.now())
    async with db.transaction() as session:
        assert (await service.handoff_case(session, worker_id)).id == normal.id


async def test_escalation_by_an_officer_reaches_supervisors_or_bootstrap_admins(db, clock, settings):
    worker_id = await make_worker(db, clock)
    case = await open_one(db, clock, settings, worker_id)
    async with db.transaction() as session:
        await service.escalate_case(session, case.id, 501, "officer", clock.now(), settings.admin_ids)
    assert {(a.kind, a.chat_id) for a in await alerts(db, case.id)} >= {("escalation_dm", 900),
                                                                          ("escalated_by_officer", None)}
    async with db.transaction() as session:
        await officers.add_officer(session, 502, "supervisor", clock.now())
        escalated = await service.escalate_case(session, case.id, 501, "officer", clock.now(), settings.admin_ids)
    assert escalated.severity == "high"
    assert ("escalation_dm", 502) in {(a.kind, a.chat_id) for a in await alerts(db, case.id)}


async def test_officer_management(db, clock, settings):
    async with db.transaction() as session:
        await officers.add_officer(session, 501, "officer", clock.now(), "Budi")
        await officers.add_officer(session, 501, "supervisor", clock.now())
        with pytest.raises(CaseError):
            await officers.add_officer(session, 502, "boss", clock.now())
        with pytest.raises(CaseError):
            await officers.remove_officer(session, 900, settings.admin_ids)
        rows = await officers.list_officers(session)
        assert [(o.telegram_user_id, o.role, o.name) for o in rows] == [(501, "supervisor", "Budi")]
        assert await workers.role_of(session, 501, settings.admin_ids) == "supervisor"
        assert await officers.remove_officer(session, 501, settings.admin_ids) is True
        assert await workers.role_of(session, 501, settings.admin_ids) is None
        assert await workers.role_of(session, 900, settings.admin_ids) == "admin"


@pytest.mark.parametrize("text,expected", [
    ("status PMI-2026-000123 gmn?", "PMI-2026-000123"), ("pmi 2026 42", "PMI-2026-000042"),
    ("PMI-2026-7", "PMI-2026-000007"), ("gaji 2026 belum", None), ("PMI-26-1", None),
])
def test_parse_reference(text, expected):
    assert service.parse_reference(text) == expected
