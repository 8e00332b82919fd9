import itertools

from zhifa.laws import services
from zhifa.laws.apps import LawsConfig
from zhifa.laws.bundle import BUNDLE_PATH, read_bundle, write_bundle
from zhifa.laws.models import Law
from zhifa.laws.parser import collect

from .shared import shared_data


def test_the_shipped_bundle_holds_the_national_corpus():
    assert BUNDLE_PATH.exists(), "run scripts/pack_laws.py"
    assert BUNDLE_PATH.stat().st_size < 20 * 1024 * 1024
    laws = list(read_bundle())
    assert len(laws) > 1400
    assert sum(len(law.articles) for law in laws) > 60000
    titles = {law.title for law in laws}
    assert {
        "中华人民共和国行政处罚法",
        "中华人民共和国民法典",
        "中华人民共和国森林法实施条例",
    } <= titles
    civil = next(law for law in laws if law.title == "中华人民共和国民法典")
    assert len(civil.articles) == 1260  # seven files, one per 编, merged into one code


def test_bundle_matches_the_curated_markdown():
    """The curated folder wins in the bundle: the same digests as parsing the files now."""
    curated = {
        (law.title, law.version_date): law.digest() for law in collect(shared_data("laws")).laws
    }
    bundled = {(law.title, law.version_date): law.digest() for law in read_bundle()}
    assert {key: bundled.get(key) for key in curated} == curated


def test_bundle_round_trip_and_idempotent_import(db, tmp_path):
    laws = list(itertools.islice(read_bundle(), 5))
    path = tmp_path / "small.jsonl.xz"
    write_bundle(laws, path, ["test"])
    first = services.import_bundled(path)
    assert first.created == 5
    assert first.articles == sum(len(law.articles) for law in laws)
    again = services.import_bundled(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_demo_data_imports_only_into_an_empty_library(db, tmp_path, monkeypatch):
    path = tmp_path / "small.jsonl.xz"
    write_bundle(list(itertools.islice(read_bundle(), 2)), path, ["test"])
    monkeypatch.setattr(services, "BUNDLE_PATH", path)
    config = LawsConfig.create("zhifa.laws")
    result = config.demo_data(world=None)
    assert result.created == 2 and Law.objects.count() == 2
    assert config.demo_data(world=None) is None
