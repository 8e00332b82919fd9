"""Parse the LawRefBook Markdown format into plain data (no Django, so the pack script uses it).

The format: optional front matter (`---` ... `---`), `# 标题`, the promulgation history, a
`<!-- INFO END -->` line, then `#` headings for 编/分编/章/节 (or 一、二、 in judicial
interpretations) and one paragraph per line; an article starts a paragraph with `第X条`
(`第X条之一`), its later paragraphs (款) and items (项) follow on their own lines.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .numerals import cn_to_int

NUM = "零〇一二三四五六七八九两十百千0-9０-９"
ARTICLE_RE = re.compile(rf"^第([{NUM}]+)条(?:之([一二三四五六七八九十]+))?(?:[\s\u3000]+|$)(.*)$")
HEADING_RE = re.compile(r"^(#{1,6})\s*(.+?)\s*#*$")
PART_RE = re.compile(rf"^第[{NUM}]+编")
SUBPART_RE = re.compile(rf"^第[{NUM}]+分编")
CHAPTER_RE = re.compile(rf"^第[{NUM}]+章")
SECTION_RE = re.compile(rf"^第[{NUM}]+节")
FILENAME_RE = re.compile(r"^(?P<short>.+?)(?:\((?P<date>\d{4}-\d{2}-\d{2})\))?$")
CN_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
INFO_END = "<!-- INFO END -->"


class Level:
    LAW = "law"
    ADMIN_REGULATION = "admin_regulation"
    LOCAL_REGULATION = "local_regulation"
    RULE = "rule"
    JUDICIAL_INTERPRETATION = "judicial_interpretation"
    NORMATIVE_DOCUMENT = "normative_document"
    OTHER = "other"


# LawRefBook category folders.
FOLDER_LEVELS = {
    "宪法": Level.LAW,
    "宪法相关法": Level.LAW,
    "民法典": Level.LAW,
    "民法商法": Level.LAW,
    "行政法": Level.LAW,
    "经济法": Level.LAW,
    "社会法": Level.LAW,
    "刑法": Level.LAW,
    "诉讼与非诉讼程序法": Level.LAW,
    "行政法规": Level.ADMIN_REGULATION,
    "部门规章": Level.RULE,
    "司法解释": Level.JUDICIAL_INTERPRETATION,
    "地方性法规": Level.LOCAL_REGULATION,
    "其他": Level.OTHER,
}
PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆"
)
LOCAL_RE = re.compile(rf"^({PROVINCES})|^.{{1,12}}(省|自治区|市|自治州|县)")
BODIES = (
    "全国人民代表大会常务委员会",
    "全国人民代表大会",
    "最高人民法院",
    "最高人民检察院",
    "国务院",
)


@dataclass
class ParsedArticle:
    number: int
    suffix: int  # 之一 -> 1, 0 for none
    label: str
    text: str
    part: str = ""
    subpart: str = ""
    chapter: str = ""
    section: str = ""


@dataclass
class ParsedLaw:
    title: str
    short_title: str
    version_date: str | None
    level: str
    issuing_body: str
    source_file: str
    history: str
    articles: list[ParsedArticle] = field(default_factory=list)
    # One 编 of a code split over several files (民法典/物权编.md): merged by `collect`.
    fragment: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ParsedLaw:
        data = dict(data)
        articles = [ParsedArticle(**a) for a in data.pop("articles")]
        return cls(**data, articles=articles)

    def digest(self) -> str:
        """Content digest (source_file left out: the same text from another path is unchanged)."""
        data = self.to_dict()
        data.pop("source_file")
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


class NotALaw(ValueError):
    """The file is not a law text the library can hold (the message says why)."""


def guess_level(title: str, folder_parts: tuple[str, ...] = ()) -> str:
    for part in folder_parts:
        if part in FOLDER_LEVELS:
            return FOLDER_LEVELS[part]
    if title.startswith(("最高人民法院", "最高人民检察院")):
        return Level.JUDICIAL_INTERPRETATION
    if LOCAL_RE.match(title) and not title.startswith("中华人民共和国"):
        return Level.LOCAL_REGULATION if title.endswith("条例") else Level.RULE
    if title.endswith("法") or "法修正案" in title or title.endswith("决定"):
        return Level.LAW
    if title.endswith(("条例", "实施细则")) or "暂行条例" in title:
        return Level.ADMIN_REGULATION
    if title.endswith(("规定", "办法", "规则")):
        return Level.RULE
    if title.endswith(("通知", "意见", "指引", "基准")):
        return Level.NORMATIVE_DOCUMENT
    return Level.OTHER


def guess_body(history: str, title: str, folder_parts: tuple[str, ...]) -> str:
    for body in BODIES:
        if body in history:
            return body
    if "部门规章" in folder_parts:
        index = folder_parts.index("部门规章")
        if index + 1 < len(folder_parts):
            return folder_parts[index + 1]
    match = re.search(r"(?:中华人民共和国)?([\u4e00-\u9fff]{2,20}?)令第", history)
    if match:
        return match.group(1)
    match = re.search(r"([\u4e00-\u9fff]{2,30}?人民代表大会常务委员会)", history)
    if match:
        return re.sub(r"第[一二三四五六七八九十]+届", "", match.group(1))
    return ""


def _last_date(history: str) -> str | None:
    dates = [f"{int(y):04d}-{int(m):02d}-{int(d):02d}" for y, m, d in CN_DATE_RE.findall(history)]
    return max(dates) if dates else None


def parse_markdown(text: str, filename: str, folder_parts: tuple[str, ...] = ()) -> ParsedLaw:
    """Parse one file's text. `filename` is `<short title>(<date>).md`; `folder_parts` the
    category folders it sits in (they give the level). Raises NotALaw with the reason."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if text.startswith("---"):
        end = text.find("---", 3)
        if end != -1:
            text = text[end + 3 :]
    lines = [line.strip() for line in text.split("\n")]
    title = ""
    start = 0
    for i, line in enumerate(lines):
        if line.startswith("# "):
            title = line[2:].strip()
            start = i + 1
            break
    if not title:
        raise NotALaw("没有标题（# 标题）")
    stem = Path(filename).stem
    match = FILENAME_RE.match(stem)
    short_title = match.group("short") if match else stem
    body_start = start
    history_lines: list[str] = []
    fragment_title = ""
    for i in range(start, len(lines)):
        if lines[i] == INFO_END:
            for x in lines[start:i]:
                if x.startswith("# ") and not fragment_title:
                    fragment_title = x[2:].strip()
                elif x:
                    history_lines.append(x)
            body_start = i + 1
            break
    history = "\n".join(history_lines)
    version_date = (match.group("date") if match else None) or _last_date(history)

    level = guess_level(title, folder_parts)
    body = guess_body(history, title, folder_parts)
    if body == "国务院" and level == Level.RULE and not folder_parts:
        level = Level.ADMIN_REGULATION
    law = ParsedLaw(
        title=title,
        short_title=short_title,
        version_date=version_date,
        level=level,
        issuing_body=body,
        source_file="/".join((*folder_parts, Path(filename).name)),
        history=history,
        fragment=bool(fragment_title),
    )
    part = subpart = chapter = section = ""
    if fragment_title:
        part = fragment_title
    last_heading = ""  # which of the four the last heading set, for wrapped heading lines
    current: ParsedArticle | None = None
    paragraphs: list[str] = []

    def flush():
        if current is not None:
            current.text = "\n".join(paragraphs)
            law.articles.append(current)

    for line in lines[body_start:]:
        if not line or line == INFO_END:
            continue
        heading = HEADING_RE.match(line)
        if heading:
            flush()
            current, paragraphs = None, []
            name = heading.group(2)
            if PART_RE.match(name):
                part, subpart, chapter, section = name, "", "", ""
                last_heading = "part"
            elif SUBPART_RE.match(name):
                subpart, chapter, section = name, "", ""
                last_heading = "subpart"
            elif SECTION_RE.match(name):
                section = name
                last_heading = "section"
            else:  # 第X章, or 一、总则 / 序言 in other layouts
                chapter, section = name, ""
                last_heading = "chapter"
            continue
        article = ARTICLE_RE.match(line)
        if article:
            flush()
            number = cn_to_int(article.group(1))
            suffix = cn_to_int(article.group(2)) if article.group(2) else 0
            label = line[: article.start(3)].strip() if article.group(3) else line.strip()
            current = ParsedArticle(number, suffix, label, "", part, subpart, chapter, section)
            paragraphs = [article.group(3).strip()] if article.group(3).strip() else []
            continue
        if current is not None:
            paragraphs.append(line)
        elif last_heading and line[-1] not in "。；：:;" and len(line) < 40:
            # A heading wrapped onto the next line: "## 第五章 卷烟纸、滤嘴棒、烟用丝束、" + "烟草…"
            if last_heading == "part":
                part += line
            elif last_heading == "subpart":
                subpart += line
            elif last_heading == "section":
                section += line
            else:
                chapter += line
            last_heading = ""
    flush()
    if not law.articles:
        raise NotALaw("没有条文（第X条）")
    return law


def parse_file(path: Path, root: Path | None = None) -> ParsedLaw:
    folder_parts: tuple[str, ...] = ()
    if root is not None:
        try:
            folder_parts = path.resolve().parent.relative_to(root.resolve()).parts
        except ValueError:
            folder_parts = ()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotALaw("不是 UTF-8 文本") from None
    return parse_markdown(text, path.name, folder_parts)


def iter_markdown(path: Path):
    """The .md files under a file or folder, sorted; index files (`_index.md`) left out."""
    if path.is_file():
        yield path
        return
    for file in sorted(path.rglob("*.md")):
        if file.name.startswith("_") or file.name.upper() in {"README.MD", "SOURCES.MD"}:
            continue
        yield file


@dataclass
class Collected:
    laws: list[ParsedLaw]
    skipped: list[tuple[str, str]]  # (file, reason)
    files: int


def _merge(group: list[ParsedLaw]) -> ParsedLaw:
    first = group[0]
    articles = sorted(
        (a for law in group for a in law.articles), key=lambda a: (a.number, a.suffix)
    )
    dates = [law.version_date for law in group if law.version_date]
    return ParsedLaw(
        title=first.title,
        short_title=first.short_title if first.short_title != first.articles[0].part else "",
        version_date=max(dates) if dates else None,
        level=first.level,
        issuing_body=first.issuing_body,
        source_file=str(Path(first.source_file).parent) + "/",
        history=max((law.history for law in group), key=len),
        articles=articles,
    )


def collect(path: Path, progress=None) -> Collected:
    """Parse every Markdown file under `path`. Fragments of one code are merged; a second file
    with the same title and version date is left out (identical) or reported (different)."""
    path = Path(path)
    root = path if path.is_dir() else path.parent
    skipped: list[tuple[str, str]] = []
    by_key: dict[tuple[str, str | None], ParsedLaw] = {}
    fragments: dict[tuple[str, str], list[ParsedLaw]] = {}
    files = 0
    for file in iter_markdown(path):
        files += 1
        rel = str(file.relative_to(root)) if file != root else file.name
        if progress:
            progress(files, rel)
        try:
            law = parse_file(file, root)
        except NotALaw as exc:
            skipped.append((rel, str(exc)))
            continue
        if law.fragment:
            fragments.setdefault((law.title, str(Path(law.source_file).parent)), []).append(law)
            continue
        _add(by_key, law, skipped)
    for group in fragments.values():
        merged = _merge(group)
        if not merged.short_title:
            merged.short_title = re.sub(r"^中华人民共和国", "", merged.title)
        _add(by_key, merged, skipped)
    return Collected(list(by_key.values()), skipped, files)


def _add(by_key, law: ParsedLaw, skipped) -> None:
    key = (law.title, law.version_date)
    seen = by_key.get(key)
    if seen is None:
        by_key[key] = law
    elif seen.digest() != law.digest():
        # Same law and version in two category folders with cosmetic differences: keep one.
        reason = f"与 {seen.source_file} 同名同版本（文本略有差异），保留前者"
        skipped.append((law.source_file, reason))
