"""Results derived from one open profile (pharmacogenomic calls), shared by the views that show them.

Several parts of the window need the same :func:`workstation.pgx.call_profile` result for the open patient (the
pharmacogenomics view, the risk view's warfarin genotypes, the banner alerts). It is computed once per patient and
data version and kept here. Threading: called only from jobs on the runner's single worker; the lock only guards
against a second runner (tests). :func:`clear` drops everything (the views call it when the store locks).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 4

_lock = threading.Lock()
_pgx: OrderedDict[tuple[str, str, int], Any] = OrderedDict()


def _key(profile) -> tuple[str, str, int]:
    # the data version names what is stored; id(profile.variants) separates two profiles of one version in tests
    return (profile.id, str(getattr(profile, "version", "")), id(profile.variants))


def pgx_result(profile):
    """``workstation.pgx.call_profile(profile)``, cached per patient and data version."""
    from workstation import pgx

    key = _key(profile)
    with _lock:
        hit = _pgx.get(key)
        if hit is not None:
            _pgx.move_to_end(key)
            return hit
    result = pgx.call_profile(profile)
    with _lock:
        _pgx[key] = result
        while len(_pgx) > MAX_ENTRIES:
            _pgx.popitem(last=False)
    return result


def clear() -> None:
    """Forget every derived result (on lock)."""
    with _lock:
        _pgx.clear()
