"""Typed errors of the UN Comtrade client (``energytrade.sources.comtrade``).

Every message says what happened and what to do, and never contains the subscription key (the client
redacts it from anything the server echoes back).
"""

from __future__ import annotations

from energytrade.errors import DeadlineExceeded, EnergyTradeError


class ComtradeError(EnergyTradeError):
    """Base class of every UN Comtrade client error."""


class ComtradeBadQuery(ComtradeError):
    """A fetch argument is not one the client or the API accepts (the message lists the allowed values)."""


class ComtradeRateLimited(ComtradeError):
    """HTTP 429 (or 403 with ``Retry-After``) and the retries ran out, or the wait is too long to sit out."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ComtradeQuotaExhausted(ComtradeRateLimited):
    """HTTP 403 "Out of call volume quota": the key's daily calls are used up."""


class ComtradeAuthRefused(ComtradeError):
    """HTTP 401 (or a 403 that is not about quota): the subscription key was refused or is missing."""


class ComtradeBadKey(ComtradeError):
    """``COMTRADE_API_KEY`` holds a character that an HTTP header cannot carry (the message never shows the key)."""


class ComtradeServerError(ComtradeError):
    """HTTP 5xx on every attempt."""


class ComtradeConnectionError(ComtradeError):
    """The server could not be reached (connection refused, DNS, timeout) on every attempt."""


class ComtradeRequestFailed(ComtradeError):
    """``requests`` raised something other than a connection fault (an invalid header, URL, or body encoding)."""


class ComtradeRequestRejected(ComtradeError):
    """Another HTTP 4xx (400 bad parameters, 404, 414 URL too long, ...) or an unexpected status."""


class ComtradeBadResponse(ComtradeError):
    """A body that is not the API's JSON envelope (an HTML error page, malformed or inconsistent JSON)."""


class ComtradeEmptyResult(ComtradeError):
    """Every call of a fetch came back with ``count: 0`` (HTTP 200, no records)."""


class ComtradeTruncated(ComtradeError):
    """A call hit the record cap and cannot be split into smaller calls."""


class ComtradeTimedOut(ComtradeError, DeadlineExceeded):
    """A call ran past its deadline (``--call-deadline``), or the fetch past its total time (``--total-deadline``)."""
