"""Typed errors of the Eurostat dissemination API client (``energytrade.sources.eurostat``)."""

from __future__ import annotations

from energytrade.errors import DeadlineExceeded, EnergyTradeError


class EurostatError(EnergyTradeError):
    """Base class of every Eurostat client error."""


class EurostatBadQuery(EurostatError):
    """A dataset, filter or period the client or the API does not accept (the message lists what is allowed)."""


class EurostatNotFound(EurostatError):
    """HTTP 404: no such dataset, code list, or no data for the key asked."""


class EurostatRequestRejected(EurostatError):
    """Another HTTP 4xx (400 bad key, ...) or an unexpected status."""


class EurostatTooBig(EurostatError):
    """Eurostat refused a request as too big (413 ``EXTRACTION_TOO_BIG``) and it cannot be split further."""


class EurostatRateLimited(EurostatError):
    """HTTP 429 on every attempt."""


class EurostatServerError(EurostatError):
    """HTTP 5xx on every attempt."""


class EurostatConnectionError(EurostatError):
    """The server could not be reached, or the connection broke, on every attempt."""


class EurostatBadResponse(EurostatError):
    """A 200 answer that is not SDMX-CSV (an HTML page, a broken gzip, another layout) or not SDMX-ML."""


class EurostatTimedOut(EurostatError, DeadlineExceeded):
    """A call ran past its deadline, or the fetch past its total time."""
