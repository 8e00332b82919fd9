"""The 大兴乡 demo power list: at least 30 matters, each citing an article that exists in the
law text under ../shared/data/laws, linked to the library, and a second run changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps

from zhifa.laws import citations
from zhifa.laws import services as law_services
from zhifa.laws.numerals import cn_to_int
from zhifa.laws.parser import ARTICLE_RE
from zhifa.ledger.models import LedgerEntry
from zhifa.powers.demo import BENCHMARK_SOURCE, MATTERS
from zhifa.powers.models import (
    DiscretionBenchmark,
    DiscretionGrade,
    ListStatus,
    Matter,
    NoPenaltyItem,
    PowerList,
)

pytestmark = pytest.mark.django_db

LAWS = Path(__file__).resolve().parents[5] / "shared" / "data" / "laws"
CITE_RE = re.compile(r"《(?P<law>[^》]+)》第(?P<art>[零一二三四五六七八九十百千]+)条")


def _shared_laws() -> dict[str, list[Path]]:
    """Title (the `# ` line) -> the files of that law under ../shared/data/laws."""
    if not LAWS.is_dir():
        pytest.fail(f"law texts missing: {LAWS} (the shared data folder ../shared is required)")
    by_title: dict[str, list[Path]] = {}
    for path in sorted(LAWS.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                by_title.setdefault(line[2:].strip(), []).append(path)
                break
    return by_title


def _article_numbers(path: Path) -> set[int]:
    numbers = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ARTICLE_RE.match(line.strip())
        if match and not match.group(2):
            numbers.add(cn_to_int(match.group(1)))
    return numbers


def _run_hook(world):
    apps.get_app_config("powers").demo_data(world)


def _snapshot():
    return (
        PowerList.objects.count(),
        Matter.objects.count(),
        Matter.legal_bases.through.objects.count(),
        DiscretionBenchmark.objects.count(),
        DiscretionGrade.objects.count(),
        NoPenaltyItem.objects.count(),
        LedgerEntry.objects.count(),
    )


def test_demo_power_list_cites_real_articles_and_is_idempotent(world):
    by_title = _shared_laws()
    cited = {CITE_RE.match(basis).group("law") for _c, _n, _k, basis, _d, _l in MATTERS}
    missing = sorted(cited - set(by_title))
    assert not missing, f"no law text in {LAWS} for {missing}"
    for title in sorted(cited):  # the library, as the laws demo hook would have imported it
        for path in by_title[title]:
            law_services.import_path(path)
    citations.clear_cache()
    try:
        _run_hook(world)
        first = _snapshot()
        _run_hook(world)
        assert _snapshot() == first
    finally:
        citations.clear_cache()

    plist = PowerList.objects.get(organization=world.orgs["daxing"], year=2026)
    assert plist.status == ListStatus.PUBLISHED
    saved = list(plist.matters.prefetch_related("legal_bases__law"))
    assert len(saved) >= 30
    numbers = {path: _article_numbers(path) for paths in by_title.values() for path in paths}
    for matter in saved:
        match = CITE_RE.match(matter.basis_text)
        assert match, f"{matter.code}: basis is not 《法名》第N条: {matter.basis_text}"
        title, article = match.group("law"), cn_to_int(match.group("art"))
        assert any(article in numbers[p] for p in by_title[title]), (
            f"{matter.code}: {title} has no 第{match.group('art')}条"
        )
        linked = {(a.law.title, a.number) for a in matter.legal_bases.all()}
        assert (title, article) in linked, f"{matter.code}: not linked to {title} 第{article}条"
    categories = {m.category for m in saved}
    assert {"penalty", "coercion", "inspection", "licensing"} <= categories
    assert any(m.on_inspection_list for m in saved)
    assert any(m.delegated_from for m in saved)
    # the reference tables from ../shared/data/discretion
    assert DiscretionBenchmark.objects.filter(organization=None).exists()
    assert NoPenaltyItem.objects.exists()
    # 大兴乡's own benchmarks: the quoted law text is the real article, linked to the library
    own = list(DiscretionBenchmark.objects.filter(organization=world.orgs["daxing"]))
    assert {b.source for b in own} == {BENCHMARK_SOURCE} and len(own) == 2
    forest = "\n".join(p.read_text(encoding="utf-8") for p in by_title["中华人民共和国森林法"])
    for bench in own:
        quoted = re.search(r"“(.+)”", bench.legal_basis).group(1)
        assert quoted in forest, bench.item_no
        assert bench.articles.filter(law__title="中华人民共和国森林法").exists()
        assert bench.grades.count() >= 3
