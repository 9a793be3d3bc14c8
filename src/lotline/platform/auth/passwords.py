"""Password and PIN hashing (argon2id via argon2-cffi) and the password policy."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lotline.form_engine.problems import Problem, register_messages

MIN_LENGTH = 10
MAX_LENGTH = 256
_COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "123456789a",
        "iloveyou12",
        "admin12345",
        "welcome123",
        "changeme123",
        "lotline123",
        "abc1234567",
    }
)

register_messages(
    {
        "password_too_short": {
            "en": "The password needs at least {min} characters.",
            "zh-CN": "密码至少需要 {min} 个字符。",
        },
        "password_too_long": {"en": "The password is too long.", "zh-CN": "密码过长。"},
        "password_contains_username": {
            "en": "The password may not contain the user name.",
            "zh-CN": "密码不能包含用户名。",
        },
        "password_too_common": {
            "en": "This password is too common; choose another.",
            "zh-CN": "该密码过于常见，请另选一个。",
        },
        "password_one_kind": {
            "en": "Use at least two kinds of characters (letters, digits, symbols).",
            "zh-CN": "请至少使用两类字符（字母、数字、符号）。",
        },
        "password_reused": {
            "en": "The new password must differ from the current one.",
            "zh-CN": "新密码不能与当前密码相同。",
        },
        "pin_format": {"en": "A PIN is 4 to 8 digits.", "zh-CN": "PIN 为 4 到 8 位数字。"},
    }
)

# argon2-cffi's default profile is RFC 9106's low-memory one (t=3, m=64 MiB). Tests may choose a
# cheap profile; verification reads the parameters from each stored hash, so profiles mix safely.
PROFILES = {
    "standard": PasswordHasher(),
    "test-only-fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_hasher = PROFILES["standard"]


def configure_hasher(profile: str) -> None:
    global _hasher
    _hasher = PROFILES[profile]


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when ``secret`` matches; a missing hash still costs one hash (no timing oracle)."""
    if not stored_hash:
        _hasher.hash(secret)
        return False
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, username: str, field: str = "password") -> list[Problem]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(Problem((field,), "password_too_short", {"min": MIN_LENGTH}))
    if len(password) > MAX_LENGTH:
        problems.append(Problem((field,), "password_too_long"))
    if username and username.lower() in password.lower():
        problems.append(Problem((field,), "password_contains_username"))
    if password.lower() in _COMMON:
        problems.append(Problem((field,), "password_too_common"))
    kinds = (
        sum(any(c in group for c in password) for group in (string.ascii_letters, string.digits))
        + any(not c.isalnum() for c in password)
        + any(ord(c) > 127 and c.isalpha() for c in password)
    )
    if kinds < 2:
        problems.append(Problem((field,), "password_one_kind"))
    return problems


def pin_problems(pin: str, field: str = "pin") -> list[Problem]:
    return [] if pin.isdigit() and 4 <= len(pin) <= 8 else [Problem((field,), "pin_format")]


def generate_password() -> str:
    """An initial password that passes the policy (the user must change it at first sign-in)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate
