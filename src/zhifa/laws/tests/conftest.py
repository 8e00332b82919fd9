import pytest

from zhifa.laws import citations, services
from zhifa.laws.bundle import read_bundle
from zhifa.laws.models import name_key

LIBRARY = {
    "行政处罚法", "行政许可法", "食品安全法", "森林法", "森林法实施条例", "土地管理法",
    "水污染防治法", "公共场所卫生管理条例", "环境影响评价法", "道路运输条例", "城乡规划法",
    "互联网上网服务营业场所管理条例", "烟草专卖法实施条例", "立法法", "行政诉讼法",
    "反不正当竞争法",
}  # fmt: skip


@pytest.fixture
def library(db):
    """A small library from the shipped bundle (every version of the laws above)."""
    laws = [law for law in read_bundle() if name_key(law.title) in LIBRARY]
    services.import_parsed(laws)
    citations.clear_cache()
    yield
    citations.clear_cache()
