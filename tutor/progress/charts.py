"""Small server-rendered SVG charts: no script, no network, readable on a 360 px phone.

Every chart is drawn on a 320-unit-wide canvas with 14-unit text, so that on a phone (about
290 CSS px of card) its text is still 12-13 px; the stylesheet caps its width on a laptop.
Every label is placed from an estimate of its width (`text_width`) and kept inside the canvas,
and the browser tests measure the real boxes against it. Each chart carries a <title> and a
<desc> with every figure in words; the page puts the same figures in a table too.
"""
from __future__ import annotations

import math
import unicodedata
from typing import Sequence

from markupsafe import Markup, escape

from tutor.standing.mastery import LEVELS

WIDTH, FONT = 320, 14
# Fill and text colour of each mastery level, the same as .level.l0-l3 in progress.css: a
# calm progression (grey, light blue, blue, green), so that 入门 does not read as failure.
LEVEL_COLOURS = ("#e8ecf1", "#c4dcf4", "#2b6cb0", "#1b7a43")
LEVEL_INKS = ("#44515e", "#123e69", "#ffffff", "#ffffff")
INK, MUTED, GRID, BRAND, BAR = "#1f2933", "#536273", "#d5dce4", "#1d6fb8", "#a9c9e8"
PASS, FAIL = "#18763a", "#c5221f"


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of a label's width: a full-width (CJK) character is one em, others 0.62."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.62 * size for ch in text)


def _svg(width: int, height: float, title: str, desc: str, body: list[str], chart_id: str) -> Markup:
    head = (f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" role="img" '
            f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="inherit" font-size="{FONT}">'
            f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>')
    # Safe to mark: every text that reaches the SVG went through escape() above and in the callers.
    return Markup(head + "".join(body) + "</svg>")  # nosec B704


def _text(x: float, y: float, text: str, fill: str = MUTED, anchor: str = "start", cls: str = "",
          halo: bool = False) -> str:
    """A label; with a halo (a white outline under the glyphs) it stays legible over lines."""
    klass = f' class="{cls}"' if cls else ""
    outline = ' stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"' if halo else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}" text-anchor="{anchor}"{klass}{outline}>'
            f'{escape(text)}</text>')


def _spread_labels(centres: Sequence[tuple[int, float, str]], low: float, high: float, y: float,
                   cls: str = "xlabel") -> list[str]:
    """Axis labels centred under their points, moved inside [low, high], and left out where one
    would overlap a label already placed. `centres` is (index, x, text), most important first."""
    placed: list[tuple[float, float]] = []
    out = []
    for _, x, text in centres:
        w = text_width(text)
        left = min(max(x - w / 2, low), high - w)
        if any(left < b + 6 and left + w + 6 > a for a, b in placed):
            continue
        placed.append((left, left + w))
        out.append(_text(left + w / 2, y, text, anchor="middle", cls=cls))
    return out


def _wrap(label: str, room: float) -> list[str]:
    """A label as one line, or two when it is wider than `room` (the second one cut if need be)."""
    if text_width(label) <= room:
        return [label]
    cut = len(label)
    while cut > 1 and text_width(label[:cut]) > room:
        cut -= 1
    first, rest = label[:cut], label[cut:]
    while len(rest) > 1 and text_width(rest) > room:
        rest = rest[:-2] + "…"
    return [first, rest]


def mastery_bars(rows: Sequence[tuple[str, int, int]], chart_id: str = "mastery") -> Markup:
    """Horizontal bars, one per knowledge point: (label, score 0-100, level index). The label
    column is as wide as the longest label needs, up to half the canvas (longer ones wrap)."""
    gap, tail = 8, text_width("未练习") + 6
    label_w = min(max([text_width(label) for label, _, _ in rows] + [text_width("知识点")]), WIDTH * 0.5)
    bar_x = label_w + gap
    bar_w = WIDTH - bar_x - tail
    lines = [_wrap(label, label_w) for label, _, _ in rows]
    body: list[str] = []
    y = 4.0
    bars: list[str] = []
    for (label, score, level), text in zip(rows, lines):
        row_h = 26 + 17 * (len(text) - 1)
        first_line = y + row_h / 2 + 5 - 8.5 * (len(text) - 1)
        for k, line in enumerate(text):
            bars.append(_text(label_w, first_line + 17 * k, line, fill=INK, anchor="end", cls="ylabel"))
        w = max(bar_w * score / 100, 3 if level else 0)
        top = y + row_h / 2 - 8
        if w:
            bars.append(f'<rect x="{bar_x:.1f}" y="{top:.1f}" width="{w:.1f}" height="16" rx="3" '
                        f'fill="{LEVEL_COLOURS[level]}" stroke="{LEVEL_INKS[level] if level < 2 else "none"}">'
                        f'<title>{escape(label)}：{LEVELS[level]}，{score}</title></rect>')
        bars.append(_text(bar_x + w + 4, top + 13, LEVELS[level], fill=INK, cls="value"))
        y += row_h
    plot_bottom = y + 2
    body += [f'<line x1="{bar_x + bar_w * f:.1f}" y1="0" x2="{bar_x + bar_w * f:.1f}" y2="{plot_bottom:.1f}" '
             f'stroke="{GRID}"/>' for f in (0, 0.5, 1)]
    body += bars
    body += [_text(bar_x + bar_w * f, plot_bottom + 17, str(int(f * 100)), anchor="middle", cls="xlabel")
             for f in (0, 0.5, 1)]
    desc = "；".join(f"{label} {LEVELS[level]} {score}" for label, score, level in rows)
    return _svg(WIDTH, plot_bottom + 22, "各知识点掌握程度（0-100）", desc, body, chart_id)


def _legend(items: Sequence[tuple[str, str]], y: float) -> list[str]:
    """A row of (mark, text) legend entries from the left; a mark is SVG drawn in a 14x14 box at 0,0."""
    out, x = [], 0.0
    for mark, text in items:
        out.append(f'<g transform="translate({x:.1f} {y - 11:.1f})">{mark}</g>')
        out.append(_text(x + 18, y, text, fill=INK, cls="legend"))
        x += 18 + text_width(text) + 14
    return out


def activity_bars(days: Sequence[tuple[str, int, float | None]], chart_id: str = "activity") -> Markup:
    """Answers per day as bars (left scale), accuracy as a line of dots (right scale, 0-100%):
    (day label, answers, accuracy). A legend above says which is which."""
    most = max([n for _, n, _ in days] + [4])
    top_count = 2 * math.ceil(most / 2)
    left = text_width(str(top_count)) + 6
    right = WIDTH - text_width("100%") - 6
    top, bottom = 34, 164
    step = (right - left) / max(len(days), 1)
    legend = [(f'<rect x="0" y="2" width="14" height="12" fill="{BAR}"/>', "每天答题数（左）"),
              (f'<line x1="0" y1="8" x2="14" y2="8" stroke="{BRAND}" stroke-width="1.5"/>'
               f'<circle cx="7" cy="8" r="3" fill="{BRAND}"/>', "正确率（右）")]
    body = _legend(legend, 16)
    for f in (0, 0.5, 1):
        y = bottom - (bottom - top) * f
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 5, str(int(top_count * f)), anchor="end", cls="ylabel"))
        body.append(_text(right + 4, y + 5, f"{int(f * 100)}%", fill=BRAND, cls="ylabel"))
    points, dots = [], []
    for i, (label, answers, accuracy) in enumerate(days):
        x = left + i * step
        h = (bottom - top) * answers / top_count
        if answers:
            body.append(f'<rect x="{x + 1:.1f}" y="{bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
                        f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}：答题 {answers}</title></rect>')
        if accuracy is not None:
            y = bottom - (bottom - top) * accuracy
            points.append((x + step / 2, y))
            dots.append(f'<circle cx="{x + step / 2:.1f}" cy="{y:.1f}" r="3" fill="{BRAND}">'
                        f'<title>{escape(label)}：正确率 {accuracy * 100:.0f}%</title></circle>')
    if len(points) > 1:
        body.append(f'<polyline fill="none" stroke="{BRAND}" stroke-width="1.5" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    body += dots
    last = len(days) - 1
    every = max(1, math.ceil((text_width("12月30日") + 10) / step))
    body += _spread_labels([(i, left + (i + 0.5) * step, days[i][0]) for i in range(last, -1, -every)],
                           0, WIDTH, bottom + 20)
    total = sum(n for _, n, _ in days)
    busy = [f"{label} 答题 {n}，正确率 {acc * 100:.0f}%" for label, n, acc in days if n and acc is not None]
    return _svg(WIDTH, bottom + 26, "最近 30 天的答题量与正确率",
                f"共答题 {total} 次；柱为每天答题数，点和线为当天正确率" + ("：" + "；".join(busy) if busy else ""),
                body, chart_id)


def exam_line(papers: Sequence[tuple[str, float, str]], pass_percent: float, chart_id: str = "exams") -> Markup:
    """Mock exam scores in percent, in the order taken, each point labelled with its score, and
    the pass mark drawn: (axis label, percent, the paper's name in words for the description)."""
    left, right = text_width("100") + 6, WIDTH - 6
    top, bottom = 44, 170
    legend = [(f'<circle cx="7" cy="8" r="5" fill="{PASS}"/>', "及格"),
              (f'<circle cx="7" cy="8" r="5" fill="{FAIL}"/>', "不及格"),
              (f'<line x1="0" y1="8" x2="14" y2="8" stroke="{FAIL}" stroke-width="1.5" stroke-dasharray="4 3"/>',
               f"及格线 {pass_percent:.0f}%")]
    body = _legend(legend, 16)
    for f in (0, 0.5, 1):
        y = bottom - (bottom - top) * f
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 5, str(int(f * 100)), anchor="end", cls="ylabel"))
    y_pass = bottom - (bottom - top) * pass_percent / 100
    body.append(f'<line x1="{left:.1f}" y1="{y_pass:.1f}" x2="{right:.1f}" y2="{y_pass:.1f}" stroke="{FAIL}" '
                f'stroke-width="1.5" stroke-dasharray="5 4"/>')
    step = (right - left) / max(len(papers), 1)
    coords = [(left + step * (i + 0.5), bottom - (bottom - top) * percent / 100)
              for i, (_, percent, _) in enumerate(papers)]
    if len(coords) > 1:
        body.append(f'<polyline fill="none" stroke="{BRAND}" stroke-width="1.5" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    # Score labels over the points: every one when they fit side by side, else the latest ones.
    every = max(1, math.ceil((text_width("100") + 4) / step))
    labelled = set(range(len(papers) - 1, -1, -every))
    for i, ((label, percent, words), (x, y)) in enumerate(zip(papers, coords)):
        colour = PASS if percent >= pass_percent else FAIL
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>{escape(words)}：'
                    f'{percent:.0f}%</title></circle>')
        if i in labelled:
            w = text_width(f"{percent:.0f}")
            cx = min(max(x, left + w / 2), right - w / 2)
            body.append(_text(cx, y - 10 if y - 10 - FONT >= top - 12 else y + 22, f"{percent:.0f}",
                              fill=INK, anchor="middle", cls="value", halo=True))
    body += _spread_labels([(i, x, papers[i][0]) for i, (x, _) in reversed(list(enumerate(coords)))],
                           0, WIDTH, bottom + 20)
    desc = "；".join(f"{words}：{percent:.0f}%（{'及格' if percent >= pass_percent else '不及格'}）"
                    for _, percent, words in papers) or "还没有考试记录"
    return _svg(WIDTH, bottom + 26, "模拟考试得分（%）", f"及格线 {pass_percent:.0f}%；{desc}", body, chart_id)
