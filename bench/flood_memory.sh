#!/usr/bin/env bash
# Peak memory of `albatross run` under a flood on its modem link (issue 15): runs
# gateway/tests/fault_flood.rs (fragments of never-completed messages from every source,
# duplicate frames, garbage; then real traffic that must still be stored once) and
# tabulates the `flood …` lines it prints: bytes sent, RSS at connection, the highest VmRSS
# sampled every 5 ms and the kernel's VmHWM, against the test's bound.
# Usage: bash bench/flood_memory.sh [LENGTHS_MIB]     (default "10,50"; at least two)
# The test builds the debug binary (as `cargo test` does); the figures are the RSS of that
# process.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lengths="${1:-10,50}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
(cd "$root" && ALBATROSS_FLOOD_MB="$lengths" cargo test -q -p gateway --test fault_flood -- \
    --nocapture --test-threads 1) 2>&1 | tee "$out" >&2
printf '\n| flood | bytes sent (flood + real traffic) | RSS at connection | peak VmRSS (sampled) | VmHWM | bound | records stored once | run time |\n|---|---|---|---|---|---|---|---|\n'
grep '^flood kind=' "$out" | awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    printf "| %s, %.0f MiB | %d + %d | %.1f MiB | %.1f MiB | **%.1f MiB** | %.0f MiB | %d | %s s |\n",
        f["kind"], f["flood_bytes"] / 1048576, f["flood_bytes"], f["total_bytes"] - f["flood_bytes"],
        f["baseline_rss_kib"] / 1024, f["peak_rss_kib"] / 1024, f["vm_hwm_kib"] / 1024,
        f["bound_kib"] / 1024, f["records"], f["seconds"] }'
