"""Citations built for search hits."""

from papershelf.core.models import Hit, Paper, Passage


def passage(section: str) -> Passage:
    return Passage(paper_id="doc:x", ordinal=0, section=section, page_start=4, text="Some text.")


def test_a_passage_under_the_paper_title_is_cited_without_a_section() -> None:
    paper = Paper(id="doc:x", source="markdown", title="A Note On Token Budgets")
    hit = Hit.build(passage("A Note On Token Budgets"), paper, score=1.0, rank=1)
    assert hit.citation.section == ""
    assert hit.citation.render() == "[doc:x p.4]"


def test_a_real_section_keeps_its_short_label() -> None:
    paper = Paper(id="doc:x", source="pdf", title="SmolVLM")
    hit = Hit.build(passage("2 Method > 2.2 Pixel Shuffle"), paper, score=1.0, rank=1)
    assert hit.citation.render() == "[doc:x §2.2 p.4]"


def test_an_appendix_letter_section_is_still_shortened() -> None:
    paper = Paper(id="doc:x", source="pdf", title="SmolVLM")
    hit = Hit.build(passage("A Implementation Details"), paper, score=1.0, rank=1)
    assert hit.citation.render() == "[doc:x §A p.4]"
