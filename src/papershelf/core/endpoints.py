"""Where an OpenAI-compatible service lives, from whatever a user wrote (pure string work)."""

from urllib.parse import urlsplit, urlunsplit

# Paths people paste from Ollama's native API or from request examples; the client adds its own.
_REQUEST_SUFFIXES = ("/chat/completions", "/completions", "/models", "/embeddings")
_OLLAMA_NATIVE_SUFFIXES = ("/api/generate", "/api/chat", "/api/tags", "/api/embed", "/api")


def openai_base_url(url: str) -> str:
    """The OpenAI-compatible base URL (ending in /v1 for Ollama) from what a user wrote.

    'localhost:11434', 'http://localhost:11434/api' and '.../api/generate' all give
    'http://localhost:11434/v1'; '.../v1/chat/completions' gives '.../v1'; a provider path
    such as 'https://dashscope.aliyuncs.com/compatible-mode/v1' is kept.
    """
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    scheme, netloc, path, _, _ = urlsplit(url)
    path = path.rstrip("/")
    for suffix in _REQUEST_SUFFIXES:
        if path.endswith(suffix):
            path = path.removesuffix(suffix)
            break
    for suffix in _OLLAMA_NATIVE_SUFFIXES:
        if path.endswith(suffix):
            path = path.removesuffix(suffix) + "/v1"
            break
    if not path:
        path = "/v1"
    return urlunsplit((scheme, netloc, path, "", ""))
