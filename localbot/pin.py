"""The staff PIN that guards leaving kiosk mode: rules, salted hashing and verification.

Only a salted scrypt hash is ever stored (in the ``staff_pin_hash`` setting), in the form
``scrypt$n$r$p$salt$hash`` with base64 salt and hash, so the cost parameters travel with the hash
and can be raised later without breaking PINs already set. Nothing here knows about any UI.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

MIN_LENGTH = 4
MAX_LENGTH = 12
SCHEME = "scrypt"
# scrypt costs: about 16 MB and a few tens of milliseconds per check on a small kiosk PC, which
# makes guessing a short PIN from a copied config file slow without making the kiosk sluggish.
COST_N = 2**14
COST_R = 8
COST_P = 1
SALT_BYTES = 16
HASH_BYTES = 32


class PinError(ValueError):
    """A PIN does not follow the rules, or a stored hash cannot be read; the message says why."""


def check_pin_rules(pin: str) -> str:
    """Return ``pin`` if it is 4 to 12 digits, else raise :class:`PinError` saying what to fix."""
    if not pin.isdigit() or not pin.isascii():
        raise PinError("the staff PIN must be digits only (so it can be typed on a touch keypad)")
    if not MIN_LENGTH <= len(pin) <= MAX_LENGTH:
        raise PinError(f"the staff PIN must have {MIN_LENGTH} to {MAX_LENGTH} digits")
    return pin


def hash_pin(pin: str) -> str:
    """A new salted hash of ``pin`` to store in the ``staff_pin_hash`` setting."""
    check_pin_rules(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, COST_N, COST_R, COST_P)
    return "$".join([SCHEME, str(COST_N), str(COST_R), str(COST_P), _b64(salt), _b64(digest)])


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches the stored hash (compared in constant time)."""
    n, r, p, salt, expected = _parse(stored)
    actual = _scrypt(pin, salt, n, r, p)
    return hmac.compare_digest(actual, expected)


def is_valid_hash(stored: str) -> bool:
    """Whether ``stored`` is a hash this module can check (a malformed setting is not)."""
    try:
        _parse(stored)
    except PinError:
        return False
    return True


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PinError("staff_pin_hash is not a hash made by 'localbot pin set'; set the PIN again")
    try:
        n, r, p = (int(part) for part in parts[1:4])
        return (
            n,
            r,
            p,
            base64.b64decode(parts[4], validate=True),
            base64.b64decode(parts[5], validate=True),
        )
    except ValueError as error:
        raise PinError(
            "staff_pin_hash is damaged; set the PIN again with 'localbot pin set'"
        ) from error


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # maxmem must cover 128 * n * r bytes, or OpenSSL refuses the parameters.
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=256 * n * r
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class PinGate:
    """Checks PINs against the stored hash, and pauses after repeated wrong tries.

    The pause makes guessing a 4-digit PIN at a kiosk take days instead of minutes.
    """

    def __init__(
        self,
        stored: str,
        clock: Callable[[], float] = time.monotonic,
        max_tries: int = 5,
        pause_seconds: float = 30.0,
    ) -> None:
        self.stored = stored.strip()
        self.clock = clock
        self.max_tries = max_tries
        self.pause_seconds = pause_seconds
        self._failures = 0
        self._locked_until = 0.0

    @property
    def required(self) -> bool:
        """Whether a PIN is set at all (with none, anyone may leave kiosk mode)."""
        return bool(self.stored)

    def locked_for(self) -> float:
        """Seconds before another try is allowed (0 when one is)."""
        return max(0.0, self._locked_until - self.clock())

    def check(self, pin: str) -> bool:
        """Whether ``pin`` is right; raises :class:`PinError` if the stored hash is damaged."""
        if self.locked_for() > 0:
            return False
        if verify_pin(pin, self.stored):
            self._failures = 0
            return True
        self._failures += 1
        if self._failures >= self.max_tries:
            self._failures = 0
            self._locked_until = self.clock() + self.pause_seconds
        return False
