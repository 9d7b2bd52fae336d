from contest.markup import plain_text, render_markdown


def test_markdown_renders_basic_formatting():
    html = str(render_markdown("**Aqynfest** — [ережелер](https://example.kz/rules)"))
    assert "<strong>Aqynfest</strong>" in html
    assert 'href="https://example.kz/rules"' in html


def test_scripts_handlers_and_javascript_links_are_removed():
    html = str(render_markdown(
        '<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n'
        '![a](data:text/html;base64,PHNjcmlwdD4=)'))
    assert "<script" not in html  # shown as text, never run
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html
    assert 'src="data:' not in html


def test_links_with_dangerous_schemes_lose_their_href():
    html = str(render_markdown("[click](javascript:alert(1)) and [ok](https://abai.kz)"))
    assert 'href="javascript' not in html
    assert 'href="https://abai.kz"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_plain_text_summary_is_short_and_tag_free():
    text = plain_text("# Title\n\nA *long* " + "word " * 100, limit=50)
    assert "<" not in text and len(text) <= 50
