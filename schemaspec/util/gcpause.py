"""Pausing the cyclic garbage collector while a spec is built or compared.

Building the spec of a 1,000-table schema allocates hundreds of thousands of small objects
(reflected rows, dicts, models) and frees almost none of them until it returns. CPython starts a
collection every 700 net allocations and, every so often, a full one over everything alive, so
the collector re-scans the same growing heap again and again: measured, that was about 40% of a
whole models-against-database comparison. Nothing built here needs the collector to run before
the call returns (reference counting still frees what is dropped), so it is paused for the call
and resumed afterwards; what it would have found it finds at its next run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it only if it was enabled."""
    if not gc.isenabled():
        # Already paused (a nested call, or the application's own choice): leave it to them.
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
