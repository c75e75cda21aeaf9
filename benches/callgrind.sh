#!/usr/bin/env bash
# Instructions per store lifecycle, simulated against bare, counted by callgrind: stable on a
# loaded or noisy machine where times are not. Issue 13's goal: the simulated lifecycle within
# 3x of the bare provider calls.
#
# Builds the `instructions` bench (release) and runs it under `valgrind --tool=callgrind` twice:
# M bare lifecycles, then M simulated ones (each on a fresh simulator built beforehand). Only the
# function that runs the lifecycles is counted (`--toggle-collect`), so setup is not.
#
# Then, for each K in $AFTER_K (default "0 1000"), M more lifecycles on one simulator that ran K
# before (not counted): issue 13 wants that count flat in K. And for each N in $SESSIONS (default
# "10 10000"), M session cycles (MAPILogonEx, Logoff, release) while N other sessions stay open:
# flat in N too.
#
# Usage: benches/callgrind.sh [M]   (M defaults to 100)
set -euo pipefail
cd "$(dirname "$0")/.."

m="${1:-100}"
after_k="${AFTER_K:-0 1000}"
sessions="${SESSIONS:-10 10000}"

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

# count NAME FUNCTION ARGS...: instructions in FUNCTION per lifecycle, into per[NAME].
declare -A per
count() {
  local name=$1 function=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$out/$name.out" \
    --toggle-collect="*${function}*" "$binary" "$@" >"$out/$name.log" 2>&1 || {
    cat "$out/$name.log" >&2
    exit 1
  }
  local total
  total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out/$name.out" | head -n 1)
  if [ -z "$total" ] || [ "$total" -eq 0 ]; then
    echo "callgrind counted nothing for $name (was $function renamed or inlined?)" >&2
    exit 1
  fi
  per[$name]=$((total / m))
  printf '%-24s %12d instructions per %s (%d of them, %d in all)\n' \
    "$name" "${per[$name]}" "${unit:-lifecycle}" "$m" "$total"
}

count bare measured_bare_lifecycles bare "$m"
count simulated measured_simulated_lifecycles simulated "$m"
awk -v s="${per[simulated]}" -v b="${per[bare]}" \
  'BEGIN { printf "simulated / bare: %.2fx\n", s / b }'
for k in $after_k; do
  count "simulated after $k" measured_after_lifecycles after "$k" "$m"
done
unit="session cycle"
for n in $sessions; do
  count "sessions, $n open" measured_session_cycles sessions "$n" "$m"
done
