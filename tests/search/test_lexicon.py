"""Chinese query words carried over to the corpus's English words through the embedder."""

from papershelf.search.indexing import embed_missing, vector_space
from papershelf.search.lexicon import Lexicon, chinese_pieces, translated_words
from papershelf.storage.sqlite import SqliteStore
from tests.storage.contract import make_document

TEXTS = [
    "The bottleneck block reduces channels before the filter is applied.",
    "A wider bottleneck helps; the filter size matters less.",
    "Handwritten digits were recognised in real time.",
    "The handwritten samples became more legible.",
]


def english(store: SqliteStore, model, query: str) -> list[str]:
    return translated_words(Lexicon(store, model, vector_space(model)).translations(query))


def test_chinese_words_find_their_english_counterparts(store: SqliteStore, use_model) -> None:
    store.put(make_document("doc:1", TEXTS))
    embed_missing(store, use_model)
    words = english(store, use_model, "瓶颈结构和手写数字")
    assert "bottleneck" in words
    assert "handwritten" in words


def test_words_seen_once_stay_out_of_the_lexicon(store: SqliteStore, use_model) -> None:
    store.put(make_document("doc:1", ["a zebra here", "nothing else"]))
    embed_missing(store, use_model)
    assert "zebra" not in english(store, use_model, "斑马")


def test_removing_a_paper_takes_its_words_out(store: SqliteStore, use_model) -> None:
    store.put(make_document("doc:1", TEXTS))
    embed_missing(store, use_model)
    store.remove("doc:1")
    assert store.terms_missing_vectors("any", min_df=1) == []
    assert english(store, use_model, "瓶颈") == []


def test_question_words_and_particles_split_the_pieces() -> None:
    pieces = chinese_pieces("为什么瓶颈的作用")
    assert "瓶颈" in pieces and "作用" in pieces
    assert not any("为什么" in piece or "的" in piece for piece in pieces)


def test_an_english_query_has_no_pieces() -> None:
    assert chinese_pieces("bottleneck filter") == []
