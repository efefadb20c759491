"""Typed errors. Every message says what happened and what to do about it."""

from __future__ import annotations


class EnergyTradeError(Exception):
    """Base class of every error energytrade raises on purpose."""


class DataDirNotFound(EnergyTradeError):
    """The data directory (``--data-dir`` or ``ENERGYTRADE_DATA_DIR``) does not exist."""


class RawFileMissing(EnergyTradeError):
    """A raw file or its provenance sidecar is missing."""


class RawFileChanged(EnergyTradeError):
    """A raw file's sha256 no longer matches the checksum recorded in its sidecar."""


class UnknownCountry(EnergyTradeError):
    """One or more country names or codes could not be mapped to ISO 3166 alpha-3."""


class UnknownCommodity(EnergyTradeError):
    """A commodity name or HS code that energytrade does not know."""


class BadPeriod(EnergyTradeError):
    """A period string that is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM``, or an impossible month."""


class SchemaViolation(EnergyTradeError):
    """A clean table does not satisfy the clean schema (``energytrade.schema``)."""


class UnknownMetric(EnergyTradeError):
    """An analysis metric energytrade does not know (``energytrade.analysis.METRIC_COLUMNS``)."""


class NoData(EnergyTradeError):
    """A selection of the clean table (source, commodity, flow, window, partner, metric) matched nothing."""


class AmbiguousFigures(EnergyTradeError):
    """Several rows give one figure for one key (e.g. press outlets) where one was needed to sum."""


class ClaimSpecError(EnergyTradeError):
    """A claim spec (``energytrade/claims/claims.yml`` or a ``ClaimSpec``) is malformed or names an unknown
    commodity, country, metric, source or window."""


class BadDate(EnergyTradeError):
    """A calendar date that is not ``YYYY-MM-DD`` (e.g. an ``--as-of`` date)."""


class CalendarError(EnergyTradeError):
    """The release calendar (``energytrade/release_calendar.yml``) does not parse or names an unknown rule."""


class UnknownClaim(EnergyTradeError):
    """A claim id that is not in the claims file."""
