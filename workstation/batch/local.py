"""The default engine: a local process pool (all cores), bounded memory.

Samples go to the workers in chunks; at most two chunks per worker are in flight, and each finished chunk is written
to a part file at once, so memory stays at a few chunks whatever the cohort size. Workers are started with
``spawn`` (the parent may hold DuckDB threads, which ``fork`` must not copy; Windows and macOS spawn anyway). A joint
VCF's shared record table is handed to each worker once, through the pool initializer.
"""
from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from workstation.batch import output
from workstation.batch.tasks import Task, process_many

_RECORDS = None


def _init(records) -> None:
    global _RECORDS
    _RECORDS = records


def _work(tasks: list[dict]) -> list[tuple[str, str, str]]:
    return process_many(tasks, _RECORDS)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:          # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _failed_count(rows) -> int:
    return sum(1 for s, t, j in rows if t == "samples" and '"status":"failed"' in j)


def run_local(tasks: list[Task], records, results: Path, *, attempt: int, workers: int | None = None,
              chunk: int = 32, on_chunk: Callable[[int, int], None] | None = None) -> dict:
    """Process ``tasks`` and write their parts; ``on_chunk(done, failed)`` after each chunk."""
    n = workers or default_workers()
    chunks = [[t.to_dict() for t in tasks[i:i + chunk]] for i in range(0, len(tasks), chunk)]
    done = failed = 0
    cb = on_chunk or (lambda d, f: None)
    if n == 1:                                  # in-process: no pool start-up for small runs and tests
        _init(records)
        try:
            for c in chunks:
                rows = _work(c)
                output.write_part(results, rows, attempt)
                done += len(c)
                failed += _failed_count(rows)
                cb(done, failed)
        finally:
            _init(None)
        return {"engine": "local", "workers": 1, "chunk": chunk, "start_method": "in-process"}
    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init, initargs=(records,)) as pool:
        pending = {}
        it = iter(chunks)
        for c in it:
            pending[pool.submit(_work, c)] = len(c)
            if len(pending) >= 2 * n:
                break
        while pending:
            fin, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in fin:
                size = pending.pop(f)
                rows = f.result()
                output.write_part(results, rows, attempt)
                done += size
                failed += _failed_count(rows)
                cb(done, failed)
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(_work, nxt)] = len(nxt)
    return {"engine": "local", "workers": n, "chunk": chunk, "start_method": "spawn"}
