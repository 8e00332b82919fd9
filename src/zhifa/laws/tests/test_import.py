import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zhifa.laws import services
from zhifa.laws.models import Article, Law
from zhifa.laws.parser import NotALaw, parse_markdown

from .shared import shared_data

SAMPLE = """---
bookCollapseSection: true
---# 中华人民共和国示例法

2020年1月1日 第十三届全国人民代表大会常务委员会第一次会议通过

<!-- INFO END -->

## 第一编 总则

### 第一章 一般规定

#### 第一节 目的

第一条 为了示例，制定本法。

第二条 本法适用于：

（一）甲；

（二）乙。

第二款的内容。

第二条之一 新增的条文。

### 第二章 附则

第三条 本法自公布之日起施行。
"""


def test_parse_structure_paragraphs_and_suffix():
    law = parse_markdown(SAMPLE, "示例法(2020-01-01).md", ("行政法",))
    assert law.title == "中华人民共和国示例法"
    assert law.short_title == "示例法"
    assert law.version_date == "2020-01-01"
    assert law.level == "law"
    assert law.issuing_body == "全国人民代表大会常务委员会"
    labels = [(a.label, a.number, a.suffix) for a in law.articles]
    assert labels == [("第一条", 1, 0), ("第二条", 2, 0), ("第二条之一", 2, 1), ("第三条", 3, 0)]
    second = law.articles[1]
    assert second.text.split("\n") == ["本法适用于：", "（一）甲；", "（二）乙。", "第二款的内容。"]
    structure = (second.part, second.chapter, second.section)
    assert structure == ("第一编 总则", "第一章 一般规定", "第一节 目的")
    assert (law.articles[3].chapter, law.articles[3].section) == ("第二章 附则", "")


def test_parse_refuses_text_without_articles():
    with pytest.raises(NotALaw, match="没有条文"):
        parse_markdown("# 某决定\n\n<!-- INFO END -->\n\n一、修改。\n", "某决定.md")


def test_every_curated_law_imports_with_the_indexed_article_count(db):
    folder = shared_data("laws")
    expected = Counter()
    titles = {}
    for line in (folder / "_articles_index.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        expected[(row["law"], row["version_date"])] += 1
        titles[row["file"]] = (row["law"], row["version_date"])
    result = services.import_path(folder)
    assert result.skipped == []
    assert result.created == len(expected) == 41
    imported = Counter()
    for title, version in Article.objects.values_list("law__title", "law__version_date"):
        imported[(title, version.isoformat())] += 1
    assert imported == expected
    assert sum(imported.values()) == 3352
    # Spot checks: numbers, 款 as lines, structure, levels.
    law = Law.objects.get(short_title="行政处罚法")
    assert law.article_count == 86 and law.level == "law"
    art = law.articles.get(number=51)
    assert art.label == "第五十一条" and art.chapter.startswith("第五章")
    assert Law.objects.get(short_title="土地管理法实施条例").level == "admin_regulation"
    assert Law.objects.get(short_title="浙江省综合行政执法条例").level == "local_regulation"
    # Two versions side by side; the newest is in force.
    versions = Law.objects.filter(short_title="反不正当竞争法").order_by("version_date")
    assert [v.in_force for v in versions] == [False, True]


def test_reimport_changes_nothing(db):
    folder = shared_data("laws")
    services.import_path(folder / "行政处罚法(2021-01-22).md")
    before = list(Article.objects.order_by("pk").values_list("pk", "text", "segmented"))
    stamp = Law.objects.get().imported_at
    result = services.import_path(folder / "行政处罚法(2021-01-22).md")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert list(Article.objects.order_by("pk").values_list("pk", "text", "segmented")) == before
    assert Law.objects.get().imported_at == stamp


def test_changed_text_replaces_the_articles_and_the_index(db, tmp_path):
    path = tmp_path / "示例法(2020-01-01).md"
    path.write_text(SAMPLE, encoding="utf-8")
    services.import_path(path)
    path.write_text(SAMPLE.replace("为了示例", "为了修改后的示例"), encoding="utf-8")
    result = services.import_path(path)
    assert result.updated == 1
    assert Article.objects.get(number=1).text == "为了修改后的示例，制定本法。"
    assert Article.objects.count() == 4
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM laws_article_fts")
            assert cursor.fetchone()[0] == 4


def test_command_imports_a_folder_and_reports(db, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "示例法(2020-01-01).md").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "某决定.md").write_text("# 某决定\n\n<!-- INFO END -->\n\n一、修改。\n")
    out = StringIO()
    call_command("laws", "import", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "法规 1 部（新增 1" in text and "写入条文 4 条" in text
    assert "跳过 某决定.md：没有条文" in text
    out = StringIO()
    call_command("laws", "import", str(tmp_path), stdout=out)
    assert "未变 1" in out.getvalue()


def test_command_refuses_missing_path_and_both_arguments(db, tmp_path):
    with pytest.raises(CommandError, match="路径不存在"):
        call_command("laws", "import", str(tmp_path / "nope"))
    with pytest.raises(CommandError, match="二者选一"):
        call_command("laws", "import")
