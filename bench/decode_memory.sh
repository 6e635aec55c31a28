#!/usr/bin/env bash
# Peak memory of `albatross decode` on random files (issue 15 item 3): makes a random file of
# each size (deterministic: Python's random with seed 15), decodes it with each format given
# and prints the peak RSS (/usr/bin/time -v) and its ratio to the file size.
# Usage: bash bench/decode_memory.sh [SIZES_MB] [FORMATS]
#   SIZES_MB  default "10 100";  FORMATS default "sbe37-ascii nortek optode"
#   BIN=path/to/albatross to measure another build (default: the release build, built first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="${1:-10 100}"
formats="${2:-sbe37-ascii nortek optode}"
if [ -z "${BIN:-}" ]; then
    (cd "$root" && cargo build -q --release -p gateway --bin albatross)
    BIN="$root/target/release/albatross"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '| file | format | peak RSS | RSS / file size | wall |\n|---|---|---|---|---|\n'
for mb in $sizes; do
    file="$tmp/random-$mb.bin"
    python3 -c "import random,sys; r=random.Random(15); sys.stdout.buffer.write(r.randbytes($mb*1024*1024))" > "$file"
    for fmt in $formats; do
        /usr/bin/time -v "$BIN" decode "$file" --format "$fmt" > /dev/null 2> "$tmp/time" || true
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time")
        awk -v mb="$mb" -v kb="$kb" -v fmt="$fmt" -v wall="$wall" 'BEGIN {
            printf "| %d MB random | %s | %.1f MB | %.2f× | %s |\n", mb, fmt, kb/1024, kb/1024/mb, wall }'
    done
done
