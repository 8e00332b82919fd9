"""Every article the cases app quotes in a refusal exists, and the quoted words are the law's
own: each “...” after 《中华人民共和国X法》第N条 in the rules and procedures must appear in that
article's text under ../shared/data/laws (the article index). No invented law text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zhifa.cases import gates, rules
from zhifa.cases.procedures import (
    coercion,
    common,
    inspection,
    licensing,
    penalty_ordinary,
    penalty_simplified,
)
from zhifa.laws.numerals import cn_to_int

INDEX = Path(__file__).resolve().parents[5] / "shared" / "data" / "laws" / "_articles_index.jsonl"
MODULES = (
    rules,
    gates,
    common,
    penalty_ordinary,
    penalty_simplified,
    inspection,
    coercion,
    licensing,
)
CITATION = re.compile(
    r"《中华人民共和国([^》]+)》第([零一二三四五六七八九十百]+)条"
    r"(?:第[一二三四五六七八九十]+款)?(?:第[一二三四五六七八九十]+项)?"
    r"(?:[^“”《]{0,40}?)“([^”]+)”"
)
MENTION = re.compile(r"《中华人民共和国([^》]+)》第([零一二三四五六七八九十百]+)条")


@pytest.fixture(scope="module")
def articles() -> dict[tuple[str, int], str]:
    if not INDEX.is_file():
        pytest.fail(f"article index missing: {INDEX} (the shared data folder is required)")
    out: dict[tuple[str, int], str] = {}
    with INDEX.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            key = (row["law_short"], row["article_no"])
            out[key] = out.get(key, "") + row["text"]
    return out


def _source() -> str:
    return "\n".join(Path(m.__file__).read_text(encoding="utf-8") for m in MODULES)


def _flat(text: str) -> str:
    # Quotes split across source lines come out as "...""..." after joining.
    return re.sub(r'"\s*\n\s*f?"', "", text)


def test_every_cited_article_exists(articles):
    cited = set(MENTION.findall(_flat(_source())))
    assert len(cited) >= 20
    missing = [f"{law}第{n}条" for law, n in cited if (law, cn_to_int(n)) not in articles]
    assert not missing


def test_every_quotation_is_the_laws_own_text(articles):
    quotes = CITATION.findall(_flat(_source()))
    assert len(quotes) >= 10
    wrong = []
    for law, n, quote in quotes:
        text = articles.get((law, cn_to_int(n)), "")
        parts = [p for p in re.split(r"……", quote) if p]
        if not all(p in text for p in parts):
            wrong.append(f"{law}第{n}条：{quote}")
    assert not wrong
