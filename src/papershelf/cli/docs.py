"""Generates docs/cli.md from the commands' own --help text, so the reference never drifts."""

import click

from papershelf.cli.main import cli

JSON_FORMATS = """\
## JSON output (stable)

Every `--json` output is one JSON document on stdout. Fields are only ever added, never renamed.

- `add --json`, `import --json`: `{"results": [{"source", "outcome", "paper_id", "title", "note"}],
  "failures": [{"source", "error"}]}`; `outcome` is `added`, `replaced`, `unchanged` or `skipped`.
- `list --json`: `{"total", "offset", "papers": [{"paper_id", "title", "authors", "published",
  "source", "arxiv_id", "version", "collections", "categories", "keywords", "pages"}]}`.
- `show --json`: every paper field (`paper_id`, `source`, `arxiv_id`, `version`, `title`, `authors`,
  `abstract`, `categories`, `keywords`, `published`, `updated`, `added`, `language`, `collections`,
  `pages`, `doi`, `journal_ref`, `origin`, `file_sha256`, `content_sha256`, `extractor_version`,
  `legacy_id`, `legacy_fields`: a tutorial record's fields papershelf does not know, in MongoDB
  extended JSON) plus `outline: [{"section", "heading", "level", "page_start", "page_end"}]`,
  `passages` and `characters`.
- `migrate --json`: `{"from", "to", "papers", "passages", "vectors": {embedder id: n},
  "term_vectors": {embedder id: n}, "replaced": [paper ids], "kept", "kept_records",
  "uncopied_vectors", "verified", "mismatches": [paper ids], "problems": [text]}`; exit 1 when
  `verified` is false.
- `reindex --json`: `{"lexical": whether the lexical index was rebuilt, "embedded": n, "embedder":
  model id or null}` (plus `"note"` when dense search is off).
- `search --json`: `{"query", "hits": [{"paper_id", "title", "section", "pages", "text", "score",
  "citation", "passage_id"}]}`, best first; `citation` is the bracket form `[arxiv:2504.05299 §2.2 p.4]`.
- `rm --json`: `{"removed", "title"}`.

Exit status: 0 success; 1 a user error (one line on stderr starting with `error:`, or for `add`
the list of failed inputs); 2 a usage error.
"""


HELP_OPTION_NAMES = ["-h", "--help"]


def render() -> str:
    parts = [
        "# Command-line reference\n",
        "Generated from `--help` by `python -m papershelf.cli.docs`.\n",
    ]
    context = click.Context(
        cli,
        info_name="papershelf",
        terminal_width=100,
        max_content_width=100,
        help_option_names=HELP_OPTION_NAMES,
    )
    parts.append(_section("papershelf", cli, context))
    for name in sorted(cli.list_commands(context)):
        parts.extend(_walk(cli.get_command(context, name), f"papershelf {name}", context))
    parts.append(JSON_FORMATS)
    return "\n".join(parts)


def _walk(command: click.Command | None, path: str, parent: click.Context) -> list[str]:
    if command is None:
        return []
    context = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=parent)
    parts = [_section(path, command, context)]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(context)):
            parts.extend(_walk(command.get_command(context, name), f"{path} {name}", context))
    return parts


def _section(path: str, command: click.Command, context: click.Context) -> str:
    # click caches each command's help option with the names of the first context that asked
    # for it (a test may have invoked the command alone); rebuild it so the page is stable.
    command._help_option = None  # type: ignore[attr-defined]
    help_text = command.get_help(context)
    return f"## `{path}`\n\n```\n{help_text}\n```\n"


if __name__ == "__main__":
    print(render(), end="")
