"""Schema of the patient store, version by version, and the forward migrations between them.

``SCHEMA_VERSION`` is what this program writes. A store with a higher version was written by a newer program
and is refused (opening it could lose data); a lower one is migrated forward in one transaction on open.
Every table that holds patient data carries ``patient_id`` and ``source_id`` (the import provenance row).
"""
from __future__ import annotations

SCHEMA_VERSION = 3

# Version 1 ------------------------------------------------------------------------------------------------
V1 = r"""
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE patients (
    id VARCHAR PRIMARY KEY,          -- stable identifier (FHIR Patient.id, MRN or generated)
    name VARCHAR,                    -- display name "Given Family"
    given VARCHAR,
    family VARCHAR,
    birth_date DATE,
    sex VARCHAR,                     -- female | male | other | unknown
    deceased_date DATE,
    race VARCHAR,                    -- as recorded (e.g. US Core race extension text); NULL when not recorded
    ethnicity VARCHAR,
    identifiers VARCHAR,             -- JSON list of {system, value}
    created_at TIMESTAMP DEFAULT current_timestamp
);

CREATE SEQUENCE source_seq START 1;
CREATE TABLE sources (               -- import provenance: one row per imported file
    id BIGINT PRIMARY KEY DEFAULT nextval('source_seq'),
    patient_id VARCHAR,              -- NULL when a file holds several patients
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT,
    kind VARCHAR,                    -- vcf | fhir | omics | wearable | demo | bundle
    importer VARCHAR,
    importer_version VARCHAR,
    counts VARCHAR,                  -- JSON {kind: n}
    details VARCHAR,                 -- JSON (genome build, sample, warnings ...)
    imported_at TIMESTAMP DEFAULT current_timestamp,
    imported_by VARCHAR
);

CREATE TABLE observations (          -- labs, vitals, social history; one row per value (components split)
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    category VARCHAR,                -- laboratory | vital-signs | social-history | survey | ...
    code_system VARCHAR, code VARCHAR, display VARCHAR,
    value_num DOUBLE, value_text VARCHAR, unit VARCHAR,   -- unit in UCUM
    effective TIMESTAMP,             -- UTC
    ref_low DOUBLE, ref_high DOUBLE,
    resource_id VARCHAR
);

CREATE TABLE conditions (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    code_system VARCHAR, code VARCHAR, display VARCHAR,
    clinical_status VARCHAR,         -- active | resolved | inactive ...
    onset TIMESTAMP, abatement TIMESTAMP,
    resource_id VARCHAR
);

CREATE TABLE medications (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    code_system VARCHAR, code VARCHAR, display VARCHAR,
    rxnorm VARCHAR,                  -- RxNorm code when the coding has one
    status VARCHAR,                  -- active | stopped | completed ...
    kind VARCHAR,                    -- request | statement
    start_time TIMESTAMP, end_time TIMESTAMP,
    dosage VARCHAR,
    resource_id VARCHAR
);

CREATE TABLE allergies (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    code_system VARCHAR, code VARCHAR, display VARCHAR,
    category VARCHAR, criticality VARCHAR, clinical_status VARCHAR,
    recorded TIMESTAMP,
    resource_id VARCHAR
);

CREATE TABLE family_history (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    relationship VARCHAR,            -- e.g. mother, father, sister (v3-RoleCode display)
    relative_sex VARCHAR,
    code_system VARCHAR, code VARCHAR, display VARCHAR,
    onset_age DOUBLE,
    deceased BOOLEAN,
    resource_id VARCHAR
);

CREATE TABLE procedures (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    code_system VARCHAR, code VARCHAR, display VARCHAR,
    status VARCHAR, performed_start TIMESTAMP, performed_end TIMESTAMP,
    resource_id VARCHAR
);

CREATE TABLE encounters (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    class VARCHAR, code_system VARCHAR, code VARCHAR, display VARCHAR,
    status VARCHAR, start_time TIMESTAMP, end_time TIMESTAMP,
    resource_id VARCHAR
);

CREATE TABLE fhir_resources (        -- raw JSON of every imported FHIR resource, for provenance
    patient_id VARCHAR, source_id BIGINT,
    resource_type VARCHAR, resource_id VARCHAR,
    json VARCHAR
);

CREATE TABLE variants (              -- one row per VCF record of one sample; chrom normalised to 'chrN'
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    sample VARCHAR,
    chrom VARCHAR NOT NULL, pos BIGINT NOT NULL,
    vid VARCHAR, ref VARCHAR NOT NULL, alt VARCHAR,   -- alt: comma-separated as in the VCF ('.' = none)
    qual DOUBLE, filter VARCHAR, info VARCHAR,        -- info kept raw
    gt VARCHAR,                      -- as written: '0/1', '1|0', './.', '.'
    phased BOOLEAN,
    ad VARCHAR, dp INTEGER, gq INTEGER, ps VARCHAR,
    end_pos BIGINT                   -- INFO END= for gVCF blocks (also recorded in ref_blocks)
);

CREATE TABLE ref_blocks (            -- reference-call coverage: positions known to be homozygous reference
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    chrom VARCHAR NOT NULL, start_pos BIGINT NOT NULL, end_pos BIGINT NOT NULL,   -- 1-based inclusive
    min_dp INTEGER, gq INTEGER
);

CREATE TABLE analytes (              -- transcriptomics, proteomics, metabolomics values
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    omics VARCHAR NOT NULL,          -- transcriptomics | proteomics | metabolomics
    id_system VARCHAR,               -- symbol | ensembl | uniprot | hmdb | chebi | name
    analyte_id VARCHAR NOT NULL, name VARCHAR,
    value DOUBLE, unit VARCHAR,      -- TPM, counts, abundance, umol/L ...
    ref_low DOUBLE, ref_high DOUBLE,
    sample VARCHAR, measured_at TIMESTAMP
);

CREATE TABLE wearable_samples (
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    metric VARCHAR NOT NULL,         -- heart_rate | steps | sleep | hrv_sdnn | bp_systolic | bp_diastolic ...
    start_utc TIMESTAMP NOT NULL, end_utc TIMESTAMP,
    value DOUBLE, unit VARCHAR,
    utc_offset_min INTEGER,          -- the source's offset from UTC, kept
    device VARCHAR
);

CREATE TABLE outside_calls (         -- PGx calls made elsewhere (CYP2D6, HLA ...), marked as such
    patient_id VARCHAR NOT NULL, source_id BIGINT,
    gene VARCHAR NOT NULL, diplotype VARCHAR, phenotype VARCHAR, activity_score VARCHAR,
    entered_at TIMESTAMP DEFAULT current_timestamp, entered_by VARCHAR
);

CREATE TABLE results_cache (         -- derived results keyed by patient data version and engine version
    patient_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, cache_key VARCHAR NOT NULL,
    payload VARCHAR, computed_at TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (patient_id, kind, cache_key)
);

CREATE TABLE audit_log (             -- append-only; hash = sha256(prev_hash || canonical row)
    seq BIGINT PRIMARY KEY,
    ts VARCHAR NOT NULL,             -- ISO-8601 UTC, text so the hash input is exact
    os_user VARCHAR, action VARCHAR NOT NULL, patient_id VARCHAR, detail VARCHAR,
    prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL
);

-- no ART index on variants: DuckDB's per-row-group min/max (zonemaps) already prune position-range scans, and the
-- index cost ~0.3 s per million imported records (bench/bench_import_vcf.py).
"""

# Version 2 (issue 14): the family model. One row per version of a patient's family (people, relationships,
# conditions, genetic tests), as the JSON of workstation.family.model.Family; every edit or pedigree import adds a
# version (nothing is overwritten), so the family is versioned with the patient and each change is audited.
V2_FAMILY = r"""
CREATE TABLE family_versions (
    patient_id VARCHAR NOT NULL, source_id BIGINT,   -- source_id: the imported file, NULL for an edit
    version INTEGER NOT NULL,        -- 1, 2, 3 ... per patient
    family VARCHAR NOT NULL,         -- JSON: workstation.family.model.Family.to_dict()
    change VARCHAR,                  -- JSON change descriptor {op, person, ...}
    changed_at TIMESTAMP DEFAULT current_timestamp,
    changed_by VARCHAR,
    PRIMARY KEY (patient_id, version)
);
"""

# Version 3 (issue 18): what a lab result says about its reference range, kept from the record.
#   interpretation: the code of the result's first FHIR Observation.interpretation coding (HL7 v3
#                   ObservationInterpretation: H, L, HH, LL, N, A, AA, ...), as recorded; NULL when the record has none
#   ref_text:       referenceRange.text as recorded (e.g. "<200 mg/dL desirable"), or a note when the record's
#                   range was in a unit the unit policy cannot convert to the value's unit
V3_RANGES = r"""
ALTER TABLE observations ADD COLUMN IF NOT EXISTS interpretation VARCHAR;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS ref_text VARCHAR;
"""

# Forward migrations: MIGRATIONS[n] upgrades a store at version n to n + 1 (SQL run in one transaction). A new
# store is created at version 1 and migrated forward, so every store has the same columns.
MIGRATIONS: dict[int, str] = {1: V2_FAMILY, 2: V3_RANGES}

DATA_TABLES = (
    "observations", "conditions", "medications", "allergies", "family_history", "procedures", "encounters",
    "fhir_resources", "variants", "ref_blocks", "analytes", "wearable_samples", "outside_calls",
    "family_versions",
)
