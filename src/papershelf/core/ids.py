"""Stable paper ids and content hashes."""

import hashlib


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def arxiv_paper_id(arxiv_id: str) -> str:
    """The paper id of an arXiv paper: the same for every version (`arxiv:2504.05299`)."""
    return f"arxiv:{arxiv_id}"


def document_paper_id(content_sha256: str) -> str:
    """The paper id of a non-arXiv document: a prefix of its content hash (`doc:3f2a9c1b7e4d`)."""
    return f"doc:{content_sha256[:12]}"
