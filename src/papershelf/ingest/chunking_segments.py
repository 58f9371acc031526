"""The units the chunker packs: sentences with token counts and the strength of the break after them."""

import re
from dataclasses import dataclass

from papershelf.core.tokens import count_tokens
from papershelf.ingest.sentences import WORD, sentence_spans

# Strength of the break after a segment: where a passage may end, and how good an end it is.
PARAGRAPH, LINE, SENTENCE, WORD_BREAK = 3, 2, 1, 0
_LINE = re.compile(r"[^\n]+")
_CLAUSE_END = tuple(",;:，；：、")
_TERMINATORS = frozenset(".!?;:。！？；：…")
_CLOSERS = "\"')]”’」』）》"


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    tokens: int
    strength: int
    inside_word: bool = False  # cut out of one over-long word, so its tokens are an upper bound


def section_segments(text: str, start: int, end: int, longest: int) -> list[Segment]:
    """Sentences of text[start:end]; sentences over `longest` tokens are cut at word boundaries."""
    lines = [
        (m.start(), m.end()) for m in _LINE.finditer(text, start, end) if not m.group().isspace()
    ]
    segments: list[Segment] = []
    for index, (line_start, line_end) in enumerate(lines):
        following = lines[index + 1][0] if index + 1 < len(lines) else None
        line_strength = _line_end_strength(text, line_end, following)
        sentences = sentence_spans(text, line_start, line_end)
        for position, (sentence_start, sentence_end) in enumerate(sentences):
            strength = line_strength if position + 1 == len(sentences) else SENTENCE
            tokens = count_tokens(text[sentence_start:sentence_end])
            if tokens <= longest:
                segments.append(Segment(sentence_start, sentence_end, tokens, strength))
            else:
                segments.extend(
                    _hard_split(text, sentence_start, sentence_end, max(1, longest // 2), strength)
                )
    return segments


def _line_end_strength(text: str, line_end: int, following: int | None) -> int:
    """A blank line ends a paragraph; a hard-wrapped line ending mid-sentence is a weak break."""
    if following is None or text.count("\n", line_end, following) >= 2:
        return PARAGRAPH
    ending = text[max(0, line_end - 8) : line_end].rstrip().rstrip(_CLOSERS)
    if ending[-1:] in _TERMINATORS:
        return LINE
    next_char = text[following : following + 1]
    return WORD_BREAK if "a" <= next_char <= "z" else SENTENCE


def word_tail_start(text: str, segment: Segment, max_tokens: int) -> int | None:
    """Start of the longest tail of the segment within max_tokens that begins at a word, or a clause."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text, segment.start, segment.end)]
    total = 0
    word_start = clause_start = None
    for index in range(len(words) - 1, 0, -1):
        start, end = words[index]
        total += count_tokens(text[start:end])
        if total > max_tokens:
            break
        word_start = start
        if text[words[index - 1][1] - 1] in _CLAUSE_END:
            clause_start = start
    return clause_start if clause_start is not None else word_start


def _hard_split(text: str, start: int, end: int, piece_tokens: int, strength: int) -> list[Segment]:
    """Pieces of at most piece_tokens, cut between words (inside a word only when it alone is too long)."""
    pieces: list[Segment] = []
    piece_start = piece_end = start
    total = 0
    for match in WORD.finditer(text, start, end):
        tokens = count_tokens(match.group())
        if total and total + tokens > piece_tokens:
            pieces.append(Segment(piece_start, piece_end, total, WORD_BREAK))
            total = 0
        if tokens > piece_tokens:
            # One character is at most one token, so piece_tokens characters always fit.
            for cut in range(match.start(), match.end(), piece_tokens):
                cut_end = min(cut + piece_tokens, match.end())
                pieces.append(
                    Segment(
                        cut, cut_end, count_tokens(text[cut:cut_end]), WORD_BREAK, inside_word=True
                    )
                )
            total = 0
            continue
        if not total:
            piece_start = match.start()
        total += tokens
        piece_end = match.end()
    if total:
        pieces.append(Segment(piece_start, piece_end, total, WORD_BREAK))
    last = pieces[-1]
    pieces[-1] = Segment(last.start, last.end, last.tokens, strength, last.inside_word)
    return pieces
