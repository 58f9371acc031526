"""Keywords without a language model: scored candidate phrases for English, frequent
well-bounded character n-grams for Chinese, merged for mixed text."""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from papershelf.core.tokens import CJK_CHAR


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and filler that may not start or end a phrase (and break it in the middle).
STOPWORDS = _words(
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
    introduces consider considered provide provides provided include includes including improve
    improves improved improving require requires required obtain obtained report reported
    demonstrate demonstrates demonstrated compare compared comparing lead leads leading remain
    remains follow following followed based related respectively new different various several
    many multiple large small high low good better best first second third final main major key
    significant substantial strong recent early current previous prior specific common
    additional overall total single simple smaller larger higher lower greater similar due able
    instead still already particularly especially typically significantly nearly approximately
    thereby hence moreover furthermore additionally abstract introduction conclusion conclusions
    acknowledgement acknowledgements references arxiv preprint proceedings conference journal
    ieee cvf vol pp doi url http https www gb mb kb tb ms fps hz enhance enhances reduce reduces
    reduced reducing yield yields increase increases increased increasing maintain maintains
    maintaining outperform outperforms outperforming perform performs performed ensure ensures
    explore explores explored investigate investigates investigated evaluate evaluates evaluated
    apply applies applied adopt adopts adopted exhibit exhibits reach reaches involve involves
    contain contains combine combines combined produce produces produced rely relies suggest
    suggests indicate indicates highlight highlights emphasize emphasizes observe observed note
    noted find finds found become becomes seem seems tend tends need needs help helps keep keeps
    let lets call called known mean means describe described define defined denote denoted refer
    refers focus focuses aim aims address addresses offer offers contrast
    """
)

# Content words too general to be a keyword on their own (they may still sit inside a phrase).
GENERIC_WORDS = _words(
    """
    model method approach result performance data task paper work study set number time way
    example case value problem system analysis experiment evaluation setting baseline benchmark
    training test accuracy score design choice effect impact factor step stage part type form
    level size amount rate range detail details information process result output input version
    variant component technique strategy framework architecture parameter feature function
    application improvement contribution finding observation question answer setup comparison
    ablation implementation configuration scale cost use user area field fact order term point
    line end word language vision learning network capability
    understanding advantage limitation challenge property quality efficiency effectiveness
    """
)

_ADJECTIVE_ENDINGS = ("al", "ive", "ous", "ent", "ant", "able", "ible", "ful", "less", "ic")
_NOUN_EXCEPTIONS = _words(
    """retrieval signal proposal interval tutorial removal arrival approval trial manual journal
    portal agent gradient component student patient content segment document environment moment
    alignment agreement assistant variant constant participant descriptive objective metric topic
    logic heuristic music graphic mechanic clinic rubric"""
)
_LY_NOUNS = _words("family assembly anomaly supply monopoly reply italy butterfly poly")

_CJK_RUN = re.compile(f"[{CJK_CHAR}]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_TOKEN = re.compile(r"(?<![\w'’-])[^\W\d_](?:\w|[-'’](?=\w))*")
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+"  # links and e-mails
    r"|\\[a-zA-Z]+(?:\[[^\]]*\])?"  # LaTeX commands
    r"|!?\[[^\]]*\]\([^)]*\)|<[^>]{1,300}>"  # Markdown images/links, HTML tags
    r"|\([^()]{0,400}?\b(?:19|20)\d\d[a-z]?\)"  # (Author et al., 2024; ...)
    r"|\[\d+(?:\s*[,–-]\s*\d+)*\]"  # [12, 14-16]
    r"|\b\w+(?:\s+(?:and|&)\s+\w+)?\s+et\s+al\b\.?"  # Surname et al.
)
# Also a heading glued to the previous line by PDF extraction: "training.References", "13References".
_REFERENCES_HEADING = re.compile(
    r"(?:^|(?<=[\d.)]))[ \t#]*(?:\d+\.?[ \t]*)?(?:references|bibliography|参考文献)[ \t]*$",
    re.I | re.M,
)
_AFTER_REFERENCES = re.compile(
    r"^[ \t#]*(?:(?i:appendix|appendices|supplementary)|A\.?[ \t]+[A-Z][a-z])", re.M
)

# Chinese: characters that cannot begin or end a term, and function words a term cannot hold.
_ZH_EDGE = "的了是在和与及或也都就而并对将把被从以为这那个们其之于我你他它不有会可到说要让更很最还又再由所如该各每此已且但若则即着向"
_ZH_NO_START = set(_ZH_EDGE + "等能用款篇")
_ZH_NO_END = set(_ZH_EDGE + "上中里一地得")
_ZH_FUNCTION_CHARS = set("的了是在和与及或等也都就而并对将把被从以为这那之于中上下里时后前")
_ZH_NEVER = set("的了着吗呢吧啊")
# Function words, verbs and adverbs: never a term, nor at a term's edge or inside it.
_ZH_STOP_WORDS = _words(
    """
    我们 你们 他们 它们 可以 这个 那个 一个 这些 那些 通过 进行 使用 以及 因此 但是 如果 因为 所以
    其中 没有 已经 同时 不同 非常 需要 这种 之后 之前 然后 可能 包括 以下 例如 比如 主要 作为 基于
    对于 关于 实现 提供 相比 更多 显著 本文 一种 一些 如何 什么 为什么 怎么 这里 这样 那么 而且 并且
    或者 虽然 然而 其他 所有 每个 任何 以上 目前 相关 具有 能够 采用 利用 达到 获得 表明 发现 认为
    提出 取得 出现 成为 大量 较少 更加 进一步 之间 同样 直接 可能会 甚至 只是 还是 就是 不是 也是 都是
    都在 发布 提升 处理 选择 展示 探索 降低 扩展 推动 促进 表现 保持 影响 构建 超越 显示 保留 本次
    下面 上面 通常 广泛 明确 专门 精心 大幅
    """
)
# Nouns and adjectives too general to be a term alone (they may sit inside one).
_ZH_GENERIC = _words(
    """模型 方法 数据 性能 结果 任务 问题 系统 实验 研究 论文 技术 能力 效果 方面 工作 部分 情况 时间
    版本 规模 设计 关键 强大 实践 成功 巨大 卓越 挑战 需求 核心 场景 数量 优化 高效 真实 输入 输出
    结构 模块 成本"""
)


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
    body = _without_references(_NOISE.sub(" ", _without_table_rows(text)))
    english = _english_terms(body, title, abstract)
    if language != "zh" and sum(map(len, _HAN_RUN.findall(body[:50000]))) < 50:
        return [term for term, _ in english[:limit]]
    return _merge([english, _chinese_terms(body, title, abstract)], limit)


def _without_table_rows(text: str) -> str:
    """The text less short lines that are mostly numbers (table rows, plot axes)."""
    lines = text.split("\n")
    kept = [ln for ln in lines if len(ln) > 300 or 4 * len(ln.translate(_NO_DIGITS)) > 3 * len(ln)]
    return "\n".join(kept) if len(kept) < len(lines) else text


def _without_references(body: str) -> str:
    """The text less its reference list: names and venues there say nothing about the topic."""
    headings = [m for m in _REFERENCES_HEADING.finditer(body) if m.start() > len(body) * 0.3]
    if not headings:
        return body
    after = _AFTER_REFERENCES.search(body, headings[-1].end())
    return body[: headings[-1].start()] + "\n\n" + (body[after.start() :] if after else "")


def _english_terms(body: str, title: str, abstract: str) -> list[tuple[str, float]]:
    text = _CJK_RUN.sub(" | ", body)
    size = max(len(text), 1)
    counts: Counter = Counter()
    spellings: Counter = Counter()  # (key, surface)
    places: set[tuple[str, int]] = set()  # (key, tenth of the text)
    first: dict[str, int] = {}
    for run in _token_runs(text):
        words = [w for w, _ in run]
        keys = [_word_key(w) for w in words]
        for n in (1, 2, 3):
            for i in range(len(run) - n + 1):
                if n > 1 and words[i].islower() and words[i + n - 1][0].isupper():
                    continue  # 'outperforms Qwen2-VL': a verb or modifier before a name
                key = " ".join([*(k[0] for k in keys[i : i + n - 1]), keys[i + n - 1][1]])
                counts[key] += 1
                spellings[key, " ".join(words[i : i + n])] += 1
                places.add((key, run[i][1] * 10 // size))
                first.setdefault(key, run[i][1])
    title_keys = _phrase_keys(title)
    candidates = {
        key: _Candidate(count=c, first=first[key])
        for key, c in counts.items()
        if c >= 2 or key in title_keys
    }
    for (key, surface), c in spellings.items():
        if key in candidates:
            candidates[key].surfaces[surface] = c
    for key, tenth in places:
        if key in candidates:
            candidates[key].segments.add(tenth)
    scores = _score(candidates, size, title_keys, _phrase_keys(abstract), _english_weight)
    return _select(scores, candidates)


def _token_runs(text: str) -> list[list[tuple[str, int]]]:
    """Word sequences separated only by spaces: punctuation, numbers and blank lines break them."""
    runs: list[list[tuple[str, int]]] = [[]]
    last_end = 0
    for match in _TOKEN.finditer(text):
        gap = text[last_end : match.start()]
        word = match.group().removesuffix("'s").removesuffix("’s")
        usable = _usable_word(word)
        if not usable or not gap.isspace() or "\n\n" in gap:
            runs.append([])
        if usable:
            runs[-1].append((word, match.start()))
        last_end = match.end()
    return [run for run in runs if run]


def _usable_word(word: str) -> bool:
    """Not a stopword, an adverb, or words glued together by PDF extraction."""
    lower = word.lower()
    adverb = lower.endswith("ly") and lower not in _LY_NOUNS
    glued_or_adverb = word.islower() and (len(word) > 24 or adverb)
    return len(word) > 1 and lower not in STOPWORDS and not glued_or_adverb


@lru_cache(maxsize=65536)
def _word_key(word: str) -> tuple[str, str]:
    """The word's key inside a phrase and at a phrase's end (where plurals merge)."""
    parts = word.lower().replace("-", " ").replace("’", "'").split()
    return " ".join(parts), " ".join([*parts[:-1], _singular(parts[-1])])


def _key(words: list[str]) -> str:
    return " ".join([*(_word_key(w)[0] for w in words[:-1]), _word_key(words[-1])[1]])


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
    elif len(words) == 1 and key.endswith(_ADJECTIVE_ENDINGS) and key not in _NOUN_EXCEPTIONS:
        weight *= 0.35
    elif len(words) == 1 and surface.endswith(("ing", "ed", "est")):
        weight *= 0.6
    if words[-1] in _GENERIC_KEYS or words[0] in _GENERIC_KEYS:
        weight *= 0.7
    return weight


def _looks_like_name(word: str) -> bool:
    """Acronyms and model names: 'ViT', 'SmolVLM', 'Qwen2', 'GPU' (not 'The')."""
    core = word.rstrip("s") if word[:-1].isupper() else word
    mixed = any(c.isdigit() for c in core) and any(c.isalpha() for c in core)
    return mixed or any(c.isupper() for c in core[1:])


def _score(candidates, size, title_keys, abstract_keys, weight_of) -> dict[str, float]:
    """Frequency (less what longer terms explain), spread, position and title/abstract boosts."""
    parent_total: Counter = Counter()
    parent_count: Counter = Counter()
    for key, c in candidates.items():
        for sub in _sub_keys(key):
            if sub in candidates:
                parent_total[sub] += c.count
                parent_count[sub] += 1
    scores: dict[str, float] = {}
    for key, c in candidates.items():
        weight = weight_of(key, c.surfaces.most_common(1)[0][0])
        own = c.count - (parent_total[key] / parent_count[key] if parent_count[key] else 0.0)
        if not weight or own < 0.5:
            continue
        spread = 0.3 + len(c.segments) / 10
        position = 1.0 + 0.5 * (1 - c.first / size)
        boost = 2.5 if key in title_keys else 1.5 if key in abstract_keys else 1.0
        scores[key] = math.log2(1 + max(own, 0.5)) * weight * spread * position * boost
    return scores


def _sub_keys(key: str) -> list[str]:
    if " " not in key:  # a Chinese term: its substrings of two or more characters
        n = len(key)
        return [key[i:j] for i in range(n) for j in range(i + 2, n + 1) if j - i < n]
    n = len(words := key.split())
    return [_key(words[i:j]) for i in range(n) for j in range(i + 1, n + 1) if j - i < n]


def _select(scores: dict[str, float], candidates) -> list[tuple[str, float]]:
    """Best first; 'SmolVLM models' and 'SmolVLM-256M' are left out once 'SmolVLM' is chosen."""
    chosen: dict[str, float] = {}
    for key in sorted(scores, key=lambda k: (-scores[k], k))[:200]:
        if len(chosen) < 60 and not any(_adds_nothing(key, other) for other in chosen):
            chosen[key] = scores[key]
    return [(_display(candidates[key].surfaces), score) for key, score in chosen.items()]


def _adds_nothing(key: str, shorter: str) -> bool:
    if not key.startswith(shorter + " "):
        return False
    extra = key.removeprefix(shorter + " ").split()
    sizes = [w for w in extra if len(w) == 1 or (len(w) <= 5 and any(c.isdigit() for c in w))]
    return len(sizes) == len(extra) or all(w in _GENERIC_KEYS for w in extra)


def _display(surfaces: Counter) -> str:
    """The most frequent spelling; a capital only from sentence starts is dropped."""
    best = max(surfaces.items(), key=lambda item: (item[1], item[0].islower()))[0]
    lowered = best[0].lower() + best[1:]
    return lowered if lowered in surfaces else best


def _chinese_terms(body: str, title: str, abstract: str) -> list[tuple[str, float]]:
    joined = "\0".join(_HAN_RUN.findall(body))  # "\0" keeps n-grams inside one run
    repeated = _repeated_ngrams(joined, longest=7)
    # Branching entropy H = ln(total) - sum(c ln c) / total over the distinct neighbours; a run's
    # edge, a function character or a neighbour seen once adds 0 to that sum (all distinct).
    left: dict[str, float] = defaultdict(float)
    right: dict[str, float] = defaultdict(float)
    for gram, c in repeated.items():
        if len(gram) > 2:
            mass = c * math.log(c)
            if gram[0] not in _ZH_FUNCTION_CHARS:
                left[gram[1:]] += mass
            if gram[-1] not in _ZH_FUNCTION_CHARS:
                right[gram[:-1]] += mass
    min_count = 2 if len(joined) < 30000 else 3
    candidates: dict[str, _Candidate] = {}
    for gram, total in repeated.items():
        if total < min_count or len(gram) > 6 or gram in _ZH_GENERIC or not _zh_shape_ok(gram):
            continue
        entropy = math.log(total) - max(left[gram], right[gram]) / total
        if entropy >= min(0.7, 0.5 * math.log(total)):
            candidates[gram] = _Candidate(count=float(total), surfaces=Counter({gram: 1}))
    ranked = sorted(candidates, key=lambda g: (-candidates[g].count * _chinese_weight(g, g), g))
    size = max(len(joined), 1)  # positions in the Chinese text alone stand in for the body's
    for gram in ranked[:300]:  # only likely winners need their spread measured
        candidate = candidates[gram]
        start = candidate.first = joined.find(gram)
        while start >= 0:
            candidate.segments.add(start * 10 // size)
            start = joined.find(gram, start + len(gram))
    kept = {g: candidates[g] for g in ranked[:300]}
    title_keys = {g for g in kept if g in title}
    abstract_keys = {g for g in kept if g in abstract}
    return _select(_score(kept, size, title_keys, abstract_keys, _chinese_weight), kept)


def _repeated_ngrams(joined: str, longest: int) -> dict[str, int]:
    """Counts of the 2..longest-character n-grams seen more than once. An n-gram can only repeat
    where its first n-1 characters do, so each length only slices at those places."""
    repeated: dict[str, int] = {}
    starts: list[int] = list(range(len(joined) - 1))
    for n in range(2, longest + 1):
        grams = [joined[i : i + n] for i in starts]  # near the end: shorter, seen once
        kept = {g: c for g, c in Counter(grams).items() if c > 1 and "\0" not in g}
        repeated.update(kept)
        starts = [i for i, g in zip(starts, grams, strict=True) if g in kept]
    return repeated


def _zh_shape_ok(gram: str) -> bool:
    edges_ok = gram[0] not in _ZH_NO_START and gram[-1] not in _ZH_NO_END
    pieces = {gram, *(gram[i : i + 2] for i in range(len(gram) - 1))}
    return edges_ok and _ZH_NEVER.isdisjoint(gram) and _ZH_STOP_WORDS.isdisjoint(pieces)


def _chinese_weight(key: str, surface: str) -> float:
    return 0.0 if key in _ZH_GENERIC else (0.8, 1.3, 1.7, 2.0, 2.0)[min(len(key), 6) - 2]


def _merge(lists: list[list[tuple[str, float]]], limit: int) -> list[str]:
    """Interleave ranked lists by score relative to each list's best, without duplicates."""
    pooled = sorted((-s / terms[0][1], r, t) for terms in lists for r, (t, s) in enumerate(terms))
    unique: dict[str, str] = {}
    for *_, term in pooled:
        unique.setdefault(term.lower(), term)
    return list(unique.values())[:limit]
