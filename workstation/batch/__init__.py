"""Batch work over many genomes: one pure per-sample function, run by a local process pool or by PySpark.

* :func:`workstation.batch.sample.analyse_sample` — a plain genotype table (+ outside calls, sex) of ONE sample in,
  gene calls, CPIC recommendations and polygenic scores out as plain records (``SampleRecords``). ``pgx --vcf``
  and the batch use it, so their results cannot differ.
* :mod:`workstation.batch.manifest` — the manifest (CSV/TSV of sample id, VCF, outside-call file, sex), validated.
* :mod:`workstation.batch.joint` — a joint multi-sample VCF read ONCE with DuckDB at the positions needed, then
  transposed to one genotype list per sample (never split per sample).
* :mod:`workstation.batch.run` — the run: tasks, skip finished samples, progress + ETA, failures, Parquet output,
  the run manifest. Engines: :mod:`~workstation.batch.local` (process pool, default) and
  :mod:`~workstation.batch.spark` (PySpark ``mapInPandas``; optional extra ``.[spark]``, imported only there).
* :mod:`workstation.batch.review` — results into a store for review (``workstation import-batch``), audited.

Nothing here imports Qt; PySpark is imported only inside :mod:`workstation.batch.spark`.
"""
from __future__ import annotations
