"""Build src/zhifa/laws/data/laws-national.jsonl.xz, the law corpus shipped with zhifa.

    .venv/bin/python scripts/pack_laws.py [--national DIR] [--curated DIR] [--out FILE]

Parses the LawRefBook Markdown files of ../shared/data/laws-national (the national corpus) and
../shared/data/laws (the curated subset, which wins where both hold the same law and version),
and writes one JSON object per law (with its articles) into an xz-compressed JSONL file that
`zhifa laws import --bundled` loads without parsing. Pure Python, no database needed."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhifa.laws.bundle import write_bundle  # noqa: E402
from zhifa.laws.parser import collect  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--national", type=Path, default=SHARED / "laws-national")
    ap.add_argument("--curated", type=Path, default=SHARED / "laws")
    ap.add_argument("--out", type=Path, default=ROOT / "src/zhifa/laws/data/laws-national.jsonl.xz")
    args = ap.parse_args()
    started = time.monotonic()
    laws = {}
    skipped = []
    for folder in (args.national, args.curated):
        if not folder.is_dir():
            print(f"找不到目录 {folder}", file=sys.stderr)
            return 1
        collected = collect(folder)
        skipped += [(f"{folder.name}/{f}", reason) for f, reason in collected.skipped]
        for law in collected.laws:
            laws[(law.title, law.version_date)] = law  # the curated folder comes last and wins
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_bundle(list(laws.values()), args.out, [args.national.name, args.curated.name])
    articles = sum(len(law.articles) for law in laws.values())
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.out}: {len(laws)} 部法规，{articles} 条，{size:.1f} MB，"
        f"跳过 {len(skipped)} 个文件，用时 {time.monotonic() - started:.1f} 秒"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
