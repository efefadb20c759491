"""energytrade: public oil and gas trade statistics, cleaned, analysed and turned into evidence on claims.

Layers, each a subpackage or module, importing only downwards:

raw (``energytrade.raw``, ``energytrade.sources.*`` readers)
  -> clean (``energytrade.sources.*`` cleaners, ``energytrade.schema``, ``energytrade.build``)
  -> analysis (``energytrade.units``, ``energytrade.analysis``)
  -> claims (``energytrade.claims``)
  -> outputs (``energytrade.report``, notebooks)
"""

from energytrade.errors import EnergyTradeError

__version__ = "0.1.0"

__all__ = ["EnergyTradeError", "__version__"]
