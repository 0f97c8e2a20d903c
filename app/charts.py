"""Charts drawn on the server as SVG, the same markup for the dashboard and the PDFs.

No JavaScript and no CDN: a chart is a few rectangles, lines and text elements that both the
browser and WeasyPrint draw. Labels are escaped; values are plain numbers.
"""

from __future__ import annotations

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


def _shorten(label: str, width: int) -> str:
    """Cut a label to what fits in `width` pixels at 11 px (about 6 px a character)."""
    room = max(4, width // 6 - 1)
    return label if len(label) <= room else label[: room - 1] + "…"


def bar_chart(
    items,
    title: str,
    fmt=str,
    maximum: float | None = None,
    width: int = 560,
    bar: int = 18,
    label_width: int = 190,
    target: float | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value); `fmt` formats the value shown at the bar's end.

    `maximum` fixes the scale (100 for percentages); `target` draws a dashed line (e.g. 100).
    """
    items = list(items)
    gap = 6
    height = max(1, len(items)) * (bar + gap) + gap
    top = max([maximum or 0, target or 0, *(v for _l, v in items)]) or 1
    plot = width - label_width - 70
    body = []
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar + gap)
        length = max(0.0, plot * float(value) / float(top))
        text = escape(str(label))
        short = escape(_shorten(str(label), label_width))
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar * 0.72:.1f}" font-size="11" '
            f'text-anchor="end" fill="#333">{short}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="{PALETTE[0]}"><title>{text}: {escape(fmt(value))}</title></rect>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar * 0.72:.1f}" '
            f'font-size="11" fill="#333">{escape(fmt(value))}</text>'
        )
    if target is not None:
        x = label_width + plot * float(target) / float(top)
        body.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#c0392b" '
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
    top = max([maximum or 0, *(v for _l, v in points)]) or 1
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" '
        f'y2="{top_pad + plot_h}" stroke="#999" stroke-width="1"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" font-size="10" text-anchor="end" '
        f'fill="#555">{escape(fmt(top))}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" font-size="10" text-anchor="end" '
        f'fill="#555">{escape(fmt(0))}</text>',
        f'<line x1="{left}" y1="{top_pad}" x2="{width - right}" y2="{top_pad}" '
        f'stroke="#ddd" stroke-width="1"/>',
    ]
    step = plot_w / max(1, len(points) - 1)
    xy = []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        y = top_pad + plot_h - plot_h * float(value) / float(top)
        xy.append((x, y))
        if len(points) <= 12 or index % 2 == 0:
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
