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


class SidecarInvalid(EnergyTradeError):
    """A provenance sidecar that is not a readable YAML mapping (malformed, a list, not UTF-8) or lacks sha256."""


class DataRootNotWritable(EnergyTradeError):
    """The data root (or its raw/ folder) cannot be written, or ``--data-dir`` names a file, not a folder."""


class DataRootBusy(EnergyTradeError):
    """Another energytrade process held the data root's lock for longer than the lock timeout."""


class TooManyCalls(EnergyTradeError):
    """A fetch plan larger than the stated number of calls, run without ``--yes``."""


class DeadlineExceeded(EnergyTradeError):
    """A call or a whole fetch ran past its time limit (per-call deadline, total-time limit)."""


class BadSetting(EnergyTradeError):
    """A setting given by flag or environment variable that is not a valid value (e.g. a negative deadline)."""


class UnknownSource(EnergyTradeError):
    """A source name that is not in the source registry (``energytrade.sources.registry``)."""


class BadRawFile(EnergyTradeError):
    """A raw file that cannot be cleaned as it is (empty, unreadable, missing a column, a bad number)."""


class EmptyRawFile(BadRawFile):
    """A raw file with no header or no data rows."""


class MissingColumn(BadRawFile):
    """A raw file lacks a column its cleaner needs."""


class BadNumber(BadRawFile):
    """A figure in a raw file that is not a finite number (text, ``NaN``, ``inf``, ``1e400``)."""


class CorruptArchive(BadRawFile):
    """A downloaded archive (e.g. a BACI zip) that cannot be opened or lacks a file it must hold."""


class MissingSourceFiles(RawFileMissing):
    """A registered source the data root should hold has no raw files (see ``--allow-missing``)."""


class VintageShrank(EnergyTradeError):
    """A newer vintage of a raw file covers far less than the one it supersedes (see ``--allow-missing``)."""


class StoreError(EnergyTradeError):
    """The columnar store under ``processed/`` cannot be read or written as asked."""


class CalendarError(EnergyTradeError):
    """The release calendar (``energytrade/release_calendar.yml``) does not parse or names an unknown rule."""


class UnknownClaim(EnergyTradeError):
    """A claim id that is not in the claims file."""


class NoImporterData(NoData):
    """The report was asked for an importer whose crude-oil imports the data root does not hold."""
