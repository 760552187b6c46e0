"""Deleting a worker's data without Telegram: profile, check-ins, drafts and every message text go; cases stay
only in anonymised form; open cases close with a notice for the officers (SQLite and PostgreSQL)."""
import pytest
from sqlalchemy import select

from bot.cases import service
from bot.cases.models import Alert, Case, CaseEvent, CaseIntake
from bot.checkins.models import Checkin, CheckinSchedule
from bot.privacy import deletion
from bot.workers import service as workers
from bot.workers.models import Worker
from tests.privacy.helpers import GROUP, OFFICER, OTHER, SECRETS, USER, dump, relays_of, seed


async def test_stored_data_says_what_would_be_deleted(db, clock, settings):
    seeded = await seed(db, clock, settings)
    async with db.transaction() as session:
        data = await deletion.stored_data(session, seeded.worker_id)
    assert (data.profile, data.checkins_on, data.reports, data.open_reports) == (True, True, 2, 1)
    assert data.anything


async def test_deletion_removes_profile_texts_and_ids_and_keeps_anonymised_cases(db, clock, settings):
    seeded = await seed(db, clock, settings)
    before = await dump(db)
    assert all(secret in before for secret in SECRETS)  # the seed really holds all of it
    async with db.transaction() as session:
        closed_before = (await session.get(Case, seeded.closed_case)).closed_at
    clock.advance(minutes=5)
    async with db.transaction() as session:
        report = await deletion.delete_worker_data(session, seeded.worker_id, clock.now())

    assert report.deleted
    assert report.cases == [seeded.closed_case, seeded.open_case]
    assert report.closed == [seeded.open_ref] and report.notified == [seeded.open_case]
    assert sorted(report.copies) == sorted([(GROUP, 900), (USER, 11), (USER, 13)])  # the Telegram copies to delete
    assert report.checkins_removed == 1

    after = await dump(db)
    leaked = [secret for secret in SECRETS if secret in after]
    assert leaked == [], after

    async with db.transaction() as session:
        worker = await session.get(Worker, seeded.worker_id)
        assert worker.status == "deleted"
        assert (worker.telegram_user_id, worker.chat_id) == (-seeded.worker_id, 0)
        assert (worker.country, worker.country_other, worker.city, worker.sector) == (None, None, None, None)
        assert (worker.consent, worker.consent_version, worker.consent_at) == (None, None, None)
        assert (worker.checkin_frequency, worker.checkin_time, worker.awaiting, worker.onboarded) == (
            "off", None, None, False)
        assert await deletion.find_worker(session, USER) is None
        assert await session.get(CheckinSchedule, seeded.worker_id) is None
        assert list(await session.scalars(select(Checkin).where(Checkin.worker_id == seeded.worker_id))) == []
        assert await session.get(CaseIntake, seeded.worker_id) is None

        case = await session.get(Case, seeded.open_case)
        # kept for statistics
        assert (case.worker_id, case.category, case.severity, case.source) == (
            seeded.worker_id, "abuse", "high", "worker")
        assert (case.share_consent, case.contact_ok, case.assignee_id) == (True, True, OFFICER)
        assert case.reference == seeded.open_ref and case.created_at is not None
        # closed, anonymised
        assert (case.status, case.outcome, case.closed_at) == ("closed", "withdrawn", clock.now())
        assert case.summary == ""
        assert case.details == {"since": "week", "safe_now": False, "evidence": 1, "storage_consent": "profile"}
        assert case.next_escalation_at is None and case.follow_up_due_at is None

        old = await session.get(Case, seeded.closed_case)
        assert (old.status, old.outcome, old.closed_at) == ("closed", "solved", closed_before)
        assert old.summary == "" and old.details == {"since": "month"}

        timeline = list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id == seeded.open_case)
                                              .order_by(CaseEvent.id)))
        assert [e.kind for e in timeline] == ["created", "message_in", "claimed", "message_out", "message_edited",
                                             "message_in", "note", "closed", "anonymised"]
        for event in timeline:
            assert "text" not in event.data and "note" not in event.data
        assert timeline[1].data == {"message_kind": "text", "text_removed": True}
        assert timeline[5].data == {"message_kind": "photo", "text_removed": True}
        assert timeline[0].data == {"category": "abuse", "severity": "high", "source": "worker"}
        assert timeline[-2].data == {"outcome": "withdrawn", "reason_code": "worker_deleted_data"}

        alerts = list(await session.scalars(select(Alert).where(Alert.case_id == seeded.open_case)
                                            .order_by(Alert.id)))
        assert all(a.audience != "worker" for a in alerts)  # notices to the worker are gone
        notice = [a for a in alerts if a.kind == "worker_deleted_data"]
        assert [(a.audience, a.status) for a in notice] == [("group", "pending")]
        # nothing else still goes out about this case (the unsent card, the worker's "claimed" notice)
        assert all(a.status != "pending" for a in alerts if a.kind != "worker_deleted_data")
        assert not list(await session.scalars(select(Alert).where(Alert.case_id == seeded.closed_case,
                                                                  Alert.kind == "worker_deleted_data")))
    assert await relays_of(db, seeded.open_case) == [] and await relays_of(db, seeded.closed_case) == []

    # the other worker is untouched
    assert "tolong bantu Ani" in after and "gaji Ani belum dibayar" in after
    async with db.transaction() as session:
        ani = await session.get(Worker, seeded.other_worker)
        assert (ani.telegram_user_id, ani.city, ani.status) == (OTHER, "Taipei", "active")
        assert (await session.get(Case, seeded.other_case)).status == "new"
        assert await session.get(CheckinSchedule, seeded.other_worker) is not None
    assert len(await relays_of(db, seeded.other_case)) == 1


async def test_deleting_twice_does_nothing_more(db, clock, settings):
    seeded = await seed(db, clock, settings)
    async with db.transaction() as session:
        assert (await deletion.delete_worker_data(session, seeded.worker_id, clock.now())).deleted
    first = await dump(db)
    async with db.transaction() as session:
        again = await deletion.delete_worker_data(session, seeded.worker_id, clock.now())
    assert not again.deleted and again.cases == []
    assert await dump(db) == first


async def test_writing_again_after_deletion_is_a_new_worker(db, clock, settings):
    seeded = await seed(db, clock, settings)
    async with db.transaction() as session:
        await deletion.delete_worker_data(session, seeded.worker_id, clock.now())
    async with db.transaction() as session:
        worker, is_new = await workers.get_or_create(session, USER, USER, clock.now())
        assert is_new and worker.id != seeded.worker_id
        assert (worker.consent, worker.onboarded, worker.country) == (None, False, None)
        assert await service.cases_of_worker(session, worker.id) == []
        assert (await deletion.stored_data(session, worker.id)).reports == 0


async def test_an_anonymised_case_cannot_be_reopened(db, clock, settings):
    seeded = await seed(db, clock, settings)
    async with db.transaction() as session:
        await deletion.delete_worker_data(session, seeded.worker_id, clock.now())
    with pytest.raises(service.CaseError) as err:
        async with db.transaction() as session:
            await service.reopen_case(session, seeded.open_case, clock.now(), officer_id=OFFICER, role="officer")
    assert err.value.code == "wrong_state"
    async with db.transaction() as session:
        assert (await session.get(Case, seeded.open_case)).status == "closed"


async def test_the_timeline_stays_append_only_for_the_application(db, clock, settings):
    """The deletion rewrites events with deliberate Core statements; the ORM guard is still in place."""
    seeded = await seed(db, clock, settings)
    with pytest.raises(RuntimeError, match="append-only"):
        async with db.transaction() as session:
            event = await session.scalar(select(CaseEvent).where(CaseEvent.case_id == seeded.open_case))
            event.data = {}


def test_anonymised_event_data_keeps_only_facts():
    assert deletion.anonymised_event_data({"message_kind": "text", "text": "halo"}) == {
        "message_kind": "text", "text_removed": True}
    assert deletion.anonymised_event_data({"by": "officer", "reason": "majikan kasar sekali"}) == {
        "by": "officer", "text_removed": True}
    assert deletion.anonymised_event_data({"outcome": "solved"}) == {"outcome": "solved"}
    assert deletion.anonymised_event_data({"trigger": "x" * 200}) == {"text_removed": True}
    assert deletion.anonymised_details({"since": "week", "employer": "PT X", "name": "Siti", "evidence": 2}) == {
        "since": "week", "evidence": 2}
