"""Retry policy of the Chorus Pro client: exponential backoff with full jitter, bounded in count and time."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime


@dataclass
class RetryPolicy:
    """How often and how long the client retries a request that failed for a transient reason.

    The wait before retry n (n = 1, 2…) is drawn uniformly in [0, min(max_delay, base_delay * 2**(n-1))]
    ("full jitter"), or is the server's Retry-After when it sends one. The client gives up after
    `max_attempts` attempts in all, or when the next wait would pass `max_total_seconds` since the
    first attempt. `rng` is injectable so tests draw the same waits on every run.
    """

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_total_seconds: float = 120.0
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts={self.max_attempts} is invalid: at least one attempt is needed")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_total_seconds < 0:
            raise ValueError("retry delays must not be negative")

    @classmethod
    def seeded(cls, seed: int, **overrides: float) -> RetryPolicy:
        return cls(rng=random.Random(seed), **overrides)  # type: ignore[arg-type]

    @classmethod
    def none(cls) -> RetryPolicy:
        """Return a policy that never retries."""
        return cls(max_attempts=1)

    def backoff(self, retry_number: int) -> float:
        """Return the jittered wait in seconds before retry `retry_number` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))
        return self.rng.uniform(0.0, ceiling)

    def next_wait(self, attempt: int, elapsed: float, retry_after: float | None) -> float | None:
        """Return the wait before the next attempt, or None when the budget is spent.

        `attempt` is the number of attempts made so far; `elapsed` the seconds since the first one.
        """
        if attempt >= self.max_attempts:
            return None
        wait = retry_after if retry_after is not None else self.backoff(attempt)
        if elapsed + wait > self.max_total_seconds:
            return None
        return wait


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Read a Retry-After header: seconds, or an HTTP date. Returns None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
