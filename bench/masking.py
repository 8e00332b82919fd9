"""Masking evaluated on real published decisions: how many personal items `zhifa mask` (the
publication pipeline's masking, zhifa.core.masking) finds and misses.

    .venv/bin/python bench/masking.py [--data ../shared/data/decisions] [--verbose]

Corpus: every record with a `full_text` in penalty_decisions.jsonl and published_decisions.jsonl
(31 texts: 1 complete decision, 30 decisions as published on government sites, most cut at
about 800 characters).

Expectation (bench/masking_expected.json): derived by hand, reading each text, and stored as
character spans (start, end, kind, role) into the shared texts, never as the strings themselves,
so no real name enters the repository. A SHA-256 of each text guards against the data changing
under the spans. What counts as a personal item:
  * name: every occurrence of a natural person's name: the party, the operator of an individual
    business, a company's legal representative or person in charge, an authorised agent, a
    witness or another individual named in the text. Officers' names and certificate numbers
    are not counted (officers are published by law, 行政执法公示).
  * citizen_id, mobile, bank_account: numbers as printed in full.
  * address: a natural person's home address (现住址, 住址 of a natural person). A business's
    address (住所/经营场所 of a company or individual business) is public and not counted.
  * plate: a natural person's private car plate (the masker has no rule for plates; it is
    counted so the gap shows).
Items the publisher had already masked (张某, 532327********1532, 157********) are not counted.

Two runs: "blind" (the text alone: names only from context) and "pipeline" (as a publication
draft is masked: the party's name is given when the party is a natural person). An expected
item is found when masked spans cover it completely. A masked span that covers no expected item
is a false positive (over-masking; listed by kind).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhifa.core.masking import find_personal_items  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "decisions"
FILES = ("penalty_decisions.jsonl", "published_decisions.jsonl")
NATURAL = {"natural person", "自然人"}


def load(data: Path) -> dict[str, dict]:
    records = {}
    for name in FILES:
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("full_text"):
                    records[record["id"]] = record
    return records


def covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    need = set(range(start, end))
    for a, b in spans:
        need -= set(range(a, b))
    return not need


def run(records: dict, expected: dict, pipeline: bool, verbose: bool) -> dict:
    found, missed, total, false_pos = Counter(), Counter(), Counter(), Counter()
    started = time.perf_counter()
    chars = 0
    for rid, record in records.items():
        text = record["full_text"]
        chars += len(text)
        names = [record["party_name"]] if pipeline and record.get("party_type") in NATURAL else []
        items = find_personal_items(text, names)
        spans = [(i.start, i.end) for i in items]
        wanted = expected.get(rid, {"items": []})["items"]
        for item in wanted:
            total[item["kind"]] += 1
            if covered(item["start"], item["end"], spans):
                found[item["kind"]] += 1
            else:
                missed[item["kind"]] += 1
                if verbose:
                    print(f"  missed {rid} {item['kind']} ({item['role']}) @{item['start']}")
        for item in items:
            if not any(item.start < w["end"] and w["start"] < item.end for w in wanted):
                false_pos[item.kind] += 1
                if verbose:
                    print(f"  over-masked {rid} {item.kind} @{item.start}")
    elapsed = time.perf_counter() - started
    return {
        "total": total,
        "found": found,
        "missed": missed,
        "false_pos": false_pos,
        "seconds": elapsed,
        "chars": chars,
    }


def report(title: str, r: dict) -> None:
    kinds = sorted(set(r["total"]) | set(r["false_pos"]))
    print(f"\n{title}")
    print(f"  {'kind':<14}{'expected':>9}{'found':>7}{'missed':>8}{'over-masked':>13}")
    for kind in kinds:
        print(
            f"  {kind:<14}{r['total'][kind]:>9}{r['found'][kind]:>7}{r['missed'][kind]:>8}"
            f"{r['false_pos'][kind]:>13}"
        )
    t, f = sum(r["total"].values()), sum(r["found"].values())
    fp = sum(r["false_pos"].values())
    print(
        f"  {'all':<14}{t:>9}{f:>7}{t - f:>8}{fp:>13}   recall {f / t:.1%}, "
        f"precision {f / (f + fp):.1%}; {r['chars']} characters in {r['seconds'] * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--expected", type=Path, default=ROOT / "bench" / "masking_expected.json")
    parser.add_argument("--verbose", action="store_true", help="list misses and over-masking")
    args = parser.parse_args()
    records = load(args.data)
    expected = json.loads(args.expected.read_text(encoding="utf-8"))["records"]
    for rid, entry in expected.items():
        text = records[rid]["full_text"]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != entry["sha256"]:
            sys.exit(f"{rid}: the text changed since the expectation was made; re-derive it")
    print(
        f"{len(records)} decision texts, {sum(len(e['items']) for e in expected.values())} "
        "personal items expected (hand-checked)"
    )
    report("blind (text only)", run(records, expected, pipeline=False, verbose=args.verbose))
    report(
        "pipeline (natural person's party name given)",
        run(records, expected, pipeline=True, verbose=args.verbose),
    )


if __name__ == "__main__":
    main()
