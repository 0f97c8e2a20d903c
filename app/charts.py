"""Charts drawn on the server as SVG, the same markup for the dashboard and the PDFs.

No JavaScript and no CDN: a chart is a few rectangles, lines and text elements that both the
browser and WeasyPrint draw. Labels are escaped; values are plain numbers.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#1f6f8b", "#e07a1f", "#3c8d40", "#8e44ad", "#c0392b", "#7f8c8d")
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    # Every label and value in `body` went through escape(); numbers are formatted here.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


CHAR = 6.3  # average width of a character at 11 px in DejaVu Sans, the widest font listed


def nice_scale(largest: float, whole: bool = False) -> tuple[float, float]:
    """The axis maximum and tick step for data whose largest value is `largest`.

    The maximum is the smallest 1, 2, 2,5 or 5 times a power of ten that holds the data, so a
    chart of values around 1 % reads on a 0-2 % axis instead of 0-100 %. Whole numbers (counts)
    keep whole ticks.
    """
    if largest <= 0:
        return (1.0, 1.0) if whole else (1.0, 0.25)
    if whole and largest <= 5:
        top = float(math.ceil(largest))
        return top, 1.0
    power = 10.0 ** math.floor(math.log10(largest))
    for mantissa, ticks in ((1, 5), (2, 4), (2.5, 5), (5, 5), (10, 5)):
        top = mantissa * power
        if largest <= top * (1 + 1e-9):
            return top, top / ticks
    raise AssertionError("unreachable")  # pragma: no cover


def _tick(value: float, whole: bool) -> float | int:
    """A tick value as the data's kind: whole numbers stay whole (`fmt` may print them as such)."""
    return int(round(value)) if whole else round(value, 10)


def _lines(label: str, width: int, lines: int = 2) -> list[str]:
    """Break a label into at most `lines` lines that fit `width` pixels; the last one is cut
    with an ellipsis when the words do not fit (the full label stays in the tooltip)."""
    room = max(4, int((width - 8) / CHAR))
    words, result = label.split(), []
    while words and len(result) < lines - 1:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= room:
            line += " " + words.pop(0)
        result.append(line)
    if words:
        result.append(" ".join(words))
    return [line if len(line) <= room else line[: room - 1] + "…" for line in result] or [""]


def _label(label: str, x: float, middle: float, width: int) -> str:
    """A bar's label, right-aligned before the bar, on one or two lines."""
    lines = _lines(label, width)
    title = f"<title>{escape(label)}</title>" if " ".join(lines) != label else ""
    if len(lines) == 1:
        return (
            f'<text x="{x}" y="{middle + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#333">{title}{escape(lines[0])}</text>'
        )
    spans = "".join(
        f'<tspan x="{x}" y="{middle - 1.5 + 11 * index:.1f}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text font-size="10" text-anchor="end" fill="#333">{title}{spans}</text>'


def bar_chart(
    items,
    title: str,
    fmt=str,
    maximum: float | None = None,
    width: int = 560,
    bar: int = 18,
    label_width: int | None = None,
    target: float | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value), over a labelled axis; `fmt` formats the values.

    Long labels widen the label column, then wrap onto two lines (the full label in a tooltip).
    The axis runs to a round number just above the data (`maximum` fixes it instead, e.g. 100
    for scores out of 100); `target` draws a dashed line (e.g. 100).
    """
    items = list(items)
    gap, axis = 6, 18
    # Long labels widen their column up to 45 % of the chart, then wrap onto a second line.
    longest = max((len(str(label)) for label, _v in items), default=0)
    label_width = label_width or round(width * 0.34)
    label_width = math.ceil(max(label_width, min(longest * CHAR + 8, width * 0.45)))
    rows = max(1, len(items)) * (bar + gap) + gap
    height = rows + (axis if items else 0)
    values = [float(v) for _l, v in items]
    whole = all(v.is_integer() for v in values)
    if maximum is not None:  # a fixed scale, stretched only by data beyond it
        top = max([float(maximum), float(target or 0), *values])
        step = nice_scale(float(maximum), whole)[1]
    else:
        top, step = nice_scale(max([float(target or 0), *values, 0.0]), whole)
    plot = width - label_width - 70
    body = []
    if items:
        ticks = int(top / step + 1e-9)
        # A narrow chart labels every other tick rather than run its labels together.
        every = math.ceil((len(fmt(_tick(top, whole))) * 5.5 + 8) / (plot * step / top))
        for index in range(ticks + 1):
            tick = _tick(step * index, whole)
            x = label_width + plot * tick / top
            body.append(
                f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{rows}" stroke="#e3e8ea" '
                f'stroke-width="1"/>'
            )
            if index % every == 0:
                body.append(
                    f'<text x="{x:.1f}" y="{rows + 13}" font-size="9" text-anchor="middle" '
                    f'fill="#555">{escape(fmt(tick))}</text>'
                )
        body.append(
            f'<line x1="{label_width}" y1="{rows}" x2="{label_width + plot}" y2="{rows}" '
            f'stroke="#999" stroke-width="1"/>'
        )
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar + gap)
        length = max(0.0, min(1.0, float(value) / top)) * plot
        shown = escape(fmt(value))
        body.append(
            _label(str(label), label_width - 6, y + bar / 2, label_width)
            + f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="{PALETTE[0]}"><title>{escape(str(label))}: {shown}</title></rect>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar * 0.72:.1f}" '
            f'font-size="11" fill="#333">{shown}</text>'
        )
    if target is not None and target <= top:
        x = label_width + plot * float(target) / top
        body.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{rows}" stroke="#c0392b" '
            f'stroke-dasharray="4 3" stroke-width="1"/>'
        )
    if not items:
        body.append(f'<text x="6" y="{bar * 0.8:.0f}" font-size="11" fill="#777">-</text>')
    return _svg(width, height, title, body)


def line_chart(
    points,
    title: str,
    fmt=str,
    width: int = 560,
    height: int = 200,
    maximum: float | None = None,
) -> Markup:
    """A line over (label, value) points with the first, last and highest values written."""
    points = list(points)
    left, right, top_pad, bottom = 56, 16, 16, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    values = [float(v) for _l, v in points]
    whole = all(v.is_integer() for v in values)
    top, tick = nice_scale(max([float(maximum or 0), *values, 0.0]), whole)
    if maximum:  # a fixed scale, stretched only by data beyond it
        top = max([float(maximum), *values])
    body = []
    for index in range(int(top / tick + 1e-9) + 1):
        y = top_pad + plot_h - plot_h * tick * index / top
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{"#999" if index == 0 else "#e3e8ea"}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 3.5:.1f}" font-size="10" text-anchor="end" '
            f'fill="#555">{escape(fmt(_tick(tick * index, whole)))}</text>'
        )
    step = plot_w / max(1, len(points) - 1)
    every = math.ceil(34 / step)  # month labels ("03/26") at least 34 px apart
    xy = []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        y = top_pad + plot_h - plot_h * float(value) / top
        xy.append((x, y))
        if index % every == 0:
            body.append(
                f'<text x="{x:.1f}" y="{height - 10}" font-size="9" text-anchor="middle" '
                f'fill="#555">{escape(str(label))}</text>'
            )
    if xy:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        )
        for (x, y), (label, value) in zip(xy, points, strict=True):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}">'
                f"<title>{escape(str(label))}: {escape(fmt(value))}</title></circle>"
            )
        x, y = xy[-1]
        body.append(
            f'<text x="{x:.1f}" y="{max(10.0, y - 6):.1f}" font-size="10" text-anchor="end" '
            f'fill="#222">{escape(fmt(points[-1][1]))}</text>'
        )
    return _svg(width, height, title, body)
