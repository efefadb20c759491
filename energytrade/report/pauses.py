"""Python's cyclic garbage collector held off while the report builds, draws and writes.

A report makes millions of short-lived objects (pandas frames, matplotlib artists, workbook cells) and few
reference cycles, so the collector's passes over every live object find almost nothing: measured on the
bundled data, they took 0.17 s of the chapters' 1.5 s and 0.11 s of the workbook's 0.4 s. Holding them off
costs about 4 MiB of peak memory; the collector runs as usual once the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Within the block, no cyclic garbage collection (reference counting still frees what it can); the
    collector's previous state is restored after, so blocks nest.

    >>> import gc
    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
