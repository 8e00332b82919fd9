"""Masking of personal information before anything is published (行政执法公示) or shown to
someone who should not see it in full.

What is masked and why:

* 公民身份号码: first 3 and last 4 kept (110***********002X). The first 6 digits name the
  county and digits 7–14 the birth date; in a township case the county, the birth date and a
  surname together point at one person, so both are hidden. The last 4 let the party recognise
  their own number in a published decision. 15-digit (pre-1999) numbers are masked the same way.
* 手机号码: first 3 and last 4 kept (138****5678), the usual practice of banks and carriers.
* 固定电话: area code and last 2 kept; an office number is often public, a home one is not.
* 银行账号: last 4 kept only.
* 自然人姓名: surname kept, given name replaced by 某 (张三 → 张某, 欧阳娜娜 → 欧阳某).
* 住址: a home address after its label (住址, 现住, 家住, 户籍地, 联系地址 ...) keeps the
  administrative part up to the county/district and loses the rest (云南省某某县*** ): the village
  and house number point at one household. A business address (住所 of a company, 经营场所) is
  public and kept.
* Other individuals' names: a name is recognised from its context without being given: after a
  label (当事人, 姓名, 法定代表人, 负责人, 经营者, 委托代理人, 证人, 村民 ...), in brackets after
  a shop's name (某某食品店（张三）), or before "，男/女"; a common surname must start it and a
  non-Chinese character (punctuation, space, a digit) or 男/女 must end it, which keeps words
  such as 当事人安排 out. Every later occurrence of a name so found is masked too.
* 统一社会信用代码 is NOT masked: legal persons' codes are public by law (GB 32100, and the
  publicity rules require them). Where an 18-digit string is both a valid USCC and a valid
  citizen ID number it is masked: wrongly hiding a public code costs little, wrongly
  publishing an ID number is a leak.

``find_personal_items`` returns the spans with their kinds so the publicity pipeline can show
a reviewer what will be hidden; ``mask_text`` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .validators import is_valid_uscc, looks_like_citizen_id

__all__ = [
    "COMPOUND_SURNAMES",
    "PersonalItem",
    "find_personal_items",
    "mask_address",
    "mask_bank_account",
    "mask_citizen_id",
    "mask_landline",
    "mask_person_name",
    "mask_phone",
    "mask_text",
    "names_in_context",
]

MASK = "*"

# Two-character (复姓) surnames in real use; longer ones are too rare to matter.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "百里", "独孤", "南宫", "西门",
        "司空", "澹台", "公冶", "太史", "申屠", "赫连", "闻人", "东郭", "呼延", "钟离",
        "万俟", "淳于", "单于", "濮阳", "第五", "拓跋", "梁丘", "左丘", "鲜于", "亓官",
    }
)  # fmt: skip

KIND_CITIZEN_ID = "citizen_id"
KIND_MOBILE = "mobile"
KIND_LANDLINE = "landline"
KIND_BANK_ACCOUNT = "bank_account"
KIND_NAME = "name"
KIND_ADDRESS = "address"

KIND_LABELS = {
    KIND_CITIZEN_ID: "公民身份号码",
    KIND_MOBILE: "手机号码",
    KIND_LANDLINE: "固定电话",
    KIND_BANK_ACCOUNT: "银行账号",
    KIND_NAME: "姓名",
    KIND_ADDRESS: "住址",
}

# Single-character surnames in common use (the great majority of the population). A name found
# from context must start with one of these or with a compound surname.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
    "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋"
    "商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟"
    "冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来"
    "扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾"
    "茅利於呼居揣長占岩"
)


def mask_address(value: str) -> str:
    """云南省临沧市耿马县大兴乡某村12号 → 云南省临沧市耿马县***: the part up to the last
    省/市/州/县/区 within the first 15 characters is kept, the rest hidden."""
    value = value.strip()
    keep = 0
    for m in re.finditer(r"[省市州县区旗]", value[:15]):
        keep = m.end()
    return value[:keep] + "***"


def _keep(value: str, head: int, tail: int) -> str:
    """Mask every digit/letter except the first `head` and last `tail` of them, keeping
    separators where they are so the text keeps its shape."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    if len(positions) <= head + tail:
        # Too short to keep anything safely: hide it all rather than reveal most of it.
        hidden = set(positions)
    else:
        hidden = set(positions[head : len(positions) - tail])
    return "".join(MASK if i in hidden else c for i, c in enumerate(value))


def mask_citizen_id(value: str) -> str:
    """110105194912310021 → 110***********0021."""
    return _keep(value.strip(), 3, 4)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; a +86 prefix is kept as it is."""
    value = value.strip()
    prefix = ""
    match = re.match(r"^(\+?86|0086)[\s\-]?", value)
    if match and len(re.sub(r"\D", "", value)) > 11:
        prefix, value = value[: match.end()], value[match.end() :]
    return prefix + _keep(value, 3, 4)


def mask_landline(value: str) -> str:
    """0871-65123456 → 0871-******56: area code and last 2 digits kept."""
    value = value.strip()
    match = re.match(r"^(\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[\s\-])", value)
    if not match:
        return _keep(value, 0, 2)
    return value[: match.end()] + _keep(value[match.end() :], 0, 2)


def mask_bank_account(value: str) -> str:
    """6222021234567890123 → ***************0123 (separators kept)."""
    return _keep(value.strip(), 0, 4)


def mask_person_name(name: str) -> str:
    """张三 → 张某, 欧阳娜娜 → 欧阳某. A compound surname is only taken from names of three or
    more characters: 欧阳 alone is more likely 欧 + given name 阳."""
    name = name.strip()
    if len(name) <= 1:
        return "某"
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2] + "某"
    return name[0] + "某"


@dataclass(frozen=True)
class PersonalItem:
    start: int
    end: int
    kind: str
    text: str
    masked: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


# Boundaries: an item must not be part of a longer run of ASCII letters/digits (so digits inside
# a USCC, a case number or a longer account are never taken for a phone). \w would not do: it
# matches Chinese characters, and numbers in Chinese text sit right against them.
_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_ALNUM_RUN = re.compile(_B + r"[0-9A-Za-z]{15,19}" + _E)
_MOBILE = re.compile(_B + r"(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}" + _E)
_LANDLINE = re.compile(r"(?:\(0\d{2,3}\)|（0\d{2,3}）|" + _B + r"0\d{2,3}-)\d{7,8}" + _E)
# Digits in 4-groups separated by single spaces/hyphens, as bank cards are printed.
_GROUPED_DIGITS = re.compile(_B + r"\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,3})?" + _E)
# Words that, shortly before a number, say it is an account even when it fails the Luhn check
# (对公账户 and 存折 numbers do not use Luhn).
_ACCOUNT_CONTEXT = re.compile(r"(账号|帐号|账户|帐户|卡号|银行|开户|收款)")
_CONTEXT_WINDOW = 12


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _is_account(text: str, start: int, digits: str) -> bool:
    if not (16 <= len(digits) <= 19):
        return False
    if _luhn_ok(digits):
        return True
    return bool(_ACCOUNT_CONTEXT.search(text, max(0, start - _CONTEXT_WINDOW), start))


_HAN = "\u4e00-\u9fff"
_SURNAME_RE = "(?:" + "|".join(sorted(COMPOUND_SURNAMES)) + "|[" + "".join(sorted(SURNAMES)) + "])"
# A name: surname + one or two characters, then something that is not a Chinese character (or
# 男/女 as in "张三男"), so a run of words (当事人安排员工) is never taken for a name.
_NAME_BODY = _SURNAME_RE + f"[{_HAN}]{{1,2}}"
_NAME_END = f"(?=[^{_HAN}]|$|[男女])"
_NAME_LABELS = (
    "被处罚人姓名|当事人姓名|被处罚人|当事人|姓名|法定代表人|负责人|经营者|投资人|业主|户主|"
    "委托代理人|代理人|证人|见证人|联系人|被询问人|监护人|驾驶员|驾驶人|相关人|村民|户籍人"
)
_LABELLED_NAME = re.compile(
    f"(?:{_NAME_LABELS})"
    r"(?:[（(][^）)]{0,8}[）)])?[\s:：]*"
    f"(?P<name>{_NAME_BODY}){_NAME_END}"
)
_BRACKETED_NAME = re.compile(f"(?<=[店部行厂馆社场户坊铺])[（(](?P<name>{_NAME_BODY})[）)]")
_SEXED_NAME = re.compile(
    rf"(?<![{_HAN}])(?P<name>{_NAME_BODY})[，,、\s]*(?:性别[:：\s]*)?[男女][，,、。\s]"
)
_ADDRESS_LABELS = (
    "家庭住址|家庭地址|现住址|现住|住址|家住|户籍地址|户籍所在地|户籍地|居住地址|居住地|"
    "联系地址|身份证地址"
)
_ADDRESS = re.compile(
    rf"(?<!单位)(?:{_ADDRESS_LABELS})[)）]?[\s:：]*(?P<addr>[^\s,，。;；]{{2,80}})"
)
_ALREADY_MASKED = re.compile(r"^[\s*＊×xX/／-]*$")


def _is_masked_already(value: str) -> bool:
    return "某" in value or "*" in value or "X" in value or bool(_ALREADY_MASKED.match(value))


# Words that follow a label like a name does (当事人陈述、申辩) or open a line before a colon
# (商标:) but are not names.
_NOT_NAMES = frozenset(
    {"陈述", "申辩", "成品库", "于是", "单位", "本人", "未成年", "商标", "时间", "金额", "方式"}
)
# A decision addressed to a person opens with the name alone on its line: "张三：".
_ADDRESSEE = re.compile(rf"(?:^|\n)[ \t|]*(?P<name>{_NAME_BODY})[ \t]*[:：]", re.M)


def _listed_next_to(text: str, known: str) -> list[str]:
    """Names listed with a known one: 张三、李四 / 李四、张三 / 张三和李四. The neighbour must fill
    the whole slot between punctuation, so a word running on is never taken."""
    k = re.escape(known)
    after = re.compile(f"{k}[、和及与](?P<name>{_NAME_BODY}){_NAME_END}")
    before = re.compile(f"(?<![{_HAN}])(?P<name>{_NAME_BODY})[、和及与]{k}")
    return [m.group("name") for p in (after, before) for m in p.finditer(text)]


def _acceptable(name: str) -> bool:
    return not (name in _NOT_NAMES or name[:2] in _NOT_NAMES or _is_masked_already(name))


def names_in_context(text: str, known: Iterable[str] = ()) -> list[str]:
    """Individuals' names recognised from their context (see the module docstring), and the
    names listed next to them or next to the `known` ones."""
    found: list[str] = []
    for pattern in (_LABELLED_NAME, _BRACKETED_NAME, _SEXED_NAME, _ADDRESSEE):
        for m in pattern.finditer(text):
            name = m.group("name")
            if _acceptable(name) and name not in found:
                found.append(name)
    queue = [*found, *(n for n in known if n)]
    seen = set(queue)
    while queue:  # 张三、李四、王五: each name found brings its neighbours
        for name in _listed_next_to(text, queue.pop()):
            if _acceptable(name) and name not in seen:
                seen.add(name)
                found.append(name)
                queue.append(name)
    return found


def _candidates(text: str, names: Iterable[str], detect_names: bool = True) -> list[PersonalItem]:
    found: list[PersonalItem] = []

    def add(start: int, end: int, kind: str, masked: str) -> None:
        found.append(PersonalItem(start, end, kind, text[start:end], masked))

    for m in _ALNUM_RUN.finditer(text):
        token = m.group()
        if looks_like_citizen_id(token):
            # Checked before the USCC test on purpose: see the module docstring.
            add(m.start(), m.end(), KIND_CITIZEN_ID, mask_citizen_id(token))
        elif len(token) == 18 and is_valid_uscc(token):
            continue  # legal person's code: public
        elif token.isdigit() and _is_account(text, m.start(), token):
            add(m.start(), m.end(), KIND_BANK_ACCOUNT, mask_bank_account(token))
    for m in _GROUPED_DIGITS.finditer(text):
        if _is_account(text, m.start(), re.sub(r"\D", "", m.group())):
            add(m.start(), m.end(), KIND_BANK_ACCOUNT, mask_bank_account(m.group()))
    for m in _MOBILE.finditer(text):
        add(m.start(), m.end(), KIND_MOBILE, mask_phone(m.group()))
    for m in _LANDLINE.finditer(text):
        add(m.start(), m.end(), KIND_LANDLINE, mask_landline(m.group()))
    for m in _ADDRESS.finditer(text):
        value = m.group("addr")
        if not _is_masked_already(value) and len(value) >= 4:
            add(m.start("addr"), m.end("addr"), KIND_ADDRESS, mask_address(value))
    # A name the text already shows masked (张某, 李**) needs nothing more.
    wanted = {n.strip() for n in names if n and n.strip() and not _is_masked_already(n.strip())}
    if detect_names:
        wanted.update(names_in_context(text, wanted))
    for name in wanted:
        masked = mask_person_name(name)
        for m in re.finditer(re.escape(name), text):
            add(m.start(), m.end(), KIND_NAME, masked)
    return found


def find_personal_items(
    text: str, names: Iterable[str] = (), *, detect_names: bool = True
) -> list[PersonalItem]:
    """Personal items in `text`, in order, without overlaps (the longer one wins, so 张三丰
    is taken whole when both 张三 and 张三丰 are given). `names` are the names known to be
    personal (the parties who are natural persons); `detect_names` adds those found from
    context."""
    chosen: list[PersonalItem] = []
    candidates = _candidates(text, names, detect_names)
    for item in sorted(candidates, key=lambda i: (i.start, -(i.end - i.start))):
        if chosen and item.start < chosen[-1].end:
            continue
        chosen.append(item)
    return chosen


def mask_text(text: str, names: Iterable[str] = (), *, detect_names: bool = True) -> str:
    """`text` with ID numbers, phone numbers, bank accounts, home addresses, the given names and
    the names found from context masked."""
    parts: list[str] = []
    pos = 0
    for item in find_personal_items(text, names, detect_names=detect_names):
        parts.append(text[pos : item.start])
        parts.append(item.masked)
        pos = item.end
    parts.append(text[pos:])
    return "".join(parts)
