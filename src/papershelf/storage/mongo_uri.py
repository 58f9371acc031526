"""MongoDB connection strings as text, without pymongo: shown without their password, and compared
by the server they name."""

import re

_USER_INFO = re.compile(r"^([a-z][a-z0-9+.-]*://)([^@/]*)@", re.IGNORECASE)
_PARTS = re.compile(r"^(mongodb(?:\+srv)?)://(?:[^@/]*@)?([^/?]*)", re.IGNORECASE)
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def redact(uri: str) -> str:
    """The URI without its password, fit for messages and output."""
    match = _USER_INFO.match(uri)
    if match is None or ":" not in match.group(2):
        return uri
    user = match.group(2).split(":", 1)[0]
    return f"{match.group(1)}{user}:***@{uri[match.end() :]}"


def server_identity(uri: str) -> str:
    """The servers a MongoDB URI names, spelled one way: hosts lowercased and sorted, the loopback
    names as one, the default port written out; user, auth database and options dropped (they
    change how one connects, not what is stored)."""
    match = _PARTS.match(uri.strip())
    if match is None:
        return uri.strip().rstrip("/")
    scheme, hosts = match.group(1).lower(), match.group(2)
    named = []
    for host in hosts.split(","):
        name, port = host, "" if scheme.endswith("+srv") else "27017"
        found = re.fullmatch(r"(.+):(\d+)", host)
        if found is not None:
            name, port = found.group(1), found.group(2)
        name = name.lower()
        named.append(f"{'127.0.0.1' if name in _LOOPBACK else name}:{port}")
    return f"{scheme}://{','.join(sorted(named))}/"
