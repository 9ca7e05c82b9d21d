"""Small server-rendered SVG charts: no script, no network, readable on a 375 px phone.

Each returns markup with a <title> and <desc>; the page puts the same figures in a table too.
"""
from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape

from tutor.standing.mastery import LEVELS

LEVEL_COLOURS = ("#c9d1db", "#e06c5f", "#f0a33a", "#2f9e5a")
INK, MUTED, GRID, BRAND = "#1f2933", "#66788a", "#e1e6ec", "#1d6fb8"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], chart_id: str) -> Markup:
    head = (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="inherit" font-size="12">'
            f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>')
    # Safe to mark: every text that reaches the SVG went through escape() above and in the callers.
    return Markup(head + "".join(body) + "</svg>")  # nosec B704


def mastery_bars(rows: Sequence[tuple[str, int, int]], chart_id: str = "mastery") -> Markup:
    """Horizontal bars, one per knowledge point: (label, score 0-100, level index)."""
    row_h, label_w, bar_x, bar_w, width = 26, 128, 134, 186, 360
    height = row_h * len(rows) + 24
    body = [f'<line x1="{bar_x + bar_w * f}" y1="0" x2="{bar_x + bar_w * f}" y2="{height - 20}" '
            f'stroke="{GRID}"/>' for f in (0, 0.5, 1)]
    body += [f'<text x="{bar_x + bar_w * f}" y="{height - 6}" fill="{MUTED}" text-anchor="middle">{int(f * 100)}</text>'
             for f in (0, 0.5, 1)]
    for i, (label, score, level) in enumerate(rows):
        y = i * row_h + 4
        short = label if len(label) <= 10 else label[:9] + "…"
        body.append(f'<text x="{label_w}" y="{y + 14}" fill="{INK}" text-anchor="end">{escape(short)}</text>')
        w = max(bar_w * score / 100, 2 if level else 0)
        body.append(f'<rect x="{bar_x}" y="{y + 2}" width="{w:.1f}" height="{row_h - 10}" rx="3" '
                    f'fill="{LEVEL_COLOURS[level]}"><title>{escape(label)}：{LEVELS[level]}，{score}</title></rect>')
        body.append(f'<text x="{bar_x + w + 4:.1f}" y="{y + 14}" fill="{MUTED}">{LEVELS[level]}</text>')
    desc = "；".join(f"{label} {LEVELS[level]} {score}" for label, score, level in rows)
    return _svg(width, height, "各知识点掌握程度（0-100）", desc, body, chart_id)


def activity_bars(days: Sequence[tuple[str, int, float | None]], chart_id: str = "activity") -> Markup:
    """Answers per day as bars, accuracy as dots on a 0-100% scale: (MM-DD, answers, accuracy)."""
    width, height, left, right, top, bottom = 360, 190, 30, 330, 14, 160
    top_count = max([n for _, n, _ in days] + [4])
    step = (right - left) / max(len(days), 1)
    body = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{GRID}"/>',
            f'<text x="{left - 4}" y="{top + 4}" fill="{MUTED}" text-anchor="end">{top_count}</text>',
            f'<text x="{left - 4}" y="{bottom}" fill="{MUTED}" text-anchor="end">0</text>',
            f'<text x="{right + 2}" y="{top + 4}" fill="{BRAND}">100%</text>']
    points = []
    for i, (label, answers, accuracy) in enumerate(days):
        x = left + i * step
        h = (bottom - top) * answers / top_count
        if answers:
            body.append(f'<rect x="{x + 1:.1f}" y="{bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
                        f'height="{h:.1f}" fill="#b9d3ea"><title>{escape(label)}：答题 {answers}</title></rect>')
        if accuracy is not None:
            y = bottom - (bottom - top) * accuracy
            points.append((x + step / 2, y))
            body.append(f'<circle cx="{x + step / 2:.1f}" cy="{y:.1f}" r="2.5" fill="{BRAND}">'
                        f'<title>{escape(label)}：正确率 {accuracy * 100:.0f}%</title></circle>')
        if (i % 7 == 0 and len(days) - 1 - i >= 4) or i == len(days) - 1:
            body.append(f'<text x="{x + step / 2:.1f}" y="{bottom + 16}" fill="{MUTED}" '
                        f'text-anchor="middle" font-size="10">{escape(label)}</text>')
    if len(points) > 1:
        body.append(f'<polyline fill="none" stroke="{BRAND}" stroke-width="1" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    total = sum(n for _, n, _ in days)
    return _svg(width, height, "最近 30 天的答题量与正确率",
                f"共答题 {total} 次；柱为每天答题数，点为当天正确率", body, chart_id)


def exam_line(papers: Sequence[tuple[str, float]], pass_percent: float, chart_id: str = "exams") -> Markup:
    """Mock exam scores in percent, in order taken, with the pass mark drawn: (label, percent)."""
    width, height, left, right, top, bottom = 360, 180, 34, 344, 12, 150
    body = [f'<line x1="{left}" y1="{bottom - (bottom - top) * f}" x2="{right}" y2="{bottom - (bottom - top) * f}" '
            f'stroke="{GRID}"/><text x="{left - 4}" y="{bottom - (bottom - top) * f + 4}" fill="{MUTED}" '
            f'text-anchor="end">{int(f * 100)}</text>' for f in (0, 0.5, 1)]
    y_pass = bottom - (bottom - top) * pass_percent / 100
    body.append(f'<line x1="{left}" y1="{y_pass:.1f}" x2="{right}" y2="{y_pass:.1f}" stroke="#c5221f" '
                f'stroke-dasharray="5 4"/><text x="{right}" y="{y_pass - 4:.1f}" fill="#c5221f" '
                f'text-anchor="end">及格线 {pass_percent:.0f}%</text>')
    step = (right - left) / max(len(papers), 1)
    coords = [(left + step * (i + 0.5), bottom - (bottom - top) * percent / 100)
              for i, (_, percent) in enumerate(papers)]
    if len(coords) > 1:
        body.append(f'<polyline fill="none" stroke="{BRAND}" stroke-width="1.5" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    for i, ((label, percent), (x, y)) in enumerate(zip(papers, coords)):
        colour = "#1e8e3e" if percent >= pass_percent else "#c5221f"
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(label)}：'
                    f'{percent:.0f}%</title></circle>')
        if len(papers) <= 8 or i % max(len(papers) // 6, 1) == 0:
            body.append(f'<text x="{x:.1f}" y="{bottom + 16}" fill="{MUTED}" text-anchor="middle" '
                        f'font-size="10">{escape(label)}</text>')
    desc = "；".join(f"{label} {percent:.0f}%" for label, percent in papers) or "还没有考试记录"
    return _svg(width, height, "模拟考试得分（%）", desc, body, chart_id)
