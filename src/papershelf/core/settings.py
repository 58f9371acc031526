"""One typed settings object.

Precedence: explicit arguments (CLI flags) > environment (`PAPERSHELF_*` and the tutorial's
names) > `.env` in the working directory > `PAPERSHELF_HOME/config.toml` > defaults.
"""

import os
import tomllib
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import AliasChoices, Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from papershelf.core.errors import ConfigError

USER_AGENT = "papershelf/0.1 (+https://pypi.org/project/papershelf; research paper library)"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything papershelf can be configured with. Each field names its environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERSHELF_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(
        default=Path("~/.papershelf"),
        description="Folder holding all user state: database, config.toml, caches, model files.",
        validation_alias=_env("PAPERSHELF_HOME"),
    )
    store: str = Field(
        default="",
        description="Store URI: 'sqlite:///path/to/file.db' (default: papershelf.db in the home) "
        "or 'mongodb://...'.",
        validation_alias=_env("PAPERSHELF_STORE"),
    )
    mongo_uri: str = Field(
        default="mongodb://localhost:27017/",
        description="MongoDB connection string (tutorial: MONGO_URI).",
        validation_alias=_env("PAPERSHELF_MONGO_URI", "MONGO_URI"),
    )
    db_name: str = Field(
        default="essay_database",
        description="Library (database) name shown to MCP clients (tutorial: DB_NAME).",
        validation_alias=_env("PAPERSHELF_DB_NAME", "DB_NAME"),
    )
    collection_name: str = Field(
        default="ai_essay",
        description="Default collection new papers go into (tutorial: COLLECTION_NAME).",
        validation_alias=_env("PAPERSHELF_COLLECTION_NAME", "COLLECTION_NAME"),
    )
    ollama_base_url: str = Field(
        default="http://localhost:11434/v1",
        description="OpenAI-compatible endpoint of the LLM (tutorial: OLLAMA_BASE_URL).",
        validation_alias=_env("PAPERSHELF_LLM_URL", "OLLAMA_BASE_URL"),
    )
    ollama_model: str = Field(
        default="qwen3:8b",
        description="Model name at that endpoint (tutorial: OLLAMA_MODEL).",
        validation_alias=_env("PAPERSHELF_LLM_MODEL", "OLLAMA_MODEL"),
    )
    llm_api_key: str = Field(
        default="",
        description="API key for the LLM endpoint, if it needs one.",
        validation_alias=_env("PAPERSHELF_LLM_API_KEY", "OPENAI_API_KEY"),
    )
    llm_enrich: bool = Field(
        default=False,
        description="Ask the LLM for title/authors (when missing), categories and keywords at ingest.",
        validation_alias=_env("PAPERSHELF_LLM_ENRICH"),
    )
    llm_timeout_s: float = Field(
        default=60.0,
        description="Timeout of one request to the LLM, embeddings or rerank endpoint, seconds.",
    )
    embedder: str = Field(
        default="use-multilingual",
        description="Dense embedder for hybrid search: 'use-multilingual' (built in, Chinese and "
        "English), 'openai:<model>' (an OpenAI-compatible /v1/embeddings "
        "at embeddings_url, e.g. Ollama's bge-m3), 'st:<hub model>' (extra sentence-transformers), "
        "'gguf:<file.gguf or owner/repo/file.gguf>' (llama.cpp in process, extra embedded) "
        "or 'none' (lexical search only). Changing it needs `papershelf reindex`.",
        validation_alias=_env("PAPERSHELF_EMBEDDER"),
    )
    warm_up: bool = Field(
        default=True,
        description="When a server starts, search once in the background so the models, indexes "
        "and dictionaries a first search loads are loaded before the first question.",
        validation_alias=_env("PAPERSHELF_WARM_UP"),
    )
    embeddings_url: str = Field(
        default="",
        description="OpenAI-compatible endpoint for 'openai:<model>' embedders (default: the LLM endpoint).",
        validation_alias=_env("PAPERSHELF_EMBEDDINGS_URL"),
    )
    embeddings_api_key: str = Field(
        default="",
        description="API key for the embeddings endpoint, if it needs one.",
        validation_alias=_env("PAPERSHELF_EMBEDDINGS_API_KEY"),
    )
    embeddings_query_prefix: str | None = Field(
        default=None,
        description="Text put before every search query the embedder embeds. Unset (with the "
        "document prefix unset too): the prompts the model's card asks for when papershelf knows "
        "it (EmbeddingGemma, nomic-embed-text, E5, Qwen3-Embedding, mxbai-embed-large), else none. "
        "Changing it needs `papershelf reindex`.",
        validation_alias=_env("PAPERSHELF_EMBEDDINGS_QUERY_PREFIX"),
    )
    embeddings_document_prefix: str | None = Field(
        default=None,
        description="Text put before every passage the embedder embeds (see "
        "embeddings_query_prefix).",
        validation_alias=_env("PAPERSHELF_EMBEDDINGS_DOCUMENT_PREFIX"),
    )
    reranker: str = Field(
        default="none",
        description="A reranking model (cross-encoder) that reads the question with each of the "
        "search's first candidates and orders them: 'none', "
        "'gguf:<file.gguf or owner/repo/file.gguf>' (llama.cpp in process, extra embedded; e.g. "
        "bge-reranker-v2-m3) or 'api:<model>' (a /v1/rerank endpoint at reranker_url: "
        "llama-server --reranking, vLLM, Jina, Cohere).",
        validation_alias=_env("PAPERSHELF_RERANKER"),
    )
    reranker_url: str = Field(
        default="",
        description="The /v1/rerank endpoint of an 'api:<model>' reranker.",
        validation_alias=_env("PAPERSHELF_RERANKER_URL"),
    )
    reranker_api_key: str = Field(
        default="",
        description="API key for the rerank endpoint, if it needs one.",
        validation_alias=_env("PAPERSHELF_RERANKER_API_KEY"),
    )
    rerank_depth: int = Field(
        default=20,
        ge=1,
        le=200,
        description="How many of the search's first candidates the reranker reads (it reads "
        "each with the question, so time grows with it).",
        validation_alias=_env("PAPERSHELF_RERANK_DEPTH"),
    )
    mongo_server_url: str = Field(
        default="http://localhost:9002/sse",
        description="URL of an MCP paper server for clients (tutorial: MONGO_SERVER_URL).",
        validation_alias=_env("PAPERSHELF_MONGO_SERVER_URL", "MONGO_SERVER_URL"),
    )
    qweather_api_host: str = Field(
        default="",
        description="QWeather API host, e.g. https://xxxx.re.qweatherapi.com.",
        validation_alias=_env("PAPERSHELF_QWEATHER_API_HOST", "QWEATHER_API_HOST"),
    )
    qweather_api_key: str = Field(
        default="",
        description="QWeather API key (sent as X-QW-Api-Key).",
        validation_alias=_env("PAPERSHELF_QWEATHER_API_KEY", "QWEATHER_API_KEY"),
    )
    arxiv_api_url: str = Field(
        default="https://export.arxiv.org/api/query", description="arXiv Atom API endpoint."
    )
    arxiv_pdf_url: str = Field(
        default="https://arxiv.org/pdf", description="Base URL of arXiv PDFs."
    )
    arxiv_delay_s: float = Field(
        default=3.0, description="Minimum seconds between two requests to arXiv (its usage policy)."
    )
    http_timeout_s: float = Field(default=30.0, description="Timeout of one HTTP request, seconds.")
    http_retries: int = Field(
        default=3, description="Retries of a failed HTTP request (with backoff)."
    )
    max_download_mb: int = Field(default=100, description="Largest document downloaded, MiB.")
    user_agent: str = Field(default=USER_AGENT, description="User-Agent sent to remote services.")
    sqlite_busy_timeout_ms: int = Field(
        default=5000,
        description="How long a SQLite write waits for another writer before giving up, ms.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            _HomeConfigToml(settings_cls, init_settings),
            file_secret_settings,
        )

    def model_post_init(self, __context: Any) -> None:
        self.home = self.home.expanduser()
        if not self.store:
            self.store = f"sqlite:///{self.home / 'papershelf.db'}"

    @property
    def store_kind(self) -> str:
        if self.store.startswith("sqlite:///"):
            return "sqlite"
        if self.store.startswith(("mongodb://", "mongodb+srv://")):
            return "mongodb"
        raise ConfigError(
            f"unknown store URI {self.store!r}: use sqlite:///path/to/file.db or mongodb://host:port"
        )

    @property
    def sqlite_path(self) -> Path:
        if self.store_kind != "sqlite":
            raise ConfigError(f"store {self.store!r} is not a SQLite store")
        return Path(self.store.removeprefix("sqlite:///")).expanduser()


def _home_from_env_or_dotenv() -> Path:
    value = os.environ.get("PAPERSHELF_HOME")
    if not value and Path(".env").is_file():
        value = dotenv_values(".env").get("PAPERSHELF_HOME")
    return Path(value or "~/.papershelf").expanduser()


class _HomeConfigToml(PydanticBaseSettingsSource):
    """Reads PAPERSHELF_HOME/config.toml (keys are field names)."""

    def __init__(self, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        given = init_settings()
        home = given.get("PAPERSHELF_HOME") or given.get("home")  # --home names the config to read
        path = (Path(home).expanduser() if home else _home_from_env_or_dotenv()) / "config.toml"
        self._data: dict[str, Any] = {}
        if path.is_file():
            try:
                self._data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it") from exc

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        known = set(self.settings_cls.model_fields)
        return {k: v for k, v in self._data.items() if k in known}
