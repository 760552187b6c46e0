"""Check-in operations on the database. Knows nothing of Telegram: the sweep and the handlers call these.

Claiming: due schedules are taken with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of
sweepers share the work without waiting on each other. On SQLite (one writer at a time) the same statements run
without the locking clause; there the unique key (worker, slot), `INSERT ... ON CONFLICT DO NOTHING` and
compare-and-set updates make a second sweeper's claim a no-op instead of a double send.
Every claim of a due check-in is a lease (claimed_by, claim_expires_at): a sweeper that died mid-round loses
its unsent claims to the next sweeper after the lease; rows it had already marked sent are never sent again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import (
    BigInteger, DateTime, Integer, and_, any_, bindparam, cast, func, or_, select, text, update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import schedule as sched
from bot.checkins.models import (
    ANSWER_HELP, ANSWER_OK, ANSWERED, AWAITING_ANSWER, CANCELLED, DUE, FAILED, MISSED, REMINDED, SENT,
    UNREACHABLE, Checkin, CheckinSchedule,
)
from bot.config import FREQUENCIES, Settings
from bot.storage import Database
from bot.workers.models import Worker

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a claimed, unsent check-in returns to the pool after this
LATE_ANSWER_WINDOW = timedelta(days=2)  # an answer to an escalated check-in still counts within this
# "Butuh bantuan" starts a report; if no case came of it after this long, officers get a welfare case anyway.
HELP_FOLLOW_UP = timedelta(minutes=30)
# Cases a worker opens themselves (a report, an emergency): one opened after a check-in was sent answers it.
WORKER_CASE_SOURCES = ("worker", "emergency")
MAX_PAUSE_DAYS = 365


@dataclass(frozen=True)
class Policy:
    """The check-in settings the service needs, in the types it uses."""

    quiet: sched.Window
    default_time: time
    jitter_minutes: int
    reply_window: timedelta
    escalation: timedelta
    escalate_after_missed: int = 1
    unreachable_is_welfare_signal: bool = True
    batch_size: int = 500
    officer_timezone: str = "Asia/Jakarta"

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        c = settings.checkin
        return cls(quiet=sched.Window(c.quiet_hours_start, c.quiet_hours_end), default_time=c.default_time,
                   jitter_minutes=c.jitter_minutes, reply_window=timedelta(minutes=c.reply_window_minutes),
                   escalation=timedelta(minutes=c.escalation_minutes),
                   escalate_after_missed=c.escalate_after_missed,
                   unreachable_is_welfare_signal=c.unreachable_is_welfare_signal, batch_size=c.batch_size,
                   officer_timezone=c.officer_timezone)

    def plan(self, worker_id: int, frequency: str, local_time: str | None, timezone: str) -> sched.Plan:
        return sched.Plan(worker_id=worker_id, frequency=frequency,
                          local_time=sched.parse_hhmm(local_time, self.default_time),
                          zone=sched.zone(timezone), quiet=self.quiet, jitter_minutes=self.jitter_minutes)


@dataclass(frozen=True)
class Outbound:
    """A check-in or reminder to send: who, in which language, for which row."""

    checkin_id: int
    worker_id: int
    chat_id: int
    language: str
    kind: str  # checkin | reminder


# --- who wants check-ins, and when ----------------------------------------------------------------------------

def wants_checkins(worker: Worker) -> bool:
    return (worker.status == "active" and worker.consent is True
            and worker.checkin_frequency in sched.PERIOD_DAYS)


def _snapshot_differs(schedule: CheckinSchedule, worker: Worker) -> bool:
    return (schedule.frequency != worker.checkin_frequency or schedule.local_time != worker.checkin_time
            or schedule.country != worker.country or schedule.city != worker.city)


async def _cancel_open(session: AsyncSession, worker_id: int, now: datetime,
                       statuses: Sequence[str] = (DUE, SENT, REMINDED)) -> int:
    """Cancel the worker's open check-ins. Runs before the pending schedule change is written, so every
    transaction here touches check-in rows before schedule rows, as the sweeps do (no lock-order deadlock)."""
    with session.no_autoflush:
        result = await session.execute(
            update(Checkin).where(Checkin.worker_id == worker_id, Checkin.status.in_(statuses))
            .values(status=CANCELLED, next_action_at=None, claim_expires_at=None)
            .execution_options(synchronize_session=False))
    return result.rowcount or 0


async def sync_worker(session: AsyncSession, worker: Worker, policy: Policy, kb, now: datetime,
                      recompute: bool = False) -> CheckinSchedule | None:
    """Bring the worker's schedule in line with their settings; return it (None if they never had one)."""
    schedule = await session.get(CheckinSchedule, worker.id)
    wants = wants_checkins(worker)
    if schedule is None:
        if not wants:
            return None
        schedule = CheckinSchedule(worker_id=worker.id, frequency=worker.checkin_frequency, consecutive_misses=0,
                                   timezone=sched.timezone_for(worker.country, worker.city, kb), updated_at=now)
        session.add(schedule)
        recompute = True
    if _snapshot_differs(schedule, worker):
        schedule.frequency = worker.checkin_frequency
        schedule.local_time = worker.checkin_time
        schedule.country = worker.country
        schedule.city = worker.city
        schedule.timezone = sched.timezone_for(worker.country, worker.city, kb)
        recompute = True
    if not wants:
        if schedule.next_due_at is not None:
            schedule.next_due_at = None
            schedule.updated_at = now
        if worker.status != "blocked_bot":
            # Their own choice (off, consent withdrawn, data deleted): nothing more is asked or escalated.
            # A blocked worker's open check-ins stay: the reminder meets the block and raises the signal.
            await _cancel_open(session, worker.id, now)
        return schedule
    if schedule.ended_at is not None:
        schedule.ended_at = None  # they turned check-ins on again after going home
        recompute = True
    if recompute or schedule.next_due_at is None:
        after = max(now, schedule.paused_until) if schedule.paused_until else now
        schedule.next_due_at = sched.next_slot(
            policy.plan(worker.id, schedule.frequency, schedule.local_time, schedule.timezone), after)
        schedule.updated_at = now
    return schedule


async def sync_workers(db: Database, worker_ids: Iterable[int], policy: Policy, kb, now: datetime,
                       batch: int = 500) -> int:
    ids = list(worker_ids)
    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        async with db.transaction() as session:
            workers = (await session.scalars(select(Worker).where(Worker.id.in_(chunk)))).all()
            await session.scalars(select(CheckinSchedule).where(CheckinSchedule.worker_id.in_(chunk)))
            for worker in workers:
                await sync_worker(session, worker, policy, kb, now)
        done += len(chunk)
    return done


def _wants_sql():
    return and_(Worker.status == "active", Worker.consent.is_(True), Worker.checkin_frequency != "off")


def _mismatch_sql():
    s = CheckinSchedule
    return or_(
        and_(_wants_sql(), or_(s.worker_id.is_(None), s.next_due_at.is_(None),
                               s.frequency != Worker.checkin_frequency,
                               s.local_time.is_distinct_from(Worker.checkin_time),
                               s.country.is_distinct_from(Worker.country),
                               s.city.is_distinct_from(Worker.city))),
        and_(~_wants_sql(), s.next_due_at.is_not(None)),
    )


async def sync_recent(db: Database, policy: Policy, kb, now: datetime, since: datetime) -> int:
    """Re-read the settings of workers seen since `since` (their settings may have changed in /profil)."""
    async with db.transaction() as session:
        ids = (await session.scalars(
            select(Worker.id).outerjoin(CheckinSchedule, CheckinSchedule.worker_id == Worker.id)
            .where(Worker.last_seen_at >= since, _mismatch_sql()))).all()
    return await sync_workers(db, ids, policy, kb, now) if ids else 0


async def reconcile(db: Database, policy: Policy, kb, now: datetime, batch: int = 2000) -> int:
    """Compare every worker with their schedule and fix the ones that differ (at start, then hourly)."""
    fixed = 0
    last_id = 0
    while True:
        async with db.transaction() as session:
            ids = (await session.scalars(
                select(Worker.id).outerjoin(CheckinSchedule, CheckinSchedule.worker_id == Worker.id)
                .where(Worker.id > last_id, _mismatch_sql()).order_by(Worker.id).limit(batch))).all()
        if not ids:
            return fixed
        fixed += await sync_workers(db, ids, policy, kb, now)
        last_id = ids[-1]


# --- claiming due check-ins -----------------------------------------------------------------------------------

async def claim_due(db: Database, policy: Policy, now: datetime, owner: str, limit: int,
                    kb=None) -> list[Outbound]:
    """Claim up to `limit` check-ins to send now: new slots from the schedules, then expired leases."""
    claimed = await _materialize(db, policy, now, owner, limit, kb)
    if len(claimed) < limit:
        claimed += await _reclaim(db, now, owner, limit - len(claimed))
    return claimed


async def _materialize(db: Database, policy: Policy, now: datetime, owner: str, limit: int,
                       kb=None) -> list[Outbound]:
    """Turn due schedule slots into claimed check-in rows and move each schedule to its next slot.

    A slot missed while the bot was down is asked once, late; the next slot is the first after now, so a long
    outage never produces a burst of old check-ins. A late slot that now falls in quiet hours waits for morning.
    """
    s, w = CheckinSchedule, Worker
    query = (select(s.worker_id, s.next_due_at, s.frequency, s.local_time, s.country, s.city, s.timezone,
                    s.paused_until, w.chat_id, w.language, w.status, w.consent, w.checkin_frequency,
                    w.checkin_time, w.country.label("w_country"), w.city.label("w_city"))
             .join(w, w.id == s.worker_id)
             .where(s.next_due_at <= now)
             .order_by(s.next_due_at)
             .limit(limit))
    if db.is_postgres:
        query = query.with_for_update(of=s, skip_locked=True)
    resync: list[int] = []
    by_worker: dict[int, Any] = {}
    async with db.engine.begin() as connection:  # Core only: this is the hot path of a large round
        rows = (await connection.execute(query)).all()
        if not rows:
            return []
        claims: list[tuple[int, datetime]] = []
        moves: list[tuple[int, datetime, datetime]] = []  # (worker, old next_due_at, new next_due_at)
        quiet_now: dict[str, bool] = {}  # per time zone: is it night there now?
        for row in rows:
            eligible = (row.status == "active" and row.consent is True
                        and row.checkin_frequency in sched.PERIOD_DAYS)
            unchanged = (row.frequency == row.checkin_frequency and row.local_time == row.checkin_time
                         and row.country == row.w_country and row.city == row.w_city)
            if not eligible or not unchanged:
                resync.append(row.worker_id)  # settings changed since the slot was computed: recompute
                continue
            plan = policy.plan(row.worker_id, row.frequency, row.local_time, row.timezone)
            if row.paused_until and row.paused_until > now:
                moves.append((row.worker_id, row.next_due_at, sched.next_slot(plan, row.paused_until)))
                continue
            due = row.next_due_at
            if row.timezone not in quiet_now:
                quiet_now[row.timezone] = policy.quiet.contains(now.astimezone(plan.zone).time())
            if quiet_now[row.timezone]:  # caught up late, at night: the same check-in, in the morning
                moves.append((row.worker_id, due, sched.out_of_quiet(now, plan.zone, policy.quiet, row.worker_id,
                                                                     policy.jitter_minutes)))
                continue
            claims.append((row.worker_id, due))
            moves.append((row.worker_id, due, sched.next_slot(plan, max(now, due))))
            by_worker[row.worker_id] = row
        inserted = await _insert_claims(connection, db, claims, owner, now) if claims else []
        if moves:
            await _move_schedules(connection, db, moves, now)
    if resync:
        await sync_workers(db, resync, policy, kb, now)
    return [Outbound(checkin_id, worker_id, by_worker[worker_id].chat_id, by_worker[worker_id].language,
                     "checkin") for checkin_id, worker_id in inserted]


# Bulk statements. PostgreSQL gets one statement per batch over unnest()ed arrays; SQLite (in-process, one
# writer) runs the same change as an executemany.
_PG_INSERT_CLAIMS = text(
    "INSERT INTO checkin (worker_id, due_at, status, next_action_at, claimed_by, claim_expires_at, created_at,"
    " attempts) SELECT t.w, t.d, :status, t.d, :owner, :expires, :now, 0"
    " FROM unnest(CAST(:workers AS integer[]), CAST(:dues AS timestamptz[])) AS t(w, d)"
    " ON CONFLICT (worker_id, due_at) DO NOTHING RETURNING id, worker_id"
).bindparams(bindparam("expires", type_=DateTime(timezone=True)), bindparam("now", type_=DateTime(timezone=True)),
             bindparam("workers", type_=ARRAY(Integer)), bindparam("dues", type_=ARRAY(DateTime(timezone=True))))
_PG_MOVE_SCHEDULES = text(
    "UPDATE checkin_schedule AS s SET next_due_at = t.n, updated_at = :now"
    " FROM unnest(CAST(:workers AS integer[]), CAST(:olds AS timestamptz[]), CAST(:news AS timestamptz[]))"
    " AS t(w, o, n) WHERE s.worker_id = t.w AND s.next_due_at = t.o"
).bindparams(bindparam("now", type_=DateTime(timezone=True)), bindparam("workers", type_=ARRAY(Integer)),
             bindparam("olds", type_=ARRAY(DateTime(timezone=True))),
             bindparam("news", type_=ARRAY(DateTime(timezone=True))))
_PG_MESSAGE_IDS = text(
    "UPDATE checkin AS c SET message_id = t.m"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:messages AS bigint[])) AS t(i, m) WHERE c.id = t.i"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)), bindparam("messages", type_=ARRAY(BigInteger)))


def _status_is(column, status: str):
    """`status = X` for updates that pick rows by id: written so the planner uses the primary key, never the
    (status, next_action_at) queue index, whose entries for old row versions pile up between vacuums."""
    return func.coalesce(column, "") == status


def _ids_in(db: Database, column, ids: Sequence[int]):
    """`column IN ids`; on PostgreSQL as `= ANY(array)`, one parameter and one prepared statement for any count."""
    if db.is_postgres:
        return column == any_(cast(bindparam("ids", list(ids), type_=ARRAY(BigInteger)), ARRAY(BigInteger)))
    return column.in_(list(ids))


async def _insert_claims(session, db: Database, claims: Sequence[tuple[int, datetime]], owner: str,
                         now: datetime) -> list[tuple[int, int]]:
    """Insert claimed check-ins; a (worker, slot) that exists already is skipped. Returns (id, worker) inserted."""
    if db.is_postgres:
        result = await session.execute(_PG_INSERT_CLAIMS, {
            "status": DUE, "owner": owner, "expires": now + LEASE, "now": now,
            "workers": [w for w, _ in claims], "dues": [d for _, d in claims]})
        return [(r.id, r.worker_id) for r in result.all()]
    table = Checkin.__table__
    statement = (sqlite_insert(table).on_conflict_do_nothing(index_elements=["worker_id", "due_at"])
                 .returning(table.c.id, table.c.worker_id))
    rows = [{"worker_id": w, "due_at": d, "status": DUE, "next_action_at": d, "claimed_by": owner,
             "claim_expires_at": now + LEASE, "created_at": now, "attempts": 0} for w, d in claims]
    return [(r.id, r.worker_id) for r in (await session.execute(statement, rows)).all()]


async def _move_schedules(session, db: Database, moves: Sequence[tuple[int, datetime, datetime]],
                          now: datetime) -> None:
    """Set each schedule's next slot, only where it still holds the slot we read (compare and set)."""
    if db.is_postgres:
        await session.execute(_PG_MOVE_SCHEDULES, {"now": now, "workers": [w for w, _, _ in moves],
                                                   "olds": [o for _, o, _ in moves], "news": [n for _, _, n in moves]})
        return
    table = CheckinSchedule.__table__
    await session.execute(
        update(table).where(table.c.worker_id == bindparam("b_worker"), table.c.next_due_at == bindparam("b_old"))
        .values(next_due_at=bindparam("b_new"), updated_at=now),
        [{"b_worker": w, "b_old": o, "b_new": n} for w, o, n in moves])


async def _reclaim(db: Database, now: datetime, owner: str, limit: int) -> list[Outbound]:
    """Take over due check-ins whose lease ran out (their sweeper stopped before sending them)."""
    c, w = Checkin, Worker
    free = or_(c.claim_expires_at.is_(None), c.claim_expires_at < now)
    query = (select(c.id, c.worker_id, w.chat_id, w.language, w.status, w.consent)
             .join(w, w.id == c.worker_id)
             .where(c.status == DUE, c.next_action_at <= now, free)
             .order_by(c.next_action_at).limit(limit))
    if db.is_postgres:
        query = query.with_for_update(of=c, skip_locked=True)
    async with db.transaction() as session:
        rows = (await session.execute(query)).all()
        if not rows:
            return []
        gone = [r.id for r in rows if not (r.status == "active" and r.consent is True)]
        if gone:
            await session.execute(update(c).where(c.id.in_(gone), _status_is(c.status, DUE))
                                  .values(status=CANCELLED, next_action_at=None)
                                  .execution_options(synchronize_session=False))
        wanted = {r.id: r for r in rows if r.id not in set(gone)}
        if not wanted:
            return []
        table = c.__table__
        taken = (await session.execute(
            update(table).where(table.c.id.in_(list(wanted)), _status_is(table.c.status, DUE),
                                or_(table.c.claim_expires_at.is_(None), table.c.claim_expires_at < now))
            .values(claimed_by=owner, claim_expires_at=now + LEASE).returning(table.c.id))).scalars().all()
    return [Outbound(i, wanted[i].worker_id, wanted[i].chat_id, wanted[i].language, "checkin") for i in taken]


async def mark_sent(db: Database, ids: Sequence[int], owner: str, now: datetime, policy: Policy) -> set[int]:
    """Mark claimed check-ins sent *before* sending them: from here on they are never sent again."""
    if not ids:
        return set()
    table = Checkin.__table__
    async with db.engine.begin() as connection:
        marked = (await connection.execute(
            update(table).where(_ids_in(db, table.c.id, ids), _status_is(table.c.status, DUE),
                                table.c.claimed_by == owner)
            .values(status=SENT, sent_at=now, next_action_at=now + policy.reply_window, claim_expires_at=None)
            .returning(table.c.id))).scalars().all()
    return set(marked)


@dataclass
class SendOutcome:
    """What the sweep learned from Telegram about one batch."""

    delivered: dict[int, int | None] = field(default_factory=dict)  # check-in id -> message id (None: unknown)
    blocked: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)  # not attempted or Telegram unreachable: send again later
    released: list[int] = field(default_factory=list)  # claimed but never prepared: back to the pool now


async def record_checkins_sent(db: Database, outcome: SendOutcome, owner: str, now: datetime, policy: Policy,
                               open_case=None) -> list[int]:
    """Store message ids; put back what was not sent; mark blocked workers unreachable. Returns case ids."""
    table = Checkin.__table__
    cases: list[int] = []
    async with db.transaction() as session:
        connection = await session.connection()  # Core statements straight on the connection (cheaper)
        confirmed = [(i, m) for i, m in outcome.delivered.items() if m is not None]
        if confirmed and db.is_postgres:
            await connection.execute(_PG_MESSAGE_IDS, {"ids": [i for i, _ in confirmed],
                                                    "messages": [m for _, m in confirmed]})
        elif confirmed:
            await connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                                  .values(message_id=bindparam("b_message")),
                                  [{"b_id": i, "b_message": m} for i, m in confirmed])
        if outcome.unsent:
            await connection.execute(
                update(table).where(table.c.id.in_(outcome.unsent), _status_is(table.c.status, SENT),
                                    table.c.claimed_by == owner, table.c.message_id.is_(None))
                .values(status=DUE, sent_at=None, next_action_at=now, claimed_by=None, claim_expires_at=None,
                        attempts=table.c.attempts + 1))
        if outcome.released:
            await connection.execute(
                update(table).where(table.c.id.in_(outcome.released), _status_is(table.c.status, DUE),
                                    table.c.claimed_by == owner)
                .values(claimed_by=None, claim_expires_at=None))
        if outcome.failed:
            await connection.execute(
                update(table).where(table.c.id.in_(outcome.failed), _status_is(table.c.status, SENT))
                .values(status=FAILED, next_action_at=None))
        for checkin_id in outcome.blocked:
            case_id = await mark_unreachable(session, checkin_id, now, policy, open_case)
            if case_id is not None:
                cases.append(case_id)
    return cases


async def mark_unreachable(session: AsyncSession, checkin_id: int, now: datetime, policy: Policy,
                           open_case=None) -> int | None:
    """Telegram refused because the worker blocked the bot: mark them unreachable; maybe a welfare case."""
    checkin = await session.get(Checkin, checkin_id)
    if checkin is None:
        return None
    worker = await session.get(Worker, checkin.worker_id)
    checkin.status = UNREACHABLE
    checkin.next_action_at = None
    if worker is None or worker.status == "deleted":
        return None
    worker.status = "blocked_bot"
    schedule = await session.get(CheckinSchedule, checkin.worker_id)
    if schedule is not None:
        schedule.next_due_at = None
        schedule.updated_at = now
    await session.flush()
    if not (policy.unreachable_is_welfare_signal and open_case is not None):
        return None
    if await _unreachable_signalled(session, worker):
        return None  # one welfare case per time the worker became unreachable
    case_id = await open_case(session, worker, checkin, schedule, "unreachable", now)
    checkin.case_id = case_id
    checkin.escalated_at = now
    return case_id


async def _unreachable_signalled(session: AsyncSession, worker: Worker) -> bool:
    """A welfare case for this worker being unreachable exists since they last wrote to the bot."""
    c = Checkin
    found = await session.scalar(
        select(c.id).where(c.worker_id == worker.id, c.status == UNREACHABLE, c.case_id.is_not(None),
                           c.escalated_at >= worker.last_seen_at).limit(1))
    return found is not None


async def worker_blocked(session: AsyncSession, worker: Worker, policy: Policy, now: datetime,
                         open_case=None) -> int | None:
    """Telegram told us the worker blocked the bot (my_chat_member). Returns the welfare case id, if any.

    Open check-ins become unreachable. With check-ins on and `unreachable_is_welfare_signal`, officers get a
    welfare case, attached to the newest open check-in.
    """
    if worker.status == "deleted":
        return None
    # Whether they had check-ins running, whatever the status says (another handler may have marked them
    # blocked already, e.g. after a failed relay).
    had_checkins = worker.consent is True and worker.checkin_frequency in sched.PERIOD_DAYS
    worker.status = "blocked_bot"
    schedule = await session.get(CheckinSchedule, worker.id)
    if schedule is not None:
        had_checkins = had_checkins and schedule.ended_at is None and not (
            schedule.paused_until and schedule.paused_until > now)
        schedule.next_due_at = None
        schedule.updated_at = now
    c = Checkin
    open_rows = (await session.scalars(select(c).where(c.worker_id == worker.id, c.status.in_((DUE, *AWAITING_ANSWER)))
                                       .order_by(c.due_at.desc()))).all()
    for row in open_rows:
        row.status = UNREACHABLE
        row.next_action_at = None
    await session.flush()
    if not (had_checkins and policy.unreachable_is_welfare_signal and open_case is not None):
        return None
    if await _unreachable_signalled(session, worker):
        return None
    newest = open_rows[0] if open_rows else None
    case_id = await open_case(session, worker, newest, schedule, "unreachable", now)
    if newest is not None:
        newest.case_id = case_id
        newest.escalated_at = now
    return case_id


# --- reminders and escalation ---------------------------------------------------------------------------------

async def claim_reminders(db: Database, policy: Policy, now: datetime, owner: str, limit: int) -> list[Outbound]:
    """Lease check-ins unanswered past the reply window, to remind (mark_reminded runs just before sending).

    A reminder that would land in the worker's quiet hours waits until they end.
    """
    c, w, s = Checkin, Worker, CheckinSchedule
    free = or_(c.claim_expires_at.is_(None), c.claim_expires_at < now)
    query = (select(c.id, c.worker_id, c.sent_at, w.chat_id, w.language, w.status, s.timezone)
             .join(w, w.id == c.worker_id).outerjoin(s, s.worker_id == c.worker_id)
             .where(c.status == SENT, c.next_action_at <= now, free)
             .order_by(c.next_action_at).limit(limit))
    if db.is_postgres:
        query = query.with_for_update(of=c, skip_locked=True)
    async with db.transaction() as session:
        rows = (await session.execute(query)).all()
        reported = await _answered_by_cases(session, [(r.id, r.worker_id, r.sent_at) for r in rows])
        remind, later, gone = [], [], []
        for row in rows:
            if row.id in reported:
                continue  # they reported a problem or raised an emergency since: that is their answer
            tz = sched.zone(row.timezone or sched.FALLBACK_TIMEZONE)
            send_at = sched.out_of_quiet(now, tz, policy.quiet, row.worker_id, policy.jitter_minutes)
            if row.status == "deleted":
                gone.append(row.id)
            elif row.status == "active" and send_at > now:
                later.append({"b_id": row.id, "b_at": send_at})
            else:
                remind.append(row)  # a blocked worker too: the attempt confirms it and raises the signal
        table = c.__table__
        if gone:
            await session.execute(update(table).where(table.c.id.in_(gone), _status_is(table.c.status, SENT))
                                  .values(status=CANCELLED, next_action_at=None))
        if later:
            await session.execute(update(table).where(table.c.id == bindparam("b_id"), _status_is(table.c.status, SENT))
                                  .values(next_action_at=bindparam("b_at")), later)
        if not remind:
            return []
        taken = set((await session.execute(
            update(table).where(table.c.id.in_([r.id for r in remind]), _status_is(table.c.status, SENT),
                                or_(table.c.claim_expires_at.is_(None), table.c.claim_expires_at < now))
            .values(claimed_by=owner, claim_expires_at=now + LEASE).returning(table.c.id))).scalars().all())
    return [Outbound(r.id, r.worker_id, r.chat_id, r.language, "reminder") for r in remind if r.id in taken]


async def mark_reminded(db: Database, ids: Sequence[int], owner: str, now: datetime, policy: Policy) -> set[int]:
    """Mark leased check-ins reminded *before* the reminder goes out: one reminder at most."""
    if not ids:
        return set()
    table = Checkin.__table__
    async with db.engine.begin() as connection:
        marked = (await connection.execute(
            update(table).where(_ids_in(db, table.c.id, ids), _status_is(table.c.status, SENT),
                                table.c.claimed_by == owner)
            .values(status=REMINDED, reminded_at=now, claim_expires_at=None,
                    next_action_at=now + policy.escalation - policy.reply_window)
            .returning(table.c.id))).scalars().all()
    return set(marked)


async def record_reminders_sent(db: Database, outcome: SendOutcome, owner: str, now: datetime, policy: Policy,
                                open_case=None) -> list[int]:
    """Put back reminders that did not go out; blocked workers become unreachable."""
    table = Checkin.__table__
    cases: list[int] = []
    async with db.transaction() as session:
        if outcome.unsent:
            await session.execute(
                update(table).where(table.c.id.in_(outcome.unsent), _status_is(table.c.status, REMINDED),
                                    table.c.claimed_by == owner)
                .values(status=SENT, reminded_at=None, next_action_at=now, claimed_by=None, claim_expires_at=None))
        if outcome.released:
            await session.execute(
                update(table).where(table.c.id.in_(outcome.released), _status_is(table.c.status, SENT),
                                    table.c.claimed_by == owner)
                .values(claimed_by=None, claim_expires_at=None))
        for checkin_id in outcome.blocked:
            case_id = await mark_unreachable(session, checkin_id, now, policy, open_case)
            if case_id is not None:
                cases.append(case_id)
    return cases


@dataclass(frozen=True)
class Escalation:
    checkin_id: int
    worker_id: int
    misses: int
    case_id: int | None


async def escalate_overdue(db: Database, policy: Policy, now: datetime, limit: int,
                           open_case=None) -> list[Escalation]:
    """Reminded check-ins still unanswered past the escalation window become missed; after
    `escalate_after_missed` misses in a row, officers get a welfare case (in the same transaction)."""
    c = Checkin
    query = select(c).where(c.status == REMINDED, c.next_action_at <= now).order_by(c.next_action_at).limit(limit)
    if db.is_postgres:
        query = query.with_for_update(skip_locked=True)
    out: list[Escalation] = []
    async with db.transaction() as session:
        checkins = (await session.scalars(query)).all()
        reported = await _answered_by_cases(session, [(k.id, k.worker_id, k.sent_at) for k in checkins])
        for checkin in checkins:
            if checkin.id in reported:
                continue
            worker = await session.get(Worker, checkin.worker_id)
            schedule = await session.get(CheckinSchedule, checkin.worker_id)
            checkin.status = MISSED
            checkin.next_action_at = None
            misses = 1
            if schedule is not None:
                schedule.consecutive_misses = (schedule.consecutive_misses or 0) + 1
                misses = schedule.consecutive_misses
            case_id = None
            if misses >= policy.escalate_after_missed and open_case is not None and worker is not None \
                    and worker.status != "deleted":
                case_id = await open_case(session, worker, checkin, schedule, "missed", now)
                checkin.case_id = case_id
                checkin.escalated_at = now
            out.append(Escalation(checkin.id, checkin.worker_id, misses, case_id))
    return out


async def _answered_by_cases(session: AsyncSession, items: Sequence[tuple[int, int, datetime | None]],
                             mark: bool = True) -> set[int]:
    """Of (check-in id, worker id, since), those whose worker opened a case (report, emergency) since then;
    with `mark` they are recorded as answered "help" at that case's time. Their officers already know."""
    if not items:
        return set()
    from bot.cases.models import Case

    workers_ids = sorted({w for _, w, _ in items})
    latest = dict((await session.execute(
        select(Case.worker_id, func.max(Case.created_at)).where(Case.worker_id.in_(workers_ids),
                                                                 Case.source.in_(WORKER_CASE_SOURCES))
        .group_by(Case.worker_id))).all())
    answered: set[int] = set()
    for checkin_id, worker_id, sent_at in items:
        opened = latest.get(worker_id)
        if opened is not None and opened.tzinfo is None:
            opened = opened.replace(tzinfo=timezone.utc)
        if opened is None or sent_at is None or opened < sent_at:
            continue
        answered.add(checkin_id)
        if mark:
            await session.execute(update(Checkin).where(Checkin.id == checkin_id)
                                  .values(status=ANSWERED, answer=ANSWER_HELP, answered_at=opened,
                                          next_action_at=None, claim_expires_at=None)
                                  .execution_options(synchronize_session=False))
    return answered


async def follow_up_help(db: Database, policy: Policy, now: datetime, limit: int, open_case=None) -> list[int]:
    """Check-ins answered "Butuh bantuan" HELP_FOLLOW_UP ago: if no report or emergency came of it, officers get
    a welfare case (or a note on the worker's open case). Returns the case ids."""
    c = Checkin
    query = (select(c).where(c.status == ANSWERED, c.next_action_at <= now)
             .order_by(c.next_action_at).limit(limit))
    if db.is_postgres:
        query = query.with_for_update(skip_locked=True)
    cases: list[int] = []
    async with db.transaction() as session:
        checkins = (await session.scalars(query)).all()
        reported = await _answered_by_cases(session, [(k.id, k.worker_id, k.answered_at) for k in checkins],
                                            mark=False)
        for checkin in checkins:
            checkin.next_action_at = None
            if checkin.id in reported or open_case is None:
                continue
            worker = await session.get(Worker, checkin.worker_id)
            if worker is None or worker.status == "deleted":
                continue
            schedule = await session.get(CheckinSchedule, checkin.worker_id)
            checkin.case_id = await open_case(session, worker, checkin, schedule, "help", now)
            checkin.escalated_at = now
            cases.append(checkin.case_id)
    return cases


# --- answers --------------------------------------------------------------------------------------------------

async def pending_checkin(session: AsyncSession, worker_id: int, now: datetime) -> Checkin | None:
    """The newest check-in this worker can still answer (awaiting, or escalated within LATE_ANSWER_WINDOW)."""
    c = Checkin
    return await session.scalar(
        select(c).where(c.worker_id == worker_id,
                        or_(c.status.in_(AWAITING_ANSWER),
                            and_(c.status == MISSED, c.sent_at >= now - LATE_ANSWER_WINDOW)))
        .order_by(c.due_at.desc()).limit(1))


@dataclass(frozen=True)
class Answer:
    checkin_id: int | None  # None: nothing was waiting for an answer
    late_case_ids: tuple[int, ...] = ()  # welfare cases already opened for the check-ins now answered
    already: bool = False  # this check-in had been answered before
    message_ids: tuple[int, ...] = ()  # the check-in messages whose buttons can go now


async def record_answer(session: AsyncSession, worker_id: int, answer: str, now: datetime,
                        checkin_id: int | None = None) -> Answer:
    """The worker answered (ok | help). Every check-in of theirs still waiting is answered by it."""
    if answer not in (ANSWER_OK, ANSWER_HELP):
        raise ValueError(f"unknown answer {answer!r}")
    c = Checkin
    if checkin_id is not None:
        target = await session.get(c, checkin_id)
        if target is None or target.worker_id != worker_id:
            return Answer(None)
        if target.status == ANSWERED:
            return Answer(target.id, already=True)
    else:
        target = await pending_checkin(session, worker_id, now)
        if target is None:
            return Answer(None)
    open_rows = (await session.scalars(
        select(c).where(c.worker_id == worker_id,
                        or_(c.status.in_(AWAITING_ANSWER),
                            and_(c.status == MISSED, c.sent_at >= now - LATE_ANSWER_WINDOW),
                            c.id == target.id)))).all()
    late: list[int] = []
    messages: list[int] = []
    for row in open_rows:
        if row.status not in (*AWAITING_ANSWER, MISSED):
            continue
        if row.case_id is not None:
            late.append(row.case_id)
        if row.message_id is not None:
            messages.append(row.message_id)
        row.status = ANSWERED
        row.answer = answer
        row.answered_at = now
        # "needs help": the sweep checks in HELP_FOLLOW_UP that a case came of it (follow_up_help)
        row.next_action_at = now + HELP_FOLLOW_UP if answer == ANSWER_HELP and row.id == target.id else None
    schedule = await session.get(CheckinSchedule, worker_id)
    if schedule is not None:
        schedule.consecutive_misses = 0
    return Answer(target.id, tuple(late), message_ids=tuple(messages))


# --- worker control -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class View:
    """What /checkin shows."""

    frequency: str
    local_time: str
    timezone: str
    next_due_at: datetime | None
    paused_until: datetime | None
    ended: bool
    reachable: bool


async def view(session: AsyncSession, worker: Worker, policy: Policy, kb, now: datetime) -> View:
    schedule = await sync_worker(session, worker, policy, kb, now)
    tz = schedule.timezone if schedule else sched.timezone_for(worker.country, worker.city, kb)
    local = worker.checkin_time or policy.default_time.strftime("%H:%M")
    paused = schedule.paused_until if schedule and schedule.paused_until and schedule.paused_until > now else None
    return View(frequency=worker.checkin_frequency, local_time=local, timezone=tz,
                next_due_at=schedule.next_due_at if schedule else None, paused_until=paused,
                ended=bool(schedule and schedule.ended_at), reachable=worker.status == "active")


class ControlError(ValueError):
    """A change the worker cannot make (forged button, out-of-range value)."""


async def set_frequency(session: AsyncSession, worker: Worker, frequency: str, policy: Policy, kb,
                        now: datetime) -> CheckinSchedule | None:
    if not worker.consent:
        raise ControlError("check-ins need consent first")
    if frequency not in FREQUENCIES:
        raise ControlError(f"unknown frequency {frequency!r}")
    worker.checkin_frequency = frequency
    if frequency != "off" and not worker.checkin_time:
        worker.checkin_time = policy.default_time.strftime("%H:%M")
    return await sync_worker(session, worker, policy, kb, now, recompute=True)


def allowed_times(policy: Policy) -> list[str]:
    """The hours offered as buttons: whole hours from 06:00 to 21:00 outside the quiet hours."""
    return [f"{h:02d}:00" for h in range(6, 22) if not policy.quiet.contains(time(h, 0))]


async def set_time(session: AsyncSession, worker: Worker, hhmm: str, policy: Policy, kb,
                   now: datetime) -> CheckinSchedule | None:
    if not worker.consent:
        raise ControlError("check-ins need consent first")
    parsed = sched.parse_hhmm(hhmm, None)
    if parsed is None:
        raise ControlError(f"not a time: {hhmm!r}")
    if policy.quiet.contains(parsed):
        raise ControlError("inside quiet hours")
    worker.checkin_time = parsed.strftime("%H:%M")
    return await sync_worker(session, worker, policy, kb, now, recompute=True)


async def pause(session: AsyncSession, worker: Worker, days: int, policy: Policy, kb,
                now: datetime) -> CheckinSchedule:
    """No check-ins for `days` days (leave, travel); open ones are cancelled; they resume by themselves."""
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise ControlError(f"pause must be 1 to {MAX_PAUSE_DAYS} days")
    schedule = await sync_worker(session, worker, policy, kb, now)
    if schedule is None or not wants_checkins(worker):
        raise ControlError("check-ins are off")
    schedule.paused_until = now + timedelta(days=days)
    schedule.next_due_at = sched.next_slot(
        policy.plan(worker.id, schedule.frequency, schedule.local_time, schedule.timezone), schedule.paused_until)
    schedule.updated_at = now
    await _cancel_open(session, worker.id, now)
    return schedule


async def resume(session: AsyncSession, worker: Worker, policy: Policy, kb, now: datetime) -> CheckinSchedule:
    schedule = await sync_worker(session, worker, policy, kb, now)
    if schedule is None or not wants_checkins(worker):
        raise ControlError("check-ins are off")
    schedule.paused_until = None
    schedule.next_due_at = sched.next_slot(
        policy.plan(worker.id, schedule.frequency, schedule.local_time, schedule.timezone), now)
    schedule.updated_at = now
    return schedule


async def go_home(session: AsyncSession, worker: Worker, policy: Policy, kb, now: datetime) -> None:
    """The worker is back in Indonesia: check-ins end (they can turn them on again in /checkin)."""
    worker.checkin_frequency = "off"
    schedule = await sync_worker(session, worker, policy, kb, now)
    if schedule is None:
        schedule = CheckinSchedule(worker_id=worker.id, frequency="off", local_time=worker.checkin_time,
                                   country=worker.country, city=worker.city, consecutive_misses=0,
                                   timezone=sched.timezone_for(worker.country, worker.city, kb), updated_at=now)
        session.add(schedule)
    schedule.ended_at = now
    schedule.paused_until = None
    schedule.next_due_at = None
    schedule.updated_at = now
    await _cancel_open(session, worker.id, now)


# --- officers' summary ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    day_start: datetime
    day_end: datetime
    due_today: int  # check-ins whose slot is today (already asked or still to come)
    sent: int
    answered_ok: int
    answered_help: int
    waiting: int  # sent, no answer yet
    missed: int
    escalated: int  # welfare cases opened today from check-ins
    unreachable: int
    still_to_send: int
    paused: int
    active: int  # workers with check-ins on


async def summary(session: AsyncSession, now: datetime, policy: Policy) -> Summary:
    tz = sched.zone(policy.officer_timezone)
    local_day = now.astimezone(tz).date()
    start = sched.local_to_utc(local_day, time(0, 0), tz)
    end = sched.local_to_utc(local_day + timedelta(days=1), time(0, 0), tz)
    c, s = Checkin, CheckinSchedule
    counts: dict[tuple[str, str | None], int] = {}
    for status, answer, count in (await session.execute(
            select(c.status, c.answer, func.count()).where(c.due_at >= start, c.due_at < end)
            .group_by(c.status, c.answer))).all():
        counts[(status, answer)] = count

    def of(*statuses: str) -> int:
        return sum(n for (status, _), n in counts.items() if status in statuses)

    escalated = await session.scalar(select(func.count()).where(c.escalated_at >= start, c.escalated_at < end))
    # Slots not yet asked that fall today, and any overdue ones the sweep has not reached yet.
    to_send = await session.scalar(select(func.count()).select_from(s).where(s.next_due_at < end))
    paused = await session.scalar(select(func.count()).select_from(s).where(s.paused_until > now))
    active = await session.scalar(select(func.count()).select_from(s).where(s.next_due_at.is_not(None)))
    answered_ok = sum(n for (status, answer), n in counts.items() if status == ANSWERED and answer == ANSWER_OK)
    return Summary(
        day_start=start, day_end=end, due_today=sum(counts.values()) + (to_send or 0),
        sent=of(SENT, REMINDED, ANSWERED, MISSED, UNREACHABLE), answered_ok=answered_ok,
        answered_help=of(ANSWERED) - answered_ok, waiting=of(SENT, REMINDED), missed=of(MISSED),
        escalated=escalated or 0, unreachable=of(UNREACHABLE), still_to_send=(to_send or 0) + of(DUE),
        paused=paused or 0, active=active or 0)
