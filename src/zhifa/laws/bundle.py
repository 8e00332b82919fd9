"""The shipped law corpus: xz-compressed JSONL, a header line then one parsed law per line
(built by scripts/pack_laws.py, loaded by `zhifa laws import --bundled`). No Django here."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

from .parser import ParsedLaw

BUNDLE_PATH = Path(__file__).resolve().parent / "data" / "laws-national.jsonl.xz"
BUNDLE_FORMAT = "zhifa-laws/1"


def read_bundle(path: Path = BUNDLE_PATH):
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{path}: 不是法规库数据包（format={header.get('format')!r}）")
        for line in fh:
            if line.strip():
                yield ParsedLaw.from_dict(json.loads(line))


def write_bundle(laws: list[ParsedLaw], path: Path, sources: list[str]) -> None:
    header = {"format": BUNDLE_FORMAT, "laws": len(laws), "sources": sources}
    with lzma.open(path, "wt", encoding="utf-8", preset=9 | lzma.PRESET_EXTREME) as fh:
        fh.write(json.dumps(header, ensure_ascii=False) + "\n")
        for law in sorted(laws, key=lambda x: (x.title, x.version_date or "")):
            data = law.to_dict()
            data.pop("fragment", None)
            fh.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
