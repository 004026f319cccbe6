"""FHIR R4 resources for pharmacogenomic results, shaped as the HL7 Genomics Reporting IG examples shape them.

Every code, system and profile URL below is transcribed from the IG's own example instances (FHIR Shorthand), as
kept in ``../shared/data/fhir_genomics_ig/`` (HL7/genomics-reporting @ 1dbfb09b, CC0):

* ``bundle-pgxexample.fsh`` — instances ``pgx-report`` (GenomicReport: category v2-0074#GE, code LOINC 51969-4;
  its display "Genetic analysis report" from ``ExampleReusableResources.fsh`` ExampleServiceRequest),
  ``genotype-pgx-example`` (code LOINC 84413-4 "genotype display name"; component LOINC 48018-6 "Gene studied ID"
  with an HGNC coding), ``haplotype-1-pgx-example`` (code LOINC 84414-2 "Haplotype Name"),
  ``med-impact-pgx-example`` (TherapeuticImplication: code TbdCodesCS#therapeutic-implication; components
  TbdCodesCS#therapeutic-implication = phenotype as a LOINC answer, LOINC 51963-7 "Medication assessed" = RxNorm).
* ``CGExamples.fsh`` — ``TxImp01`` (component ``conclusion-string`` with the guideline text, extension
  ``workflow-relatedArtifact`` of type citation with the CPIC guideline URL), ``GenotypeExamplePharmVar``
  (genotype value given as ``valueCodeableConcept.text`` only), HGNC ids of the genes listed in :data:`HGNC`.
* Category slices labCategory = observation-category#laboratory and geCategory = v2-0074#GE: every Genotype,
  Haplotype and TherapeuticImplication example in both files.

Code-system URLs are the IG's aliases (``input/fsh/Aliases.fsh`` in the same repository: $LNC, $RXN, $HGNCID,
$OBSCAT, $DIAGNOSTICSERVICE); TbdCodesCS's URL is its ``^url`` in the IG's code-system definitions. Profile URLs
are ``http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/`` + the profile Id (``genomic-report``,
``genotype``, ``haplotype``, ``therapeutic-implication``) from the IG's profile definitions.

Not coded (left as text, because no source at hand gives the code): genotype and haplotype values (PharmVar
allele ids are not in our tables), HGNC ids of genes other than those in :data:`HGNC`, and phenotypes other than
the three LOINC answers in :data:`PHENOTYPE_LOINC`.
"""
from __future__ import annotations

from workstation.pgx.model import SOURCE_OUTSIDE, GeneCall, Recommendation

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
HGNC_SYSTEM = "http://www.genenames.org"
OBSCAT = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
TBD_CODES = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"
RELATED_ARTIFACT_EXT = "http://hl7.org/fhir/StructureDefinition/workflow-relatedArtifact"
_SD = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"
PROFILE = {k: _SD + k for k in ("genomic-report", "genotype", "haplotype", "therapeutic-implication")}

# HGNC ids as the IG examples give them (CGExamples.fsh: GenotypeExample1 HLA-B, Pgx-var-1012.. CYP2C19,
# Pgx-var-1015 VKORC1, HaplotypeExamplePharmVar01 CYP2D6; bundle-pgxexample.fsh genotype-pgx-example CYP2C9).
HGNC = {"CYP2C9": "HGNC:2623", "CYP2C19": "HGNC:2621", "CYP2D6": "HGNC:2625", "HLA-B": "HGNC:4932",
        "VKORC1": "HGNC:23663"}
# LOINC answers for phenotypes used in the IG examples (bundle-pgxexample.fsh med-impact-pgx-example LA25390-8;
# CGExamples.fsh TxImp01 LA9657-3 and a warfarin TherapeuticImplication LA25391-6).
PHENOTYPE_LOINC = {"rapid metabolizer": ("LA25390-8", "Rapid metabolizer"),
                   "poor metabolizer": ("LA9657-3", "Poor metabolizer"),
                   "normal metabolizer": ("LA25391-6", "Normal metabolizer")}


def _coding(system: str, code: str, display: str | None = None) -> dict:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def _categories() -> list[dict]:
    return [{"coding": [_coding(OBSCAT, "laboratory")]}, {"coding": [_coding(V2_0074, "GE")]}]


def gene_studied(gene: str) -> dict:
    concept = {"coding": [_coding(HGNC_SYSTEM, HGNC[gene], gene)]} if gene in HGNC else {"text": gene}
    return {"code": {"coding": [_coding(LOINC, "48018-6", "Gene studied ID")]}, "valueCodeableConcept": concept}


def _base(profile: str, code: dict, subject: str, when: str) -> dict:
    return {"resourceType": "Observation", "meta": {"profile": [PROFILE[profile]]}, "status": "final",
            "category": _categories(), "code": code, "subject": {"reference": subject},
            "effectiveDateTime": when, "issued": when}


def call_note(call: GeneCall, version: str) -> str:
    """The basis of a gene result in plain words (source, positions, what is missing, ties)."""
    if call.source == SOURCE_OUTSIDE:
        parts = [f"{call.gene}: outside call (a result made elsewhere and entered into the workstation), not "
                 f"called from sequence data here"]
    else:
        parts = [f"{call.gene}: called by the workstation {version} from the patient's stored genotypes "
                 f"({len(call.positions_used)} defining positions used)"]
    if call.completeness is not None:
        parts.append(call.completeness_text.rstrip("."))   # the one wording (workstation.pgx.completeness)
    elif call.missing_positions:
        parts.append(f"{len(call.missing_positions)} defining positions missing (no-calls, not assumed reference)")
    if call.tie:
        parts.append(f"ambiguous: {len(call.diplotypes)} diplotypes fit equally well")
    if call.activity_score is not None:
        parts.append(f"activity score {call.activity_score:g}")
    if call.phenotype:
        parts.append(f"phenotype {call.phenotype}")
    return "; ".join(parts) + "."


def haplotypes(call: GeneCall) -> list[str]:
    """The two haplotypes of an unambiguous diplotype ('*1/*2' -> ['*1', '*2']); [] when not separable."""
    if len(call.diplotypes) != 1 or call.diplotypes[0].count("/") != 1:
        return []
    return [h.strip() for h in call.diplotypes[0].split("/")]


def haplotype_obs(call: GeneCall, name: str, subject: str, when: str) -> dict:
    obs = _base("haplotype", {"coding": [_coding(LOINC, "84414-2", "Haplotype Name")]}, subject, when)
    obs["valueCodeableConcept"] = {"text": f"{call.gene} {name}"}
    obs["component"] = [gene_studied(call.gene)]
    return obs


def genotype_obs(call: GeneCall, subject: str, when: str, version: str, derived: list[str]) -> dict:
    obs = _base("genotype", {"coding": [_coding(LOINC, "84413-4", "genotype display name")]}, subject, when)
    text = " OR ".join(f"{call.gene} {d}" for d in call.diplotypes)
    obs["valueCodeableConcept"] = {"text": text}
    obs["component"] = [gene_studied(call.gene)]
    if derived:
        obs["derivedFrom"] = [{"reference": r} for r in derived]
    obs["note"] = [{"text": call_note(call, version)}]
    return obs


def phenotype_concept(phenotype: str | None) -> dict:
    if not phenotype:
        return {"text": "no result"}
    hit = PHENOTYPE_LOINC.get(phenotype.strip().lower())
    if hit:
        return {"coding": [_coding(LOINC, hit[0], hit[1])], "text": phenotype}
    return {"text": phenotype}


def implication_obs(rec: Recommendation, calls: dict[str, GeneCall], subject: str, when: str,
                    derived: list[str]) -> dict:
    """One TherapeuticImplication per drug recommendation: the phenotype(s), the drug, the guideline text."""
    obs = _base("therapeutic-implication",
                {"coding": [_coding(TBD_CODES, "therapeutic-implication", "Therapeutic Implication")]}, subject, when)
    basis = rec.basis or {}
    comps = []
    for g in rec.genes:
        c = calls.get(g)
        concept = phenotype_concept(c.phenotype if c else None)
        concept["text"] = f"{g}: {concept.get('text')}"
        comps.append({"code": {"coding": [_coding(TBD_CODES, "therapeutic-implication")]},
                      "valueCodeableConcept": concept})
    comps.append({"code": {"coding": [_coding(LOINC, "51963-7", "Medication assessed")]},
                  "valueCodeableConcept": {"coding": [_coding(RXNORM, str(rec.rxnorm), rec.drug)], "text": rec.drug}})
    conclusion = basis.get("source_text") or rec.summary
    pop = f" ({rec.population})" if rec.population and rec.population != "general" else ""
    comps.append({"code": {"coding": [_coding(TBD_CODES, "conclusion-string")]},
                  "valueString": f"{rec.drug}{pop}: {conclusion}"})
    obs["component"] = comps
    if basis.get("guideline_url"):
        obs["extension"] = [{"url": RELATED_ARTIFACT_EXT,
                             "valueRelatedArtifact": {"type": "citation", "url": basis["guideline_url"]}}]
    if derived:
        obs["derivedFrom"] = [{"reference": r} for r in derived]
    lookup = ", ".join(f"{g} {k}" for g, k in (basis.get("lookup") or {}).items())
    obs["note"] = [{"text": f"{rec.action} (level {rec.level.value}){pop}: {rec.summary} Basis: {basis.get('guideline') or 'CPIC guideline'} "
                            f"({basis.get('guideline_year') or 'year not stated'}); classification "
                            f"{rec.strength}; CPIC level {basis.get('cpic_level') or 'not stated'}; looked up by "
                            f"{lookup or 'gene result'}. Source: {basis.get('source') or 'CPIC'}."}]
    return obs


def report(subject: str, when: str, results: list[str], conclusion: str) -> dict:
    return {"resourceType": "DiagnosticReport", "meta": {"profile": [PROFILE["genomic-report"]]},
            "status": "final", "category": [{"coding": [_coding(V2_0074, "GE")]}],
            "code": {"coding": [_coding(LOINC, "51969-4", "Genetic analysis report")]},
            "subject": {"reference": subject}, "effectiveDateTime": when, "issued": when,
            "result": [{"reference": r} for r in results], "conclusion": conclusion}
