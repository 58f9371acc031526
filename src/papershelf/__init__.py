"""papershelf: a local research-paper library for language models, reachable through MCP."""

from papershelf.core.errors import PapershelfError
from papershelf.core.models import Citation, Hit, Paper, Passage
from papershelf.core.settings import Settings
from papershelf.library import Library

__all__ = ["Citation", "Hit", "Library", "Paper", "PapershelfError", "Passage", "Settings"]
__version__ = "0.1.0"
