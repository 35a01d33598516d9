"""Password hashing: scrypt (memory-hard, in the standard library), with a per-password salt.

A stored hash names its parameters, so they can be raised later and old hashes still verify:
``scrypt$<log2 n>$<r>$<p>$<salt hex>$<hash hex>``.
"""

import hashlib
import hmac
import secrets

# 2^15 × 8 × 128 bytes = 32 MiB of memory per check: costly to guess at scale, ~0.1 s here.
LOG2_N, BLOCK_SIZE, PARALLELISM = 15, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
SCHEME = "scrypt"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, LOG2_N, BLOCK_SIZE, PARALLELISM)
    return f"{SCHEME}${LOG2_N}${BLOCK_SIZE}${PARALLELISM}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` is the one ``stored`` was made from; False for anything else,
    a missing or malformed hash included."""
    try:
        scheme, log2_n, block_size, parallelism, salt, key = (stored or "").split("$")
        if scheme != SCHEME:
            return False
        candidate = _scrypt(password, bytes.fromhex(salt), int(log2_n), int(block_size), int(parallelism))
    except ValueError:
        return False
    return hmac.compare_digest(candidate, bytes.fromhex(key))


def spend_a_check(password: str) -> None:
    """As long as a real check: an unknown user id must not answer faster than a wrong password."""
    verify_password(password, _DUMMY)


def _scrypt(password, salt, log2_n, block_size, parallelism):
    n = 1 << log2_n
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=block_size,
        p=parallelism,
        maxmem=2 * 128 * n * block_size * parallelism + 1024 * 1024,
        dklen=KEY_BYTES,
    )


_DUMMY = hash_password(secrets.token_urlsafe(16))
