"""Charts drawn on the server as SVG: no script, no CDN, nothing inline the CSP refuses (colours
come from classes in workspace.css). Each chart has a <title> and <desc> for screen readers and
carries its numbers in data-* attributes, the same numbers as the table beside it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ratings.selectors.program.network import Network

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 78
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _frame(kind: str, title: str, desc: str, body: SafeString, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    n = next(_ids)
    return format_html(
        '<svg class="chart chart-{}" role="img" viewBox="0 0 {} {}" aria-labelledby="chart{}-title chart{}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="chart{}-title">{}</title><desc id="chart{}-desc">{}</desc>{}</svg>',
        kind,
        width,
        height,
        n,
        n,
        n,
        title,
        n,
        desc,
        body,
    )


def _scale(values: Sequence[float | None]) -> float:
    top = max((v for v in values if v is not None), default=0.0)
    return top if top > 0 else 1.0


def _axis(top: float, plot_h: int) -> SafeString:
    ticks = [0, top / 2, top]
    return format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y + 4, f"{t:,.0f}" if top >= 10 else f"{t:,.1f}")
            for t in ticks
            for y in [TOP + plot_h - round(t / top * plot_h)]
        ),
    )


def _legend(series: Sequence[Series]) -> SafeString:
    return format_html_join(
        "",
        '<rect class="s{}" x="{}" y="8" width="10" height="10"/><text class="legend" x="{}" y="17">{}</text>',
        ((i, LEFT + i * 120, LEFT + i * 120 + 14, s.name) for i, s in enumerate(series)),
    )


def bar_chart(title: str, desc: str, categories: Sequence[str], series: Sequence[Series]) -> SafeString:
    """Grouped vertical bars: one group per category, one bar per series."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale([v for s in series for v in s.values])
    group_w = plot_w / max(len(categories), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    bars = []
    for c, category in enumerate(categories):
        for i, s in enumerate(series):
            value = s.values[c] or 0
            h = round(value / top * plot_h, 1)
            x = round(LEFT + c * group_w + group_w * 0.1 + i * bar_w, 1)
            bars.append(
                format_html(
                    '<rect class="bar s{}" x="{}" y="{}" width="{}" height="{}" data-series="{}" data-category="{}" '
                    'data-value="{}"><title>{}, {}: {}</title></rect>',
                    i,
                    x,
                    TOP + plot_h - h,
                    round(bar_w - 1, 1),
                    h,
                    s.name,
                    category,
                    _num(s.values[c]),
                    category,
                    s.name,
                    _num(s.values[c]),
                )
            )
    labels = _category_labels(categories, group_w)
    body = format_html("{}{}{}{}", _axis(top, plot_h), _join(bars), labels, _legend(series))
    return _frame("bar", title, desc, body)


def line_chart(title: str, desc: str, categories: Sequence[str], series: Sequence[Series]) -> SafeString:
    """One line per series over the categories (months); gaps where a value is missing."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale([v for s in series for v in s.values])
    step = plot_w / max(len(categories), 1)
    parts = []
    for i, s in enumerate(series):
        points = [
            (round(LEFT + (c + 0.5) * step, 1), round(TOP + plot_h - v / top * plot_h, 1), v, categories[c])
            for c, v in enumerate(s.values)
            if v is not None
        ]
        if len(points) > 1:
            parts.append(
                format_html(
                    '<polyline class="line s{}" points="{}"/>', i, " ".join(f"{x},{y}" for x, y, _, _ in points)
                )
            )
        parts += [
            format_html(
                '<circle class="dot s{}" cx="{}" cy="{}" r="4" data-series="{}" data-category="{}" data-value="{}">'
                "<title>{}, {}: {}</title></circle>",
                i,
                x,
                y,
                s.name,
                category,
                _num(v),
                category,
                s.name,
                _num(v),
            )
            for x, y, v, category in points
        ]
    labels = _category_labels(categories, step)
    body = format_html("{}{}{}{}", _axis(top, plot_h), _join(parts), labels, _legend(series))
    return _frame("line", title, desc, body)


def share_chart(title: str, desc: str, rows: Sequence[tuple[str, float]]) -> SafeString:
    """Horizontal bars of percentage shares (0 to 100)."""
    row_h, label_w = 24, 180
    height = TOP + row_h * max(len(rows), 1) + 8
    plot_w = WIDTH - label_w - 60
    bars = format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="bar s0" x="{}" y="{}" width="{}" height="{}" data-category="{}" data-value="{}">'
        "<title>{}: {}%</title></rect>"
        '<text class="tick" x="{}" y="{}">{}%</text>',
        (
            (
                label_w - 6,
                TOP + r * row_h + 15,
                label[:28],
                label_w,
                TOP + r * row_h + 4,
                round(share / 100 * plot_w, 1),
                row_h - 8,
                label,
                _num(share),
                label,
                _num(share),
                label_w + round(share / 100 * plot_w, 1) + 4,
                TOP + r * row_h + 15,
                _num(share),
            )
            for r, (label, share) in enumerate(rows)
        ),
    )
    return _frame("share", title, desc, bars, height=height)


def network_chart(title: str, desc: str, network: Network) -> SafeString:
    """Organizations in columns by tier, edges from customer to supplier; overdue edges dashed
    red, edges with a rejected order dotted."""
    columns: dict[int, list[int]] = {}
    for node in network.nodes:
        columns.setdefault(node.tier, []).append(node.organization_id)
    col_w, row_h, box_w, box_h = 330, 64, 170, 34
    rows = max((len(ids) for ids in columns.values()), default=1)
    width = max(len(columns), 1) * col_w - (col_w - box_w) + 20
    height = TOP + rows * row_h + 10
    where = {org: (10 + tier * col_w, TOP + r * row_h) for tier, ids in columns.items() for r, org in enumerate(ids)}
    edges = []
    incoming: dict[int, int] = {}
    for e in network.edges:
        (sx, sy), (tx, ty) = where[e.source_id], where[e.target_id]
        x1, y1, x2, y2 = sx + box_w, sy + box_h / 2, tx, ty + box_h / 2
        # Labels sit by the arrow head, stacked when several arrows reach the same organization.
        k = incoming[e.target_id] = incoming.get(e.target_id, -1) + 1
        mark = "overdue" if e.overdue else "rejected" if e.rejected else "ok"
        label = f"{e.quantity_text}; due {e.due.isoformat() if e.due else '—'}"
        edges.append(
            format_html(
                '<g class="edge edge-{}" data-source="{}" data-target="{}" data-orders="{}" data-quantity="{}" '
                'data-due="{}"><title>{} to {}: {} order(s), {}{}{}</title>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#arrow)"/>'
                '<text class="edge-label" x="{}" y="{}" text-anchor="end">{}</text></g>',
                mark,
                network.name(e.source_id),
                network.name(e.target_id),
                len(e.orders),
                e.quantity_text,
                e.due.isoformat() if e.due else "",
                network.name(e.source_id),
                network.name(e.target_id),
                len(e.orders),
                label,
                f"; {e.overdue} overdue" if e.overdue else "",
                f"; {e.rejected} rejected" if e.rejected else "",
                x1,
                y1,
                x2,
                y2,
                x2 - 8,
                ty - 3 - 11 * k if k else ty - 3,
                label,
            )
        )
    nodes = format_html_join(
        "",
        '<g class="node tier{}" data-tier="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="4"/>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        (
            (
                min(n.tier, 3),
                n.tier,
                *where[n.organization_id],
                box_w,
                box_h,
                where[n.organization_id][0] + box_w / 2,
                where[n.organization_id][1] + 21,
                n.name[:26],
            )
            for n in network.nodes
        ),
    )
    headers = format_html_join(
        "",
        '<text class="legend" x="{}" y="16">{}</text>',
        ((10 + tier * col_w, "Manufacturer" if tier == 0 else f"Tier {tier}") for tier in sorted(columns)),
    )
    arrow = mark_safe(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>'
    )
    body = format_html("{}{}{}{}", arrow, headers, _join(edges), nodes)
    return _frame("network", title, desc, body, width=width, height=height)


def _category_labels(categories: Sequence[str], step: float) -> SafeString:
    """Under the plot, turned 35 degrees so long names do not run into each other."""
    return format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="end" transform="rotate(-35 {} {})">{}</text>',
        (
            (x, y, x, y, category if len(category) <= 24 else category[:23] + "…")
            for c, category in enumerate(categories)
            for x, y in [(round(LEFT + (c + 0.5) * step), HEIGHT - BOTTOM + 14)]
        ),
    )


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if value != int(value) else f"{int(value)}"
