"""Taiwan's words for things carried to the mainland's: 軟體 to 软件, 影片 to 视频, 記憶體 to
内存, 資料 to 数据. Folding traditional characters one for one (core/chinese_script.py) makes
軟體 into 软体, which shares no bigram with the 软件 of a simplified text; OpenCC's phrase table
(`tw2sp`) knows the pairs. Only a question written in traditional script is read this way: 影片
means 'film' to a mainland writer and 'video' to a Taiwan one."""

import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _converter() -> Callable[[str], str] | None:
    try:
        import opencc
    except ImportError:  # a platform without its wheel: the characters are still folded
        log.warning("OpenCC is not installed: questions in Taiwan's wording keep their words")
        return None
    convert: Callable[[str], str] = opencc.OpenCC("tw2sp").convert
    return convert


def in_mainland_words(text: str) -> str:
    """The text in simplified script with the mainland's words where Taiwan's differ. The caller
    decides that the text is Taiwan's (written in traditional script)."""
    convert = _converter()
    return convert(text) if convert is not None else text
