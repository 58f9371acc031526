"""What every command shares: settings from global flags, one library, JSON output."""

import json
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from papershelf.core.errors import ConfigError
from papershelf.core.settings import Settings
from papershelf.library import Library


class AppContext:
    def __init__(self, home: Path | None, store: str | None):
        overrides: dict[str, Any] = {}
        if home is not None:
            overrides["home"] = home
        if store is not None:
            overrides["store"] = store
        self._overrides = overrides
        self._settings: Settings | None = None
        self._library: Library | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings(**self._overrides)
            except ValidationError as exc:
                problems = "; ".join(_describe(error) for error in exc.errors())
                raise ConfigError(
                    f"invalid setting ({problems}); check the environment, .env and config.toml"
                ) from exc
        return self._settings

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = Library(self.settings)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


pass_app = click.make_pass_decorator(AppContext)


def emit_json(payload: Any) -> None:
    """Machine output: one JSON document on stdout, UTF-8, keys in a stable order."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (stable format) instead of text."
)


def _describe(error: Any) -> str:
    """One invalid setting, named as the user sets it (`PAPERSHELF_HTTP_TIMEOUT_S`)."""
    name = ".".join(str(part) for part in error["loc"]) or "settings"
    if name.isidentifier() and not name.isupper():
        name = f"{name} (PAPERSHELF_{name.upper()})"
    return f"{name}: {error['msg']}"
