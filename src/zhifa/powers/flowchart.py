"""The procedure of a matter as an SVG flowchart: one box per step, arrows between them, top to
bottom (narrow enough for a phone). Pure string building; every label is XML-escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape

WIDTH = 280
BOX_W = 240
BOX_H = 40
GAP = 28
CHARS_PER_LINE = 14


def _lines(text: str) -> list[str]:
    return [text[i : i + CHARS_PER_LINE] for i in range(0, len(text), CHARS_PER_LINE)] or [""]


def svg_for_steps(steps: list[str], title: str = "办理流程图") -> str:
    steps = [str(s) for s in steps] or ["（未填写办理流程）"]
    x = (WIDTH - BOX_W) // 2
    parts = []
    y = 10
    boxes = []
    for step in steps:
        lines = _lines(step)
        height = max(BOX_H, 18 * len(lines) + 12)
        boxes.append((y, height, lines))
        y += height + GAP
    total = y - GAP + 10
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" viewBox="0 0 {WIDTH} {total}"'
        f' width="{WIDTH}" height="{total}" role="img" aria-label="{escape(title)}"'
        ' font-family="sans-serif" font-size="14">'
    )
    parts.append(f"<title>{escape(title)}</title>")
    parts.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8"'
        ' markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
        "</defs>"
    )
    for i, (top, height, lines) in enumerate(boxes):
        rx = 18 if i in (0, len(boxes) - 1) else 4
        parts.append(
            f'<rect x="{x}" y="{top}" width="{BOX_W}" height="{height}" rx="{rx}"'
            ' fill="#eef4fb" stroke="#3a6ea5"/>'
        )
        first = top + height / 2 - (len(lines) - 1) * 9 + 5
        for j, line in enumerate(lines):
            parts.append(
                f'<text x="{WIDTH / 2:g}" y="{first + 18 * j:g}" text-anchor="middle">'
                f"{escape(line)}</text>"
            )
        if i + 1 < len(boxes):
            y1 = top + height
            parts.append(
                f'<line x1="{WIDTH / 2:g}" y1="{y1}" x2="{WIDTH / 2:g}" y2="{y1 + GAP - 2}"'
                ' stroke="#555" marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def svg_for(matter) -> str:
    return svg_for_steps(list(matter.procedure_steps or []), f"{matter.name}办理流程图")
