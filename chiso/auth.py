"""Data-steward credential: a salted scrypt hash, never a plain password.

Format (one line, ASCII)::

    scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>

e.g. ``scrypt$16384$8$1$3q2+7w...$Jk0...`` — scrypt (hashlib.scrypt, RFC 7914) with a random
16-byte salt and a 32-byte key. ``chiso hash-password`` prints one; put it in
``.streamlit/secrets.toml`` as ``[chiso] steward_password_hash = "..."`` or in the environment
as ``CHISO_STEWARD_PASSWORD_HASH``. Pure: no Streamlit here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from chiso.i18n import DEFAULT_LANG, t

N, R, P = 2**14, 8, 1
MIN_LENGTH = 10
ENV_HASH = "CHISO_STEWARD_PASSWORD_HASH"


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(t("auth.too_short", DEFAULT_LANG, n=MIN_LENGTH))
    salt = salt or os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return "$".join(
        ["scrypt", str(N), str(R), str(P), base64.b64encode(salt).decode(), base64.b64encode(key).decode()]
    )


def valid_hash(stored: str | None) -> bool:
    try:
        _parse(stored or "")
    except ValueError:
        return False
    return True


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a scrypt hash")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except (ValueError, TypeError) as exc:
        raise ValueError("malformed scrypt hash") from exc
    if n < 2 or n & (n - 1) or n > 2**17 or not (0 < r <= 16) or not (0 < p <= 4) or len(key) < 16:
        raise ValueError("unsupported scrypt parameters")
    return n, r, p, salt, key


def verify_password(password: str, stored: str | None) -> bool:
    """True when the password matches the stored hash; False for a wrong password or a bad hash."""
    try:
        n, r, p, salt, key = _parse(stored or "")
    except ValueError:
        return False
    try:
        candidate = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(key), maxmem=512 * 1024 * 1024
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(candidate, key)


def fingerprint(stored: str) -> str:
    """A short id of the configured hash: a session signed in under another hash is signed out."""
    return hashlib.sha256(stored.strip().encode()).hexdigest()[:16]
