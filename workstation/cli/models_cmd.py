"""``workstation models`` and ``workstation score``: list model cards; score a model or a stored patient.

* ``workstation models [--json]`` lists every model (and any refused one, with the reason).
* ``workstation score MODEL_ID --inputs JSON [--json]`` scores inputs given on the command line (JSON text, or
  ``@file.json``); no store or passphrase is needed.
* ``workstation score --patient ID [--set NAME=VALUE ...] [--json]`` scores every model for a stored patient,
  with each input's source and the inputs missing (``--set`` supplies what the record lacks, e.g. race).

A refusal (input outside the validated range, missing input) is a normal answer: it is printed and the exit
code is 0; a model file that fails its integrity check or an unknown model id is an error (non-zero).
"""
from __future__ import annotations

import json
from pathlib import Path

from workstation.display import interval_text, subgroup_text
from workstation.errors import WorkstationError


class InputsError(WorkstationError):
    """The --inputs / --set values could not be read."""


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the risk and dosing models and their cards")
    p.add_argument("--json", action="store_true", help="print the full model cards as JSON")
    p.set_defaults(func=cmd_models)

    s = subparsers.add_parser("score", help="score a model from given inputs, or every model for a patient")
    s.add_argument("model_id", nargs="?", metavar="MODEL_ID", help="model to score (see 'workstation models')")
    s.add_argument("--inputs", metavar="JSON", help="inputs as JSON text or @file.json (names and units of the card)")
    s.add_argument("--patient", metavar="ID", help="score every model for this stored patient")
    s.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="with --patient: supply an input the record lacks (repeatable), e.g. race=white")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_score)


def _registry():
    from workstation.models import get_registry

    return get_registry()


def cmd_models(args) -> int:
    reg = _registry()
    cards = reg.cards()
    if getattr(args, "json", False):
        _print_json(cards)
        return 0
    for c in cards:
        if c.get("status") == "refused":
            print(f"{c['id']}: REFUSED - {c['refused']}")
            continue
        category = c.get("category", "clinical")
        print(f"{c['id']}  v{c['version']}  {c['name']}" + ("" if category == "clinical" else f"  [{category}]"))
        print(f"    outcome: {c['outcome']} ({c['horizon']}); output: {c['output']['unit']}")
        if category == "demonstration":
            print("    not scored for patients (a demonstration); 'workstation score' with --inputs runs it")
        print(f"    source: {c['citation']}")
        print(f"    sha256: {c['sha256']}")
    return 0


def _parse_inputs(text: str) -> dict:
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputsError(f"Cannot read the inputs file {path}: {exc.strerror}.") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputsError(f"--inputs is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    if not isinstance(value, dict):
        raise InputsError("--inputs must be a JSON object such as {\"age\": 55, \"sex\": \"female\"}.")
    return value


def _parse_sets(items: list[str]) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise InputsError(f"--set {item!r} must look like NAME=VALUE.")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = json.loads(v)
        except json.JSONDecodeError:
            out[k.strip()] = v
    return out


def cmd_score(args) -> int:
    if args.patient:
        if args.model_id or args.inputs:
            raise InputsError("Give either MODEL_ID --inputs JSON, or --patient ID, not both.")
        return _score_patient(args)
    if not args.model_id or args.inputs is None:
        raise InputsError("Give MODEL_ID and --inputs JSON (or --patient ID).")
    score = _registry().score(args.model_id, _parse_inputs(args.inputs))
    if args.json:
        _print_json(score.to_dict())
    else:
        _print_score(score)
    return 0


def _pgx_for(profile, notes: list[str]):
    """The patient's pharmacogenomics calls (workstation.pgx.call_profile), or None when unavailable."""
    try:
        from workstation.pgx import call_profile
    except ImportError:
        return None
    try:
        return call_profile(profile)
    except WorkstationError as exc:
        notes.append(f"pharmacogenomics results unavailable: {exc}")
        return None


def _score_patient(args) -> int:
    from workstation.cli.common import open_store_from_args
    from workstation.models import score_all

    overrides = _parse_sets(args.set)
    store = open_store_from_args(args, read_only=True)
    try:
        profile = store.profile(args.patient)
    finally:
        close = getattr(store, "close", None)
        if close:
            close()
    notes: list[str] = []
    pgx = _pgx_for(profile, notes)
    scores = score_all(profile, pgx, overrides=overrides)
    if args.json:
        _print_json({"patient": profile.id, "as_of": str(profile.as_of), "notes": notes,
                     "scores": [s.to_dict() for s in scores]})
        return 0
    counts: dict[str, int] = {}
    for s in scores:
        for n in dict.fromkeys(s.notes):
            counts[n] = counts.get(n, 0) + 1
    common = {n for n, c in counts.items() if c > 1}         # record-wide notes: print once
    for n in notes + [n for n in counts if n in common]:
        print(f"note: {n}")
    for s in scores:
        s.notes = [n for n in s.notes if n not in common]
        _print_score(s, sources=True)
    return 0


def _fmt_value(s) -> str:
    if s.unit == "probability":
        return f"{100 * s.value:.1f} %"
    if s.unit == "mg/week":
        return f"{s.value:.1f} mg/week ({s.extra.get('daily_mg', s.value / 7):.2f} mg/day)"
    if s.band:
        return f"{s.value:g} points ({s.band}, {s.extra.get('band_risk', '')})"
    return f"{s.value:.4f} {s.unit}" + (f" (coverage {s.extra['coverage']:.0%})" if "coverage" in s.extra else "")


def _print_score(s, *, sources: bool = False) -> None:
    head = f"{s.name or s.model} ({s.model} v{s.version})"
    if s.refused:
        print(f"{head}: not scored - {s.refused}.")
    else:
        iv = interval_text(s)
        print(f"{head}: {_fmt_value(s)}" + (f" ({iv})" if iv else ""))
        for row in s.subgroups:
            print(f"    held-out subgroup {subgroup_text(row)}")
        for text in s.cohort_notes:
            print(f"    cohort: {text}")
        if s.contributions:
            top = sorted(s.contributions.items(), key=lambda kv: -abs(kv[1]))[:8]
            print("    contributions: " + ", ".join(f"{k} {v:+.3f}" for k, v in top))
            print(f"    scale: {s.contribution_scale}")
    if s.defaults_used:
        for k, why in s.defaults_used.items():
            print(f"    {k}: {why}")
    if sources and s.applicable:
        for k, src in s.sources.items():
            shown = ("code", "display", "date", "value", "unit", "computed", "birth_date", "gene", "entered")
            where = src.get("note") or ", ".join(f"{a}={b}" for a, b in src.items() if a in shown)
            print(f"    {k} = {s.inputs_used.get(k, src.get('mapped_value', '?'))}  [{where}]")
        missing = [m for m in s.inputs_missing if m not in s.defaults_used]
        if missing and s.card and len(missing) < 20:
            print(f"    missing: {', '.join(missing)}")
        for n in s.notes:
            print(f"    note: {n}")


def _print_json(obj) -> None:
    import sys

    json.dump(obj, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")
