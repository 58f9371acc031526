"""Citation markers: collected from tool results, checked in answers, quotable for small models."""

from mcp.types import CallToolResult, TextContent

from papershelf.agent.citations import CitationLedger, sources_block
from papershelf.agent.guided import quote_grammar, sentences, tidy_points


def text_result(text: str, is_error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)


def test_markers_in_plain_text_are_collected_when_there_is_no_structure():
    ledger = CitationLedger()
    new = ledger.collect(
        "t", text_result("[1] [doc:ab12 §3] First passage.\n[2] [arxiv:1706.03762 p.5] Second.")
    )
    assert [s.marker for s in new] == ["[doc:ab12 §3]", "[arxiv:1706.03762 p.5]"]
    assert new[0].text.startswith("First passage")


def test_numbers_and_links_in_brackets_are_not_markers():
    ledger = CitationLedger()
    assert ledger.collect("t", text_result("see [1] and [https://example.org/x]")) == []


def test_an_error_result_yields_no_sources():
    assert CitationLedger().collect("t", text_result("[doc:ab12 §3] x", is_error=True)) == []


def test_a_marker_cited_with_other_spacing_or_case_is_kept_in_its_original_form():
    ledger = CitationLedger()
    ledger.collect("t", text_result("[arxiv:2504.05299 §2.2 p.4] text"))
    checked = ledger.check("Claim [ARXIV:2504.05299  §2.2 p.4].")
    assert checked.text == "Claim [arxiv:2504.05299 §2.2 p.4]."
    assert checked.dropped == []


def test_invented_markers_are_dropped_once_and_reported():
    ledger = CitationLedger()
    checked = ledger.check("A [doc:zz §1]. B [doc:zz §1].")
    assert checked.dropped == ["[doc:zz §1]"] and checked.text == "A. B."
    assert checked.cited == []


def test_sources_block_lists_paper_section_and_pages():
    ledger = CitationLedger()
    ledger.collect("t", text_result("[doc:ab12 §3] x"))
    assert sources_block(ledger.check("y [doc:ab12 §3]").cited) == "Sources:\n[1] [doc:ab12 §3]"


def test_sentences_are_split_for_quoting():
    text = "Pixel shuffle reduces visual tokens a lot. Short. 小模型受益于更激进的视觉标记压缩。第二句也足够长的中文句子在这里结束了吗？"
    found = sentences(text)
    assert found[0] == "Pixel shuffle reduces visual tokens a lot."
    assert "Short." not in found


def test_the_quote_grammar_allows_only_real_sentences_behind_their_markers():
    from papershelf.agent.citations import Source

    source = Source(
        marker='[doc:a "q" §1]',
        text='He said "compress" the tokens, and it worked well. Then more text followed here.',
    )
    grammar = quote_grammar([source])
    assert grammar is not None
    assert (
        'p0 ::= "[doc:a \\"q\\" §1] " ( "He said \\"compress\\" the tokens, and it worked well."'
        in grammar
    )
    assert grammar.startswith("root ::= point point? point?")


def test_tidy_points_drops_repeats_and_a_cut_off_last_point():
    assert tidy_points("- a\n- a\n- b\n- cut of") == "- a\n- b"
