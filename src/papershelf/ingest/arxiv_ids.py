"""Recognise arXiv identifiers in every form people paste: bare ids, `arXiv:` prefixes, abs/pdf URLs."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from papershelf.core.errors import InputError

ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})

# Archives that issued old-style ids (archive/YYMMNNN) before April 2007.
OLD_STYLE_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
        "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
        "solv-int", "supr-con",
    }
)  # fmt: skip

_NEW_STYLE = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<seq>\d{4,5})(?:v(?P<version>\d+))?")
_OLD_STYLE = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?P<subject>\.[A-Z]{2})?/"
    r"(?P<yy>\d{2})(?P<mm>\d{2})(?P<seq>\d{3})(?:v(?P<version>\d+))?"
)
_PREFIX = re.compile(r"arxiv:\s*", re.IGNORECASE)
_URL_PATH = re.compile(r"/(?:abs|pdf|html)/(?P<id>.+?)(?:\.pdf)?/?")
# Shapes that can only have been meant as an arXiv id, even when malformed (2504.5299, 2504.05299v).
_ID_LIKE = re.compile(
    r"\d{4}\.\d{1,6}(?:v\d*)?|(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?/\d+(?:v\d*)?"
)

INVALID_ID_HINT = "expected forms like 2504.05299, 2504.05299v2, hep-th/9901001"


@dataclass(frozen=True, slots=True)
class ArxivRef:
    """An arXiv paper: its id without version (`2504.05299`, `hep-th/9901001`) and an optional version."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        """The id as arXiv writes it: `2504.05299v2`, or the bare id when no version was given."""
        return f"{self.id}v{self.version}" if self.version else self.id

    def __str__(self) -> str:
        return self.versioned


def parse_arxiv_reference(text: str) -> ArxivRef | None:
    """The arXiv paper `text` names (id, `arXiv:` id, or arxiv.org URL), or None if it names none."""
    candidate = _strip_wrapper(text.strip())
    if candidate is None:
        return None
    return _parse_bare_id(candidate)


def is_arxiv_like(text: str) -> bool:
    """Whether `text` was meant as an arXiv reference, valid or not (so it is not taken for a file name)."""
    stripped = text.strip()
    if _PREFIX.match(stripped) or _arxiv_url_parts(stripped) is not None:
        return True
    shape = _ID_LIKE.fullmatch(stripped)
    if shape is None:
        return False
    return shape.group("archive") is None or shape.group("archive") in OLD_STYLE_ARCHIVES


def require_arxiv_reference(text: str) -> ArxivRef:
    """The arXiv paper `text` names; InputError with the accepted forms when it names none."""
    ref = parse_arxiv_reference(text)
    if ref is None:
        raise InputError(f"{text.strip()!r} is not a valid arXiv id ({INVALID_ID_HINT})")
    return ref


def _strip_wrapper(text: str) -> str | None:
    """The bare id inside an `arXiv:` prefix or an arxiv.org URL; the text itself when unwrapped."""
    prefix = _PREFIX.match(text)
    if prefix:
        return text[prefix.end() :]
    url_parts = _arxiv_url_parts(text)
    if url_parts is None:
        return None if "://" in text else text
    path_match = _URL_PATH.fullmatch(url_parts)
    return path_match.group("id") if path_match else None


def _arxiv_url_parts(text: str) -> str | None:
    """The path of `text` when it is an arxiv.org URL (scheme optional), else None."""
    with_scheme = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(with_scheme)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if (parts.hostname or "").lower() not in ARXIV_HOSTS:
        return None
    return parts.path


def _parse_bare_id(candidate: str) -> ArxivRef | None:
    new_style = _NEW_STYLE.fullmatch(candidate)
    if new_style:
        return _new_style_ref(new_style)
    old_style = _OLD_STYLE.fullmatch(candidate)
    if old_style:
        return _old_style_ref(old_style)
    return None


def _new_style_ref(match: re.Match[str]) -> ArxivRef | None:
    yy, mm, seq = int(match["yy"]), int(match["mm"]), match["seq"]
    if not 1 <= mm <= 12 or (yy, mm) < (7, 4):
        return None
    # Sequence numbers grew from four to five digits with the January 2015 ids.
    if (len(seq) == 5) != (yy >= 15):
        return None
    version = _version(match["version"])
    if version == 0:
        return None
    return ArxivRef(f"{match['yy']}{match['mm']}.{seq}", version)


def _old_style_ref(match: re.Match[str]) -> ArxivRef | None:
    if match["archive"] not in OLD_STYLE_ARCHIVES:
        return None
    yy, mm = int(match["yy"]), int(match["mm"])
    # Old-style ids ran from August 1991 to March 2007.
    year = 1900 + yy if yy >= 91 else 2000 + yy
    if not 1 <= mm <= 12 or not (1991, 8) <= (year, mm) <= (2007, 3):
        return None
    version = _version(match["version"])
    if version == 0:
        return None
    subject = match["subject"] or ""
    return ArxivRef(
        f"{match['archive']}{subject}/{match['yy']}{match['mm']}{match['seq']}", version
    )


def _version(text: str | None) -> int | None:
    return int(text) if text is not None else None
