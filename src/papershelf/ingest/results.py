"""What adding one source did: apart from the ingestion code, so that reporting it (the CLI, the
library's report) does not load the parsers."""

from dataclasses import dataclass
from typing import Literal

from papershelf.core.models import Paper

Outcome = Literal["added", "replaced", "unchanged", "skipped"]


@dataclass
class AddResult:
    """What happened to one source."""

    source: str
    outcome: Outcome
    paper: Paper
    note: str = ""
