"""Find section headings in paper-like plain text: numbered, roman, lettered, named and Chinese ones.

Each line is first judged on its own; numbered candidates are then kept only where their
numbering forms a plausible sequence (the longest chain wins), which drops table rows,
list items and stray numbers such as '7 GB' after '3 Method'.
"""

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from papershelf.core.chinese_script import to_simplified
from papershelf.core.textindex import fold
from papershelf.ingest.base import Heading

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_NUMERALS = "一二三四五六七八九十"
_ARABIC = re.compile(
    rf"^(?P<num>\d{{1,2}}(?:\.\d{{1,2}}){{0,3}})(?:\.?\s+|\.?(?=[{_CJK}]))(?P<title>\S.*)$"
)
_ROMAN = re.compile(r"^(?P<num>[IVX]{1,5})\.\s+(?P<title>\S.*)$")
_LETTERED = re.compile(r"^(?P<num>[A-H](?:\.\d{1,2}){0,3})(?P<dot>\.?)\s+(?P<title>\S.*)$")
_APPENDIX = re.compile(r"^(?:Appendix|APPENDIX)\s+(?P<num>[A-H])\b\s*[:.—–-]?\s*(?P<title>.*)$")
_CJK_TOP = re.compile(rf"^(?P<num>[{_CJK_NUMERALS}]{{1,3}})[、.．]\s*(?P<title>\S.*)$")
_CJK_SUB = re.compile(rf"^[（(](?P<num>[{_CJK_NUMERALS}]{{1,3}})[）)]\s*(?P<title>\S.*)$")
_CJK_CHAPTER = re.compile(
    rf"^第(?P<num>[{_CJK_NUMERALS}\d]{{1,3}})(?P<unit>[章节])\s*(?P<title>.*)$"
)

_CORE_NAMES = {
    "abstract", "references", "bibliography", "acknowledgements", "acknowledgments",
    "acknowledgement", "acknowledgment", "appendix", "appendices", "contents",
    "摘要", "参考文献", "致谢", "附录", "目录",
}  # fmt: skip
_OTHER_NAMES = {
    "introduction", "related work", "background", "method", "methods", "methodology",
    "experiments", "results", "discussion", "conclusion", "conclusions",
    "conclusions and future work", "conclusion and future work", "limitations",
    "broader impact", "supplementary material", "table of contents",
    "引言", "前言", "绪论", "相关工作", "方法", "实验", "讨论", "结论", "总结",
}  # fmt: skip
_REFERENCE_NAMES = {"references", "bibliography", "参考文献"}
_AFFILIATION = re.compile(
    r"universit|institut|laborator|department|\bdept\b|school of|college|\binc\b|\bltd\b|"
    r"corporation|academy|@|google|microsoft|facebook|deepmind|\bmeta ai\b|tencent|alibaba|"
    r"baidu|nvidia|amazon|openai|hugging ?face",
    re.IGNORECASE,
)
_PROSE_SIGNS = re.compile(r"=|%|\bet al\b|https?:|www\.|\.\.\.\s*\d|(?:\.\s*){3,}")
_INITIALS = re.compile(r"\b[A-Z]\.\s?(?=[A-Z])")
_TRAILING_PAGE = re.compile(r"\s\d{1,3}$")
_MAX_WORDS = 15
_MAX_CHARS = 100


@dataclass
class _Candidate:
    start: int
    number: str | None
    title: str
    kind: str  # arabic, roman, lettered, appendix, cjk, cjk_sub, chapter, named
    path: tuple[int, ...] = ()
    weight: int = 1
    toc_like: bool = False
    level: int = 0


def find_headings(text: str, emphasized: Collection[int] | None = None) -> list[Heading]:
    """Headings of `text`, in order. `emphasized` (from PDFs) holds the offsets of lines set
    in a larger or bold font: extra evidence, and the signal that the text has such marks."""
    candidates = list(_line_candidates(text, emphasized))
    candidates = _drop_toc_entries(candidates)
    abstract_at = next(
        (c.start for c in candidates if c.kind == "named" and c.title.lower() == "abstract"), -1
    )
    body = [c for c in candidates if c.kind == "named" or c.start > abstract_at]
    chosen = [c for c in body if c.kind in ("named", "chapter")]
    arabic = _credible(_longest_chain([c for c in body if c.kind == "arabic"]))
    roman = _credible(_longest_chain([c for c in body if c.kind == "roman"]))
    chosen += arabic + roman + _cjk_sections(body)
    chosen += _ieee_subsections(body, roman) if len(roman) >= 2 else []
    chosen += _appendix_sections(body, arabic)
    unique = {c.start: c for c in reversed(chosen)}
    return [_to_heading(unique[start]) for start in sorted(unique)]


def looks_like_heading(line: str) -> bool:
    """Whether one line, on its own, has the form of a heading (numbering aside)."""
    line = line.strip()
    # Most lines of a paper are prose; settle those without the patterns.
    if not line or len(line) > _MAX_CHARS + 10 or line[0].islower():
        return False
    return _classify(line, 0, False) is not None


def _line_candidates(text: str, emphasized: Collection[int] | None) -> Iterator[_Candidate]:
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if not stripped or len(stripped) > _MAX_CHARS + 10:
            continue
        start = match.start() + len(line) - len(line.lstrip())
        strong = emphasized is not None and start in emphasized
        candidate = _classify(stripped, start, strong)
        if candidate is None:
            continue
        # In PDFs a bare word like 'Results' is often a figure label unless it is set apart.
        bare_name = candidate.kind == "named" and fold(candidate.title) not in _CORE_NAMES
        if bare_name and emphasized is not None and not strong:
            continue
        yield candidate


def _classify(line: str, start: int, strong: bool) -> _Candidate | None:
    weight = 2 if strong else 1
    name = line.rstrip(":.：").strip()
    if fold(name) in _CORE_NAMES or fold(name) in _OTHER_NAMES:
        return _Candidate(start, None, name, "named", weight=weight)
    # Traditional Chinese is matched as simplified (參考文獻, 第二節); the title keeps its script.
    folded = to_simplified(line)
    for pattern, kind in ((_CJK_CHAPTER, "chapter"), (_CJK_SUB, "cjk_sub"), (_CJK_TOP, "cjk")):
        match = pattern.match(folded)
        if match and _good_cjk_title(match["title"], allow_empty=kind == "chapter"):
            title = line[match.start("title") : match.end("title")]
            number, title = match["num"], title.strip() or line
            level = 2 if kind == "cjk_sub" or match.groupdict().get("unit") == "节" else 1
            return _Candidate(
                start, number, title, kind, (_cjk_value(number),), weight, level=level
            )
    match = _APPENDIX.match(line)
    if match and (not match["title"] or _good_title(match["title"], strong)):
        title = match["title"] or f"Appendix {match['num']}"
        return _Candidate(
            start, match["num"], title, "appendix", (_letter_value(match["num"]),), weight
        )
    match = _ARABIC.match(line)
    if match and _good_title(match["title"], strong):
        path = tuple(int(part) for part in match["num"].split("."))
        if path[0] <= 30:
            return _candidate(start, match["num"], match["title"], "arabic", path, weight)
    match = _ROMAN.match(line)
    if match and _good_letter_title(match["title"], strong) and _roman_value(match["num"]):
        path = (_roman_value(match["num"]),)
        return _candidate(start, match["num"], match["title"], "roman", path, weight)
    match = _LETTERED.match(line)
    if match and _good_letter_title(match["title"], strong):
        letter, *rest = match["num"].split(".")
        path = (_letter_value(letter), *(int(part) for part in rest))
        kind = "lettered" if match["dot"] and not rest else "appendix"
        return _candidate(start, match["num"], match["title"], kind, path, weight)
    return None


def _candidate(
    start: int, number: str, title: str, kind: str, path: tuple[int, ...], weight: int
) -> _Candidate:
    title = title.strip()
    toc_like = bool(_TRAILING_PAGE.search(title))
    return _Candidate(start, number, title, kind, path, weight, toc_like)


def _good_title(title: str, strong: bool) -> bool:
    title = title.strip()
    words = title.split()
    if not words or len(words) > _MAX_WORDS or len(title) > _MAX_CHARS:
        return False
    first = title[0]
    # 'iNaturalist ...' and '1-Dimensional ...' start sections too.
    if not (first.isupper() or re.match(f"[{_CJK}]|[a-z][A-Z]|\\d+-?[A-Za-z]", title)):
        return False
    visible = [ch for ch in title if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    fewest = 2 if re.search(f"[{_CJK}]", title) else 3
    if letters < fewest or letters < 0.6 * len(visible):
        return False
    if title[-1] in ",;" or (title.endswith(".") and len(words) >= 6 and not strong):
        return False
    if (
        _PROSE_SIGNS.search(title)
        or _AFFILIATION.search(title)
        or len(_INITIALS.findall(title)) >= 2
    ):
        return False
    return not title.startswith(("Figure", "Fig.", "Table", "Tab."))


def _good_letter_title(title: str, strong: bool) -> bool:
    """As _good_title, but 'A. Smith and B. Jones' in a reference list is a name, not a section."""
    return _good_title(title, strong) and not _INITIALS.search(title)


def _good_cjk_title(title: str, allow_empty: bool) -> bool:
    title = title.strip()
    if not title:
        return allow_empty
    if len(title) > 40 or "。" in title or title.count("，") > 1:
        return False
    return bool(re.search(f"[{_CJK}A-Za-z]", title))


def _drop_toc_entries(candidates: list[_Candidate]) -> list[_Candidate]:
    """Lines ending in a page number next to other such lines are a table of contents."""
    kept = []
    for i, candidate in enumerate(candidates):
        neighbours = candidates[max(0, i - 1) : i] + candidates[i + 1 : i + 2]
        if candidate.toc_like and any(n.toc_like for n in neighbours):
            continue
        kept.append(candidate)
    return kept


def _longest_chain(
    candidates: list[_Candidate],
    follows: Callable[[tuple[int, ...], tuple[int, ...]], bool] | None = None,
) -> list[_Candidate]:
    """The heaviest subsequence whose numbers each plausibly follow the previous one."""
    follows = follows or _follows
    best: list[int] = []
    previous: list[int] = []
    for i, candidate in enumerate(candidates):
        score, link = (candidate.weight, -1) if _starts(candidate.path) else (0, -1)
        for j in range(i):
            if (
                best[j]
                and best[j] + candidate.weight > score
                and follows(candidates[j].path, candidate.path)
            ):
                score, link = best[j] + candidate.weight, j
        best.append(score)
        previous.append(link)
    if not best or max(best) == 0:
        return []
    i = best.index(max(best))
    chain = []
    while i >= 0:
        chain.append(candidates[i])
        i = previous[i]
    return chain[::-1]


def _credible(chain: list[_Candidate]) -> list[_Candidate]:
    """A lone plain numbered line is more likely a footnote or list item than a section."""
    return chain if sum(c.weight for c in chain) >= 2 else []


def _starts(path: tuple[int, ...]) -> bool:
    return path[0] <= 2 and all(part <= 1 for part in path[1:])


def _follows(before: tuple[int, ...], after: tuple[int, ...]) -> bool:
    if len(after) > len(before):
        return after[: len(before)] == before and all(part == 1 for part in after[len(before) :])
    depth = len(after) - 1
    return after[:depth] == before[:depth] and 1 <= after[depth] - before[depth] <= 2


def _ieee_subsections(candidates: list[_Candidate], roman: list[_Candidate]) -> list[_Candidate]:
    """'A. Learning from Data' under 'I. INTRODUCTION': letters restart after each roman heading."""
    chosen = []
    for low, high in _spans(roman, candidates):
        section = [c for c in candidates if c.kind == "lettered" and low < c.start < high]
        chosen += _longest_chain(section)
    for candidate in chosen:
        candidate.level = 2
    return chosen


def _spans(parents: list[_Candidate], candidates: list[_Candidate]) -> list[tuple[int, int]]:
    """The stretch of text under each parent heading, as (after, before) offsets."""
    if not parents:
        return []
    end = candidates[-1].start + 1
    starts = [c.start for c in parents]
    return list(zip(starts, [*starts[1:], end], strict=True))


def _appendix_sections(candidates: list[_Candidate], arabic: list[_Candidate]) -> list[_Candidate]:
    """'A Proofs', 'A.1 ...', 'Appendix B': lettered sections after the numbered body or references."""
    after = arabic[-1].start if arabic else -1
    references = [
        c.start for c in candidates if c.kind == "named" and fold(c.title) in _REFERENCE_NAMES
    ]
    if references:
        after = min(after, references[0]) if arabic else references[0]
    explicit = [c for c in candidates if c.kind == "appendix" and c.title.startswith("Appendix")]
    lettered = [c for c in candidates if c.kind in ("appendix", "lettered") and c.start > after]
    if after < 0 and not explicit:
        return []
    return _longest_chain(
        sorted({id(c): c for c in lettered + explicit}.values(), key=lambda c: c.start)
    )


def _cjk_sections(candidates: list[_Candidate]) -> list[_Candidate]:
    top = _longest_chain([c for c in candidates if c.kind == "cjk"])
    subs = []
    for low, high in _spans(top, candidates):
        subs += _longest_chain(
            [c for c in candidates if c.kind == "cjk_sub" and low < c.start < high]
        )
    return top + subs


def _to_heading(candidate: _Candidate) -> Heading:
    if candidate.level:
        level = candidate.level
    elif candidate.kind in ("named", "roman"):
        level = 1
    else:
        level = len(candidate.path)
    return Heading(
        title=candidate.title, number=candidate.number, level=level, char_start=candidate.start
    )


def _roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, ch in enumerate(numeral):
        value = values[ch]
        total += -value if i + 1 < len(numeral) and values[numeral[i + 1]] > value else value
    return total if 0 < total <= 20 and _to_roman(total) == numeral else 0


def _to_roman(value: int) -> str:
    out = ""
    for amount, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= amount:
            out += numeral
            value -= amount
    return out


def _letter_value(letter: str) -> int:
    return ord(letter) - ord("A") + 1


def _cjk_value(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    digits = {ch: i + 1 for i, ch in enumerate(_CJK_NUMERALS[:9])}
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return digits.get(tens, 1) * 10 + digits.get(ones, 0)
    return digits.get(numeral, 0)
