"""Perform one UN Comtrade call (``requests`` with urllib3 retries, see ``energytrade.sources.http``).

The key travels only in the ``Ocp-Apim-Subscription-Key`` header; every message built from something
that may echo it (a server body, a ``requests`` exception) goes through :func:`redact`. Redirects are not
followed (one to another host would carry the key header along).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from urllib3.exceptions import DecodeError, HTTPError

from energytrade import __version__
from energytrade.errors import DeadlineExceeded
from energytrade.sources.comtrade.errors import (
    ComtradeAuthRefused,
    ComtradeConnectionError,
    ComtradeQuotaExhausted,
    ComtradeRateLimited,
    ComtradeRequestFailed,
    ComtradeRequestRejected,
    ComtradeServerError,
    ComtradeTimedOut,
)
from energytrade.sources.comtrade.query import (
    DEFAULT_BASE_URL,
    ENV_API_KEY,
    ENV_BASE_URL,
    KEY_HEADER,
    ComtradeRequest,
    check_api_key,
)
from energytrade.sources.http import RetryPolicy, attempts, consumed_body, mount_retries, read_body, retry_after_s

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpReply:
    """A 200 answer: the URL asked (no key), status, content type and the body exactly as received."""

    url: str
    status: int
    content_type: str
    body: bytes


def redact(text: str, api_key: str | None) -> str:
    """``text`` with the key replaced by ``***``, in every form an error text may quote it.

    The forms: as given and stripped, each also as Python's ``repr`` writes it (``requests`` quotes a bad
    header value with ``!r``, so ``KEY\\r`` shows as ``KEY\\\\r``) and as a bytes repr.

    >>> redact("Invalid ... in header value: 'abc123\\\\r'", "abc123\\r")
    "Invalid ... in header value: '***'"
    """
    if not api_key:
        return text
    forms: set[str] = set()
    for key in (api_key, api_key.strip()):
        if key:
            forms |= {key, repr(key)[1:-1], ascii(key)[1:-1], repr(key.encode("utf-8", "replace"))[2:-1]}
    for form in sorted(forms, key=len, reverse=True):  # longest first, so no tail of the key is left
        text = text.replace(form, "***")
    return text


def snippet(body: bytes | str, limit: int = 200) -> str:
    """The first ``limit`` characters of a body, whitespace folded, quoted (for error messages)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def _message(body: bytes) -> str:
    """The ``message`` of an Azure API Management error body, else the body's first characters."""
    try:
        payload = json.loads(body.decode("utf-8-sig"))
        if isinstance(payload, dict) and payload.get("message"):
            return str(payload["message"])
    except (ValueError, UnicodeDecodeError):
        pass
    return snippet(body)


def wait_in_message(message: str) -> float | None:
    """``Try again in 2 seconds.`` -> 2; ``replenished in 03:14:17`` -> 11657 [data-apis.md 1.5]."""
    match = re.search(r"in (\d+) seconds?", message)
    if match:
        return float(match.group(1))
    match = re.search(r"in (\d+):(\d{2}):(\d{2})", message)
    if match:
        hours, minutes, seconds = (int(g) for g in match.groups())
        return float(hours * 3600 + minutes * 60 + seconds)
    return None


def _wait_in_body(body: bytes) -> float | None:
    return wait_in_message(_message(body))


def redact_body(body: bytes, api_key: str | None) -> bytes:
    """``body`` with the key (as sent, and stripped) replaced by ``***``: an answer echoing the key is
    stored without it."""
    if not api_key:
        return body
    for key in sorted({api_key, api_key.strip()} - {""}, key=len, reverse=True):
        body = body.replace(key.encode("utf-8", "replace"), b"***")
    return body


def perform(
    request: ComtradeRequest,
    *,
    base_url: str = DEFAULT_BASE_URL,
    api_key: str | None = None,
    session: requests.Session | None = None,
    retry: RetryPolicy | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> HttpReply:
    """Send one call and return its 200 answer; urllib3 retries what is worth retrying.

    The session gets a retrying adapter mounted for ``base_url`` (see ``energytrade.sources.http``).
    One attempt may take at most ``retry.deadline_s`` from request to last byte.

    Raises
    ------
    ComtradeRateLimited, ComtradeQuotaExhausted
        429 or 403-with-``Retry-After`` after ``retry.max_attempts``, or a wait over ``retry.max_wait_s``.
    ComtradeAuthRefused
        401, or a 403 that is not about quota.
    ComtradeServerError, ComtradeConnectionError
        5xx, or no connection, on every attempt.
    ComtradeTimedOut
        The answer did not arrive whole within ``retry.deadline_s``.
    ComtradeRequestRejected
        Any other status (400, 404, 414, a redirect).
    ComtradeBadKey
        A key with a character no header can carry (see :func:`check_api_key`).
    ComtradeRequestFailed
        Any other ``requests`` error (not retried); its text is kept, with the key redacted.
    """
    key = check_api_key(api_key) if request.keyed else None
    if request.keyed and key is None:
        raise ComtradeAuthRefused(f"the keyed data API needs a subscription key: set {ENV_API_KEY}")
    retry = retry or RetryPolicy()
    session = mount_retries(session or requests.Session(), base_url, retry, _wait_in_body)
    url = request.url(base_url)
    headers = {"Accept": "application/json", "User-Agent": f"energytrade/{__version__}"}
    if key is not None:
        headers[KEY_HEADER] = key
    connect_s, read_s = retry.timeout_s
    log.info("GET %s", url)
    try:
        response = session.get(
            url, headers=headers, timeout=(connect_s, min(read_s, retry.deadline_s)), allow_redirects=False, stream=True
        )
    except (requests.ConnectionError, requests.Timeout) as err:
        raise ComtradeConnectionError(
            f"could not reach UN Comtrade at {url} after {retry.max_attempts} attempts ({type(err).__name__}); "
            f"check the network or {ENV_BASE_URL}, then run the same command again to resume"
        ) from None
    except requests.RequestException as err:
        raise _failed(url, err, api_key) from None
    try:
        started = clock()
        try:
            body = read_body(response, started + retry.deadline_s, read_s, clock)
        except DeadlineExceeded as err:
            raise ComtradeTimedOut(
                f"UN Comtrade's answer for {url} did not arrive within the call deadline of {retry.deadline_s:g} s "
                f"({err}); raise --call-deadline (or $ENERGYTRADE_CALL_DEADLINE_S), ask for less, or run "
                "the same command again later to resume"
            ) from None
        except DecodeError as err:
            raise _failed(url, requests.exceptions.ContentDecodingError(err), api_key) from None
        except (requests.RequestException, OSError, HTTPError) as err:
            raise ComtradeConnectionError(
                f"the connection to UN Comtrade broke while reading the answer for {url} ({type(err).__name__}); "
                "run the same command again to resume"
            ) from None
    finally:
        response.close()
    return _answer(url, response, body, api_key, retry)


def _failed(url: str, err: Exception, api_key: str | None) -> ComtradeRequestFailed:
    # Not a network fault (an invalid header or URL, a body that cannot be decoded): retrying would not
    # help. Its text may quote the key header, so it is redacted and the original is not chained.
    return ComtradeRequestFailed(
        f"the request to UN Comtrade at {url} failed ({type(err).__name__}: "
        f"{redact(str(err), api_key)}); check {ENV_API_KEY} (the key is not shown) and "
        f"{ENV_BASE_URL}, then run the same command again to resume"
    )


def _answer(url: str, response: requests.Response, body: bytes, api_key: str | None, retry: RetryPolicy) -> HttpReply:
    """The 200 answer, or the typed error of any other status (after urllib3's retries)."""
    status = response.status_code
    if status == 200:
        return HttpReply(url, status, response.headers.get("Content-Type", ""), body)
    body = body or consumed_body(response)
    attempt = attempts(response)
    message = redact(_message(body), api_key)
    retry_after = retry_after_s(response.headers)
    if status == 429 or (status == 403 and retry_after is not None):
        wait = retry_after or wait_in_message(message) or retry.backoff(attempt)
        quota = status == 403
        kind = ComtradeQuotaExhausted if quota else ComtradeRateLimited
        what = "the key's call quota is used up" if quota else "rate limited"
        raise kind(
            f"UN Comtrade answered HTTP {status} ({what}: {message}) for {url} after {attempt} "
            f"attempt(s); retry after {wait:.0f} s, then run the same command again to resume",
            retry_after_s=wait,
        )
    if status == 401:
        raise ComtradeAuthRefused(
            f"UN Comtrade refused the subscription key (HTTP 401: {message}) for {url}; check "
            f"{ENV_API_KEY} (the key is not shown), or unset it to use the public preview"
        )
    if status == 403:
        if "quota" in message.lower():
            raise ComtradeQuotaExhausted(
                f"UN Comtrade answered HTTP 403 (the key's call quota is used up: {message}) for {url}; "
                "run the same command again once it is replenished",
                retry_after_s=wait_in_message(message),
            )
        raise ComtradeAuthRefused(
            f"UN Comtrade refused the call (HTTP 403: {message}) for {url}; check {ENV_API_KEY} "
            "(the key is not shown) and that its subscription covers this endpoint"
        )
    if 500 <= status < 600:
        raise ComtradeServerError(
            f"UN Comtrade answered HTTP {status} ({message}) for {url} on all {attempt} attempts; "
            "the service may be down: run the same command again later to resume"
        )
    raise ComtradeRequestRejected(
        f"UN Comtrade answered HTTP {status} ({message}) for {url}; "
        + ("the URL is too long: ask for fewer partners" if status == 414 else "check the query's codes")
    )
