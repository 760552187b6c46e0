"""Async HTTP client of the Rasa server (`POST /model/parse`), used by the bot process.

Short timeout, one retry (not after a timeout: a slow server is not asked twice), and a circuit breaker: after
`breaker_failures` failures in a row the server is not asked for `breaker_reset_seconds`, so a dead NLU costs
workers no waiting. The router's safety net works without it.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import httpx

log = logging.getLogger(__name__)


class NluUnavailable(Exception):
    """The NLU server did not answer (down, slow, or the breaker is open)."""


class CircuitBreaker:
    def __init__(self, failures: int, reset_seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.failures_to_open = failures
        self.reset_seconds = reset_seconds
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def is_open(self) -> bool:
        if self._opened_at is None:
            return False
        if self._monotonic() - self._opened_at >= self.reset_seconds:
            return False  # half-open: let one call try
        return True

    def success(self) -> None:
        if self._opened_at is not None:
            log.info("NLU server answers again; circuit closed")
        self._failures = 0
        self._opened_at = None

    def failure(self) -> None:
        self._failures += 1
        if self._failures >= self.failures_to_open:
            if self._opened_at is None:
                log.warning("NLU server failed %d times in a row; skipping it for %.0fs",
                            self._failures, self.reset_seconds)
            self._opened_at = self._monotonic()


class NluClient:
    def __init__(self, url: str, timeout: float = 2.0, breaker: CircuitBreaker | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.breaker = breaker or CircuitBreaker(3, 30.0)
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)),
                                         limits=httpx.Limits(max_connections=50, max_keepalive_connections=20))

    async def parse(self, text: str) -> dict[str, Any]:
        if self.breaker.is_open:
            raise NluUnavailable("circuit open")
        last_error: Exception | None = None
        for _attempt in range(2):  # one retry
            try:
                response = await self._client.post(f"{self.url}/model/parse", json={"text": text})
                if response.status_code == 200:
                    self.breaker.success()
                    return response.json()
                last_error = NluUnavailable(f"HTTP {response.status_code}")
            except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as err:
                last_error = err
                break  # a slow server is not asked twice: the worker would wait two timeouts
            except (httpx.HTTPError, ValueError) as err:
                last_error = err
        self.breaker.failure()
        raise NluUnavailable(str(last_error)) from last_error

    async def status(self) -> dict[str, Any] | None:
        try:
            response = await self._client.get(f"{self.url}/status")
            return response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    async def close(self) -> None:
        await self._client.aclose()
