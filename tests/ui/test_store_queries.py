"""The read queries behind the views (workstation/store/queries.py) on the synthetic store."""
from __future__ import annotations

import pytest

from workstation.store import Store, Unlock, queries


@pytest.fixture
def store(store_path, passphrase):
    s = Store.open(store_path, Unlock(passphrase=passphrase))
    yield s
    s.close()


def test_patient_list_has_search_text(store):
    df = queries.patient_list(store)
    assert len(df) == 8
    row = df[df["id"] == "SYN-00002"].iloc[0]
    assert "ben" in row["search"] and "mrn900001" in row["search"] and row["n_sources"] == 4


def test_wearable_series_downsamples_in_the_store_keeping_peaks(store):
    full = queries.wearable_series(store, "SYN-00001", "heart_rate")
    assert len(full) == 20 * 1440
    small = queries.wearable_series(store, "SYN-00001", "heart_rate", max_points=1000)
    assert len(small) <= 1000
    assert small["value"].max() == full["value"].max() and small["value"].min() == full["value"].min()
    assert small["t"].is_monotonic_increasing


def test_variants_page_filters_counts_and_pages(store):
    page = queries.variants_page(store, "SYN-00001", limit=100, offset=100)
    assert page.total == 1200 and len(page.rows) == 100 and sum(page.counts.values()) == 1200
    het = queries.variants_page(store, "SYN-00001", queries.VariantFilter(genotype="het"), limit=5)
    assert set(het.rows["genotype"]) == {"het"} and het.total == het.counts["het"]
    q = queries.variants_page(store, "SYN-00001", order_by="qual", descending=True, limit=10)
    assert q.rows["qual"].is_monotonic_decreasing


def test_analyte_z_has_a_basis_or_is_missing(store):
    df = queries.analytes_with_z(store, "SYN-00001")
    with_ref = df[df["ref_low"].notna()]
    assert (with_ref["z_basis"] == "reference interval").all()
    no_ref = df[df["ref_low"].isna() & df["ref_high"].isna()]
    assert (no_ref["status"] == "no reference").all() and no_ref["z"].isna().all()   # 3 patients < cohort minimum


def test_day_zero_options(store):
    keys = [k for k, _t, _w in queries.day_zero_options(store, "SYN-00001")]
    assert keys[:2] == ["birth", "first_visit"] and "diagnosis" in keys
