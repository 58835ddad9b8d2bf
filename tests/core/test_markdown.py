from __future__ import annotations

from html.parser import HTMLParser

from practica.core.markdown import render_markdown


class ElementCollector(HTMLParser):
    """Collects the real elements and attributes of rendered HTML (escaped text is not an element)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


def test_script_tags_are_neutralised():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_removed():
    html = render_markdown("[click](javascript:alert(1)) and <a href='javascript:alert(2)'>raw</a>")
    hrefs = [attrs.get("href") or "" for tag, attrs in elements(html) if tag == "a"]
    assert not any(href.lower().startswith("javascript") for href in hrefs)


def test_event_handler_attributes_are_removed():
    html = render_markdown('<img src="x" onerror="alert(1)">\n\n![pic](https://example.org/a.png)')
    attributes = [name for _, attrs in elements(html) for name in attrs]
    assert not any(name.startswith("on") for name in attributes)
    assert '<img src="https://example.org/a.png" alt="pic">' in html


def test_code_blocks_keep_their_language_and_escape_their_content():
    html = render_markdown("```python\nprint('<b>')\n```")
    assert '<code class="language-python">' in html
    assert "&lt;b&gt;" in html


def test_tables_and_links_render_with_safe_rel():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n[site](https://example.org)")
    assert "<table>" in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_raw_html_in_markdown_never_becomes_an_element():
    html = render_markdown('<iframe src="https://evil.example"></iframe><svg onload=alert(1)>')
    assert [tag for tag, _ in elements(html)] == ["p"]


def test_ago_reads_naturally():
    from datetime import timedelta

    from django.utils import timezone

    from practica.core.templatetags.practica import ago

    now = timezone.now()
    assert ago(now) == "just now"
    assert ago(now - timedelta(minutes=5, seconds=2)) == "5\xa0minutes ago"
    assert ago(now + timedelta(days=2, hours=1)) == "in 2\xa0days"
    assert ago(None) == ""
