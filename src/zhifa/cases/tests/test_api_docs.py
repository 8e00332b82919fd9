"""docs/cases.md keeps the stage tables the code declares: they are rendered from
``zhifa.cases.procedures.PROCEDURES`` and this test fails when the document drifts.

Regenerate after changing a procedure:

    .venv/bin/python -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', \
'zhifa.settings'); django.setup(); from zhifa.cases.tests.test_api_docs import write; write()"
"""

from __future__ import annotations

from pathlib import Path

from zhifa.cases.procedures import PROCEDURES

DOC = Path(__file__).resolve().parents[4] / "docs" / "cases.md"
BEGIN = "<!-- stage tables: generated from PROCEDURES, see test_api_docs.py -->"
END = "<!-- end of generated stage tables -->"
ROLES = {"officer": "执法人员", "unit_head": "执法机构负责人", "body_head": "主要负责人"}
ORDER = ["penalty_ordinary", "penalty_simplified", "inspection", "coercion", "licensing"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    out = []
    for code in ORDER + sorted(set(PROCEDURES) - set(ORDER)):
        p = PROCEDURES[code]
        labels = {s.code: s.label for s in p.stages}
        out.append(f"### {p.label} (`{code}`)\n")
        stages = " → ".join(
            f"{s.label} `{s.code}`" + ("（终点）" if s.terminal else "") for s in p.stages
        )
        out.append(f"Stages: {stages}\n")
        out.append(
            "| action | 操作 | from | to | who | checks (guards) | basis shown to the user |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for t in p.transitions:
            sources = "、".join(labels[s] for s in t.sources)
            target = labels[t.target] if t.target else "（留在本环节）"
            who = "、".join(ROLES.get(r, r) for r in t.roles)
            guards = [g.__name__ for g in t.guards]
            checks = ", ".join(
                f"`{g}`" if g != "guard" else "date check" for g in dict.fromkeys(guards)
            )
            if t.decides:
                checks = ", ".join(filter(None, [checks, "decision gates (legal review)"]))
            out.append(
                f"| `{t.action}` | {_cell(t.label)} | {sources} | {target} | {who} "
                f"| {checks or '—'} | {_cell(t.help) or '—'} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _generated(text: str) -> str:
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].strip("\n") + "\n"


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(BEGIN) + len(BEGIN)
    DOC.write_text(text[:start] + "\n" + render() + text[text.index(END) :], encoding="utf-8")


def test_docs_stage_tables_match_the_declared_graphs():
    assert _generated(DOC.read_text(encoding="utf-8")) == render(), (
        "docs/cases.md is out of date: regenerate it (see this module's docstring)"
    )
