"""The review report as one self-contained HTML file: ``report_html(report)``.

No external resources (styles inline, figures inline or as data: URIs), and every piece of
text escaped, because titles, strategies and judgments' reasons come from people and files.
SVG drawn by evidens is inlined so its text can be searched and read aloud; SVG supplied by
the caller (forest plots) is embedded as an image, where no script in it can run.
"""

from __future__ import annotations

import base64
from html import escape

from evidens.report.model import Cell, Figure, ReviewReport, Section, Table, printable

_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;font-size:10.5pt;color:#111;max-width:72em;
margin:2em auto;padding:0 1em;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin-bottom:.2em}
table.report{border-collapse:collapse;width:100%;margin:.4em 0 .6em 0;font-size:.92em}
table.report th,table.report td{border:1px solid #8a8a8a;padding:4px 6px;vertical-align:top;
text-align:left}
table.report thead th{background:#e4ebf3}
table.report caption{caption-side:top;text-align:left;font-weight:bold;padding:.3em 0}
td.strategy{font-family:Consolas,Menlo,monospace;font-size:.9em;word-break:break-word}
td.blank{color:#888;font-style:italic}
p.note{font-size:.85em;margin:.15em 0}
figure{margin:1em 0}figure svg,figure img{max-width:100%;height:auto}
figcaption{font-weight:bold;margin-bottom:.4em}
.colophon{color:#666;font-size:.85em;margin-top:2em}
sup{font-size:75%}
""".strip()


_STRATEGIES = ("searches", "search-translations")  # tables whose 2nd column is a strategy


def _text(text: str) -> str:
    return "<br>".join(escape(printable(line)) for line in text.split("\n"))


def _cell(tag: str, cell: Cell, css: str = "") -> str:
    attrs = ""
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if css:
        attrs += f' class="{css}"'
    sup = f"<sup>{escape(cell.notes)}</sup>" if cell.notes else ""
    body = _text(cell.text) + sup
    return f"<{tag}{attrs}>{f'<b>{body}</b>' if cell.bold and tag == 'td' else body}</{tag}>"


def _body_row(table: Table, row: tuple[Cell, ...]) -> str:
    cells = []
    for k, cell in enumerate(row):
        css = "strategy" if table.key in _STRATEGIES and k == 1 else ""
        if cell.muted:
            css = "blank"
        cells.append(_cell("td", cell, css))
    return "<tr>" + "".join(cells) + "</tr>"


def table_html(table: Table) -> str:
    """One table as an HTML fragment with its caption and notes."""
    head = "".join("<tr>" + "".join(_cell("th", c) for c in r) + "</tr>" for r in table.header)
    body = "\n".join(_body_row(table, r) for r in table.body)
    total = sum(table.widths) or 1.0
    cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
    notes = "".join(f'<p class="note">{_text(n)}</p>' for n in table.notes)
    return (
        f'<table class="report {escape(table.key)}" id="{escape(table.key)}">'
        f"<caption>{escape(table.label)}. {escape(table.caption)}</caption>"
        f"<colgroup>{cols}</colgroup><thead>{head}</thead><tbody>\n{body}\n</tbody></table>"
        f"{notes}"
    )


def _inline_svg(svg: bytes) -> str:
    """The <svg> element alone: the XML declaration and DOCTYPE are not allowed in HTML."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG image")
    return text[start:]


def figure_html(figure: Figure) -> str:
    caption = f"<figcaption>{escape(figure.label)}. {escape(figure.caption)}</figcaption>"
    alt = escape(figure.alt or figure.caption, quote=True)
    if figure.svg is not None and figure.inline:
        body = f'<div role="img" aria-label="{alt}">{_inline_svg(figure.svg)}</div>'
    elif figure.svg is not None:
        data = base64.b64encode(figure.svg).decode("ascii")
        body = f'<img alt="{alt}" src="data:image/svg+xml;base64,{data}">'
    elif figure.png is not None:
        data = base64.b64encode(figure.png).decode("ascii")
        body = f'<img alt="{alt}" src="data:image/png;base64,{data}">'
    else:
        body = "<p>(no image supplied)</p>"
    key = escape(figure.key, quote=True)
    return f'<figure id="{key}">{caption}{body}</figure>'


def _section(section: Section) -> str:
    paragraphs = "".join(f"<p>{_text(p)}</p>" for p in section.paragraphs)
    return f"<h3>{escape(section.heading)}</h3>{paragraphs}"


def report_html(report: ReviewReport) -> str:
    """The whole report as one HTML page (UTF-8 text)."""
    parts = [f"<h1>{escape(report.title)}</h1>"]
    if report.methods:
        parts.append("<h2>Methods</h2>")
        parts += [_section(s) for s in report.methods]
    if report.blocks:
        parts.append("<h2>Results</h2>")
    for block in report.blocks:
        parts.append(table_html(block) if isinstance(block, Table) else figure_html(block))
    parts.append("<h2>PRISMA 2020 checklist</h2>")
    parts.append(table_html(report.checklist_table))
    if report.appendix:
        parts.append("<h2>Appendix</h2>")
        parts += [table_html(t) for t in report.appendix]
    parts.append(f'<p class="colophon">{escape(report.colophon)}</p>')
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{_STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
