"""Metrics, once: each metric's name, unit, the clean column its figures come from, the output column of
the analysis functions, and the conversion of a summed clean column to the metric's unit (through
:mod:`energytrade.units`). The analysis and the claims read them here.

>>> METRIC_UNITS["mass"], SOURCE_COLUMNS["bpd"], METRIC_COLUMNS["mass"]
('t', 'net_weight_kg', 'net_weight_t')
>>> clean_to_metric(7_810_000_000.0, "mass", "2022-11")  # kg -> t
7810000.0
"""

from __future__ import annotations

from dataclasses import dataclass

from energytrade import units


@dataclass(frozen=True)
class Metric:
    """A metric: ``unit`` of its figures, ``clean_column`` (clean schema) they are summed from,
    ``output_column`` of the analysis tables (units in the name)."""

    name: str
    unit: str
    clean_column: str
    output_column: str


#: Every metric. Barrels per day are computed from the mass (tonnes over the window's days).
METRICS: dict[str, Metric] = {
    "mass": Metric("mass", "t", "net_weight_kg", "net_weight_t"),
    "value": Metric("value", "USD", "value_usd", "value_usd"),
    "bpd": Metric("bpd", "bbl/d", "net_weight_kg", "rate_bbl_per_day"),
    "volume": Metric("volume", "bcm", "volume_bcm", "volume_bcm"),
}
#: metric name -> unit
METRIC_UNITS: dict[str, str] = {name: m.unit for name, m in METRICS.items()}
#: metric name -> output column of the analysis functions (units in the name)
METRIC_COLUMNS: dict[str, str] = {name: m.output_column for name, m in METRICS.items()}
#: metric name -> clean-table column its figures come from
SOURCE_COLUMNS: dict[str, str] = {name: m.clean_column for name, m in METRICS.items()}
#: Clean-table columns holding a figure: a row with any of them counts as data for its period.
FIGURE_COLUMNS: tuple[str, ...] = ("net_weight_kg", "value_usd", "volume_bcm", "rate_bbl_per_day")
#: The ``partner_iso3`` label of a sum over all partners (never a reported ``WLD`` total).
ALL_PARTNERS = "ALL"


def tonnes_to_metric(tonnes_or_figure: float, metric: str, window: str) -> float:
    """A window's total in tonnes (mass, bpd) or in the metric's unit (value, volume) -> the metric's unit:
    bpd = tonnes over the window's days."""
    if metric == "bpd":
        return float(units.tonnes_to_bpd(tonnes_or_figure, window))
    return float(tonnes_or_figure)


def clean_to_metric(clean_sum: float, metric: str, window: str) -> float:
    """A sum of a clean column (kg for mass and bpd) -> the metric's unit."""
    if metric in ("mass", "bpd"):
        return tonnes_to_metric(float(units.kg_to_tonnes(clean_sum)), metric, window)
    return float(clean_sum)
