"""Keywords without a language model: scored candidate phrases for English, frequent
well-bounded character n-grams for Chinese, merged for mixed text."""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from papershelf.core.tokens import CJK_CHAR

# Function words and filler that may not start or end a phrase (and break it in the middle).
STOPWORDS = frozenset(
    """
    a about above across after again against all almost along also although always am among an
    and another any anyone are around as at away be became because been before being below
    between beyond both but by can cannot could did do does doing done down during each either
    else enough etc even ever every few for from further had has have having he her here hers
    him his how however i if in into is it its itself just least less like may me might more
    most much must my neither no nor not now of off often on once one only onto or other our
    ours out over own per perhaps quite rather same she should since so some such than that the
    their theirs them then there therefore these they this those though through thus to too
    toward towards under unless until up upon us very via was we well were what whatever when
    where whereas whether which while who whom whose why will with within without would yet you
    your al et eg ie vs fig figure figures table tables section sections appendix equation eq
    see shown show shows showing use used uses using make makes made making get gets got take
    takes taken give gives given allow allows allowing enable enables achieve achieves achieved
    achieving propose proposed proposes present presents presented introduce introduced
    introduces consider considered provide provides provided include includes including
    improve improves improved improving require requires required obtain obtained report
    reported demonstrate demonstrates demonstrated compare compared comparing lead leads leading
    remain remains follow following followed based related respectively new different various
    several many multiple large small high low good better best first second third final main
    major key significant substantial strong recent early current previous prior specific common
    additional overall total single simple smaller larger higher lower greater similar due able
    instead still already yet particularly especially typically significantly respectively
    around nearly approximately although whereas thereby hence moreover furthermore additionally
    abstract introduction conclusion conclusions acknowledgement acknowledgements references
    """.split()
)

# Content words too general to be a keyword on their own (they may still sit inside a phrase).
GENERIC_WORDS = """
    model method approach result performance data task paper work study set number time way
    example case value problem system analysis experiment evaluation setting baseline benchmark
    training test accuracy score design choice effect impact factor step stage part type form
    level size amount rate range detail details information process result output input version
    variant component technique strategy framework architecture parameter feature function
    application improvement contribution finding observation question answer setup comparison
    ablation implementation configuration scale cost use user area field fact order term point
    line end word text image video token language vision learning network
""".split()

_LY_NOUNS = frozenset("family assembly anomaly supply monopoly reply italy butterfly poly".split())

_CJK_RUN = re.compile(f"[{CJK_CHAR}]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN = re.compile(r"(?<![\w'’-])[^\W\d_](?:\w|[-'’](?=\w))*")
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\w+"  # links and e-mails
    r"|\\[a-zA-Z]+(?:\[[^\]]*\])?"  # LaTeX commands
    r"|!?\[[^\]]*\]\([^)]*\)|<[^>]{1,300}>"  # Markdown images/links, HTML tags
    r"|\([^()]{0,400}?\b(?:19|20)\d\d[a-z]?\)"  # (Author et al., 2024; ...)
    r"|\[\d+(?:\s*[,–-]\s*\d+)*\]"  # [12, 14-16]
    r"|[^\W\d_][\w'’-]*(?:\s+(?:and|&)\s+[^\W\d_][\w'’-]*)?\s+et\s+al\.?"  # Surname et al.
)
_REFERENCES_HEADING = re.compile(
    r"^[ \t#]*(?:\d+\.?\s*)?(?:references|bibliography|参考文献)[ \t]*$", re.I | re.M
)
_AFTER_REFERENCES = re.compile(r"^[ \t#]*(?:appendix|appendices|supplementary|A\.?[ \t]+[A-Z])", re.M)

# Chinese: characters that cannot begin or end a term, and function words a term cannot hold.
_ZH_NO_START = set("的了是在和与及或等也都就而并对将把被从以为这那个们其之于我你他它不有会可能到说要让用更很最还又再由所如该各每此已且但若则即着向")
_ZH_NO_END = set("的了是在和与及或也都就而并对将把被从以为这那个们其之于我你他它不有会可到说要让用更很最还又再由所如该各每此已且但若则即一着地得向")
_ZH_NEVER = set("的了着吗呢吧啊")
_ZH_STOP_WORDS = frozenset(
    """
    我们 你们 他们 它们 可以 这个 那个 一个 这些 那些 通过 进行 使用 以及 因此 但是 如果 因为 所以
    其中 没有 已经 同时 不同 非常 需要 这种 之后 之前 然后 可能 包括 以下 例如 比如 主要 作为 基于
    对于 关于 实现 提供 相比 更多 显著 方面 问题 方法 结果 模型 数据 性能 任务 实验 研究 论文 本文
    工作 部分 情况 效果 能力 时间 一种 一些 如何 什么 为什么 怎么 这里 这样 那么 而且 并且 或者 虽然
    然而 其他 所有 每个 任何 以上 目前 相关 具有 能够 采用 利用 达到 获得 表明 发现 认为 提出 取得
    出现 成为 大量 较少 更加 进一步 之间 同样 直接 可能会 甚至 只是 还是 就是 不是 也是 都是 都在
    """.split()
)
_ZH_GENERIC = frozenset("模型 方法 数据 性能 结果 任务 问题 系统 实验 研究 论文 技术 能力 效果".split())


@dataclass
class _Candidate:
    count: float = 0.0
    segments: set[int] = field(default_factory=set)
    first: int = 1 << 30
    surfaces: Counter = field(default_factory=Counter)


def extract_keywords(
    text: str, *, title: str = "", abstract: str = "", language: str = "en", limit: int = 15
) -> list[str]:
    """The `limit` most characteristic terms of a paper, best first, deterministic."""
    if limit <= 0 or not (text or title or abstract).strip():
        return []
    body = _NOISE.sub(" ", text)
    weights = _reference_weights(body)
    english = _english_terms(body, weights, title, abstract)
    han_chars = sum(len(run) for run in _HAN_RUN.findall(body[:50000]))
    if language != "zh" and han_chars < 50:
        return [term for term, _ in english[:limit]]
    chinese = _chinese_terms(body, weights, title, abstract)
    return _merge([english, chinese], limit)


def _reference_weights(body: str) -> tuple[int, int]:
    """The span of the reference list, whose words count little: names and venues, not topics."""
    headings = [m for m in _REFERENCES_HEADING.finditer(body) if m.start() > len(body) * 0.3]
    if not headings:
        return (len(body), len(body))
    start = headings[-1].end()
    after = _AFTER_REFERENCES.search(body, start)
    return (start, after.start() if after else len(body))


def _english_terms(
    body: str, refs: tuple[int, int], title: str, abstract: str
) -> list[tuple[str, float]]:
    text = _CJK_RUN.sub(" | ", body)
    candidates: dict[str, _Candidate] = defaultdict(_Candidate)
    size = max(len(text), 1)
    for run in _token_runs(text):
        for n in (1, 2, 3):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                if not _phrase_ok([w for w, _ in gram]):
                    continue
                start = gram[0][1]
                candidate = candidates[_key(w for w, _ in gram)]
                candidate.count += 0.15 if refs[0] <= start < refs[1] else 1.0
                candidate.segments.add(start * 10 // size)
                candidate.first = min(candidate.first, start)
                candidate.surfaces[" ".join(w for w, _ in gram)] += 1
    title_keys = _phrase_keys(title)
    abstract_keys = _phrase_keys(abstract)
    scores = _score(candidates, size, title_keys, abstract_keys, _english_weight)
    return _select(scores, candidates, " ")


def _token_runs(text: str) -> list[list[tuple[str, int]]]:
    """Word sequences separated only by spaces: punctuation, numbers and blank lines break them."""
    runs: list[list[tuple[str, int]]] = []
    run: list[tuple[str, int]] = []
    last_end = 0
    for match in _TOKEN.finditer(text):
        gap = text[last_end : match.start()]
        if run and not (gap.isspace() and "\n\n" not in gap):
            runs.append(run)
            run = []
        word = match.group()
        if word[-2:] in ("'s", "’s"):
            word = word[:-2]
        if _usable_word(word):
            run.append((word, match.start()))
        elif run:
            runs.append(run)
            run = []
        last_end = match.end()
    if run:
        runs.append(run)
    return runs


def _usable_word(word: str) -> bool:
    lower = word.lower()
    if len(word) < 2 or lower in STOPWORDS:
        return False
    if word.islower() and (len(word) > 24 or (lower.endswith("ly") and lower not in _LY_NOUNS)):
        return False  # glued PDF words, adverbs
    return True


def _phrase_ok(words: list[str]) -> bool:
    return not (len(words) > 1 and words[-1][0].isupper() and words[0].islower())


def _key(words) -> str:
    parts = " ".join(words).replace("-", " ").replace("’", "'").split()
    parts = [p.lower() for p in parts]
    parts[-1] = _singular(parts[-1])
    return " ".join(parts)


def _singular(word: str) -> str:
    """A merge key for singular and plural forms ('images'/'image', 'VLMs'/'VLM'); not a lemma."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        word = word[:-1]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


_GENERIC_KEYS = frozenset(_singular(w) for w in GENERIC_WORDS)


def _phrase_keys(text: str) -> set[str]:
    keys: set[str] = set()
    for run in _token_runs(_CJK_RUN.sub(" | ", _NOISE.sub(" ", text))):
        words = [w for w, _ in run]
        for n in (1, 2, 3):
            keys.update(_key(words[i : i + n]) for i in range(len(words) - n + 1))
    return keys


def _english_weight(key: str, surface: str) -> float:
    words = key.split()
    if all(w in _GENERIC_KEYS for w in words):
        return 0.0
    weight = (1.0, 1.7, 2.0)[min(len(words), 3) - 1]
    if any(_looks_like_name(w) for w in surface.split()):
        weight *= 1.5
    if words[-1] in _GENERIC_KEYS or words[0] in _GENERIC_KEYS:
        weight *= 0.7
    return weight


def _looks_like_name(word: str) -> bool:
    """Acronyms and model names: 'ViT', 'SmolVLM', 'Qwen2', 'GPU' (not 'The')."""
    core = word.rstrip("s") if word[:-1].isupper() else word
    return any(c.isupper() for c in core[1:]) or (
        any(c.isdigit() for c in core) and any(c.isalpha() for c in core)
    )


def _score(candidates, size, title_keys, abstract_keys, weight_of) -> dict[str, float]:
    """Frequency (less what longer terms explain), spread, position and title/abstract boosts."""
    kept = {
        key: c for key, c in candidates.items() if c.count >= 2 or (key in title_keys and c.count)
    }
    parent_total: Counter = Counter()
    parent_count: Counter = Counter()
    for key, c in kept.items():
        for sub in _sub_keys(key):
            if sub in kept:
                parent_total[sub] += c.count
                parent_count[sub] += 1
    scores: dict[str, float] = {}
    for key, c in kept.items():
        weight = weight_of(key, c.surfaces.most_common(1)[0][0])
        if not weight:
            continue
        own = c.count - (parent_total[key] / parent_count[key] if parent_count[key] else 0.0)
        if own < 0.5 and key not in title_keys:
            continue
        spread = 0.3 + len(c.segments) / 10
        position = 1.0 + 0.5 * (1 - c.first / size)
        boost = 2.5 if key in title_keys else 1.5 if key in abstract_keys else 1.0
        scores[key] = math.log2(1 + max(own, 0.5)) * weight * spread * position * boost
    return scores


def _sub_keys(key: str) -> list[str]:
    if " " not in key:  # Chinese keys: substrings of two or more characters
        return [key[i:j] for i in range(len(key)) for j in range(i + 2, len(key) + 1)][:-1]
    words = key.split()
    n = len(words)
    subs = [" ".join(words[i:j]) for i in range(n) for j in range(i + 1, n + 1) if j - i < n]
    return [_key(s.split()) for s in subs]


def _select(scores: dict[str, float], candidates, joiner: str) -> list[tuple[str, float]]:
    """Best first; a term is left out when it only adds generic words to a term already chosen."""
    chosen: list[tuple[str, float]] = []
    chosen_keys: list[str] = []
    for key in sorted(scores, key=lambda k: (-scores[k], k)):
        if any(_adds_only_generic(key, other) for other in chosen_keys):
            continue
        chosen_keys.append(key)
        chosen.append((_display(candidates[key].surfaces), scores[key]))
        if len(chosen) >= 60:
            break
    return chosen


def _adds_only_generic(key: str, shorter: str) -> bool:
    if " " not in key and " " not in shorter:
        return False
    if not (key.startswith(shorter + " ") or key.endswith(" " + shorter)):
        return False
    extra = key.removeprefix(shorter + " ").removesuffix(" " + shorter).split()
    return all(w in _GENERIC_KEYS for w in extra)


def _display(surfaces: Counter) -> str:
    """The most frequent spelling; a capital only from sentence starts is dropped."""
    best = max(surfaces.items(), key=lambda item: (item[1], item[0].islower()))[0]
    lowered = best[0].lower() + best[1:]
    return lowered if lowered in surfaces else best


def _chinese_terms(
    body: str, refs: tuple[int, int], title: str, abstract: str
) -> list[tuple[str, float]]:
    counts: Counter = Counter()
    for run in _HAN_RUN.findall(body):
        counts.update(run[i : i + n] for n in range(2, 8) for i in range(len(run) - n + 1))
    frequent = {g for g, c in counts.items() if c >= 2 and len(g) <= 6 and _zh_shape_ok(g)}
    left: dict[str, Counter] = defaultdict(Counter)
    right: dict[str, Counter] = defaultdict(Counter)
    for gram, c in counts.items():
        if gram[1:] in frequent:
            left[gram[1:]][gram[0]] += c
        if gram[:-1] in frequent:
            right[gram[:-1]][gram[-1]] += c
    candidates: dict[str, _Candidate] = {}
    size = max(len(body), 1)
    for gram in frequent:
        if min(_entropy(counts[gram], left[gram]), _entropy(counts[gram], right[gram])) < 0.9:
            continue
        candidate = _Candidate(count=float(counts[gram]))
        candidate.surfaces[gram] = 1
        candidates[gram] = candidate
    for gram, candidate in candidates.items():
        start = body.find(gram)
        candidate.first = start
        while start >= 0:
            candidate.segments.add(start * 10 // size)
            if refs[0] <= start < refs[1]:
                candidate.count -= 0.85
            start = body.find(gram, start + len(gram))
    title_keys = {g for g in candidates if g in title}
    abstract_keys = {g for g in candidates if g in abstract}
    scores = _score(candidates, size, title_keys, abstract_keys, _chinese_weight)
    return _select(scores, candidates, "")


def _zh_shape_ok(gram: str) -> bool:
    if gram[0] in _ZH_NO_START or gram[-1] in _ZH_NO_END or any(ch in _ZH_NEVER for ch in gram):
        return False
    if gram in _ZH_STOP_WORDS:
        return False
    return not (gram[:2] in _ZH_STOP_WORDS or gram[-2:] in _ZH_STOP_WORDS) or len(gram) == 2


def _entropy(total: int, neighbours: Counter) -> float:
    """Branching entropy; occurrences at a run's edge count as distinct neighbours."""
    edge = max(total - sum(neighbours.values()), 0)
    h = -sum((c / total) * math.log(c / total) for c in neighbours.values())
    return h + (edge / total) * math.log(total) if edge else h


def _chinese_weight(key: str, surface: str) -> float:
    if key in _ZH_GENERIC:
        return 0.0
    return (1.0, 1.3, 1.6, 1.8, 1.8)[min(len(key), 6) - 2]


def _merge(lists: list[list[tuple[str, float]]], limit: int) -> list[str]:
    """Interleave ranked lists by score relative to each list's best, without duplicates."""
    pooled: list[tuple[float, int, str]] = []
    for terms in lists:
        if terms:
            top = terms[0][1]
            pooled.extend((-score / top, rank, term) for rank, (term, score) in enumerate(terms))
    result: list[str] = []
    seen: set[str] = set()
    for _, _, term in sorted(pooled):
        if term.lower() not in seen:
            seen.add(term.lower())
            result.append(term)
    return result[:limit]
