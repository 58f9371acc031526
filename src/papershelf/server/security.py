"""Guards of the add_paper tool: local files only under allowed folders (no traversal, no symlink
escape), URLs only over http(s) to public addresses, with size and time limits.

A model may be steered by text it read (a paper, a web page) into asking for a file or an
internal address; these checks hold whatever it asks.
"""

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from papershelf.core.errors import InputError
from papershelf.core.settings import Settings
from papershelf.ingest.http import HttpFetcher
from papershelf.library import AddReport, Library

Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host name resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve {host!r}; check the URL") from exc
    return sorted({str(info[4][0]) for info in infos})


@dataclass
class WritePolicy:
    """What add_paper may read: files under `roots`, public http(s) URLs (private ones if allowed)."""

    roots: Sequence[Path] = ()
    allow_private_urls: bool = False
    max_mb: int = 50
    timeout_s: float = 120.0
    http_timeout_s: float = 30.0
    resolver: Resolver = field(default=resolve_host)

    def __post_init__(self) -> None:
        self.roots = tuple(Path(root).expanduser().resolve() for root in self.roots)

    def check(self, source: str, library: Library) -> str:
        """The input to ingest for `source`, or InputError saying why it is refused."""
        source = source.strip()
        if "\x00" in source or not source:
            raise InputError("source is empty or contains a NUL character")
        if "://" in source:
            self.check_url(source)
            return source
        local = self._local_path(source)
        if local is not None:
            return str(local)
        try:
            sources, _failures = library.plan([source])
        except OSError as exc:  # a name the file system rejects (too long, bad bytes): not a paper
            raise InputError(self._refusal(source[:200])) from exc
        if len(sources) == 1 and sources[0].kind == "arxiv":
            return source
        raise InputError(self._refusal(source[:200]))

    def check_url(self, url: str) -> None:
        """Refuse anything but http(s) to public addresses (unless private ones are allowed)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise InputError(f"{url!r} is not a valid URL") from exc
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise InputError(f"{url!r}: only http:// and https:// URLs can be added")
        if parts.username or parts.password:
            raise InputError(f"{url!r}: URLs with credentials are not accepted")
        if self.allow_private_urls:
            return
        default_port = 443 if parts.scheme.lower() == "https" else 80
        for address in self.resolver(parts.hostname, port or default_port):
            if not is_public(address):
                raise InputError(
                    f"{url!r} points to a non-public address ({address}); the server refuses "
                    "loopback, private and link-local addresses (start it with --allow-private-urls "
                    "to allow them)"
                )

    def add(self, settings: Settings, checked: str) -> AddReport:
        """Ingest a checked input through a library of its own (its own store connection, a guarded
        fetcher), so a long download never holds up the server's reads."""
        limited = settings.model_copy(
            update={
                "max_download_mb": min(settings.max_download_mb, self.max_mb),
                "http_timeout_s": min(settings.http_timeout_s, self.http_timeout_s),
                "http_retries": min(settings.http_retries, 1),
            }
        )
        fetcher = HttpFetcher(limited, check_url=self.check_url)
        with Library(limited, fetcher=fetcher) as library:
            return library.add([checked])

    def _local_path(self, source: str) -> Path | None:
        """The real path of a file under a root, None when `source` names nothing under one."""
        if not self.roots or any(ch in source for ch in "*?["):
            return None
        raw = Path(source).expanduser()
        for root in self.roots:
            candidate = raw if raw.is_absolute() else root / raw
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if not any(real.is_relative_to(r) for r in self.roots):
                raise InputError(self._refusal(source))
            if not real.is_file():
                raise InputError(f"{source!r} is not a file; add files one at a time")
            return real
        return None

    def _refusal(self, source: str) -> str:
        if not self.roots:
            return (
                f"{source!r} is not an arXiv id or an http(s) URL, and this server reads no local "
                "files (start it with --root DIR to allow a folder)"
            )
        folders = ", ".join(str(r) for r in self.roots)
        return f"{source!r} is not an arXiv id, an http(s) URL or an existing file under: {folders}"


def is_public(address: str) -> bool:
    """Whether an IP address is globally routable (not loopback, private, link-local, reserved)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
