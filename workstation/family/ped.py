"""PLINK / LINKAGE PED (and .fam): six whitespace-separated columns per person, read into and written from the
family model.

``FID IID PAT MAT SEX PHENO`` (``shared/reference/risk/HEREDITARY.md`` 1b; ``shared/data/pedigree/ceph1463.ped``):
SEX 1 male, 2 female, 0 unknown; PHENO -9 or 0 missing, 1 unaffected, 2 affected (other numbers: a quantitative
trait, kept as given); PAT/MAT ``0`` for a founder. Genotype columns after the sixth are not part of the family
model: they are counted and reported, not stored. The format holds no ages, diagnoses, twins or deceased status;
the PHENO value is kept on each person (``refs['ped_pheno']``) so it is written back unchanged.
"""
from __future__ import annotations

import re
from pathlib import Path

from workstation.errors import MalformedFile
from workstation.family.model import Family, Person

COLUMNS = ("FID", "IID", "PAT", "MAT", "SEX", "PHENO")
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


def sniff(head: str) -> bool:
    lines = [ln for ln in head.splitlines()[:20] if ln.strip() and not ln.startswith("#")]
    if len(lines) < 1:
        return False
    for ln in lines[:-1] if len(lines) > 1 else lines:      # the last line of a head may be cut short
        parts = ln.split()
        if len(parts) < 6 or (len(parts) - 6) % 2 or parts[4] not in ("0", "1", "2") or not _NUM.match(parts[5]):
            return False
    return True


def read(path: Path | str, text: str | None = None) -> tuple[Family, dict]:
    p = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise MalformedFile(p, "the file is not UTF-8 text") from None
    fam: Family | None = None
    genotype_cols = 0
    links: list[tuple[int, str, str, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split()
        if len(parts) < 6:
            raise MalformedFile(p, f"a PED record needs 6 columns ({' '.join(COLUMNS)}); this one has "
                                   f"{len(parts)}", line=n, field=COLUMNS[len(parts)] if len(parts) < 6 else None)
        if (len(parts) - 6) % 2:
            raise MalformedFile(p, "genotype columns after the sixth must come in pairs", line=n,
                                field=f"column {len(parts)}")
        genotype_cols = max(genotype_cols, len(parts) - 6)
        fid, iid, pat, mat, sex, pheno = parts[:6]
        if fam is None:
            fam = Family(id=fid)
        elif fid != fam.id:
            raise MalformedFile(p, f"a second family ({fid}) starts here; import one family per file", line=n,
                                field="FID")
        if iid in fam.people or iid == "0":
            raise MalformedFile(p, f"the individual id {iid!r} is {'0' if iid == '0' else 'used twice'}", line=n,
                                field="IID")
        if sex not in ("0", "1", "2"):
            raise MalformedFile(p, f"SEX must be 1 (male), 2 (female) or 0 (unknown) (got {sex!r})", line=n,
                                field="SEX")
        if not _NUM.match(pheno):
            raise MalformedFile(p, f"PHENO must be a number (-9 or 0 missing, 1 unaffected, 2 affected) "
                                   f"(got {pheno!r})", line=n, field="PHENO")
        person = Person(iid, sex={"1": "male", "2": "female"}.get(sex, "unknown"), refs={"ped_pheno": pheno})
        fam.people[iid] = person
        links.append((n, iid, pat, mat))
    if fam is None:
        raise MalformedFile(p, "the file holds no PED records", line=1)
    for n, iid, pat, mat in links:
        for col, pid, role, sex in (("PAT", pat, "father", "male"), ("MAT", mat, "mother", "female")):
            if pid == "0":
                continue
            if pid not in fam.people:
                raise MalformedFile(p, f"the {role} {pid!r} has no record in this file", line=n, field=col)
            if fam.people[pid].sex not in (sex, "unknown"):
                raise MalformedFile(p, f"{pid!r} is named as {role} but is recorded as {fam.people[pid].sex}",
                                    line=n, field=col)
            setattr(fam.people[iid], role, pid)
    problems = fam.problems()
    if problems:
        raise MalformedFile(p, problems[0], line=links[0][0])
    details = {"records": len(links)}
    if genotype_cols:
        details["genotype_columns_not_stored"] = genotype_cols
    return fam, details


def affected_code(person: Person) -> str:
    if "ped_pheno" in person.refs:
        return person.refs["ped_pheno"]
    return "2" if person.diagnoses else "-9"


def write(fam: Family) -> tuple[str, list[str]]:
    """PED text (tab-separated) and what the format could not hold."""
    lost = ["ages, diagnoses (only affected yes/no), genetic tests, twins, deceased status and partnerships "
            "without children are not part of PED"]
    fid = re.sub(r"\s+", "_", fam.id or "family")
    rows = []
    for p in fam.people.values():
        rows.append("\t".join([fid, p.id, p.father or "0", p.mother or "0",
                               {"male": "1", "female": "2"}.get(p.sex, "0"), affected_code(p)]))
    return "\n".join(rows) + "\n", lost
