"""The check-in sweep: what APScheduler runs every `checkin.sweep_seconds` (coalesced, one at a time).

One run: re-read recently changed worker settings, escalate what is overdue, send due reminders, then send due
check-ins - each in short database transactions, never one job per worker. A run sends at most what the rate
limit allows within 90% of the sweep interval, so it ends before the next tick; a large round simply continues
in the next runs, oldest slot first. Several bot processes can run this against one PostgreSQL database.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Sequence

from bot.checkins import sender as bulk
from bot.checkins import service
from bot.checkins.sender import BulkSender, Outgoing, Result
from bot.checkins.service import Outbound, Policy, SendOutcome

log = logging.getLogger(__name__)

RECENT = timedelta(minutes=10)  # workers seen this recently get their settings compared every sweep
RECONCILE_EVERY = timedelta(hours=1)  # and everybody's, this often
DUTY = 0.9  # share of the sweep interval a run may spend sending


@dataclass
class SweepReport:
    escalated: int = 0
    cases: list[int] = field(default_factory=list)
    reminders: dict[str, int] = field(default_factory=dict)
    checkins: dict[str, int] = field(default_factory=dict)
    synced: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.escalated or self.cases or self.reminders or self.checkins or self.synced)


def owner_id() -> str:
    """A name for this sweeper that no other process shares (stored as the lease holder)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"[:64]


def _tally(results: dict[Any, Result]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results.values():
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    return counts


def outcome_of(claimed: Sequence[Outbound], results: dict[Any, Result]) -> SendOutcome:
    """Sort the sender's results for the database: what went out, what did not, what to put back."""
    outcome = SendOutcome()
    for item in claimed:
        result = results.get(item.checkin_id)
        if result is None:
            outcome.released.append(item.checkin_id)  # never prepared: still only claimed
        elif result.outcome == bulk.SENT:
            outcome.delivered[item.checkin_id] = result.message_id
        elif result.outcome == bulk.UNKNOWN:
            outcome.delivered[item.checkin_id] = None  # may have arrived: treated as sent, never resent
        elif result.outcome == bulk.BLOCKED:
            outcome.blocked.append(item.checkin_id)
        elif result.outcome == bulk.FAILED:
            outcome.failed.append(item.checkin_id)
        else:  # retry_later, not_attempted: it did not leave
            outcome.unsent.append(item.checkin_id)
    return outcome


class CheckinSweeper:
    """Runs sweeps for one bot process. `services.bot` (set when the Application is built) sends."""

    def __init__(self, services, *, owner: str | None = None, sender: BulkSender | None = None,
                 render: Callable[[Outbound], Outgoing] | None = None,
                 notify: Callable[[Sequence[int]], Awaitable[Any]] | None = None) -> None:
        from bot.checkins.welfare import case_opener

        self.services = services
        self.owner = owner or owner_id()
        self._sender = sender
        self._sender_bot: Any = None
        self._render = render
        self._notify = notify
        self._open_case = case_opener(services.settings)
        self._last_reconcile: datetime | None = None
        self._lock = asyncio.Lock()

    @property
    def policy(self) -> Policy:
        return Policy.from_settings(self.services.settings)

    def sender(self) -> BulkSender | None:
        if self._sender is not None:
            return self._sender
        bot = getattr(self.services, "bot", None)
        if bot is None:
            return None
        if self._sender_bot is not bot:
            settings = self.services.settings
            self._sender_bot = bot
            self._built_sender = BulkSender(bulk.telegram_transport(bot), settings.global_per_second,
                                            settings.per_chat_per_second)
        return self._built_sender

    def render(self, item: Outbound) -> Outgoing:
        if self._render is not None:
            return self._render(item)
        from handlers.checkin import render_outbound  # the words and buttons live with the handlers

        return render_outbound(item)

    def budget(self) -> int:
        settings = self.services.settings
        return max(1, int(settings.global_per_second * settings.checkin.sweep_seconds * DUTY))

    async def run(self) -> SweepReport:
        """One sweep. Safe to call at any time, from several processes."""
        async with self._lock:
            report = SweepReport()
            svc = self.services
            policy = self.policy
            now = svc.clock.now()
            if self._last_reconcile is None or now - self._last_reconcile >= RECONCILE_EVERY:
                report.synced += await service.reconcile(svc.db, policy, svc.kb, now)
                self._last_reconcile = now
            report.synced += await service.sync_recent(svc.db, policy, svc.kb, now, now - RECENT)
            report.cases += await service.follow_up_help(svc.db, policy, now, policy.batch_size, self._open_case)
            escalations = await service.escalate_overdue(svc.db, policy, now, policy.batch_size, self._open_case)
            report.escalated = len(escalations)
            report.cases += [e.case_id for e in escalations if e.case_id is not None]
            sender = self.sender()
            if sender is not None:
                budget = self.budget()
                budget -= await self._send_reminders(sender, policy, budget, report)
                await self._send_checkins(sender, policy, budget, report)
            if report.cases:
                await self._notify_officers(report.cases)
            if report.busy:
                log.info("check-in sweep: %s", report)
            return report

    async def _send_checkins(self, sender: BulkSender, policy: Policy, budget: int, report: SweepReport) -> int:
        svc = self.services
        return await self._send_rounds(
            sender, policy, budget, report.checkins,
            claim=lambda now, limit: service.claim_due(svc.db, policy, now, self.owner, limit, svc.kb),
            mark=service.mark_sent, record=service.record_checkins_sent, report=report)

    async def _send_reminders(self, sender: BulkSender, policy: Policy, budget: int, report: SweepReport) -> int:
        svc = self.services
        return await self._send_rounds(
            sender, policy, budget, report.reminders,
            claim=lambda now, limit: service.claim_reminders(svc.db, policy, now, self.owner, limit),
            mark=service.mark_reminded, record=service.record_reminders_sent, report=report)

    async def _send_rounds(self, sender: BulkSender, policy: Policy, budget: int, tally: dict, *, claim, mark,
                           record, report: SweepReport) -> int:
        """Claim a batch, mark it as sent just before sending, send it, record the outcome; until the budget is
        spent, nothing is due, or Telegram asks us to wait. Shared by first check-ins and reminders."""
        svc = self.services
        spent = 0
        while spent < budget:
            claimed = await claim(svc.clock.now(), min(policy.batch_size, budget - spent))
            if not claimed:
                break
            results: dict[Any, Result] = {}

            async def prepare(chunk: list[Outgoing]) -> set[int]:
                return await mark(svc.db, [m.key for m in chunk], self.owner, svc.clock.now(), policy)

            try:
                await sender.send_all([self.render(item) for item in claimed], results, prepare=prepare,
                                      chunk=self._chunk())
            finally:
                outcome = outcome_of(claimed, results)
                report.cases += await asyncio.shield(record(
                    svc.db, outcome, self.owner, svc.clock.now(), policy, self._open_case))
            for key, count in _tally(results).items():
                tally[key] = tally.get(key, 0) + count
            spent += len(claimed)
            if any(r.outcome == bulk.RETRY_LATER for r in results.values()):
                break  # Telegram is not answering: try again next sweep
        return spent

    def _chunk(self) -> int:
        """Messages marked sent per database write: about one second of sending."""
        return max(1, int(self.services.settings.global_per_second))

    async def _notify_officers(self, case_ids: Sequence[int]) -> None:
        """Send the new cases' officer alerts now (the cases sweep would send them anyway, a little later)."""
        if self._notify is not None:
            await self._notify(case_ids)
            return
        from handlers import case_delivery
        bot = getattr(self.services, "bot", None)
        if bot is None:
            return
        for case_id in sorted(set(case_ids)):
            try:
                await case_delivery.notify_officers_pending(self.services, bot, case_id=case_id)
            except Exception:  # the alert rows stay queued; the cases sweep retries them
                log.exception("sending welfare case %s alerts failed; they stay queued", case_id)
