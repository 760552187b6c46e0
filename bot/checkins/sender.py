"""One sender for bulk messages (check-ins, reminders), within Telegram's limits.

Telegram accepts about 30 messages a second from a bot in total and one a second per chat. Bulk sends stay at
`sending.global_per_second` (25 by default, leaving room for live replies) and `sending.per_chat_per_second`:
at most that many messages start in any one second (a sliding window, starts at least half an interval apart),
and a chat's next message waits until a second after its previous one. A few messages are in flight at once, so the rate holds even when Telegram answers slowly.

Outcomes, per message:
- sent:        Telegram accepted it (message id known).
- blocked:     Forbidden - the worker blocked the bot or deleted the account (or the chat no longer exists).
- failed:      any other refusal (a bad request): sending again would fail again.
- unknown:     the request timed out: it may or may not have arrived. Never sent again.
- retry_later: Telegram could not be reached, or kept saying "retry after": not sent, safe to send again.
- not_attempted: the sender stopped (shutdown, outage) before this message's turn.
RetryAfter pauses *all* bulk sending for the time Telegram asks, then the message is tried again.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
import warnings
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable, Sequence

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

SENT = "sent"
BLOCKED = "blocked"
FAILED = "failed"
UNKNOWN = "unknown"
RETRY_LATER = "retry_later"
NOT_ATTEMPTED = "not_attempted"


@dataclass(frozen=True)
class Outgoing:
    key: Any  # the caller's id for this message (a check-in id)
    chat_id: int
    text: str
    reply_markup: Any = None


@dataclass(frozen=True)
class Result:
    key: Any
    outcome: str
    message_id: int | None = None
    detail: str = ""


Transport = Callable[[Outgoing], Awaitable[int | None]]
Prepare = Callable[[list[Outgoing]], Awaitable[Iterable[Any]]]


def telegram_transport(bot) -> Transport:
    """Send through a python-telegram-bot Bot (HTML texts); returns the new message id."""
    async def send(message: Outgoing) -> int | None:
        sent = await bot.send_message(message.chat_id, message.text, parse_mode="HTML",
                                      reply_markup=message.reply_markup)
        return sent.message_id
    return send


def _blocked_bad_request(error: BadRequest) -> bool:
    text = str(error).lower()
    return "chat not found" in text or "user not found" in text or "peer_id_invalid" in text


class BulkSender:
    """Paces messages to `per_second` overall and `per_chat_per_second` per chat.

    `now` and `sleep` are injectable (tests drive them with a virtual clock instead of waiting).
    """

    def __init__(self, transport: Transport, per_second: float, per_chat_per_second: float = 1.0, *,
                 max_in_flight: int = 8, max_retry_after: int = 3, stop_grace: float = 5.0,
                 now: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        if per_second <= 0 or per_chat_per_second <= 0:
            raise ValueError("send rates must be positive")
        self._transport = transport
        self.interval = 1.0 / per_second
        self.chat_interval = 1.0 / per_chat_per_second
        # Overall: starts follow a grid 1/rate apart; a start that a busy event loop delayed may be made up for
        # (down to half an interval apart) but never more than `window_count` starts in any `window` seconds.
        self.window = max(1.0, 1.0 / per_second)
        self.window_count = max(1, int(per_second * self.window + 1e-9))
        self.min_gap = self.interval / 2
        self._starts: deque[float] = deque()
        self._anchor: float | None = None  # first start of the current run of sends, and how many since
        self._run_count = 0
        self.max_in_flight = max_in_flight
        self.max_retry_after = max_retry_after
        self.stop_grace = stop_grace
        self._now = now or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()  # one send_all at a time: they share the limits
        self.started: list[tuple[float, int]] = []  # (time, chat) of recent starts, for measurements
        self.keep_started = False

    async def send_all(self, messages: Sequence[Outgoing], results: dict[Any, Result] | None = None, *,
                       prepare: Prepare | None = None, chunk: int = 25) -> dict[Any, Result]:
        """Send every message; return (and fill `results` as it goes) key -> Result.

        `prepare(chunk)` runs just before the first message of each chunk of `chunk` messages starts and returns
        the keys that may really be sent (the caller marks them sent in the database there, so a message is
        stored as sent before it leaves). A key it refuses gets no result at all; a key that was prepared always
        gets one, also on cancellation (not_attempted when its turn never came). A message Telegram could not be
        reached for stops the rest (not_attempted) instead of hammering a server that is down.
        """
        results = {} if results is None else results
        async with self._lock:
            queue = _Queue()
            for message in messages:
                queue.push(self._chat_next.get(message.chat_id, 0.0), message, 0)
            unprepared = {m.key: m for m in messages} if prepare is not None else {}
            allowed: set[Any] = set() if prepare is not None else {m.key for m in messages}
            started: set[Any] = set()
            in_flight: set[asyncio.Task] = set()
            outage = False
            try:
                while queue and not outage:
                    ready, message, tries, seq = queue.pop(max(self._earliest(), self._paused_until))
                    chat_ready = self._chat_next.get(message.chat_id, 0.0)
                    if chat_ready > ready:  # this chat had a message since it was queued: wait its turn
                        queue.push(chat_ready, message, tries, seq)
                        continue
                    if message.key in unprepared:
                        unprepared.pop(message.key)
                        batch = [message, *itertools.islice(unprepared.values(), max(chunk, 1) - 1)]
                        for m in batch:
                            unprepared.pop(m.key, None)
                        allowed |= set(await prepare(batch))
                    if message.key not in allowed:
                        continue  # someone else has it now; not ours to send or to report
                    start = max(ready, self._earliest(), self._paused_until)
                    delay = start - self._now()
                    if delay > 0:
                        await self._sleep(delay)
                    while len(in_flight) >= self.max_in_flight:
                        done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                        outage = outage or any(t.result() for t in done)
                    if outage:
                        queue.push(ready, message, tries, seq)
                        break
                    if self._paused_until > self._now():  # a RetryAfter arrived while we waited
                        queue.push(self._paused_until, message, tries, seq)
                        continue
                    if self._earliest() > self._now():  # (waiting for a free request slot took no turn)
                        queue.push(ready, message, tries, seq)
                        continue
                    started_at = self._now()
                    self._register_start(started_at)
                    self._chat_next[message.chat_id] = started_at + self.chat_interval
                    if self.keep_started:
                        self.started.append((started_at, message.chat_id))
                    started.add(message.key)
                    task = asyncio.create_task(self._one(message, tries, queue, results, started))
                    in_flight.add(task)
                    if not queue and in_flight:
                        # Let retries (RetryAfter) come back into the queue before deciding we are done.
                        done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.ALL_COMPLETED)
                        outage = outage or any(t.result() for t in done)
                if in_flight:
                    done, _ = await asyncio.wait(in_flight)
                    outage = outage or any(t.result() for t in done)
                    in_flight = set()
            except asyncio.CancelledError:
                # Stopping (shutdown): requests in flight get `stop_grace` seconds to finish, so their outcome is
                # known; after that they are abandoned and count as unknown (they may have arrived: never sent
                # again). Messages whose turn never came are reported not attempted.
                if in_flight:
                    _, pending = await asyncio.wait(in_flight, timeout=self.stop_grace)
                    for task in pending:
                        task.cancel()
                    await asyncio.gather(*in_flight, return_exceptions=True)
                raise
            finally:
                for key in allowed:
                    if key not in results:
                        # started and no answer: it may have arrived (unknown); never started: not attempted
                        results[key] = Result(key, UNKNOWN if key in started else NOT_ATTEMPTED)
                self._prune()
        return results

    def _grid(self, now: float) -> float | None:
        """Where the current run's grid puts the next start; None when idle long enough to start a new run."""
        if self._anchor is None:
            return None
        slot = self._anchor + self._run_count * self.interval
        return None if now - slot > self.window else slot

    def _register_start(self, moment: float) -> None:
        if self._grid(moment) is None:
            self._anchor, self._run_count = moment, 0
        self._run_count += 1
        self._starts.append(moment)

    def _earliest(self) -> float:
        """The earliest moment the next message may start under the overall limit."""
        now = self._now()
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        grid = self._grid(now)
        moment = now if grid is None else max(now, grid)
        if len(self._starts) >= self.window_count:
            moment = max(moment, self._starts[-self.window_count] + self.window)
        if self._starts:
            moment = max(moment, self._starts[-1] + self.min_gap)
        return moment

    async def _one(self, message: Outgoing, tries: int, queue: "_Queue", results: dict, started: set) -> bool:
        """Send one message and record its outcome; True when Telegram could not be reached at all."""
        try:
            message_id = await self._transport(message)
        except RetryAfter as err:
            with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta: both work here
                warnings.simplefilter("ignore")
                wait = _seconds(err.retry_after)
            self._paused_until = max(self._paused_until, self._now() + wait)
            if tries + 1 > self.max_retry_after:
                results[message.key] = Result(message.key, RETRY_LATER, detail=f"retry after {wait}s")
            else:
                log.warning("Telegram asked to wait %.0fs; bulk sending paused", wait)
                started.discard(message.key)  # refused, so not delivered: it goes again
                queue.push(self._paused_until, message, tries + 1)
            return False
        except Forbidden as err:
            results[message.key] = Result(message.key, BLOCKED, detail=str(err))
        except BadRequest as err:
            outcome = BLOCKED if _blocked_bad_request(err) else FAILED
            if outcome == FAILED:
                log.error("Telegram refused a bulk message: %s", err)
            results[message.key] = Result(message.key, outcome, detail=str(err))
        except TimedOut as err:
            results[message.key] = Result(message.key, UNKNOWN, detail=str(err) or "timed out")
        except NetworkError as err:
            log.warning("Telegram unreachable during bulk send: %s", err)
            results[message.key] = Result(message.key, RETRY_LATER, detail=str(err))
            return True
        except Exception as err:  # a bug or an unexpected library error: do not resend blindly
            log.exception("bulk send failed")
            results[message.key] = Result(message.key, UNKNOWN, detail=err.__class__.__name__)
        else:
            results[message.key] = Result(message.key, SENT, message_id)
        return False

    def _prune(self) -> None:
        """Forget chats whose per-chat wait is over, so the map stays small across a million workers."""
        now = self._now()
        if len(self._chat_next) > 10_000:
            self._chat_next = {chat: t for chat, t in self._chat_next.items() if t > now}
        if len(self.started) > 100_000:
            del self.started[:-10_000]


class _Queue:
    """Messages waiting for their turn. Of those whose chat may receive again by the time `now`, the oldest
    goes first (so a chat waiting out its second does not hold up the others); otherwise the one ready soonest."""

    def __init__(self) -> None:
        self._seq = itertools.count()
        self._waiting: list[tuple[float, int, Outgoing, int]] = []  # by ready time
        self._runnable: list[tuple[int, float, Outgoing, int]] = []  # by arrival

    def __len__(self) -> int:
        return len(self._waiting) + len(self._runnable)

    def push(self, ready: float, message: Outgoing, tries: int, seq: int | None = None) -> None:
        """Queue a message; pass the `seq` pop gave to keep its place in line."""
        heapq.heappush(self._waiting, (ready, next(self._seq) if seq is None else seq, message, tries))

    def pop(self, now: float) -> tuple[float, Outgoing, int, int]:
        while self._waiting and self._waiting[0][0] <= now:
            ready, seq, message, tries = heapq.heappop(self._waiting)
            heapq.heappush(self._runnable, (seq, ready, message, tries))
        if self._runnable:
            seq, ready, message, tries = heapq.heappop(self._runnable)
        else:
            ready, seq, message, tries = heapq.heappop(self._waiting)
        return ready, message, tries, seq


def _seconds(value: Any) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)
