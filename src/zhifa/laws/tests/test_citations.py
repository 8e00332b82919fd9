"""Citation strings below are copied from ../shared/data/decisions and ../shared/data/cases
(citations only, no names); a few (该法, ranges) are built in the same style."""

import pytest
from django.template import Context, Template

from zhifa.laws.citations import find_citations, linkify
from zhifa.laws.models import Article
from zhifa.laws.numerals import cn_to_int, int_to_cn

CASES = [
    ("《中华人民共和国行政处罚法》第五十一条第一项的规定", "行政处罚法", [(51, None, 1)]),
    (
        "《行政许可法》第十五条第一款、第十六条第三款的规定",
        "行政许可法",
        [(15, 1, None), (16, 3, None)],
    ),
    (
        "《中华人民共和国行政许可法》第十五条第一款、第十六条第二款、第三款",
        "行政许可法",
        [(15, 1, None), (16, 2, None), (16, 3, None)],
    ),
    ("《中华人民共和国森林法》第13条、第20条", "森林法", [(13, None, None), (20, None, None)]),
    (
        "《中华人民共和国食品安全法》第20条、第42条第1款（该法于2015年4月24日修订",
        "食品安全法",
        [(20, None, None), (42, 1, None)],
    ),
    (
        "《中华人民共和国水污染防治法》第22条第2款、第75条第2款）",
        "水污染防治法",
        [(22, 2, None), (75, 2, None)],
    ),
    ("《公共场所卫生管理条例》第三条第一款第五项", "公共场所卫生管理条例", [(3, 1, 5)]),
    ("《中华人民共和国森林法实施条例》第四十一条第二款的规定", "森林法实施条例", [(41, 2, None)]),
    ("《中华人民共和国行政处罚法》第七十二条第一款第一项的规定", "行政处罚法", [(72, 1, 1)]),
    ("《中华人民共和国土地管理法》第四十四条第一款", "土地管理法", [(44, 1, None)]),
    ("《中华人民共和国城乡规划法》第六十四条", "城乡规划法", [(64, None, None)]),
    ("《中华人民共和国环境影响评价法》第三十一条第一款", "环境影响评价法", [(31, 1, None)]),
    ("《中华人民共和国道路运输条例》第六十八条第二款、", "道路运输条例", [(68, 2, None)]),
    (
        "《互联网上网服务营业场所管理条例》第二十一条第一款的规定",
        "互联网上网服务营业场所管理条例",
        [(21, 1, None)],
    ),
    ("《中华人民共和国烟草专卖法实施条例》第五十七条", "烟草专卖法实施条例", [(57, None, None)]),
    ("《立法法》第七十九条关于法律效力等级的规定", "立法法", [(79, None, None)]),
    ("《中华人民共和国行政诉讼法》第二十六条第六款规定", "行政诉讼法", [(26, 6, None)]),
    ("《中华人民共和国行政处罚法》第三十七条:“实施行政处罚", "行政处罚法", [(37, None, None)]),
    ("行政处罚法第三十七条 is cited for choice", "行政处罚法", [(37, None, None)]),
    ("依照行政处罚法第四十二条的规定适用听证程序", "行政处罚法", [(42, None, None)]),
    ("《中华人民共和国行政处罚法》第二十条、", "行政处罚法", [(20, None, None)]),
    ("《行政许可法》第八十三条第二款规定", "行政许可法", [(83, 2, None)]),
    ("《食品安全法》第二十条第四项规定", "食品安全法", [(20, None, 4)]),
    (
        "《中华人民共和国行政处罚法》第三十二条、第三十三条",
        "行政处罚法",
        [(32, None, None), (33, None, None)],
    ),
    ("《中华人民共和国森林法》的规定，依据该法第七十四条第一款", "森林法", [(74, 1, None)]),
]


def _short(citation):
    return citation.law.short_title if citation.law else None


@pytest.mark.parametrize(("text", "law", "refs"), CASES, ids=[c[0][:16] for c in CASES])
def test_real_citation_forms(library, text, law, refs):
    found = find_citations(text)
    assert [(c.article, c.paragraph, c.item) for c in found] == refs
    for c in found:
        assert _short(c) == law
        assert c.article_obj is not None and c.article_obj.number == c.article
        assert c.article_obj.law == c.law
        assert text[c.start : c.end].startswith("第")


def test_laws_outside_the_library_are_parsed_but_not_resolved(library):
    found = find_citations("《江苏盐业实施办法》第二十三条、第三十二条第（二）项的规定")
    assert [(c.law, c.article, c.item) for c in found] == [(None, 23, None), (None, 32, 2)]
    found = find_citations("《湖南省卫生健康行政处罚裁量权基准》第一章第十三节第四条")
    assert [(c.law_name, c.article) for c in found] == [("湖南省卫生健康行政处罚裁量权基准", 4)]
    assert find_citations("《关于调整森林植被恢复费征收标准的通知》第二款第1项") == []


def test_the_version_in_force_is_linked(library):
    (c,) = find_citations("《反不正当竞争法》第二条")
    assert c.law.version_date.isoformat() == "2025-06-27" and c.law.in_force


def test_pronoun_needs_a_law_named_before(library):
    assert find_citations("依据该法第三十二条") == []


def test_linkify_escapes_and_links(library):
    text = '<script>x</script>依据《行政处罚法》第五十一条第一款和"该法"第五十二条。'
    html = str(linkify(text))
    assert "<script>" not in html and "&lt;script&gt;" in html
    art51 = Article.objects.get(law__short_title="行政处罚法", number=51)
    assert f'<a class="cite" href="/laws/article/{art51.pk}/"' in html
    assert ">第五十一条第一款</a>" in html
    assert "《行政处罚法》" in html


def test_template_filter(library):
    rendered = Template("{% load laws %}{{ text|cite_links }}").render(
        Context({"text": "《行政处罚法》第32条 & 其他"})
    )
    assert 'class="cite"' in rendered and "&amp; 其他" in rendered


@pytest.mark.parametrize(
    ("cn", "n"),
    [("十", 10), ("十一", 11), ("二十", 20), ("一百零三", 103), ("一百一十", 110),
     ("二百二十四", 224), ("一千零五", 1005), ("一千二百六十", 1260), ("两千", 2000), ("51", 51)],
)  # fmt: skip
def test_numerals(cn, n):
    assert cn_to_int(cn) == n
    if not cn.isdigit() and not cn.startswith("两"):
        assert int_to_cn(n) == cn
