"""Where a `gguf:` embedder's or reranker's model file comes from: a path on disk, or a file of a Hugging Face
model repository (`<owner>/<repo>/<file>.gguf`) downloaded once into PAPERSHELF_HOME/models/gguf.

The hub's address is HF_ENDPOINT (as the hub's own tools read it; a mirror or a local replay in
tests) and HF_TOKEN, when set, is sent for gated or private repositories. Files come from the
repository's `main`. A download is written to a file of its own beside its final name and renamed
only once complete and checked to start as GGUF does, so an interrupted one, or a page sent in
its place, leaves nothing that looks like a model; processes fetching the same file take turns.
"""

import logging
import os
import re
import tempfile
from pathlib import Path

import httpx

from papershelf.core.errors import ConfigError, SourceUnavailable
from papershelf.core.files import held_lock

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
DOWNLOAD_TIMEOUT_S = 60.0
GGUF_MAGIC = b"GGUF"
_HUB_REFERENCE = re.compile(r"^[\w.-]+/[\w.-]+/[\w.-]+\.gguf$", re.IGNORECASE)
USAGE = (
    "use 'gguf:/path/to/model.gguf' or 'gguf:<owner>/<repo>/<file>.gguf' (a Hugging Face "
    "repository, downloaded once), e.g. gguf:ggml-org/embeddinggemma-300M-GGUF/"
    "embeddinggemma-300M-Q8_0.gguf"
)


def is_hub_reference(name: str) -> bool:
    """`owner/repo/file.gguf`, with nothing that could only be a local path ('/', '~', '.')."""
    return bool(_HUB_REFERENCE.match(name)) and not name.startswith((".", "~"))


def check_name(name: str, usage: str = USAGE) -> None:
    """Raise ConfigError, saying what to write (`usage`), unless `name` is a .gguf file or a hub
    file."""
    path = Path(name).expanduser()
    if path.is_file() and path.suffix.lower() != ".gguf":
        raise ConfigError(f"{name!r} is not a .gguf file; {usage}")
    if not (path.is_file() or is_hub_reference(name)):
        raise ConfigError(f"no GGUF model file at {name!r}; {usage}")


def model_file(name: str, models_dir: Path, usage: str = USAGE) -> Path:
    """The GGUF file `name` stands for: an existing file, else a hub file (downloaded on first
    use). Raises ConfigError for a name that is neither, SourceUnavailable when the download
    fails."""
    check_name(name, usage)
    path = Path(name).expanduser()
    if path.is_file():
        return path
    kept = models_dir / "gguf" / name
    if not kept.is_file():
        kept.parent.mkdir(parents=True, exist_ok=True)
        with held_lock(kept.with_name(kept.name + ".lock")):
            if not kept.is_file():  # another process may have fetched it while we waited
                download(name, kept)
    return kept


def hub_url(reference: str) -> str:
    owner, repo, file = reference.split("/")
    endpoint = os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT
    return f"{endpoint.rstrip('/')}/{owner}/{repo}/resolve/main/{file}"


def download(reference: str, target: Path) -> None:
    """Fetch a hub file to `target`, whole or not at all: it is written to a file of its own in
    the same folder and renamed once complete and checked to be GGUF."""
    url = hub_url(reference)
    # Byte counts are compared with Content-Length, which counts what is sent: no compression.
    headers = {"Accept-Encoding": "identity"}
    if token := os.environ.get("HF_TOKEN", "").strip():
        headers["Authorization"] = f"Bearer {token}"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    partial = Path(partial_name)
    log.warning("downloading the model %s (once) to %s", url, target)
    try:
        with (
            os.fdopen(handle, "wb") as out,
            httpx.stream(
                "GET", url, headers=headers, follow_redirects=True, timeout=DOWNLOAD_TIMEOUT_S
            ) as response,
        ):
            if response.status_code != 200:
                raise SourceUnavailable(
                    f"could not download {url}: HTTP {response.status_code} ({reference!r} is "
                    "no file on disk either; check the repository and file name; a gated model "
                    "needs HF_TOKEN)"
                )
            expected = int(response.headers.get("content-length") or 0)
            for chunk in response.iter_bytes(1 << 20):
                out.write(chunk)
            written = out.tell()
            out.flush()
            os.fsync(out.fileno())  # on disk before the rename makes it the model
        if expected and written != expected:
            raise SourceUnavailable(
                f"the download of {url} stopped after {written} of {expected} bytes; run again"
            )
        with partial.open("rb") as check:
            if check.read(4) != GGUF_MAGIC:
                raise SourceUnavailable(
                    f"{url} did not send a GGUF file (a login or proxy page?); check the address, "
                    "HF_ENDPOINT and HF_TOKEN"
                )
        partial.replace(target)
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"could not download {url}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
