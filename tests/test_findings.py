from sitegen.findings import Finding, Severity, describe, error, sort_findings, warning


def test_error_format_is_path_line_col_field_message():
    finding = error("content/a.md", 3, 7, "title", "expected text, found nothing")
    assert str(finding) == "content/a.md:3:7: title: expected text, found nothing"


def test_warning_is_marked_as_such():
    finding = warning("content/a.md", 1, 1, "html", "expected safe HTML, found <script>")
    assert str(finding) == "content/a.md:1:1: warning: html: expected safe HTML, found <script>"
    assert finding.severity is Severity.WARNING and not finding.is_error


def test_sorting_orders_by_file_then_position_and_drops_duplicates():
    a = error("b.md", 2, 1, "x", "m")
    b = error("a.md", 9, 1, "x", "m")
    c = error("b.md", 1, 5, "x", "m")
    assert sort_findings([a, b, c, a]) == [b, c, a]


def test_describe_found_values_in_plain_words():
    assert describe(None) == "nothing"
    assert describe(42) == "a number (42)"
    assert describe("abc") == "'abc'"
    assert describe("  ") == "empty text"
    assert describe([1]) == "a list"
    assert describe({"a": 1}) == "a mapping of fields"
    assert describe(True) == "yes/no (true)"


def test_finding_is_a_value():
    assert Finding("a", 1, 1, "f", "m") == error("a", 1, 1, "f", "m")
