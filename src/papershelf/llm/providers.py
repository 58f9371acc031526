"""Choosing the chat model: `--llm auto|embedded|none|URL` and `--model`.

`auto` uses the configured endpoint (Ollama at OLLAMA_BASE_URL by default) when it answers and
has the model, else the embedded llama.cpp model; the returned note says which and why.
"""

from dataclasses import dataclass

from papershelf.core.errors import ConfigError, PapershelfError
from papershelf.core.settings import Settings
from papershelf.llm.chat import ChatModel
from papershelf.llm.model_files import find_gguf
from papershelf.llm.openai_chat import OpenAIChatModel

CHOICES = ("auto", "embedded", "none")


@dataclass
class ChosenModel:
    model: ChatModel | None
    """None when no model can run (or `--llm none`): answers are then the passages themselves."""
    note: str
    embedded: bool = False


async def open_chat_model(
    settings: Settings,
    llm: str = "auto",
    model: str | None = None,
    *,
    threads: int | None = None,
    retry_delay_s: float = 1.0,
) -> ChosenModel:
    llm = llm.strip()
    if llm == "none":
        return ChosenModel(
            None, "no language model (--llm none): answering with the passages found"
        )
    if llm == "embedded" or (model or "").lower().endswith(".gguf"):
        return await _embedded(settings, model, threads)
    if llm != "auto":
        endpoint = _endpoint(settings, llm, model, retry_delay_s)
        try:
            # A URL that cannot be reached is a user error; other answers surface on use.
            await endpoint.probe(must_answer=True)
        except PapershelfError:
            await endpoint.aclose()
            raise
        return ChosenModel(endpoint, f"using {endpoint.name}")
    endpoint = _endpoint(settings, settings.ollama_base_url, model, retry_delay_s)
    reason = await _unusable_reason(endpoint)
    if reason is None:
        return ChosenModel(endpoint, f"using {endpoint.name}")
    await endpoint.aclose()
    try:
        chosen = await _embedded(settings, None, threads)
    except PapershelfError as exc:
        return ChosenModel(
            None,
            f"{reason}, and the embedded model cannot run ({exc}): answering with the passages found",
        )
    chosen.note = f"{reason}: {chosen.note}"
    return chosen


def _endpoint(
    settings: Settings, url: str, model: str | None, retry_delay_s: float
) -> OpenAIChatModel:
    if "://" not in url and ":" not in url and "." not in url and url not in ("localhost",):
        raise ConfigError(f"--llm {url!r}: use auto, embedded, none or an OpenAI-compatible URL")
    return OpenAIChatModel(
        url,
        model or settings.ollama_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        retry_delay_s=retry_delay_s,
    )


async def _unusable_reason(endpoint: OpenAIChatModel) -> str | None:
    if not await endpoint.probe():
        return f"no LLM answered at {endpoint.base_url}"
    names = endpoint.available_models
    if names and endpoint.model not in names and f"{endpoint.model}:latest" not in names:
        return f"{endpoint.base_url} does not have the model {endpoint.model!r}"
    return None


async def _embedded(settings: Settings, model: str | None, threads: int | None) -> ChosenModel:
    from papershelf.llm.embedded import EmbeddedChatModel  # xllamacpp is optional

    path = find_gguf(settings.home, model)
    loaded = await EmbeddedChatModel.load(path, threads=threads)
    return ChosenModel(loaded, f"using the embedded model {loaded.name}", embedded=True)
