"""FHIR export of one patient's results: pharmacogenomics (Genomics Reporting IG) and risk-model scores.

``export_fhir(store, patient_id, out)`` writes a FHIR R4 ``transaction`` Bundle (entries POSTed, ``urn:uuid:``
full URLs, as the IG's example bundles do) holding the Patient, one genomic DiagnosticReport with a Genotype (and,
when the diplotype is unambiguous, two Haplotypes) per gene with a result and a TherapeuticImplication per CPIC
recommendation (:mod:`workstation.exchange.fhir_genomics`), and one Observation per risk/dosing model that gave a
value. Model results are coded in the project's code system ``urn:workstation:model`` (code = model id; no LOINC
code exists for them), with the model version, SHA-256 and card summary in the note. Models that refused the
patient (outside their validated domain, inputs missing) and genes without a result are not exported as values;
the DiagnosticReport's conclusion lists the genes not called. The export is audited (``export_fhir``).

:func:`build_fhir_bundle` is the pure part (no store, no file): it takes the patient row, the PgxResult, the
recommendations and the scores.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from workstation import __version__
from workstation.display import interval_text, subgroup_text
from workstation.errors import WorkstationError
from workstation.exchange import fhir_genomics as g
from workstation.progress import Progress, ensure

MODEL_SYSTEM = "urn:workstation:model"
PATIENT_ID_SYSTEM = "urn:workstation:patient-id"
UCUM = "http://unitsofmeasure.org"
# Score units that have a UCUM code (UCUM: "%" percent; "mg/wk" milligram per week). Others stay as plain text.
_UCUM = {"%": "%", "mg/week": "mg/wk"}
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


@dataclass
class FhirExportResult:
    file: str
    patient_id: str
    counts: dict = field(default_factory=dict)          # resourceType/kind -> n
    not_exported: list = field(default_factory=list)    # plain sentences: refused models, genes not called
    message: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("NaT", "nan", "None"):
        return None
    return str(v)


def patient_resource(patient: dict) -> dict:
    """The store's patient row as a FHIR Patient (id kept when it is a valid FHIR id)."""
    pid = str(patient["id"])
    res: dict = {"resourceType": "Patient"}
    if _FHIR_ID.match(pid):
        res["id"] = pid
    idents = []
    raw = patient.get("identifiers")
    try:
        for i in (json.loads(raw) if isinstance(raw, str) and raw else raw or []):
            if isinstance(i, dict) and i.get("value"):
                idents.append({k: i[k] for k in ("system", "value") if i.get(k)})
    except ValueError:
        pass
    idents.append({"system": PATIENT_ID_SYSTEM, "value": pid})
    res["identifier"] = idents
    given, family, name = _text(patient.get("given")), _text(patient.get("family")), _text(patient.get("name"))
    if given or family or name:
        n: dict = {"use": "official"}
        if name:
            n["text"] = name
        if family:
            n["family"] = family
        if given:
            n["given"] = given.split()
        res["name"] = [n]
    if _text(patient.get("sex")) in ("female", "male", "other", "unknown"):
        res["gender"] = patient["sex"]
    for key, fhir_key in (("birth_date", "birthDate"), ("deceased_date", "deceasedDateTime")):
        v = _text(patient.get(key))
        if v:
            res[fhir_key] = v[:10]
    return res


def _quantity(value: float, unit: str) -> dict:
    if unit == "probability":
        value, unit = round(value * 100.0, 6), "%"
    q: dict = {"value": value, "unit": unit}
    if unit in _UCUM:
        q.update(system=UCUM, code=_UCUM[unit])
    return q


def score_observation(score, subject: str, when: str) -> dict:
    """One model result as an Observation (code in ``urn:workstation:model``; basis in method and note)."""
    card = score.card or {}
    name = score.name or card.get("name") or score.model
    basis = [f"{name}, version {score.version}"]
    for label, key in (("citation", "citation"), ("intended use", "intended_use"), ("outcome", "outcome"),
                       ("horizon", "horizon"), ("population", "population")):
        if card.get(key):
            basis.append(f"{label}: {card[key]}")
    if score.unit == "probability":
        basis.append(f"model output {score.value:g} (probability) shown as percent")
    if score.band is not None:
        basis.append(f"band: {score.band}")
    if score.inputs_used:
        basis.append("inputs used: " + ", ".join(f"{k}={v}" for k, v in score.inputs_used.items()))
    if score.inputs_missing:
        basis.append("inputs missing: " + ", ".join(score.inputs_missing))
    if score.defaults_used:
        basis.append("defaults used: " + ", ".join(f"{k} ({v})" for k, v in score.defaults_used.items()))
    if score.interval:
        basis.append(interval_text(score) + " (" + str((card.get("interval") or {}).get("method", "")) + ")")
    basis += [f"held-out subgroup {subgroup_text(r)}" for r in score.subgroups or []]
    basis += list(score.notes or []) + list(score.cohort_notes or [])
    if card.get("limitations"):
        basis.append("limitations: " + "; ".join(map(str, card["limitations"])))
    method = f"ONNX model {score.model} version {score.version}"
    if card.get("sha256"):
        method += f" (SHA-256 {card['sha256']})"
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": MODEL_SYSTEM, "code": score.model, "display": name}], "text": name},
            "subject": {"reference": subject}, "effectiveDateTime": when, "issued": when,
            "valueQuantity": _quantity(float(score.value), score.unit), "method": {"text": method},
            "note": [{"text": "; ".join(basis) + "."}]}


def build_fhir_bundle(patient: dict, pgx=None, recommendations: list | None = None, scores: list | None = None,
                      *, when: datetime | None = None) -> tuple[dict, FhirExportResult]:
    """The transaction Bundle for one patient, and a summary of what went in and what was left out."""
    when_s = (when or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    result = FhirExportResult("", str(patient["id"]))
    entries: list[tuple[str, dict]] = []
    subject = _urn()
    entries.append((subject, patient_resource(patient)))
    calls = dict(pgx.genes) if pgx is not None else {}
    genotype_ref: dict[str, str] = {}
    report_results: list[str] = []
    not_called = []
    for gene, call in calls.items():
        if not call.diplotypes:
            not_called.append(gene)
            continue
        haps = []
        for h in g.haplotypes(call):
            ref = _urn()
            entries.append((ref, g.haplotype_obs(call, h, subject, when_s)))
            haps.append(ref)
        ref = _urn()
        entries.append((ref, g.genotype_obs(call, subject, when_s, __version__, haps)))
        genotype_ref[gene] = ref
        report_results += [ref] + haps
    implications = []
    for rec in recommendations or []:
        ref = _urn()
        derived = [genotype_ref[x] for x in rec.genes if x in genotype_ref]
        entries.append((ref, g.implication_obs(rec, calls, subject, when_s, derived)))
        implications.append(ref)
    report_results = implications + report_results
    if pgx is not None and not genotype_ref and not recommendations:
        result.not_exported.append("pharmacogenomics: no gene has a result (no genotype data or outside calls)")
    elif genotype_ref or recommendations:
        conclusion = (f"Pharmacogenomic results from the workstation {__version__}: "
                      f"{len(genotype_ref)} gene(s) with a result, {len(recommendations or [])} CPIC "
                      f"recommendation(s). ")
        if not_called:
            conclusion += (f"Not called (no result; missing is not reference): {', '.join(not_called)}.")
            result.not_exported += [f"{x}: not called" for x in not_called]
        entries.append((_urn(), g.report(subject, when_s, report_results, conclusion.strip())))
    for s in scores or []:
        if s.value is None:
            result.not_exported.append(f"{s.model}: {s.refused or 'no value'}")
            continue
        entries.append((_urn(), score_observation(s, subject, when_s)))
    bundle = {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "transaction", "timestamp": when_s,
              "entry": []}
    for full_url, res in entries:
        res.setdefault("id", full_url.rsplit(":", 1)[-1])
        bundle["entry"].append({"fullUrl": full_url, "resource": res,
                                "request": {"method": "POST", "url": res["resourceType"]}})
        key = res["resourceType"]
        if key == "Observation":
            key = res["meta"]["profile"][0].rsplit("/", 1)[-1] if res.get("meta") else "risk-model"
        result.counts[key] = result.counts.get(key, 0) + 1
    return bundle, result


def export_fhir(store, patient_id: str, out: Path | str, *, pgx=None, recommendations: list | None = None,
                scores: list | None = None, overwrite: bool = False,
                progress: Progress | None = None) -> FhirExportResult:
    """Compute (unless given) the patient's PGx results and scores, write the Bundle JSON, audit 'export_fhir'."""
    progress = ensure(progress)
    out = Path(out)
    if out.exists() and not overwrite:
        raise WorkstationError(f"{out} already exists; choose another file name (or pass --force to replace it).")
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise WorkstationError(f"The folder {out.parent} does not exist or cannot be written to.")
    patient = store.patient(patient_id)
    if pgx is None or recommendations is None or scores is None:
        progress.set(0.1, "Computing pharmacogenomic results")
        profile = store.profile(patient_id, audit_open=False)
        from workstation.analysis import analyse

        analysis = analyse(profile)          # the one analysis, as the window and the PDF present it
        pgx = analysis.pgx if pgx is None else pgx
        recommendations = list(analysis.recommendations) if recommendations is None else recommendations
        scores = list(analysis.scores) if scores is None else scores
    progress.check()
    bundle, result = build_fhir_bundle(patient, pgx, recommendations, scores)
    tmp = out.with_name(out.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(bundle, fh, indent=1, ensure_ascii=False, default=_json_default)
        with store.transaction() as tx:
            from workstation.store import audit
            audit.append(tx, "export_fhir", patient_id=str(patient["id"]),
                         detail={"file": out.name, "counts": result.counts, "not_exported": len(result.not_exported)})
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    result.file = str(out)
    n = sum(result.counts.values())
    result.message = f"Wrote {n} FHIR resources for patient {patient['id']} to {out.name}."
    progress.set(1.0, result.message)
    return result


def _json_default(o):
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    return str(o)
