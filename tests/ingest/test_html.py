from datetime import date

import pytest

from papershelf.ingest.html import HtmlParser

LONG_DESCRIPTION = (
    "We introduce SmolVLM, a series of compact multimodal models engineered for "
    "resource-efficient inference, and study architecture, tokenization and data choices "
    "that keep memory low while performance stays strong on image and video tasks."
)


def page(body: str, head: str = "<title>A Page</title>") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


def parse(html: str, name: str = "page.html", encoding: str = "utf-8"):
    return HtmlParser().parse(html.encode(encoding), name)


BLOG = page(
    """
    <header><div class="logo">My Site</div><nav><a href="/">Home</a><a href="/about">About</a></nav></header>
    <div class="breadcrumb">Home &gt; Posts</div>
    <div id="cookie-banner">We use cookies to improve things, accept them please.</div>
    <aside><p>Popular posts, with, many, commas, and long text that looks like content.</p></aside>
    <article>
      <h1>Pixel Shuffle for Small Models</h1>
      <p>Pixel shuffle rearranges spatial features into channels, which reduces the number of
      visual tokens.</p>
      <h2>1 Why it matters</h2>
      <p>Small models have <b>little</b> context.<br>Every token counts.</p>
      <ul><li>fewer tokens</li><li><p>faster attention</p></li></ul>
      <table><tr><th>Ratio</th><th>Tokens</th></tr><tr><td>2</td><td>256</td></tr></table>
      <pre>x = shuffle(y,  r=4)
  print(x)</pre>
      <div class="share-buttons">Share on Twitter</div>
      <form><input value="subscribe"></form>
    </article>
    <section class="comments"><p>Great post, thanks, really, I enjoyed it a lot.</p></section>
    <footer>Copyright 2025</footer>
    <script>var tracking = "do not index me";</script>
    <style>.x { color: red }</style>
    """,
    head="<title>Pixel Shuffle for Small Models | My Site</title>",
)


def test_main_article_text_is_kept_and_page_furniture_dropped():
    parsed = parse(BLOG)
    assert parsed.kind == "html"
    assert "Pixel shuffle rearranges spatial features into channels" in parsed.text
    for furniture in (
        "Home",
        "About",
        "cookies",
        "Popular posts",
        "Share on Twitter",
        "subscribe",
        "Great post",
        "Copyright",
        "do not index me",
        "color: red",
        "My Site",
    ):
        assert furniture not in parsed.text


def test_blocks_become_paragraphs_lines_and_rows():
    parsed = parse(BLOG)
    assert "Small models have little context.\nEvery token counts." in parsed.text
    assert "- fewer tokens\n- faster attention" in parsed.text
    assert "Ratio | Tokens\n2 | 256" in parsed.text
    assert "x = shuffle(y,  r=4)\n  print(x)" in parsed.text
    assert "channels, which reduces the number of visual tokens." in parsed.text


def test_headings_have_levels_numbers_and_offsets():
    parsed = parse(BLOG)
    assert [(h.level, h.number, h.title) for h in parsed.headings] == [
        (1, None, "Pixel Shuffle for Small Models"),
        (2, "1", "Why it matters"),
    ]
    for heading in parsed.headings:
        line = parsed.text[heading.char_start :].split("\n", 1)[0]
        assert line.endswith(heading.title)


def test_the_title_loses_its_site_suffix():
    assert parse(BLOG).title == "Pixel Shuffle for Small Models"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("小模型的研究 - 张三 - 博客园", "小模型的研究"),
        ("Understanding SmolVLM - cnblogs", "Understanding SmolVLM"),
        ("sVLMs之:《SmolVLM》的翻译与解读-CSDN博客", "sVLMs之:《SmolVLM》的翻译与解读"),
        ("A Fairly Long Article Title | Site", "A Fairly Long Article Title"),
        ("Fast-FoundationStereo: Real-Time Stereo", "Fast-FoundationStereo: Real-Time Stereo"),
    ],
)
def test_site_suffixes_are_stripped_from_titles(title, expected):
    assert parse(page("<p>Body text.</p>", head=f"<title>{title}</title>")).title == expected


def test_citation_metadata_wins_over_the_title_tag():
    head = (
        "<title>Something | Journal</title>"
        '<meta name="citation_title" content="SmolVLM: Redefining small models">'
        '<meta name="citation_author" content="Marafioti, Andrés">'
        '<meta name="citation_author" content="Zohar, Orr">'
        '<meta name="citation_date" content="2025/04/07">'
        '<meta name="citation_arxiv_id" content="2504.05299">'
        f'<meta name="citation_abstract" content="{LONG_DESCRIPTION}">'
        '<meta name="citation_keywords" content="vlm; efficiency">'
    )
    parsed = parse(page("<p>Body.</p>", head=head))
    assert parsed.title == "SmolVLM: Redefining small models"
    assert parsed.authors == ["Andrés Marafioti", "Orr Zohar"]
    assert parsed.published == date(2025, 4, 7)
    assert parsed.arxiv_id == "2504.05299"
    assert parsed.abstract == LONG_DESCRIPTION
    assert parsed.keywords == ["vlm", "efficiency"]


def test_open_graph_and_article_tags_fill_title_author_and_date():
    head = (
        '<meta property="og:title" content="OG Title - Blog">'
        '<meta property="og:site_name" content="Blog">'
        '<meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2024-11-08T09:00:00+08:00">'
        f'<meta name="description" content="{LONG_DESCRIPTION}">'
    )
    parsed = parse(page("<h1>Heading</h1><p>Body.</p>", head=head))
    assert parsed.title == "OG Title"
    assert parsed.authors == ["Jane Doe"]
    assert parsed.published == date(2024, 11, 8)
    assert parsed.abstract == LONG_DESCRIPTION


def test_a_short_description_is_not_taken_for_an_abstract():
    parsed = parse(page("<p>Body.</p>", head='<meta name="description" content="A blog post.">'))
    assert parsed.abstract == ""


def test_the_title_falls_back_to_the_first_h1():
    parsed = parse("<html><body><h1>Only Heading</h1><p>Text.</p></body></html>")
    assert parsed.title == "Only Heading"


def test_the_densest_block_is_chosen_when_there_is_no_article():
    content = "".join(
        f"<p>Paragraph {i}, with commas, clauses, and enough words to count as content.</p>"
        for i in range(6)
    )
    html = page(
        f'<div id="menu-wrap"><p>Menu one, menu two, menu three, and more.</p></div>'
        f'<div class="left"><a href="/a">Link A</a> <a href="/b">Link B</a></div>'
        f'<div class="post-body">{content}</div>'
    )
    parsed = parse(html)
    assert parsed.text.startswith("Paragraph 0")
    assert "Link A" not in parsed.text and "Menu one" not in parsed.text


def test_gb2312_declared_in_a_meta_tag_is_decoded():
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>小模型</title></head><body><p>我们推出了 SmolVLM，这是一系列紧凑型多模态模型。</p></body></html>"
    )
    parsed = parse(html, encoding="gb18030")
    assert parsed.text == "我们推出了 SmolVLM，这是一系列紧凑型多模态模型。"
    assert parsed.title == "小模型"
    assert parsed.warnings == []


def test_a_utf8_bom_decides_the_encoding():
    data = "\ufeff<html><body><p>Café</p></body></html>".encode()
    assert HtmlParser().parse(data, "bom.html").text == "Café"


def test_undeclared_windows_1252_is_decoded_with_a_warning():
    data = "<html><body><p>Café crème</p></body></html>".encode("cp1252")
    parsed = HtmlParser().parse(data, "old.html")
    assert parsed.text == "Café crème"
    assert parsed.warnings


def test_line_breaks_between_chinese_characters_do_not_become_spaces():
    parsed = parse(page("<p>第一段文字，介绍\n背景。</p>"))
    assert parsed.text == "第一段文字，介绍背景。"
    assert parsed.language == "zh"


def test_hidden_elements_are_dropped():
    parsed = parse(
        page('<p>Visible text here.</p><div hidden>secret</div><p style="display:none">x</p>')
    )
    assert parsed.text == "Visible text here."


def test_stray_bytes_in_a_declared_utf8_page_are_replaced_with_a_warning():
    data = "<html><head><meta charset=utf-8></head><body><p>Café ok</p></body></html>".encode()
    data = data.replace(b"ok", b"ok \xff")
    parsed = HtmlParser().parse(data, "stray.html")
    assert parsed.text.startswith("Café ok")
    assert "replaced" in parsed.warnings[0]


def test_an_unknown_declared_charset_is_guessed_with_a_warning():
    data = b"<html><head><meta charset=klingon></head><body><p>Plain text.</p></body></html>"
    parsed = HtmlParser().parse(data, "odd.html")
    assert parsed.text == "Plain text."
    assert "klingon" in parsed.warnings[0]


def test_a_form_wrapping_the_whole_page_is_kept():
    content = "".join(
        f"<p>Paragraph {i}, with commas, and enough words here.</p>" for i in range(4)
    )
    parsed = parse(page(f'<form id="Form1"><div class="post">{content}</div></form>'))
    assert parsed.text.startswith("Paragraph 0")
