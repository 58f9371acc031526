"""Concept coverage: how many of a question's concepts a passage holds, and what it does to ranks."""

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.models import PaperFilter, Passage
from papershelf.search.concepts import Concepts, concepts, stem
from papershelf.search.hybrid import FusionSettings, Searcher, first_places
from papershelf.search.overlaps import drop_overlaps
from papershelf.search.query import analyse
from papershelf.search.rerank import rerank, with_concepts
from papershelf.storage.sqlite import SqliteStore
from tests.search.test_rerank import passage
from tests.storage.contract import make_document


def test_stems_meet_the_forms_of_a_word():
    assert stem("scaling") == stem("Scales") == stem("scaled") == "scal"
    assert stem("normalization") == "normaliz"
    assert stem("rate") == "rate"  # 'rat' would meet 'rather' and 'ratio'


def test_every_word_of_an_english_question_is_a_concept():
    asked = concepts(analyse("scale jittering during training"))
    assert asked.coverage("Scale jittering is applied during training.") == 1.0
    assert asked.coverage("We trained with jittered scales.") == 3 / 4
    assert asked.coverage("We train it.") == 1 / 4
    assert asked.coverage("Nothing relevant here.") == 0.0


def test_numbers_and_short_names_match_whole_words_only():
    asked = concepts(analyse("top-5 error of VGG at 60.6"))
    assert asked.coverage("the top-5 error of VGG is 60.6%") == 1.0
    partial = asked.coverage("top 50 errors of VGGNet at 60.65")
    assert partial == 2 / 5  # 'top' and 'error'; not 5 in 50, VGG in VGGNet or 60.6 in 60.65
    assert concepts(analyse("5")).coverage("rates of 0.5, 1,5 and 25") == 0.0
    assert concepts(analyse("1")).coverage("1,000 steps") == 0.0


def test_a_stem_does_not_hide_a_whole_word_at_the_same_place():
    asked = concepts(analyse("ResNets or ResNet50"))  # the stem 'resnet', the whole 'resnet50'
    assert asked.coverage("ResNet50") == 1.0


def test_text_is_compared_after_unicode_folding():
    assert concepts(analyse("fine-tuning")).coverage("\ufb01ne-tuning") == 1.0  # the ligature fi


def test_a_chinese_word_and_its_translations_are_one_concept():
    query = analyse("批归一化为什么要缩放和平移？")
    translations = [
        ("批归一化", [("batch", "normalization")]),
        ("缩放", [("scaling",), ("zoom",)]),
        ("缩放和", [("scale",)]),  # the embedder's piece holding 缩放: the same concept
        ("平移", [("shift",)]),
    ]
    asked = concepts(query, translations)
    assert len(asked.items) == 3
    assert asked.coverage("we batch-normalize, then scale and shift") == 1.0
    assert asked.coverage("先批归一化，再缩放和平移") == 1.0  # the Chinese spellings count too
    assert asked.coverage("zoom and zoom again") == 1 / 3
    assert asked.coverage("each batch is scaled") == 1 / 3  # 'batch' alone is not the form


def test_terms_sharing_a_word_stay_two_concepts():
    translations = [
        ("深度学习", [("deep", "learning")]),
        ("强化学习", [("reinforcement", "learning")]),
    ]
    asked = concepts(analyse("深度学习和强化学习"), translations)
    assert len(asked.items) == 2
    assert asked.coverage("learning only") == 0.0
    assert asked.coverage("deep reinforcement learning") == 1.0


def test_latin_words_of_a_chinese_question_are_concepts_without_stopwords():
    asked = concepts(analyse("mixture of experts 和 MoCo 是什么？"))
    assert asked.coverage("MoCo uses a mixture of experts.") == 1.0
    assert asked.coverage("of") == 0.0
    assert concepts(analyse("为什么？")).coverage("anything") == 0.0


def test_a_passage_holding_every_concept_overtakes_one_that_repeats_one():
    query = analyse("momentum encoder queue size")
    repeats = passage("a", 0, "The queue, the queue and the queue again.")
    covers = passage("b", 0, "A momentum encoder keeps the queue at a fixed size.")
    ranked = [(repeats, 1.0), (covers, 0.8)]

    def order(weight: float) -> list[str]:
        kept = rerank(
            ranked,
            paper_weight=0.0,
            bibliography_weight=1.0,
            concepts=concepts(query),
            concept_weight=weight,
        )
        return [p.paper_id for p, _ in kept]

    assert order(0.0) == ["a", "b"]
    assert order(1.0) == ["b", "a"]


def test_lexical_search_ranks_by_the_concepts_a_passage_covers(store: SqliteStore) -> None:
    # BM25 prefers the passage saying 'queue' three times to the one naming all four concepts,
    # three of which are common words of this library.
    filler = [f"A momentum encoder with keys of size {i}." for i in range(40)]
    texts = ["the queue, the queue and the queue", "the momentum encoder fills a queue of keys"]
    texts += filler
    for i, text in enumerate(texts):
        store.put(make_document(f"doc:{i:012d}", [text]))
    scope = PaperFilter(paper_ids=[f"doc:{i:012d}" for i in (0, 1)])

    def first(weight: float) -> str:
        settings = FusionSettings(concept_weight=weight, paper_weight=0.0)
        hits = Searcher(store, None, settings).search(
            "momentum encoder queue keys", mode="lexical", filter=scope
        )
        return hits[0].citation.paper_id

    assert first(0.0) == "doc:000000000000"
    assert first(1.0) == "doc:000000000001"


def test_a_rendering_with_no_latin_word_is_no_free_concept():
    asked = concepts(analyse("什么是批归一化"), [("批归一化", [("—",)])])
    assert asked.coverage("nothing to do with it") == 0.0
    assert asked.coverage("批归一化") == 1.0


def test_nearby_coverage_counts_the_concepts_of_the_best_two_adjacent_sentences():
    asked = concepts(analyse("momentum encoder queue size"))
    close = "Intro text. A momentum encoder fills the queue. Its size is fixed. Unrelated end."
    scattered = "A momentum term. Then an encoder. Later a queue. Finally the size."
    assert asked.coverage(close) == asked.coverage(scattered) == 1.0
    assert asked.nearby_coverage(close) == 1.0
    assert asked.nearby_coverage(scattered) == 2 / 4
    assert asked.nearby_coverage("One momentum encoder sentence only.") == 2 / 4


def test_chinese_sentences_end_at_full_stops_without_spaces():
    translations = [
        ("批归一化", [("batch", "normalization")]),
        ("缩放", [("scaling",)]),
        ("平移", [("shift",)]),
    ]
    asked = concepts(analyse("批归一化为什么要缩放和平移？"), translations)
    spread = "批归一化很常用。它有很多好处。然后缩放。最后平移。"
    assert asked.coverage(spread) == 1.0
    assert asked.nearby_coverage(spread) == 2 / 3
    assert asked.nearby_coverage("它有很多好处。先批归一化，再缩放和平移。结束。") == 1.0
    # Full-width ！？； end sentences too, with or without a space after them.
    assert asked.nearby_coverage("批归一化很常用！它有很多好处？然后缩放； 最后平移。") == 2 / 3
    # A comma does not: one sentence holds all three.
    assert asked.nearby_coverage("批归一化很常用，它有很多好处，然后缩放，最后平移。") == 1.0


def test_english_sentences_end_only_where_a_space_follows():
    asked = concepts(analyse("learning rate 0.5 decay"))
    # '0.5' and 'e.g.' followed by a word do not end a sentence; '. ' does.
    assert asked.nearby_coverage("A learning rate of 0.5 with decay, e.g.cosine. End. More.") == 1.0
    assert asked.nearby_coverage("A learning rate. Then 0.5. Filler. And decay.") == 3 / 4


def test_concepts_held_close_together_overtake_the_same_concepts_scattered():
    query = analyse("momentum encoder queue size")
    scattered = passage(
        "a", 0, "A momentum term. Then an encoder. Later a queue. Finally the size."
    )
    close = passage("b", 0, "Intro. A momentum encoder fills the queue. Its size is fixed. End.")
    kept = rerank(
        [(scattered, 1.0), (close, 0.9)],
        paper_weight=0.0,
        bibliography_weight=1.0,
        concepts=concepts(query),
        concept_weight=1.0,
    )
    assert [p.paper_id for p, _ in kept] == ["b", "a"]
    assert kept[0][1] == 0.9 * 2.0  # every concept anywhere and all in two adjacent sentences
    assert kept[1][1] == 1.0 * (1 + (0.5 * 1.0 + 0.5 * 2 / 4))


class _CountingConcepts(Concepts):
    def __init__(self, items):
        super().__init__(items)
        self.windows_read = 0

    def nearby_coverage(self, text: str) -> float:
        self.windows_read += 1
        return super().nearby_coverage(text)


def _candidates() -> list[tuple[Passage, float]]:
    found = []
    for i in range(60):
        # All four concepts or three, next to each other or apart; scores that often tie.
        last = "The queue has a size." if i % 4 else "The queue grows."
        text = "A momentum encoder." + " Filler here." * (i % 3) + " " + last
        found.append((passage(f"p{i}", i, text), 1.0 + (i % 7) / 10))
    return found


def test_scoring_only_the_first_places_exactly_gives_the_same_first_places():
    query = analyse("momentum encoder queue size")
    exhaustive = with_concepts(_candidates(), concepts(query), 1.0)
    asked = _CountingConcepts(concepts(query).items)
    pruned = with_concepts(_candidates(), asked, 1.0, exact_depth=8)

    def first(scored: list[tuple[Passage, float]]) -> list[tuple[str, float]]:
        ranked = sorted(scored, key=lambda item: -item[1])[:8]
        return [(p.paper_id, score) for p, score in ranked]

    assert first(pruned) == first(exhaustive)
    anywhere_only = [(p, score * (1 + asked.coverage(p.text))) for p, score in _candidates()]
    assert first(exhaustive) != first(anywhere_only)  # the windows decide some of these places
    assert asked.windows_read < 30  # of 60: the rest could not reach the first 8
    for (p, exact), (_, kept) in zip(exhaustive, pruned, strict=True):
        assert kept <= exact, p.paper_id  # a candidate left out keeps its lowest possible score


def test_a_spelling_outside_the_cjk_blocks_is_matched_in_windows_too():
    asked = concepts(analyse("批归一化"), [("𠮷", [])])  # CJK Extension B
    assert asked.coverage("𠮷.") == asked.nearby_coverage("𠮷.") == 1.0


def test_no_exact_place_or_negative_scores_still_give_scores():
    query = analyse("momentum encoder queue size")
    none_exact = with_concepts(_candidates(), concepts(query), 1.0, exact_depth=0)
    exhaustive = with_concepts(_candidates(), concepts(query), 1.0)
    assert [p for p, _ in none_exact] == [p for p, _ in exhaustive]
    assert all(low <= exact for (_, low), (_, exact) in zip(none_exact, exhaustive, strict=True))
    negative = [(p, -score) for p, score in _candidates()]
    pruned = with_concepts(negative, concepts(query), 1.0, exact_depth=3)
    assert pruned == with_concepts(negative, concepts(query), 1.0)  # bounds need scores >= 0


def test_overlaps_dropped_past_the_exact_places_have_every_candidate_scored():
    close = "A momentum encoder fills the queue of size k."
    # Seven chunks of paper a over nearly the same span: only the first is kept.
    chunks = [(passage("a", 0, close + f" v{i}"), 2.0) for i in range(7)]
    scattered = (passage("x", 0, "A momentum term. Then an encoder. Later a queue. The size."), 1.0)
    unrelated = (passage("y", 0, "Nothing relevant."), 1.6)
    candidates = [*chunks, unrelated, scattered]

    def ranked(exact_depth: int | None) -> list[tuple[Passage, float]]:
        asked = concepts(analyse("momentum encoder queue size"))
        return rerank(
            candidates,
            paper_weight=0.0,
            bibliography_weight=1.0,
            concepts=asked,
            concept_weight=1.0,
            exact_depth=exact_depth,
        )

    kept = first_places(ranked, 2)
    assert kept == drop_overlaps(ranked(None), 2)
    assert [p.paper_id for p, _ in kept] == ["a", "x"]  # x: 1.75 with its window share, y: 1.6


def test_a_translated_word_is_held_by_its_own_spelling_when_translations_do_not_count():
    asked = concepts(analyse("SmolVLM 的像素重排"), [("像素重排", [("pixel", "shuffle")])])
    english, chinese = "Pixel Shuffle for Efficient Vision Tokens", "SmolVLM 用像素重排压缩令牌"
    assert asked.held(english) == {1}  # 'pixel shuffle' renders 像素重排; SmolVLM is absent
    assert asked.held(english, translated=False) == frozenset()
    assert asked.held(chinese, translated=False) == {0, 1}
    assert asked.held("smolvlm", translated=False) == {0}


def test_reading_a_title_leaves_the_passage_caches_alone():
    # One title per candidate paper: through the caches they pushed the passages out (+2.5 ms
    # a lexical search at 10^5 passages).
    from papershelf.search.concepts import _words_of
    from papershelf.search.query import compact

    asked = concepts(analyse("ECAPA-TDNN 的损失函数"), [("损失函数", [("loss", "function")])])
    words, compacted = _words_of.cache_info().currsize, compact.cache_info().currsize
    assert asked.held("ECAPA-TDNN: a title read once 7f3a", translated=False) == {0, 1}
    assert (_words_of.cache_info().currsize, compact.cache_info().currsize) == (words, compacted)


def test_an_english_word_is_held_by_its_own_spelling_not_by_its_chinese_rendering():
    asked = concepts(analyse("Which datasets were mixed?"), [("数据集", [("datasets",)])])
    assert len(asked.items) == 2  # the rendering joined its word's concept, the first
    assert asked.held("我们使用的数据集") == {0}
    assert asked.held("我们使用的数据集", translated=False) == frozenset()
    assert asked.held("Datasets for Vision", translated=False) == {0}


def test_renderings_of_an_english_question_never_join_two_of_its_words():
    # 训练 is contained in 预训练, which would join a Chinese question's two translations; an
    # English question's words stay apart, each with its own Chinese spelling.
    translations = [("预训练", [("pretraining",)]), ("训练", [("training",)])]
    asked = concepts(analyse("pretraining and training"), translations)
    assert len(asked.items) == 2
    assert asked.held("只有预训练") == {0, 1}  # 预训练 holds 训练 as a substring: both spellings
    assert asked.held("只有训练") == {1}
    assert asked.coverage("pretraining only") == 1 / 2


def test_a_rendering_of_a_run_of_words_is_a_spelling_of_each_of_them():
    asked = concepts(analyse("zero shot transfer"), [("零样本", [("zero", "shot")])])
    assert len(asked.items) == 3
    assert asked.held("零样本迁移") == {0, 1}


def test_a_latin_word_of_a_chinese_question_counts_in_a_title_beside_its_translation():
    # 'loss' is the question's own word and a rendering of 损失 too: one concept, held by its
    # own spelling where translations do not count.
    asked = concepts(analyse("loss 损失是多少"), [("损失", [("loss",)])])
    assert len(asked.items) == 1
    assert asked.held("A Loss for Speakers", translated=False) == {0}


def test_a_passage_in_traditional_chinese_holds_the_question_s_chinese_spellings():
    asked = concepts(analyse("批归一化为什么要缩放？"), [("缩放", [("scaling",)])])
    assert (
        asked.held("先做批歸一化，再縮放。") == asked.held("先做批归一化，再缩放。") != frozenset()
    )


def test_a_passage_written_in_taiwan_holds_the_mainland_words_of_a_question():
    asked = concepts(
        analyse("这个软件占用多少内存？"), [("软件", [("software",)]), ("内存", [("memory",)])]
    )
    taiwan, mainland = "這套軟體很好。記憶體佔用很小。", "这套软件很好。内存占用很小。"
    assert asked.held(taiwan) == asked.held(mainland) == {0, 1}
    assert asked.coverage(taiwan) == asked.coverage(mainland) == 1.0
    assert asked.nearby_coverage(taiwan) == asked.nearby_coverage(mainland) == 1.0


def test_the_two_wordings_of_a_passage_are_never_read_as_neighbours():
    asked = concepts(analyse("pruning quantization"))
    middle = "這是第二句。這是第三句。這是第四句。"
    for last in ("最後是 quantization", "最後是 quantization。"):
        taiwan = "Pruning 用於軟體。" + middle + last  # read again after it in mainland words
        assert (
            asked.nearby_coverage(taiwan)
            == 0.5
            == asked.nearby_coverage(taiwan.replace("軟體", "模型"))
        )
        assert asked.coverage(taiwan) == 1.0


# Pieces of stored text in either wording: Taiwan words (one with Latin letters), their mainland
# words, other characters in both scripts, Latin words, sentence ends and spaces.
_PIECES = st.sampled_from(
    [
        "軟體",
        "软件",
        "記憶體",
        "内存",
        "隨身碟",
        "U盘",
        "影片",
        "視頻",
        "於",
        "学習",
        "學習",
        "模型",
        "pruning",
        " u ",
        "quantization",
        "。",
        ". ",
        "；",
        " ",
        "\n",
        "ア",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_best_window_never_holds_more_than_the_whole_text(text):
    # The pruned re-ranking (rerank.with_concepts) bounds a score by the plain coverage.
    asked = concepts(
        analyse("pruning u quantization 软件内存学习"),
        [("软件", [("software",)]), ("内存", [("memory",)]), ("学习", [("learning",)])],
    )
    assert asked.nearby_coverage(text) <= asked.coverage(text)
