"""Sign-in throttling: failures counted per account and per address; successes never count.

An office of fifty people behind one address signs in freely; a guesser is slowed per account
(ten failures in five minutes lock that account, and only it, until the oldest failure leaves
the window) and per address (a hundred failures in ten minutes). The counters live in the
rate-limit store (`RATELIMIT_STORAGE_URI`; Redis in production, so that every server shares them).
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import parse, storage, strategies


class Throttle:
    """Failure windows per account and per address in one store."""

    def __init__(self, uri: str, per_account: str, per_address: str):
        self.limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))
        self.rules = (("account", parse(per_account)), ("address", parse(per_address)))

    def _keys(self, username: str, address: str | None):
        names = {"account": (username or "").strip().lower(), "address": address or "-"}
        for kind, limit in self.rules:
            yield limit, ("signin", kind, names[kind])

    def wait(self, username: str, address: str | None) -> int:
        """Seconds until this account and address may try again; 0 when they may now."""
        longest = 0
        for limit, key in self._keys(username, address):
            if not self.limiter.test(limit, *key):
                reset_at = self.limiter.get_window_stats(limit, *key).reset_time
                longest = max(longest, math.ceil(reset_at - time.time()), 1)
        return longest

    def failed(self, username: str, address: str | None) -> None:
        for limit, key in self._keys(username, address):
            self.limiter.hit(limit, *key)

    def succeeded(self, username: str, address: str | None) -> None:
        """A correct password clears the account's failures (not the address's)."""
        limit, key = next(iter(self._keys(username, address)))
        self.limiter.clear(limit, *key)


def throttle() -> Throttle | None:
    """The app's throttle, or None where rate limits are switched off (most tests)."""
    app = current_app
    if not app.config.get("RATELIMIT_ENABLED"):
        return None
    found = app.extensions.get("lindungi_signin")
    if found is None:
        found = app.extensions["lindungi_signin"] = Throttle(
            app.config["RATELIMIT_STORAGE_URI"],
            app.config["LOGIN_ACCOUNT_LIMIT"],
            app.config["LOGIN_ADDRESS_LIMIT"],
        )
    return found
