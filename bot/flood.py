"""Per-worker flood control: a friendly "slow down" instead of processing a torrent of messages.

A sliding one-minute window per user, in memory (one bot process; several replicas would keep it in Redis, see
docs/architecture.md). Emergencies are never limited: a message with a danger word, the SOS button and /darurat
always pass, whatever the count.
"""
from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


class FloodGuard:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[int, deque[datetime]] = defaultdict(deque)
        self._warned: dict[int, datetime] = {}

    def allow(self, user_id: int, now: datetime) -> bool:
        """Count one message; False when the user is over the limit."""
        times = self._seen[user_id]
        while times and now - times[0] >= WINDOW:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True

    def should_warn(self, user_id: int, now: datetime) -> bool:
        """Warn once per window, not for every dropped message."""
        last = self._warned.get(user_id)
        if last is not None and now - last < WINDOW:
            return False
        self._warned[user_id] = now
        return True

    def forget_idle(self, now: datetime) -> None:
        for user_id in [u for u, t in self._seen.items() if not t or now - t[-1] >= WINDOW]:
            self._seen.pop(user_id, None)
            self._warned.pop(user_id, None)
