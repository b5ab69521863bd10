"""Markup the theme relies on, checked without a browser."""

from __future__ import annotations

from sitegen.markdown import MarkdownConverter, PageContext


def test_markdown_table_cells_name_their_column():
    """On a narrow screen a table's rows are stacked; each cell then shows its column's name."""
    body = "| Cause | Care [1] |\n|---|---|\n| Glaucoma | Eye drops |\n| LHON |  |\n"
    ctx = PageContext(
        "content/conditions/a.md",
        "conditions/a.md",
        "conditions/a/",
        body,
        1,
        {"conditions/a.md": "conditions/a/"},
        frozenset({"", "conditions/a/"}),
        frozenset(),
        False,
    )
    html, findings = MarkdownConverter().convert(body, ctx)
    assert findings == []
    assert '<td data-label="Cause">Glaucoma</td>' in html
    assert '<td data-label="Care [1]">Eye drops</td>' in html
    assert '<td data-label="Cause">LHON</td>' in html
    assert "<th data-label" not in html
