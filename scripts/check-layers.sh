#!/usr/bin/env bash
# The layer rule of docs/architecture.md: a folder of src/ includes only the
# folders below its row of the layer table there. Prints every include that
# runs upward (or a folder the table lacks) and exits 1 when there is one.
#   scripts/check-layers.sh [REPO_ROOT]      (ctest: layers)
set -euo pipefail

root=$(realpath "${1:-$(dirname "$0")/..}")
src=$root/src

# Top to bottom: the folder column of the table, so the doc is the rule.
mapfile -t layers < <(sed -nE 's/^\| [^|]+ \| `src\/([a-z_]+)` \|.*/\1/p' "$root/docs/architecture.md")
if (( ${#layers[@]} == 0 )); then
  echo "no layer table found in $root/docs/architecture.md"
  exit 1
fi

declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

bad=0
for dir in "$src"/*/; do
  from=$(basename "$dir")
  if [[ -z "${rank[$from]+set}" ]]; then
    echo "src/$from: not in the layer table of docs/architecture.md"
    bad=1
    continue
  fi
  while IFS=: read -r file line text; do
    to=$(sed -E 's|^[[:space:]]*#[[:space:]]*include[[:space:]]+"([a-z_]+)/.*|\1|' <<<"$text")
    [[ "$to" == "$from" ]] && continue
    rel="src/${file#"$src"/}"
    if [[ -z "${rank[$to]+set}" ]] || (( rank[$to] <= rank[$from] )); then
      echo "$rel:$line: $from includes $to, which is not below it"
      bad=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z_]+/' "$dir" || true)
done

if (( bad )); then
  echo "an include runs upward: move the piece down, or the caller up (docs/architecture.md)"
  exit 1
fi
echo "every include of $src runs downward: ${layers[*]}"
