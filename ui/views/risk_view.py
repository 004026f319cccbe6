"""Risk: every model's result for the open patient, with its basis, contributions and live what-if.

The scores, refusals and record-mapped inputs come from the patient's one analysis (``session.analysis``, computed
on the runner's worker by :func:`workstation.analysis.analyse`); this view computes nothing for the record. What-if re-scoring is pure compute on a one-row ONNX graph (tens to hundreds of microseconds, see
bench/bench_whatif.py), so it runs on the GUI thread straight through the core registry's ``what_if``; it reads no
store. Refused models show the core's reason; missing inputs are listed and never filled in from elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QSplitter, QTextBrowser, QVBoxLayout,
                               QWidget)

from ui import theme
from ui.views.base import PatientView
from ui.widgets.common import Card, FrameTable, label
from ui.widgets.contrib_chart import ContributionChart
from ui.widgets.frame_model import Column
from ui.widgets.risk_format import card_html, fmt_value, inputs_frame, outcome_text, short_name
from ui.widgets.whatif import WhatIfPanel
from workstation.display import interval_text, subgroup_text


@dataclass
class RiskBundle:
    """Everything the view binds to for one patient (built on the worker by :func:`compute`)."""

    patient_id: str
    scores: list                                   # workstation.models.Score, best shown first
    inputs: dict[str, dict] = field(default_factory=dict)    # record-mapped inputs per model (what-if base)
    specs: dict[str, list] = field(default_factory=dict)     # card input specs per model
    kinds: dict[str, str] = field(default_factory=dict)
    registry: Any = None
    problems: dict[str, str] = field(default_factory=dict)   # models the registry refused to load

    def score(self, model_id: str):
        return next(s for s in self.scores if s.model == model_id)


def from_analysis(analysis) -> RiskBundle:
    """The view's bundle from the patient's analysis (no mapping, no scoring)."""
    from workstation.models import get_registry

    return RiskBundle(analysis.patient_id, list(analysis.scores), inputs=dict(analysis.model_inputs),
                      specs=dict(analysis.model_specs), kinds=dict(analysis.model_kinds), registry=get_registry(),
                      problems=dict(analysis.model_problems))


def _result_text(s) -> str:
    if s.ok:
        return fmt_value(s)
    return "not applicable" if not s.applicable else "refused"


def _result_tone(v) -> str | None:
    return "adjust" if v == "refused" else "text_muted" if v == "not applicable" else None


def _state_tone(v) -> str | None:
    return {"missing": "avoid", "not usable": "adjust", "default": "adjust"}.get(str(v))


INPUT_WIDTHS = {0: 140, 1: 92, 2: 84, 3: 70}
MODEL_COLUMNS = [Column("name", "Model"), Column("result", "Result", tone=_result_tone)]
INPUT_COLUMNS = [Column("input", "Input"), Column("value", "Value"), Column("date", "Date"),
                 Column("state", "", fmt=lambda v: "" if v == "used" else str(v), tone=_state_tone),
                 Column("source", "Source record")]


class RiskView(PatientView):
    """Model list on the left; the selected model's result, contributions, what-if, inputs and card on the right."""

    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        self.bundle: RiskBundle | None = None
        self.model_id: str | None = None
        self.whatif_score = None
        self._keep: str | None = None       # the model to reselect when the next patient opens
        root = QHBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        split = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(split)
        models = Card("Models")
        self.models = FrameTable(MODEL_COLUMNS, stretch=0)
        self.models.setWordWrap(True)
        models.body.addWidget(self.models)
        self.models_note = label("", name="hint", wrap=True)
        models.body.addWidget(self.models_note)
        split.addWidget(models)
        self.detail = QWidget()
        self.detail.setObjectName("page")
        split.addWidget(self.detail)
        split.setSizes([280, 880])
        split.setStretchFactor(1, 1)
        self._build_detail()
        self.setMinimumHeight(600)     # below it the tab scrolls (ui/widgets/view_tabs.py) rather than squeezing
        self.models.selectionModel().currentRowChanged.connect(lambda cur, _p: self._select_row(cur))
        self.whatif.changed.connect(self.rescore)
        self.clear()

    def _build_detail(self) -> None:
        col = QVBoxLayout(self.detail)
        col.setContentsMargins(12, 0, 0, 0)
        col.setSpacing(12)
        head = Card()
        self.name = label("", name="title", wrap=True)
        self.outcome = label("", name="muted", wrap=True)
        row = QHBoxLayout()
        self.value = label("", selectable=True)
        self.whatif_value = label("", selectable=True)
        self.whatif_value.setStyleSheet("font-size: 14pt;")
        row.addWidget(self.value)
        row.addSpacing(24)
        row.addWidget(self.whatif_value, 1)
        self.reason = label("", wrap=True, selectable=True)
        self.notes = label("", name="hint", wrap=True)
        self.interval = label("", name="muted", wrap=True, selectable=True)
        for w in (self.name, self.outcome):
            head.body.addWidget(w)
        head.body.addLayout(row)
        head.body.addWidget(self.interval)
        head.body.addWidget(self.reason)
        head.body.addWidget(self.notes)
        col.addWidget(head)
        body = QHBoxLayout()
        body.setSpacing(12)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.setSpacing(12)
        right.setSpacing(12)
        contrib = Card("What drives this estimate")
        self.chart = ContributionChart()
        self.chart_note = label("", name="hint", wrap=True)
        contrib.body.addWidget(self.chart, 1)
        contrib.body.addWidget(self.chart_note)
        contrib.body.addStretch(0)
        contrib.setMaximumHeight(330)
        left.addWidget(contrib, 1)
        inputs = Card("Inputs from the record")
        self.inputs = FrameTable(INPUT_COLUMNS, sortable=False, stretch=4)
        self.inputs.setMinimumHeight(90)
        inputs.body.addWidget(self.inputs)
        left.addWidget(inputs, 2)
        self.cohort_card = Card("How the model did for patients like this")
        self.cohort = QTextBrowser()          # scrolls rather than clipping the cohort's caveats
        self.cohort.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.cohort.setOpenLinks(False)
        self.cohort.setMinimumHeight(70)
        self.cohort.setMaximumHeight(230)
        self.cohort_card.body.addWidget(self.cohort)
        right.addWidget(self.cohort_card, 0)
        self.whatif_card = Card("What if…")
        self.whatif = WhatIfPanel()
        self.whatif_card.body.addWidget(self.whatif)
        right.addWidget(self.whatif_card, 0)
        card = Card("Model card")
        self.card_text = QTextBrowser()
        self.card_text.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.card_text.setOpenLinks(False)
        self.card_text.setMinimumHeight(60)
        card.body.addWidget(self.card_text)
        right.addWidget(card, 1)
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        col.addLayout(body, 1)

    # -- session -> view -----------------------------------------------------------------------------------------
    TABLES = frozenset({"observations", "conditions", "medications", "variants", "analytes", "family_history",
                        "family_versions", "outside_calls", "patients", "sources"})

    def show_patient(self, profile) -> None:
        analysis = self.session.analysis
        if analysis is None or analysis.patient_id != profile.id:
            self.models_note.setText("No analysis for this patient yet.")
            self.loaded.emit()
            return
        self.bind(from_analysis(analysis))

    def _failed(self, text: str) -> None:
        self.models_note.setText(text)
        self.message.emit(text)
        self.loaded.emit()

    def bind(self, bundle: RiskBundle) -> None:
        """Show ``bundle`` (GUI thread); keeps the selected model when it still exists."""
        if self.profile is not None and bundle.patient_id != self.profile.id:
            return
        keep, self.model_id = self._keep, None
        self.bundle = bundle
        frame = pd.DataFrame([{"id": s.model, "name": s.name or s.model, "result": _result_text(s)}
                              for s in bundle.scores], columns=["id", "name", "result"])
        self.models.set_frame(frame, fit=False)
        self.models.setColumnWidth(1, 96)
        self.models.resizeRowsToContents()
        n_ok = sum(s.ok for s in bundle.scores)
        note = f"{n_ok} of {len(bundle.scores)} models gave a result for this patient."
        if bundle.problems:
            note += " Not loaded: " + "; ".join(f"{k} ({v})" for k, v in bundle.problems.items())
        self.models_note.setText(note)
        ids = frame["id"].tolist()
        self.select_model(keep if keep in ids else ids[0]) if ids else None
        self.loaded.emit()

    def _select_row(self, proxy_index) -> None:
        if self.bundle is None or not proxy_index.isValid():
            return
        src = self.models.proxy.mapToSource(proxy_index)
        self._show_model(str(self.models.source.frame.iloc[src.row()]["id"]))

    def select_model(self, model_id: str) -> None:
        """Select ``model_id`` in the list (and show it)."""
        df = self.models.source.frame
        hits = df.index[df["id"] == model_id].tolist()
        if hits:
            self.models.selectRow(self.models.proxy.mapFromSource(self.models.source.index(hits[0], 0)).row())
            if self.model_id != model_id:
                self._show_model(model_id)

    def _show_model(self, model_id: str) -> None:
        b = self.bundle
        if b is None:
            return
        self.model_id = model_id
        s = b.score(model_id)
        self.name.setText(("Research-grade · " if s.category == "research" else "") + f"{s.name or s.model}")
        self.cohort.setHtml(_cohort_html(s))
        self.cohort_card.setVisible(bool(s.subgroups or s.cohort_notes))
        self.outcome.setText(outcome_text(s))
        self.inputs.set_frame(inputs_frame(s, b.specs.get(model_id, [])), fit=False)
        for c, w in INPUT_WIDTHS.items():
            self.inputs.setColumnWidth(c, w)
        self.card_text.setHtml(card_html(s))
        note = list(dict.fromkeys(s.notes))
        self.notes.setText(" · ".join(note[:6]))
        self.notes.setVisible(bool(note))
        adjustable = b.kinds.get(model_id) != "prs" and s.applicable
        self.whatif_card.setVisible(adjustable)
        # probe-set intensities are a measured profile checked as a whole (the assay guard), not sliders
        specs = [sp for sp in b.specs.get(model_id, []) if "probe_set" not in sp] if adjustable else []
        self.whatif.set_inputs(specs, b.inputs.get(model_id, {}))
        self._show_score(s, None)

    def _show_score(self, recorded, whatif) -> None:
        """Recorded result, what-if result (or None) and the chart of whichever is current."""
        t = theme.current()
        self.whatif_score = whatif
        self.value.setText(fmt_value(recorded) if recorded.ok else
                           ("Not applicable" if not recorded.applicable else "No result"))
        self.value.setStyleSheet(f"font-size: 22pt; font-weight: 600; color: "
                                 f"{t.text if recorded.ok else t.text_muted};")
        iv = interval_text(recorded)
        wiv = interval_text(whatif) if whatif is not None and whatif.ok else ""
        parts = [f"{iv} — how far the estimate moves when the model is refitted on resamples of its cohort (see "
                 "the model card)"] if iv else []
        parts += [f"what-if {wiv}"] if wiv else []
        self.interval.setText("; ".join(parts))
        self.interval.setVisible(bool(iv or wiv))
        current = whatif if whatif is not None else recorded
        if whatif is None:
            self.whatif_value.setText("")
        elif whatif.ok:
            self.whatif_value.setText(f"What-if: <b>{fmt_value(whatif)}</b>"
                                      + (f"  (recorded {fmt_value(recorded)})" if recorded.ok else ""))
        else:
            self.whatif_value.setText("What-if: no result")
        reason = current.refused
        if reason:
            who = "With the what-if values the model refuses" if whatif is not None else \
                "The model gives no result for the recorded values"
            self.reason.setText(f"{who}: {reason}.")
            self.reason.setStyleSheet(f"color: {t.adjust}; border-left: 3px solid {t.adjust}; padding-left: 8px;")
            self.reason.setVisible(True)
        else:
            self.reason.setVisible(False)
        specs = self.bundle.specs.get(recorded.model, []) if self.bundle else []
        names = {sp["name"]: short_name(sp) for sp in specs}
        contrib = current.contributions if current.ok else {}
        self.chart.set_contributions(contrib, names=names, scale=_short_scale(current.contribution_scale))
        self.chart.setVisible(bool(contrib))
        if contrib:
            self.chart_note.setText(("What-if values. " if whatif is not None else "")
                                    + "Right of zero raises the estimate, left lowers it, relative to the model's "
                                    "reference profile (see the model card).")
        else:
            self.chart_note.setText("No contributions: the model gave no result." if not current.ok else
                                    "This model reports no per-input contributions.")

    def rescore(self, overrides: dict) -> None:
        """Re-score the selected model with ``overrides`` (GUI thread; pure compute through the core registry)."""
        b, mid = self.bundle, self.model_id
        if b is None or mid is None:
            return
        recorded = b.score(mid)
        if not overrides:
            self._show_score(recorded, None)
            return
        s = b.registry.what_if(mid, b.inputs.get(mid, {}), overrides, explain=True)
        self._show_score(recorded, s)

    def clear(self) -> None:
        self._keep = self.model_id or self._keep
        self.bundle = None
        self.model_id = None
        self.whatif_score = None
        self.models.clear()
        self.models_note.setText("")
        self.name.setText("")
        self.outcome.setText("")
        self.value.setText("")
        self.whatif_value.setText("")
        self.reason.setVisible(False)
        self.interval.setText("")
        self.cohort.setHtml("")
        self.cohort_card.setVisible(False)
        self.notes.setText("")
        self.inputs.clear()
        self.card_text.setHtml("")
        self.chart.clear_chart()
        self.chart_note.setText("")
        self.whatif.set_inputs([], {})


def _cohort_html(score) -> str:
    """The groups the cohort did not include or record (first: they qualify the number), then the held-out
    subgroup rows this patient belongs to."""
    from html import escape

    t = theme.current()
    out = "".join(f"<p style='margin:0 0 4px 0; color:{t.adjust}'>{escape(n)}</p>" for n in score.cohort_notes)
    rows = "".join(f"<li>{escape(subgroup_text(r))}</li>" for r in score.subgroups)
    if rows:
        out += (f"<p style='margin:4px 0 0 0'>Held-out results in the training cohort's subgroups that include "
                f"this patient:</p><ul style='margin:0 0 0 -18px'>{rows}</ul>")
    return out


def _short_scale(scale: str) -> str:
    """The first clause of the card's contribution scale, as the chart's axis label."""
    head = scale.split(";")[0].split(" relative to")[0].split(". ")[0]
    return head[:40]


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(RiskView))
