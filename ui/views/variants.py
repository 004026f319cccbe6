"""Variants: the patient's VCF records, filtered, sorted and paged by the store (never all rows in memory)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from workstation.store import queries

from ui.views.base import PatientView
from ui.widgets.common import FrameTable, label
from ui.widgets.frame_model import Column

GT_TITLES = {"": "Any genotype", "het": "Heterozygous", "hom_alt": "Homozygous alternate",
             "hom_ref": "Homozygous reference", "no_call": "No call"}
COLUMNS = [Column("chrom", "Chromosome"), Column("pos", "Position", numeric=True, fmt=lambda v: f"{int(v):,}"),
           Column("vid", "ID"), Column("gene", "Gene (from INFO)"), Column("ref", "Ref"), Column("alt", "Alt"),
           Column("gt", "Genotype"), Column("genotype", "Zygosity", fmt=lambda v: GT_TITLES.get(v, "")),
           Column("qual", "Quality", numeric=True), Column("filter", "Filter"), Column("dp", "Depth", numeric=True),
           Column("gq", "GQ", numeric=True)]


class VariantsView(PatientView):

    TABLES = frozenset({"variants", "ref_blocks"})
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.gene = QLineEdit(placeholderText="Gene, e.g. CYP2C19")
        self.chrom = QLineEdit(placeholderText="Chromosome")
        self.chrom.setMaximumWidth(120)
        self.text = QLineEdit(placeholderText="rsID, allele or gene contains…")
        self.genotype = QComboBox()
        for k, t in GT_TITLES.items():
            self.genotype.addItem(t, k)
        self.min_qual = QDoubleSpinBox(prefix="Quality ≥ ", maximum=1e6, decimals=0)
        self.pass_only = QCheckBox("PASS only")
        for w in (self.gene, self.chrom, self.text, self.genotype, self.min_qual, self.pass_only):
            bar.addWidget(w)
            if isinstance(w, QLineEdit):
                w.setClearButtonEnabled(True)
                w.returnPressed.connect(self._refilter)
                w.editingFinished.connect(self._refilter)
        self.genotype.currentIndexChanged.connect(self._refilter)
        self.min_qual.valueChanged.connect(self._refilter)
        self.pass_only.toggled.connect(self._refilter)
        lay.addLayout(bar)
        self.counts = label("", name="muted")
        lay.addWidget(self.counts)
        self.table = FrameTable(COLUMNS, sortable=False)
        h = self.table.horizontalHeader()
        h.setSectionsClickable(True)
        h.setSortIndicatorShown(True)
        h.setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        h.sortIndicatorChanged.connect(lambda *_: self._load(0))
        lay.addWidget(self.table, 1)
        pager = QHBoxLayout()
        self.page_label = label("", name="muted")
        self.prev = QPushButton("◀ Previous")
        self.next = QPushButton("Next ▶")
        self.prev.clicked.connect(lambda: self._load(max(0, self.offset - self.page_size)))
        self.next.clicked.connect(lambda: self._load(self.offset + self.page_size))
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.prev)
        pager.addWidget(self.next)
        lay.addLayout(pager)
        self.offset = 0
        self.total = 0
        self._last_filter: queries.VariantFilter | None = None
        self.clear()

    @property
    def page_size(self) -> int:
        return int(self.prefs.get("variants/page_size"))

    def current_filter(self) -> queries.VariantFilter:
        return queries.VariantFilter(gene=self.gene.text(), chrom=self.chrom.text(), text=self.text.text(),
                                     genotype=self.genotype.currentData() or "",
                                     min_qual=self.min_qual.value() or None, pass_only=self.pass_only.isChecked())

    def show_patient(self, profile) -> None:
        self._last_filter = None
        self._load(0)

    def _refilter(self, *_a) -> None:
        if self.profile is not None and self.current_filter() != self._last_filter:
            self._load(0)

    def _load(self, offset: int) -> None:
        if self.profile is None:
            return
        flt = self.current_filter()
        self._last_filter = flt
        h = self.table.horizontalHeader()
        col = COLUMNS[h.sortIndicatorSection()].key if 0 <= h.sortIndicatorSection() < len(COLUMNS) else "pos"
        self.fetch(queries.variants_page, self.profile.id, flt, offset=offset, limit=self.page_size, order_by=col,
                   descending=h.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder, key="variants",
                   on_result=self._loaded)

    def _loaded(self, page: queries.VariantPage) -> None:
        if self.profile is None:
            return
        self.offset, self.total = page.offset, page.total
        self.table.set_frame(page.rows)
        c = page.counts
        self.counts.setText(f"{page.total:,} variants match · " + " · ".join(
            f"{GT_TITLES[k].lower()} {c.get(k, 0):,}" for k in queries.GENOTYPE_CLASSES)
            + ("" if page.total else " — no variant matches; a position absent from the file is a no-call, "
               "not the reference allele."))
        end = min(page.offset + len(page.rows), page.total)
        self.page_label.setText(f"Rows {page.offset + 1 if page.total else 0:,}–{end:,} of {page.total:,}")
        self.prev.setEnabled(page.offset > 0)
        self.next.setEnabled(end < page.total)
        self.loaded.emit()

    def clear(self) -> None:
        self.table.clear()
        self.counts.setText("")
        self.page_label.setText("")
        self.prev.setEnabled(False)
        self.next.setEnabled(False)
        self.offset = self.total = 0


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(VariantsView))
