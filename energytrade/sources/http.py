"""HTTP manners shared by the API clients: retries, a polite throttle and deadlines.

- Retries are urllib3's :class:`~urllib3.util.Retry` (mounted on a ``requests`` session), told when to
  retry (429, 5xx, a 403 with ``Retry-After``, connection faults) and how long to wait: ``Retry-After``
  (seconds or an HTTP date), else a wait the client reads from the error body, else exponential backoff.
  A wait longer than :attr:`RetryPolicy.max_wait_s` is not sat out: the answer goes back to the client,
  which raises a typed error saying when to retry.
- :class:`Throttle` keeps a minimum interval between calls (``ENERGYTRADE_CALL_INTERVAL_S``).
- :func:`read_body` reads an answer under an overall deadline (``ENERGYTRADE_CALL_DEADLINE_S``): a read
  timeout alone does not stop a server that sends one byte every few seconds.

Nothing here prints; clients log through :mod:`logging` and raise typed errors.
"""

from __future__ import annotations

import email.utils
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from energytrade.errors import BadSetting, DeadlineExceeded

log = logging.getLogger(__name__)

ENV_CALL_DEADLINE = "ENERGYTRADE_CALL_DEADLINE_S"
ENV_TOTAL_DEADLINE = "ENERGYTRADE_TOTAL_DEADLINE_S"
ENV_CALL_INTERVAL = "ENERGYTRADE_CALL_INTERVAL_S"
#: One call, from sending the request to the last byte [s]. The UN's own client waits up to 120 s for a
#: read; a 100,000-record answer is tens of MB, so 300 s leaves room for a slow link but not for a stall.
DEFAULT_CALL_DEADLINE_S = 300.0
#: A whole fetch [s]; an interrupted fetch resumes, so stopping after an hour loses nothing.
DEFAULT_TOTAL_DEADLINE_S = 3600.0
#: Pause between calls [s]. comtradr throttles to 10 calls a minute; one a second is polite for a
#: single user and keeps a 24-call plan under half a minute.
DEFAULT_CALL_INTERVAL_S = 1.0
#: Bytes asked of the socket per read while streaming an answer (at most one ``recv`` each).
CHUNK_BYTES = 1 << 16


def setting_s(value: float | str | None, env: str, default: float, flag: str, *, allow_zero: bool = False) -> float:
    """A time setting [s]: the flag's ``value`` if given, else ``$env``, else ``default``.

    Raises
    ------
    BadSetting
        Not a finite number, or not above zero (zero allowed with ``allow_zero``).

    >>> setting_s(None, "ENERGYTRADE_UNSET_FOR_DOCTEST", 5.0, "--x"), setting_s("2.5", "E", 5.0, "--x")
    (5.0, 2.5)
    """
    origin = flag
    if value is None or value == "":
        value, origin = os.environ.get(env) or None, f"${env}"
    if value is None:
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        floor = "zero or more" if allow_zero else "above zero"
        raise BadSetting(f"{origin} is {value!r}; give a number of seconds {floor}, e.g. 60")
    return seconds


@dataclass(frozen=True)
class RetryPolicy:
    """How a call waits and retries.

    Attributes
    ----------
    max_attempts
        Attempts per call, the first included (429/403-with-``Retry-After``, 5xx and connection faults count).
    backoff_s
        First wait after a 5xx or connection fault [s]; doubles per attempt up to ``max_backoff_s``.
    max_wait_s
        Longest ``Retry-After`` sat out [s]; a longer one (a spent daily quota) goes back to the client.
    timeout_s
        ``(connect, read)`` timeout of every socket operation [s] (the UN's own client uses 120 s).
    deadline_s
        Longest time one attempt may take from request to last byte [s] (see :func:`read_body`).
    sleep
        The wait function (``time.sleep``); tests pass a recorder.
    """

    max_attempts: int = 5
    backoff_s: float = 2.0
    max_backoff_s: float = 60.0
    max_wait_s: float = 120.0
    timeout_s: tuple[float, float] = (10.0, 120.0)
    deadline_s: float = DEFAULT_CALL_DEADLINE_S
    sleep: Callable[[float], None] = time.sleep

    def backoff(self, attempt: int) -> float:
        """Wait after failed attempt number ``attempt`` (1-based) [s]: 2, 4, 8, ... up to ``max_backoff_s``."""
        return min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s)


@dataclass
class Throttle:
    """At least ``min_interval_s`` between the starts of two calls (the first call does not wait)."""

    min_interval_s: float = DEFAULT_CALL_INTERVAL_S
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: float | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> Throttle:
        """``$ENERGYTRADE_CALL_INTERVAL_S`` (0 turns the throttle off), else one second."""
        return cls(setting_s(None, ENV_CALL_INTERVAL, DEFAULT_CALL_INTERVAL_S, "", allow_zero=True))

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None and self.min_interval_s > 0:
            pause = self._last + self.min_interval_s - now
            if pause > 0:
                self.sleep(pause)
                now = self.clock()
        self._last = now


def retry_after_s(headers: dict[str, str] | requests.structures.CaseInsensitiveDict) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date); ``None`` if absent, ``0`` or unreadable."""
    value = str(headers.get("Retry-After", "") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return seconds if math.isfinite(seconds) and seconds > 0 else None


class PoliteRetry(Retry):
    """urllib3's ``Retry`` with :class:`RetryPolicy`'s waits.

    ``wait_in_body`` reads a wait from a 429 body that has no ``Retry-After`` (Comtrade writes "Try again
    in 2 seconds."). The answer of the last attempt is returned, not raised (``raise_on_status=False``),
    so that the client can turn its status and body into a typed error.
    """

    def __init__(
        self,
        *args,
        policy: RetryPolicy | None = None,
        wait_in_body: Callable[[bytes], float | None] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy or RetryPolicy()
        self.wait_in_body = wait_in_body
        self.next_wait: float | None = None
        self.last_body: bytes | None = None

    @classmethod
    def for_policy(
        cls, policy: RetryPolicy, wait_in_body: Callable[[bytes], float | None] | None = None
    ) -> PoliteRetry:
        return cls(
            total=policy.max_attempts - 1,
            redirect=0,
            raise_on_redirect=False,
            raise_on_status=False,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            policy=policy,
            wait_in_body=wait_in_body,
        )

    def new(self, **kw) -> PoliteRetry:
        retry = super().new(**kw)
        retry.policy, retry.wait_in_body = self.policy, self.wait_in_body
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if not self._is_method_retryable(method):
            return False
        return status_code == 429 or 500 <= status_code < 600 or (status_code == 403 and has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        retry = super().increment(method, url, response=response, error=error, _pool=_pool, _stacktrace=_stacktrace)
        attempt = len(retry.history)
        wait = None
        if response is not None:
            wait = retry_after_s(response.headers)
            if wait is None and response.status in (403, 429) and self.wait_in_body is not None:
                # Reading the body consumes it: keep it for the client in case this answer is the last.
                self.last_body = response.data or b""
                wait = self.wait_in_body(self.last_body)
        wait = wait if wait is not None else self.policy.backoff(attempt)
        if wait > self.policy.max_wait_s:
            # Not sat out: the pool hands the last answer back (raise_on_status=False).
            raise MaxRetryError(_pool, url, f"wait of {wait:.0f} s is over {self.policy.max_wait_s:.0f} s")
        retry.next_wait = wait
        what = f"HTTP {response.status}" if response is not None else type(error).__name__
        log.warning("%s on %s (attempt %d); waiting %.3g s", what, url, attempt, wait)
        return retry

    def sleep(self, response=None) -> None:
        wait = self.next_wait if self.next_wait is not None else self.policy.backoff(len(self.history))
        self.policy.sleep(wait)


def mount_retries(
    session: requests.Session,
    base_url: str,
    policy: RetryPolicy,
    wait_in_body: Callable[[bytes], float | None] | None = None,
) -> requests.Session:
    """Mount an adapter retrying by ``policy`` on ``session`` for every URL under ``base_url``."""
    adapter = HTTPAdapter(max_retries=PoliteRetry.for_policy(policy, wait_in_body))
    session.mount(base_url.rstrip("/") + "/", adapter)
    return session


def consumed_body(response: requests.Response) -> bytes:
    """The body :class:`PoliteRetry` read from the last answer to compute a wait (else ``b""``)."""
    return getattr(getattr(response.raw, "retries", None), "last_body", None) or b""


def attempts(response: requests.Response) -> int:
    """How many attempts the answer took (1 + the retries urllib3 made)."""
    retries = getattr(response.raw, "retries", None)
    return 1 + len(getattr(retries, "history", ()) or ())


def read_body(
    response: requests.Response,
    deadline_at: float,
    read_timeout_s: float,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The whole (decoded) body of a streamed answer, read before ``deadline_at`` (a ``clock`` time).

    Each socket read waits at most for what is left of the deadline, and reads at most one packet's
    worth, so a server that trickles bytes is cut off at the deadline, not after the read timeout.

    Raises
    ------
    DeadlineExceeded
        The deadline passed before the last byte (the caller names the call and what to do).
    """
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    chunks: list[bytes] = []
    received = 0
    while True:
        remaining = deadline_at - clock()
        if remaining <= 0:
            raise DeadlineExceeded(f"{received} bytes received when the deadline passed")
        if sock is not None:
            sock.settimeout(min(read_timeout_s, remaining))
        try:
            chunk = raw.read1(CHUNK_BYTES, decode_content=True)
        except (TimeoutError, ReadTimeoutError):
            if deadline_at - clock() <= 0:
                raise DeadlineExceeded(f"{received} bytes received when the deadline passed") from None
            raise
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        received += len(chunk)
