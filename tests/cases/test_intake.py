"""The intake state machine: every step, edits, stopping early, consent, evidence, danger."""
import pytest
from sqlalchemy import select

from bot.cases import intake as intakes
from bot.cases.models import Case, CaseIntake, RelayMessage
from bot.workers.models import Worker
from tests.cases.test_service import make_worker


async def begin(db, clock, worker_id, category="wages", text="gaji saya belum dibayar 3 bulan"):
    async with db.transaction() as session:
        worker = await session.get(Worker, worker_id)
        draft, is_new = await intakes.start(session, worker, category, clock.now(), text)
        return draft.step, draft.answers, is_new


async def act(db, worker_id, fn, *args):
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id, lock=True)
        fn(draft, *args)
        return draft.step


async def test_every_step_then_submit(db, clock, settings):
    worker_id = await make_worker(db, clock)
    step, answers, is_new = await begin(db, clock, worker_id)
    assert (step, answers["source_text"], is_new) == ("category", "gaji saya belum dibayar 3 bulan", True)
    assert (await begin(db, clock, worker_id, "abuse"))[2] is False  # continues the one in progress
    now = clock.now()
    assert await act(db, worker_id, intakes.confirm_category, now) == "what"
    assert await act(db, worker_id, intakes.answer_text, "majikan bilang nanti saja", now) == "since"
    assert await act(db, worker_id, intakes.answer_choice, "since", "longer", now) == "where"
    assert await act(db, worker_id, intakes.answer_choice, "where", "ok", now) == "employer"
    assert await act(db, worker_id, intakes.answer_text, "Agensi Maju <Jaya>", now) == "safe"
    assert await act(db, worker_id, intakes.answer_text, "iya", now) == "contact"  # typed yes
    assert await act(db, worker_id, intakes.answer_choice, "contact", "yes", now) == "share"
    assert await act(db, worker_id, intakes.answer_choice, "share", "no", now) == "confirm"
    async with db.transaction() as session:
        worker = await session.get(Worker, worker_id)
        draft = await intakes.get_intake(session, worker_id)
        intakes.add_evidence(draft, 55, "photo", now)
        done = await intakes.submit(session, draft, worker, now, settings, "Siti")
    case = done.case
    assert done.complete and done.evidence_count == 1
    assert (case.category, case.severity, case.source) == ("wages", "normal", "worker")
    assert case.share_consent is False and case.contact_ok is True
    assert "gaji saya belum dibayar" in case.summary and "majikan bilang nanti saja" in case.summary
    assert case.details["employer"] == "Agensi Maju <Jaya>" and case.details["country"] == "TW"
    assert case.details["safe_now"] is True and case.details["name"] == "Siti"
    async with db.transaction() as session:
        assert await session.get(CaseIntake, worker_id) is None
        relay = await session.scalar(select(RelayMessage))
        assert (relay.direction, relay.source_message_id, relay.kind) == ("in", 55, "photo")


async def test_not_safe_makes_it_an_emergency(db, clock, settings):
    worker_id = await make_worker(db, clock)
    await begin(db, clock, worker_id, "abuse", "majikan marah terus")
    now = clock.now()
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id)
        assert draft.severity == "high"  # abuse starts high
        draft.step = "safe"
        intakes.answer_choice(draft, "safe", "no", now)
        assert draft.severity == "emergency"


async def test_edit_from_the_read_back_returns_to_the_read_back(db, clock):
    worker_id = await make_worker(db, clock)
    await begin(db, clock, worker_id)
    now = clock.now()
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id)
        draft.step = "confirm"
        intakes.edit(draft, "employer", now)
        assert draft.step == "employer"
        intakes.answer_text(draft, "PT Baru", now)
        assert draft.step == "confirm" and draft.answers["employer"] == "PT Baru"
        assert "_editing" not in draft.answers
        with pytest.raises(intakes.IntakeError):
            intakes.edit(draft, "password", now)


async def test_stale_button_for_another_step_is_refused(db, clock):
    worker_id = await make_worker(db, clock)
    await begin(db, clock, worker_id)
    with pytest.raises(intakes.IntakeError):
        await act(db, worker_id, intakes.answer_choice, "share", "yes", clock.now())
    with pytest.raises(intakes.IntakeError):
        await act(db, worker_id, intakes.answer_choice, "category", "wages", clock.now())
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id)
        assert draft.step == "category" and "share_consent" not in draft.answers


async def test_text_at_a_button_step_is_kept_not_lost(db, clock):
    worker_id = await make_worker(db, clock)
    await begin(db, clock, worker_id)
    assert await act(db, worker_id, intakes.answer_text, "paspor juga ditahan", clock.now()) == "category"
    async with db.transaction() as session:
        assert (await intakes.get_intake(session, worker_id)).answers["extra"] == ["paspor juga ditahan"]


async def test_without_storage_consent_nothing_is_kept_before_the_worker_agrees(db, clock, settings):
    worker_id = await make_worker(db, clock, consent=False)
    step, answers, _ = await begin(db, clock, worker_id, "wages", "gaji belum dibayar")
    assert step == "consent" and answers == {}  # the first message is not stored
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id)
        with pytest.raises(intakes.IntakeError):
            intakes.answer_text(draft, "cerita saya", clock.now())
        assert intakes.add_evidence(draft, 3, "photo", clock.now()) is False
        worker = await session.get(Worker, worker_id)
        with pytest.raises(intakes.IntakeError):
            await intakes.submit(session, draft, worker, clock.now(), settings)
    # declining discards it completely
    async with db.transaction() as session:
        assert await intakes.discard(session, worker_id) is True
    async with db.transaction() as session:
        assert await session.get(CaseIntake, worker_id) is None
        assert await session.scalar(select(Case.id)) is None
    # agreeing records a consent for this case only
    await begin(db, clock, worker_id)
    assert await act(db, worker_id, intakes.give_consent, True, clock.now()) == "category"
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id)
        done = await intakes.submit(session, draft, await session.get(Worker, worker_id), clock.now(), settings)
        assert done.case.details["storage_consent"] == "this_case" and not done.complete
        assert (await session.get(Worker, worker_id)).consent is False  # the profile choice is unchanged


async def test_stopping_early_opens_a_case_with_what_was_given(db, clock, settings):
    worker_id = await make_worker(db, clock)
    await begin(db, clock, worker_id, "documents", "paspor saya ditahan agen")
    async with db.transaction() as session:
        draft = await intakes.get_intake(session, worker_id)
        done = await intakes.submit(session, draft, await session.get(Worker, worker_id), clock.now(), settings)
    assert not done.complete and done.case.category == "documents"
    assert done.case.summary == "paspor saya ditahan agen" and done.case.details["stopped_at"] == "category"


@pytest.mark.parametrize("text,expected", [("ya", True), ("Iya!", True), ("gk", False), ("tidak aman", False),
                                           ("mungkin", None), ("", None)])
def test_parse_yes_no(text, expected):
    assert intakes.parse_yes_no(text) == expected
