#!/usr/bin/env bash
# The main job on embedded defaults: ingest the sample set, then show cited search results.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${PAPERSHELF_CORPUS:-../shared/corpus}"

if [ -d "$corpus/docs" ] && [ -d "$corpus/pdf" ]; then
  samples=("$corpus/docs" "$corpus/pdf")
  tutorial_export="$corpus/docs/essay_database.ai_essay.json"
else
  echo "(../shared/corpus not found: using the small documents in examples/)"
  samples=(examples)
  tutorial_export="examples/essay_export.json"
fi

echo "== papershelf home: $PAPERSHELF_HOME"
echo "== adding ${samples[*]}"
# Some corpus files are refused on purpose (a scanned PDF has no text layer): add lists them and
# exits 1, which is the expected outcome here, not a failure of the demo.
papershelf add "${samples[@]}" || echo "(the inputs listed above were refused, with the reason)"
echo
echo "== importing the tutorial's MongoDB export: $tutorial_export"
papershelf import "$tutorial_export"
echo
papershelf list --limit 10
for query in "pixel shuffle visual tokens" "SmolVLM有哪些技术优势?" "batch normalization internal covariate shift"; do
  echo
  echo "== papershelf search \"$query\""
  papershelf search "$query" --limit 3
done
echo
echo "== the MCP server, started in process: one search_papers call through the official SDK client"
python -m papershelf.server.demo
echo
echo "== papershelf ask \"SmolVLM有哪些技术优势?\"  (embedded SmolLM2-135M through llama.cpp, no server needed)"
papershelf ask --llm embedded "SmolVLM有哪些技术优势?"
echo
echo "To keep exploring this library: export PAPERSHELF_HOME=$PAPERSHELF_HOME"
