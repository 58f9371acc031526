from datetime import date

from papershelf.ingest.arxiv_stamp import find_arxiv_stamp

STAMP = "arXiv:2501.09898v4 [cs.CV] 4 Apr 2025"


def test_a_new_style_stamp_gives_id_version_category_and_date():
    stamp = find_arxiv_stamp(f"Some Title\n{STAMP}\nAbstract")
    assert stamp is not None
    assert (stamp.arxiv_id, stamp.version, stamp.category) == ("2501.09898", 4, "cs.CV")
    assert stamp.published == date(2025, 4, 4)


def test_the_stamp_span_covers_exactly_the_stamp():
    text = f"Title line\n{STAMP}\nNext line"
    stamp = find_arxiv_stamp(text)
    assert stamp is not None
    assert text[stamp.start : stamp.end] == STAMP


def test_an_old_style_id_keeps_its_archive_and_takes_it_as_category():
    stamp = find_arxiv_stamp("arXiv:hep-th/9901001v2 1 Feb 1999")
    assert stamp is not None
    assert (stamp.arxiv_id, stamp.version, stamp.category) == ("hep-th/9901001", 2, "hep-th")
    assert stamp.published == date(1999, 2, 1)


def test_a_stamp_with_spaces_between_every_character_is_read():
    garbled = " ".join(STAMP.replace(" ", ""))
    stamp = find_arxiv_stamp(garbled)
    assert stamp is not None
    assert (stamp.arxiv_id, stamp.version, stamp.published) == ("2501.09898", 4, date(2025, 4, 4))


def test_a_vertical_stamp_extracted_one_character_per_line_is_read():
    vertical = "\n".join(STAMP)
    stamp = find_arxiv_stamp("Title\n" + vertical + "\nAbstract")
    assert stamp is not None
    assert stamp.arxiv_id == "2501.09898" and stamp.category == "cs.CV"


def test_a_stamp_extracted_backwards_is_read():
    stamp = find_arxiv_stamp(STAMP[::-1])
    assert stamp is not None
    assert (stamp.arxiv_id, stamp.version, stamp.category) == ("2501.09898", 4, "cs.CV")


def test_a_five_digit_id_with_a_long_category_is_read():
    stamp = find_arxiv_stamp("arXiv:2310.12345v1  [cond-mat.str-el]  12 Oct 2023")
    assert stamp is not None
    assert (stamp.arxiv_id, stamp.category) == ("2310.12345", "cond-mat.str-el")


def test_a_cited_arxiv_id_in_the_text_is_not_a_stamp():
    assert find_arxiv_stamp("as shown in arXiv preprint arXiv:2303.08774, 2023.") is None


def test_text_without_a_stamp_has_none():
    assert find_arxiv_stamp("A plain first page with no identifiers at all.") is None
