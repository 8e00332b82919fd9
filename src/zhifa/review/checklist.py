"""What a review request must carry and what the reviewer checks (DOMAIN.md R-12; issue 6
items 3–4). Codes are stable: stored in rounds, findings, the API and the statistics."""

from __future__ import annotations

# (code, label, when required: "always" / "penalty" / "hearing" / "optional")
MATERIALS: tuple[tuple[str, str, str], ...] = (
    ("draft_decision", "行政执法决定书（代拟稿）", "always"),
    ("investigation_report", "案件调查终结报告", "always"),
    ("evidence_list", "证据材料目录及证据", "always"),
    ("legal_basis", "适用的法律依据及说明", "always"),
    ("discretion", "行使裁量权的说明（裁量基准适用情况）", "penalty"),
    ("hearing_record", "听证笔录及听证报告", "hearing"),
    ("statement", "当事人陈述、申辩材料", "optional"),
    ("other", "其他材料（鉴定意见、评估报告等）", "optional"),
)
MATERIAL_LABELS = {code: label for code, label, _ in MATERIALS}

# The nine points of the review (法制审核内容).
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("subject", "执法主体合法，执法人员具备执法资格"),
    ("competence", "未超越法定职权和管辖范围"),
    ("procedure", "执法程序合法"),
    ("facts", "案件事实清楚"),
    ("evidence", "证据合法、充分"),
    ("law", "适用法律、法规、规章准确"),
    ("discretion", "裁量适当，符合裁量基准"),
    ("documents", "执法文书规范、完备"),
    ("crime", "是否涉嫌犯罪需要移送司法机关"),
)
CHECKLIST_LABELS = dict(CHECKLIST)


def required_materials(category: str, hearing_held: bool) -> list[str]:
    codes = []
    for code, _, when in MATERIALS:
        if (
            when == "always"
            or (when == "penalty" and category == "penalty")
            or (when == "hearing" and hearing_held)
        ):
            codes.append(code)
    return codes
