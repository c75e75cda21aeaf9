#!/usr/bin/env bash
# Instructions per store lifecycle, simulated against bare, counted by callgrind: stable on a
# loaded or noisy machine where times are not. Issue 13's goal: the simulated lifecycle within
# 3x of the bare provider calls.
#
# Builds the `instructions` bench (release) and runs it under `valgrind --tool=callgrind` twice:
# M bare lifecycles, then M simulated ones (each on a fresh simulator built beforehand). Only the
# function that runs the lifecycles is counted (`--toggle-collect`), so setup is not.
#
# Usage: benches/callgrind.sh [M]   (M defaults to 100)
set -euo pipefail
cd "$(dirname "$0")/.."

m="${1:-100}"

if ! command -v valgrind >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
fi

binary=$(cargo bench --bench instructions --no-run 2>&1 |
  sed -n 's/.*Executable .* (\(target\/[^)]*\)).*/\1/p' | tail -n 1)
if [ -z "$binary" ]; then
  echo "the instructions bench was not built" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A per
for kind in bare simulated; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$kind.out" \
    --toggle-collect="*measured_${kind}_lifecycles*" \
    "$binary" "$kind" "$m" >"$out/$kind.log" 2>&1 || {
    cat "$out/$kind.log" >&2
    exit 1
  }
  total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out/$kind.out" | head -n 1)
  if [ -z "$total" ] || [ "$total" -eq 0 ]; then
    echo "callgrind counted nothing for $kind (was the function renamed or inlined?)" >&2
    exit 1
  fi
  per[$kind]=$((total / m))
  printf '%-10s %14d instructions per lifecycle (%d lifecycles, %d in all)\n' \
    "$kind" "${per[$kind]}" "$m" "$total"
done
awk -v s="${per[simulated]}" -v b="${per[bare]}" \
  'BEGIN { printf "simulated / bare: %.2fx\n", s / b }'
