"""The consult summary (issue 7): everything a one-page handout shows, assembled as plain data (no Qt).

Public API::

    from workstation.report import build_report, record_print
    content = build_report(store, "demo-0001", deidentify=False)   # ReportContent (workstation.report.content)
    ... render it (ui/report_pdf.py writes the PDF with Qt) ...
    record_print(store, "demo-0001", deidentified=False, pages=2)   # audit row 'print_report'

:func:`build_report_from` is the pure part (a profile, PGx result, scores -> ReportContent) so tests and batch
jobs can call it without a store. All selection and wording decisions live here and in ``pgx_part``,
``risk_part`` and ``trends``; the de-identification rules are in :mod:`workstation.report.deid`.
Threading: ``build_report`` uses the store, so call it on the thread that owns it (the UI's runner worker).
"""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from workstation import __version__
from workstation.progress import Progress, ensure
from workstation.report import deid
from workstation.report.content import (LEVEL_TEXT, LEVELS, Banner, ModelVersion, Problem, Provenance,
                                        ReportContent)
from workstation.report.deid import When
from workstation.report.family_part import FAMILY_MODELS, family_section
from workstation.report.pgx_part import pgx_section
from workstation.report.risk_part import risk_section
from workstation.report.trends import trend_series

__all__ = ["LEVELS", "LEVEL_TEXT", "ReportContent", "build_report", "build_report_from", "record_print"]

PGX_SOURCE = ("CPIC recommendations and allele definitions as shipped in resources/pgx (allele definitions and "
              "phenotypes: PharmCAT definitions 2025-11-05; CPIC text via pypgx 0.27.0 and PharmCAT's CPIC exports "
              "v1.23.0; guideline titles and years from PharmCAT v3.1 annotations)")


def _text(v) -> str:
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("NaT", "nan", "None"):
        return ""
    return str(v)


def _banner(profile, when: When, *, deidentify: bool) -> Banner:
    p = profile.patient
    allergies = tuple(_text(a) for a in profile.allergies["display"]) if not profile.allergies.empty else ()
    sex = _text(profile.sex) or "sex not recorded"
    age = deid.age_text(profile.age(when.as_of.date()), deidentify=deidentify)
    if deidentify:
        return Banner("De-identified patient", age, sex, allergies=allergies)
    idents = []
    try:
        for i in json.loads(p.get("identifiers") or "[]"):
            if isinstance(i, dict) and i.get("value") and str(i["value"]) != profile.id:
                system = str(i.get("system") or "").rsplit(":", 1)[-1].rsplit("/", 1)[-1]
                idents.append(f"{system}: {i['value']}" if system else str(i["value"]))
    except (ValueError, TypeError):
        pass
    return Banner(profile.name, age, sex, when.date(profile.birth_date), profile.id, tuple(idents), allergies)


def _problems(profile, when: When) -> tuple[Problem, ...]:
    c = profile.active_conditions()
    if c.empty:
        return ()
    c = c.sort_values("onset", na_position="last")
    out, seen = [], set()
    for r in c.itertuples(index=False):
        text = _text(r.display) or _text(r.code)
        if text and text.lower() not in seen:
            seen.add(text.lower())
            out.append(Problem(text, when.since(r.onset)))
    return tuple(out)


def _data_sources(profile, when: When) -> str:
    s = profile.sources
    if s is None or s.empty:
        return "no imported files"
    kinds = s["kind"].fillna("other").value_counts()
    parts = ", ".join(f"{n} {k.upper() if k in ('vcf', 'fhir') else k}" for k, n in kinds.items())
    latest = when.date(s["imported_at"].max()) if "imported_at" in s else ""
    return f"{len(s)} imported file(s) ({parts})" + (f"; latest import {latest}" if latest else "")


def _provenance(profile, scores: list, pgx_sec, when: When, user: str) -> Provenance:
    # the models whose numbers appear in the report (refused / not applicable ones produced none), by model id
    models = tuple(ModelVersion(str(s.model), str(s.version), str((s.card or {}).get("sha256") or "")[:12])
                   for s in scores if getattr(s, "value", None) is not None)
    guidelines = tuple(sorted({b.guideline for b in pgx_sec.basis}))
    return Provenance(f"workstation {__version__}", when.generated(), user, models, guidelines, PGX_SOURCE,
                      _data_sources(profile, when),
                      "Scores use the most recent value on or before the report date within each input's window.")


def build_report_from(profile, pgx_result, alerts: list, recommendations: list, scores: list, *,
                      registry=None, deidentify: bool = False, now: datetime | None = None,
                      user: str | None = None) -> ReportContent:
    """The report content from already computed results (no store access)."""
    from workstation.models import get_registry
    from workstation.store.audit import os_user

    as_of = now or getattr(profile, "as_of", None) or datetime.now()
    when = When(as_of, deidentify=deidentify)
    medicines, pgx_sec = pgx_section(profile.active_medications(), alerts, recommendations, pgx_result, when)
    content = ReportContent(
        deidentified=deidentify,
        banner=_banner(profile, when, deidentify=deidentify),
        problems=_problems(profile, when),
        medicines=medicines,
        pgx=pgx_sec,
        risk=risk_section([s for s in scores if s.model not in FAMILY_MODELS or getattr(profile, "family", None)
                           is None], registry or get_registry(), when),
        trends=trend_series(profile.observations, when),
        provenance=_provenance(profile, scores, pgx_sec, when, user or os_user()),
        notices=(("De-identified under HIPAA Safe Harbor: no name, identifiers or dates more specific than the "
                  "year; ages over 89 shown as 90 or older; times are relative to this report.",)
                 if deidentify else ()),
        family=family_section(profile, deidentify=deidentify, registry=registry),
    )
    if deidentify:
        names, ids = deid.identifying_strings(profile.patient)
        models = content.provenance.models   # model names and versions come from the cards, not the patient
        content = deid.scrub(content, names, ids)
        content = dataclasses.replace(content, provenance=dataclasses.replace(content.provenance, models=models))
    return content


def build_report(store, patient_id: str, *, deidentify: bool = False, now: datetime | None = None,
                 progress: Progress | None = None, analysis=None) -> ReportContent:
    """Load the patient and present its one analysis (``workstation.analysis.analyse``; the window passes the
    analysis it already holds for this profile version) as the report (nothing is written)."""
    from workstation.analysis import analyse

    progress = ensure(progress)
    progress.set(0.05, "Loading the patient")
    profile = store.profile(patient_id, audit_open=False)
    progress.check()
    if analysis is None or analysis.patient_id != profile.id or analysis.version != str(profile.version):
        progress.set(0.3, "Pharmacogenomic results and risk models")
        analysis = analyse(profile)
    progress.check()
    progress.set(0.9, "Assembling the report")
    return build_report_from(profile, analysis.pgx, list(analysis.alerts), list(analysis.recommendations),
                             list(analysis.scores), deidentify=deidentify, now=now)


def record_print(store, patient_id: str, *, deidentified: bool, pages: int) -> None:
    """Audit one printed or exported report (the file name is not recorded: it may hold the patient's name)."""
    store.audit("print_report", patient_id=patient_id, detail={"deidentified": bool(deidentified),
                                                               "pages": int(pages)})
