"""CanRisk pedigree files v1-v4 and the BOADICEA import format v4 ("BWA"): read into the family model, write v4.

Format facts (``shared/reference/risk/HEREDITARY.md`` 1b, from ``CCGE-BOADICEA/bws`` ``bws/pedigree_file.py``,
``bws/pedigree.py``, ``bws/cancer.py`` and the files in ``shared/data/pedigree/``):

* line 1 ``##CanRisk 1.0`` / ``2.x`` / ``3`` / ``4`` (``^##CanRisk\\s4(.0)*$``) or ``BOADICEA import pedigree file
  format 4.0``; then ``##name=value`` risk-factor lines (kept as given); the last header line names the columns
  (``##FamID\\tName\\tTarget\\tIndivID\\tFathID\\tMothID\\t...``; BWA without the ``##``).
* data records: 26 fields (v1), 27 (v2, v3), 28 (v4), 32 (BWA); tab-separated (whitespace also accepted, as bws
  does). Sex M/F; MZtwin 0 or a shared id; Dead 0/1; Age and Yob 0 = unspecified; cancer columns BC1, BC2, OC,
  PRO, PAN = age at diagnosis, 0 unaffected, AU affected at unknown age; Ashkn 0/1; genes ``type:result`` (type 0
  untested, S mutation search, T targeted; result 0, N, P; HOXB13 0, N, HET, HOM) - BWA has type and result in
  separate columns; pathology ER:PR:HER2:CK14:CK56 (0/N/P each; BWA separate columns).

Reading validates every record and raises :class:`~workstation.errors.MalformedFile` naming the line and the
column; nothing is returned on error. Several families in one file are refused (import them one at a time).
"""
from __future__ import annotations

import re
from pathlib import Path

from workstation.errors import MalformedFile
from workstation.family.model import Diagnosis, Family, GeneTest, Person

V4_GENES = ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "BARD1", "RAD51D", "RAD51C", "BRIP1", "HOXB13")
CANCER_COLS = {"BC1": "breast_cancer", "BC2": "contralateral_breast_cancer", "OC": "ovarian_cancer",
               "PRO": "prostate_cancer", "PAN": "pancreatic_cancer"}
BWA_CANCER_COLS = {"1stBrCa": "BC1", "2ndBrCa": "BC2", "OvCa": "OC", "ProCa": "PRO", "PanCa": "PAN"}
PATH_COL = "ER:PR:HER2:CK14:CK56"
MARKERS = ("er", "pr", "her2", "ck14", "ck56")
FIELDS = {1: 26, 2: 27, 3: 27, 4: 28, "bwa": 32}
_HEADER = re.compile(r"^##CanRisk\s+(\d)(\.\d+)*\s*$")
BWA_HEADER = "BOADICEA import pedigree file format 4.0"
_AGE = re.compile(r"^\d{1,3}$")
_YOB = re.compile(r"^(0|(17|18|19|20)\d\d)$")


def sniff(head: str) -> str | None:
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    if _HEADER.match(first):
        return "canrisk"
    if first.startswith(BWA_HEADER):
        return "boadicea"
    return None


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int, col: str | None, reason: str):
        raise MalformedFile(self.path, reason, line=line, field=col)


def read(path: Path | str, text: str | None = None) -> tuple[Family, dict]:
    """Parse a CanRisk (v1-v4) or BWA file. Returns (family, details: version, warnings)."""
    p = str(path)
    r = _Reader(p)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise MalformedFile(p, "the file is not UTF-8 text") from None
    lines = text.splitlines()
    if not lines:
        r.fail(1, None, "the file is empty")
    first = lines[0].strip()
    m = _HEADER.match(first)
    if m:
        version: int | str = int(m.group(1))
        if version not in FIELDS:
            r.fail(1, None, f"CanRisk version {version} is not one this program reads (1-4)")
    elif first.startswith(BWA_HEADER):
        version = "bwa"
    else:
        r.fail(1, None, "the first line is neither '##CanRisk <version>' nor 'BOADICEA import pedigree file "
                        "format 4.0'")
    risk: dict[str, str] = {}
    columns: list[str] | None = None
    data_start = 1
    for i in range(1, len(lines)):
        raw = lines[i].strip()
        if version == "bwa" and columns is None:
            if raw.startswith("FamID"):
                columns = re.split(r"\s+", raw)
                data_start = i + 1
                break
            r.fail(i + 1, None, "the second line of a BOADICEA file must be the column header (FamID ...)")
        if not raw.startswith("##"):
            r.fail(i + 1, None, "the column header line (##FamID ...) is missing before the records")
        body = raw[2:]
        if body.startswith("FamID"):
            columns = re.split(r"\s+", body.strip())
            data_start = i + 1
            break
        if "=" not in body:
            r.fail(i + 1, None, f"a header line must be ##name=value (got {raw!r})")
        k, v = body.split("=", 1)
        risk[k.strip()] = v.strip()
    if columns is None:
        r.fail(len(lines), None, "the column header line (##FamID ...) is missing")
    need = FIELDS[version]
    if len(columns) != need:
        r.fail(data_start, None, f"the column header has {len(columns)} columns; CanRisk "
                                 f"{'BOADICEA v4' if version == 'bwa' else f'v{version}'} has {need}")
    for j, want in ((0, "FamID"), (2, "Target"), (3, "IndivID"), (4, "FathID"), (5, "MothID")):
        if columns[j] != want:
            r.fail(data_start, None, f"column {j + 1} of the header must be {want} (got {columns[j]})")
    rows = []
    for i in range(data_start, len(lines)):
        raw = lines[i]
        if not raw.strip():
            continue
        parts = [x.strip() for x in (raw.split("\t") if "\t" in raw else raw.split())]
        if len(parts) != need:
            r.fail(i + 1, None, f"this record has {len(parts)} fields; the header has {need} (names must not "
                                "contain tabs)")
        rows.append((i + 1, dict(zip(columns, parts))))
    if not rows:
        r.fail(len(lines), None, "the file holds no pedigree records")
    fams = []
    for line, row in rows:
        if row["FamID"] not in fams:
            if fams:
                r.fail(line, "FamID", f"a second family ({row['FamID']}) starts here; import one family per file")
            fams.append(row["FamID"])
    fam = Family(id=fams[0], risk_factors=risk)
    targets = []
    for line, row in rows:
        person = _person(r, line, row, version)
        if person.id in fam.people:
            r.fail(line, "IndivID", f"the id {person.id!r} is used twice")
        fam.people[person.id] = person
        if row["Target"] == "1":
            targets.append((line, person.id))
        elif row["Target"] != "0":
            r.fail(line, "Target", f"Target must be 0 or 1 (got {row['Target']!r})")
    if len(targets) != 1:
        r.fail(targets[1][0] if targets else rows[0][0], "Target",
               "exactly one person must be the target (Target 1)" + (f"; found {len(targets)}" if targets else ""))
    fam.consultand = targets[0][1]
    for line, row in rows:
        pid = row["IndivID"]
        f_id, m_id = row["FathID"], row["MothID"]
        if (f_id == "0") != (m_id == "0"):
            r.fail(line, "FathID" if f_id == "0" else "MothID", "give both parents or neither (0 for both)")
        for col, pid2, sex in (("FathID", f_id, "male"), ("MothID", m_id, "female")):
            if pid2 == "0":
                continue
            if pid2 not in fam.people:
                r.fail(line, col, f"the parent {pid2!r} has no record in this file")
            if fam.people[pid2].sex != sex:
                r.fail(line, col, f"{pid2!r} is named as {'father' if sex == 'male' else 'mother'} but is "
                                  f"recorded as {fam.people[pid2].sex}")
        if f_id != "0":
            fam.people[pid].father, fam.people[pid].mother = f_id, m_id
    _twins(r, fam, rows)
    problems = fam.problems()
    if problems:
        r.fail(rows[0][0], None, problems[0])
    return fam, {"version": version, "records": len(rows)}


def _int_field(r: _Reader, line: int, col: str, v: str, pattern=_AGE) -> int | None:
    if not pattern.match(v):
        r.fail(line, col, f"{col} must be a whole number of years or 0 (got {v!r})")
    return int(v) or None


def _person(r: _Reader, line: int, row: dict, version) -> Person:
    pid = row["IndivID"]
    if not pid or pid == "0":
        r.fail(line, "IndivID", "every person needs an id other than 0")
    sex = row["Sex"]
    if sex not in ("M", "F"):
        r.fail(line, "Sex", f"Sex must be M or F (got {sex!r})")
    p = Person(pid, name="" if row["Name"] in ("NA", "") else row["Name"], sex="male" if sex == "M" else "female")
    if row["Dead"] not in ("0", "1"):
        r.fail(line, "Dead", f"Dead must be 0 or 1 (got {row['Dead']!r})")
    p.deceased = row["Dead"] == "1"
    p.age = _int_field(r, line, "Age", row["Age"])
    p.year_of_birth = _int_field(r, line, "Yob", row["Yob"], _YOB)
    if row["MZtwin"] != "0":
        p.twin_group, p.twin_type = row["MZtwin"], "MZ"
    if row["Ashkn"] not in ("0", "1"):
        r.fail(line, "Ashkn", f"Ashkn must be 0 or 1 (got {row['Ashkn']!r})")
    p.ashkenazi = row["Ashkn"] == "1"
    cols = CANCER_COLS if version != "bwa" else {k: CANCER_COLS[v] for k, v in BWA_CANCER_COLS.items()}
    for col, key in cols.items():
        v = row[col]
        if v == "0":
            continue
        if v == "AU":
            p.diagnoses.append(Diagnosis(key, None))
            continue
        if not _AGE.match(v):
            r.fail(line, col, f"{col} must be an age at diagnosis, 0 (unaffected) or AU (affected, age unknown) "
                              f"(got {v!r})")
        if p.age is not None and int(v) > p.age:
            r.fail(line, col, f"diagnosed at {v} but the age is {p.age}")
        p.diagnoses.append(Diagnosis(key, int(v)))
    if version == "bwa":
        genes = [g for g in ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2")]
        for g in genes:
            _gene(r, line, p, g, row[f"{g}t"], row[f"{g}r"], f"{g}t/{g}r")
        marks = [row[c] for c in ("ER", "PR", "HER2", "CK14", "CK56")]
        _pathology(r, line, p, marks, "ER/PR/HER2/CK14/CK56")
    else:
        for g in [c for c in row if c in V4_GENES]:
            v = row[g]
            if ":" not in v:
                r.fail(line, g, f"{g} must be type:result, e.g. S:N or 0:0 (got {v!r})")
            t, res = v.split(":", 1)
            _gene(r, line, p, g, t, res, g)
        marks = row[PATH_COL].split(":")
        if len(marks) != 5:
            r.fail(line, PATH_COL, f"pathology must be five values joined by ':' (got {row[PATH_COL]!r})")
        _pathology(r, line, p, marks, PATH_COL)
    return p


def _gene(r: _Reader, line: int, p: Person, gene: str, t: str, res: str, col: str) -> None:
    if t not in ("0", "S", "T"):
        r.fail(line, col, f"the test type must be 0 (untested), S (mutation search) or T (targeted) (got {t!r})")
    allowed = ("0", "N", "HET", "HOM") if gene == "HOXB13" else ("0", "N", "P")
    if res not in allowed:
        r.fail(line, col, f"the {gene} result must be one of {', '.join(allowed)} (got {res!r})")
    if t == "0" and res == "0":
        return
    if t == "0":
        r.fail(line, col, f"a {gene} result is given without a test type (S or T)")
    p.tests.append(GeneTest(gene, "" if res == "0" else res, t))


def _pathology(r: _Reader, line: int, p: Person, marks: list[str], col: str) -> None:
    for m, v in zip(MARKERS, marks):
        if v not in ("0", "N", "P"):
            r.fail(line, col, f"pathology values must be 0, N or P (got {v!r})")
        if v != "0":
            p.pathology[m] = v


def _twins(r: _Reader, fam: Family, rows) -> None:
    groups: dict[str, list[str]] = {}
    for line, row in rows:
        if row["MZtwin"] != "0":
            groups.setdefault(row["MZtwin"], []).append(row["IndivID"])
    for g, ids in groups.items():
        line = next(ln for ln, row in rows if row["MZtwin"] == g)
        if len(ids) < 2:
            r.fail(line, "MZtwin", f"the twin mark {g!r} is given to only one person")
        a, b = fam.people[ids[0]], fam.people[ids[1]]
        if (a.father, a.mother) != (b.father, b.mother) or a.sex != b.sex:
            r.fail(line, "MZtwin", "monozygotic twins must have the same parents and sex")


# -- writing ----------------------------------------------------------------------------------------------------
V4_COLUMNS = ["FamID", "Name", "Target", "IndivID", "FathID", "MothID", "Sex", "MZtwin", "Dead", "Age", "Yob",
              "BC1", "BC2", "OC", "PRO", "PAN", "Ashkn", *V4_GENES, PATH_COL]


class ExportProblem(Exception):
    pass


def write_v4(fam: Family) -> tuple[str, list[str]]:
    """CanRisk v4 text for the family, and what could not be written (in words)."""
    from workstation.errors import WorkstationError

    lost: list[str] = []
    index = fam.index_id
    if index is None:
        raise WorkstationError("CanRisk needs a target person: mark the consultand or proband first.")
    people = dict(fam.people)
    extra: list[Person] = []
    ph_for: dict[str, Person] = {}
    for p in list(people.values()):
        if (p.father is None) != (p.mother is None):          # CanRisk needs both parents or neither
            missing = "father" if p.father is None else "mother"
            ph = Person(f"x{p.id}", sex="male" if missing == "father" else "female", inferred=True)
            extra.append(ph)
            ph_for[p.id] = ph
            lost.append(f"{p.id}: an unknown {missing} was added (CanRisk needs both parents or neither)")
    for p in list(people.values()):
        if p.sex == "unknown":
            raise WorkstationError(f"CanRisk needs the sex of every person; set it for {p.name or p.id} first.")
    rf = fam.risk_factors
    out = ["##CanRisk 4"] + [f"##{k}={v}" for k, v in rf.items()] + ["##" + "\t".join(V4_COLUMNS)]
    famid = re.sub(r"\s+", "_", fam.id or "family")[:13]
    for p in list(people.values()) + extra:
        father, mother = p.father, p.mother
        if (father is None) != (mother is None):
            ph = ph_for[p.id]
            father, mother = (father or ph.id), (mother or ph.id)
        name = re.sub(r"\s+", "_", p.name) if p.name else "NA"
        if p.name and " " in p.name:
            lost.append(f"{p.id}: spaces in the name written as '_' (CanRisk splits on whitespace)")
        dx = {k: "0" for k in CANCER_COLS}
        for col, key in CANCER_COLS.items():
            d = next((d for d in p.diagnoses if d.condition == key), None)
            if d is not None:
                dx[col] = "AU" if d.age is None else str(d.age)
        other = [d.label for d in p.diagnoses if d.condition not in CANCER_COLS.values()]
        if other:
            lost.append(f"{p.id}: {', '.join(other)} (CanRisk has no column for it)")
        genes = []
        for g in V4_GENES:
            t = p.test(g)
            if t is None:
                genes.append("0:0")
            elif t.result == "VUS" or (g != "HOXB13" and t.result in ("HET", "HOM")):
                genes.append("0:0")
                lost.append(f"{p.id}: {g} result {t.result} (CanRisk records N or P)")
            else:
                genes.append(f"{t.test_type or 'S'}:{t.result or '0'}")
        for t in p.tests:
            if t.gene not in V4_GENES:
                lost.append(f"{p.id}: {t.gene} test (not a CanRisk v4 gene)")
        path = ":".join(p.pathology.get(m, "0") for m in MARKERS)
        twin = p.twin_group if p.twin_group and p.twin_type == "MZ" else "0"
        if p.twin_group and p.twin_type != "MZ":
            lost.append(f"{p.id}: {p.twin_type or 'unknown'}-zygosity twin mark (CanRisk records MZ twins only)")
        if p.adopted:
            lost.append(f"{p.id}: adoption ({p.adopted}) (no CanRisk column)")
        if p.gender:
            lost.append(f"{p.id}: gender {p.gender!r} (CanRisk records sex only)")
        row = [famid, name, "1" if p.id == index else "0", p.id, father or "0", mother or "0",
               "M" if p.sex == "male" else "F", twin, "1" if p.deceased else "0", str(p.age or 0),
               str(p.year_of_birth or 0), dx["BC1"], dx["BC2"], dx["OC"], dx["PRO"], dx["PAN"],
               "1" if p.ashkenazi else "0", *genes, path]
        out.append("\t".join(row))
    for pt in fam.partnerships:
        if not fam.children_of(pt.a, pt.b):
            lost.append(f"partnership {pt.a}-{pt.b} without children (CanRisk links partners only through a child)")
        if pt.consanguineous:
            lost.append(f"consanguinity of {pt.a}-{pt.b} (no CanRisk column)")
    return "\n".join(out) + "\n", lost
