"""Utility for the bulk stages: pause Python's cyclic garbage collector.

Input: nothing. Output: the ``paused_gc`` context manager, used by assembly,
serialisation and validation (issue #9).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk stage.

    Building a national graph allocates millions of small objects (terms,
    tuples, dicts); every few thousand allocations trigger a collection, and the
    oldest generation's collections walk every live object. At ~1M triples that
    made assembly 2x and validation 2-3x slower. The objects made in these stages
    are not cyclic garbage; the collector resumes, and collects any cycles, when
    the stage ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
