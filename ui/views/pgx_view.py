"""Pharmacogenomics: the patient's gene results and the CPIC drug guidance they lead to, each with its evidence.

Presents the patient's one analysis (``session.analysis``: calls and guidance, computed once on the runner's worker).
Ambiguous (tied) and incomplete calls are shown as amber badges and tinted rows, never hidden; genes that need an
outside call (CYP2D6, HLA) say so. The drug table lists this patient's medicines (the banner's alerts) or every
level A/B drug with an applicable recommendation; selecting a row shows its full basis beside the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLineEdit, QPushButton, QSplitter, QTextBrowser, QVBoxLayout,
                               QWidget)

from ui.views.base import PatientView
from ui.widgets.common import Card, FrameTable, label
from ui.widgets.frame_model import Column
from ui.widgets.pgx_basis import LEVEL_WORDS, basis_html, level_of
from workstation.pgx.completeness import short_label

MODE_PATIENT, MODE_ALL = "patient", "all"
MAX_BADGES = 6
EMPTY_BASIS = "<p>Select a drug to see its evidence: guideline, level, strength, the gene " \
              "results it was looked up with and the CPIC text.</p>"


@dataclass(frozen=True)
class PgxBundle:
    """What the view shows for one patient: the calls, the alerts for the active medicines, all recommendations."""

    patient_id: str
    result: Any            # workstation.pgx.PgxResult
    alerts: list
    recommendations: list


def from_analysis(analysis) -> PgxBundle:
    """The view's bundle from the patient's analysis (no computation)."""
    return PgxBundle(analysis.patient_id, analysis.pgx, list(analysis.alerts), list(analysis.recommendations))


# -- frames for the tables (presentation only) -------------------------------------------------------------------
def _gene_status(c) -> str:
    outside = c.source == "outside call"
    if not c.diplotypes and not c.phenotype:
        return "needs outside call" if outside else "not called"
    flags = [w for w, on in (("ambiguous", c.tie), ("incomplete", c.incomplete),
                             ("from GRCh37 via position table", c.translated)) if on]
    return ", ".join(flags + (["outside call"] if outside else [])) or "called from VCF"


def genes_frame(result) -> pd.DataFrame:
    rows = []
    for gene, c in result.genes.items():
        miss = list(c.missing_positions)
        shown = f"{len(miss)}: {', '.join(miss[:3])}{' …' if len(miss) > 3 else ''}" if miss else "none"
        rows.append({"gene": gene, "diplotype": " or ".join(c.diplotypes) if c.diplotypes else "—",
                     "phenotype": c.phenotype or "—", "activity": c.activity_score,
                     "missing": shown,
                     "used": len(c.positions_used),
                     "source": "outside call" if c.source == "outside call" else "VCF",
                     "status": _gene_status(c),
                     "_note": "\n".join(((c.completeness_text,) if c.completeness is not None else ()) + c.messages)})
    return pd.DataFrame(rows)


def _status_tone(v) -> str | None:
    s = str(v)
    if "ambiguous" in s or "incomplete" in s:
        return "adjust"
    return "text_muted" if s in ("not called", "needs outside call") else None


def _level_tone(v) -> str | None:
    return {"avoid": "avoid", "adjust": "adjust", "caution": "adjust", "standard": "standard"}.get(str(v), "text_muted")


GENE_COLUMNS = [Column("gene", "Gene"), Column("diplotype", "Diplotype(s)"), Column("phenotype", "Phenotype"),
                Column("activity", "Activity", numeric=True), Column("missing", "Missing"),
                Column("status", "Status", tone=_status_tone)]
GENE_WIDTHS = {0: 72, 1: 122, 3: 72, 4: 74, 5: 130}   # the phenotype (stretch) keeps the rest
DRUG_COLUMNS = [Column("drug", "Drug"), Column("genes", "Genes"),
                Column("level", "Guidance", fmt=lambda v: LEVEL_WORDS.get(str(v), str(v)), tone=_level_tone),
                Column("summary", "Recommendation")]
DRUG_WIDTHS = {0: 110, 1: 130, 2: 190}


def drug_items(bundle: PgxBundle, mode: str) -> list[dict]:
    """Rows of the drug table: the patient's medicines (from the alerts) or every applicable recommendation."""
    items = []
    if mode == MODE_PATIENT:
        for a in bundle.alerts:
            rec = a.recommendation
            recs = (a.basis or {}).get("recommendations") or ([rec.to_json()] if rec else [])
            genes = ", ".join((a.basis or {}).get("genes", {}))
            items.append({"drug": a.drug, "medication": a.medication, "genes": genes,
                          "level": level_of(a.level),
                          "summary": rec.summary if rec else "No recommendation applies to the results available",
                          "strength": rec.strength if rec else "", "year": (a.basis or {}).get("guideline_year", ""),
                          "headline": a.headline, "recommendations": recs, "basis": a.basis})
    else:
        for r in bundle.recommendations:
            items.append({"drug": r.drug, "medication": None, "genes": ", ".join(r.genes),
                          "level": level_of(r.level), "summary": r.summary, "strength": r.strength,
                          "year": (r.basis or {}).get("guideline_year", ""), "headline": "",
                          "recommendations": [r.to_json()], "basis": r.basis})
    return items


class PgxView(PatientView):
    """Gene table, ambiguity badges, drug table (filterable) and the basis panel of the selected drug."""

    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        self.bundle: PgxBundle | None = None
        self.items: list[dict] = []
        root = QHBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        split = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(split)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(12)
        genes = Card("Gene results")
        top = QHBoxLayout()
        self.summary = label("", name="muted", wrap=True)
        top.addWidget(self.summary, 1)
        self.add_outside = QPushButton("Add outside call…")
        self.add_outside.setToolTip("Enter a CYP2D6, HLA-A/HLA-B or MT-RNR1 result from another lab, or import a "
                                    "PharmCAT outside-call file")
        self.add_outside.clicked.connect(self.open_outside_call_form)
        top.addWidget(self.add_outside)
        genes.body.addLayout(top)
        self.badges = QHBoxLayout()
        self.badges.setSpacing(6)
        genes.body.addLayout(self.badges)
        self.genes = FrameTable(GENE_COLUMNS, stretch=2)
        self.genes.setMinimumHeight(140)
        genes.body.addWidget(self.genes)
        ll.addWidget(genes, 3)
        drugs = Card("Drug guidance (CPIC)")
        bar = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.addItem("This patient's medicines", MODE_PATIENT)
        self.mode.addItem("All level A/B drugs with a recommendation", MODE_ALL)
        self.search = QLineEdit(placeholderText="Filter drugs or genes")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.mode)
        bar.addWidget(self.search, 1)
        drugs.body.addLayout(bar)
        self.drugs = FrameTable(DRUG_COLUMNS, stretch=3)
        drugs.body.addWidget(self.drugs)
        self.drug_note = label("", name="hint", wrap=True)
        drugs.body.addWidget(self.drug_note)
        ll.addWidget(drugs, 2)
        split.addWidget(left)
        basis = Card("Evidence")
        self.basis = QTextBrowser()
        self.basis.setOpenLinks(False)
        self.basis.setFrameShape(QTextBrowser.Shape.NoFrame)
        basis.body.addWidget(self.basis)
        split.addWidget(basis)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([740, 420])
        self.mode.currentIndexChanged.connect(lambda _i: self._fill_drugs())
        self.search.textChanged.connect(self._filter)
        self.drugs.selectionModel().currentRowChanged.connect(lambda cur, _p: self._show_basis(cur))
        self.clear()

    def open_outside_call_form(self):
        """The outside-call form for the open patient (returns the dialog; None without a patient)."""
        from ui.outside_call_dialog import OutsideCallDialog

        if self.profile is None:
            return None
        dlg = OutsideCallDialog(self.session, self.profile.id, self)
        dlg.stored.connect(self.message.emit)
        dlg.open()
        return dlg

    # -- session -> view -----------------------------------------------------------------------------------------
    TABLES = frozenset({"variants", "ref_blocks", "outside_calls", "medications", "sources"})

    def show_patient(self, profile) -> None:
        analysis = self.session.analysis
        if analysis is None or analysis.patient_id != profile.id:
            self.summary.setText("No analysis for this patient yet.")
            self.loaded.emit()
            return
        self.bind(from_analysis(analysis))

    def _failed(self, text: str) -> None:
        self.summary.setText(text)
        self.message.emit(text)
        self.loaded.emit()

    def bind(self, bundle: PgxBundle) -> None:
        """Show ``bundle`` (GUI thread). Ignored if another patient is open by now."""
        if self.profile is not None and bundle.patient_id != self.profile.id:
            return
        self.bundle = bundle
        gf = genes_frame(bundle.result)
        self.genes.set_frame(gf, fit=False)
        for c, w in GENE_WIDTHS.items():
            self.genes.setColumnWidth(c, w)
        n_vcf = int(((gf["source"] == "VCF") & (gf["diplotype"] != "—")).sum()) if len(gf) else 0
        n_out = int(((gf["source"] == "outside call") & (gf["diplotype"] != "—")).sum()) if len(gf) else 0
        refusal = getattr(bundle.result, "refusal", None)
        self.summary.setText(f"{n_vcf} of {len(gf)} genes called from the VCF · {n_out} from outside calls. "
                             + (refusal if refusal else "Missing positions are no-calls, never assumed reference."))
        self._set_badges(bundle.result)
        self._fill_drugs()
        self.loaded.emit()

    def _set_badges(self, result) -> None:
        while self.badges.count():
            w = self.badges.takeAt(0).widget()
            if w is not None:
                w.hide()            # out of the layout it would still paint where it was until deleted
                w.deleteLater()
        chips = []
        if getattr(result, "refusal", None):       # no call was attempted: one pill for the genome, not one per gene
            chips.append(("No pharmacogenomic calls from this genome", result.refusal))
        for gene, c in result.genes.items():
            if getattr(result, "refusal", None) and c.source == "vcf":
                continue
            if c.tie:
                chips.append((f"{gene} ambiguous: {' or '.join(c.diplotypes)}", "\n".join(c.messages)))
            if c.incomplete:
                chips.append((short_label(c), c.completeness_text if c.completeness is not None
                              else ", ".join(c.missing_positions)))
        widgets = []
        for text, tip in chips[:MAX_BADGES]:
            chip = label(text, name="alert_adjust")
            chip.setToolTip(tip or text)
            widgets.append(chip)
        if len(chips) > MAX_BADGES:
            widgets.append(label(f"+{len(chips) - MAX_BADGES} more", name="chip"))
        if not chips:
            widgets.append(label("No ambiguous or incomplete calls.", name="hint"))
        none = [g for g, c in result.genes.items() if not c.diplotypes and not c.phenotype]
        if none:
            tip = "No result is not a normal result: these genes were not called from the VCF and no outside " \
                  "call was entered (CYP2D6 and HLA need a dedicated test)."
            w = label(f"No result: {', '.join(none)}", name="alert_info")
            w.setToolTip(tip)
            widgets.append(w)
        for w in widgets:
            self.badges.addWidget(w)
            w.show()         # a layout shows new children only on the next event-loop turn
        self.badges.addStretch(1)

    def _fill_drugs(self) -> None:
        if self.bundle is None:
            return
        mode = self.mode.currentData()
        self.items = drug_items(self.bundle, mode)
        if mode == MODE_PATIENT:
            self.mode.setToolTip("Only this patient's medicines. Choose “All level A/B drugs” to see every drug, "
                                 "or check any medicine from the banner (Ctrl+K).")
        frame = pd.DataFrame(self.items, columns=["drug", "genes", "level", "summary", "strength", "year"])
        frame["_i"] = range(len(frame))
        self.drugs.set_frame(frame, fit=False)
        for c, w in DRUG_WIDTHS.items():
            self.drugs.setColumnWidth(c, w)
        if mode == MODE_PATIENT:
            self.drug_note.setText(("" if self.items else "None of the patient's active medicines has CPIC "
                                    "pharmacogenomic guidance in this workstation's tables. ")
                                   + "Showing this patient's medicines only: choose “All level A/B drugs with a "
                                   "recommendation” above to see every drug, or check any medicine from the "
                                   "banner (Ctrl+K).")
        else:
            self.drug_note.setText("Only drugs for which a CPIC recommendation applies to this patient's results "
                                   "are listed; the evidence shows each gene result used, including \"no result\"."
                                   if self.items else
                                   "No recommendation applies to the results available.")
        self._filter(self.search.text())
        self.basis.setHtml(EMPTY_BASIS)
        if self.drugs.proxy.rowCount():
            self.drugs.selectRow(0)

    def _filter(self, text: str) -> None:
        df = self.drugs.source.frame
        if text and self.mode.currentData() == MODE_PATIENT:
            self.drug_note.setText(f"Filtering this patient's medicines for “{text}”. To search every drug, choose "
                                   "“All level A/B drugs with a recommendation”, or check it from the banner "
                                   "(Ctrl+K).")
        if not text or df.empty:
            self.drugs.proxy.set_mask(None)
            return
        t = text.strip().lower()
        mask = (df["drug"].astype(str).str.lower().str.contains(t, regex=False)
                | df["genes"].astype(str).str.lower().str.contains(t, regex=False)).to_numpy()
        self.drugs.proxy.set_mask(mask)

    def _show_basis(self, proxy_index) -> None:
        if not proxy_index.isValid():
            self.basis.setHtml("")
            return
        src = self.drugs.proxy.mapToSource(proxy_index)
        i = int(self.drugs.source.frame.iloc[src.row()]["_i"])
        self.basis.setHtml(basis_html(self.items[i]))

    # -- public for the window (banner alert -> evidence) -----------------------------------------------------------
    def show_drug(self, drug: str) -> bool:
        """Select ``drug`` and show its evidence: among this patient's medicines, else among all level A/B drugs
        (a genomic indicator or a checked medicine the patient does not take); False if it is in neither."""
        self.search.clear()
        for mode in (MODE_PATIENT, MODE_ALL):
            if self.mode.currentData() != mode:
                self.mode.setCurrentIndex(self.mode.findData(mode))
            df = self.drugs.source.frame
            hits = df.index[df["drug"].astype(str).str.lower() == drug.lower()].tolist() if len(df) else []
            if hits:
                break
        if not hits:
            return False
        idx = self.drugs.proxy.mapFromSource(self.drugs.source.index(hits[0], 0))
        self.drugs.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def selected_basis_text(self) -> str:
        return self.basis.toPlainText()

    def clear(self) -> None:
        self.bundle = None
        self.items = []
        self.genes.clear()
        self.drugs.clear()
        self.basis.setHtml("")
        self.summary.setText("")
        self.drug_note.setText("")
        while self.badges.count():
            w = self.badges.takeAt(0).widget()
            if w is not None:
                w.hide()            # out of the layout it would still paint where it was until deleted
                w.deleteLater()


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(PgxView))
