#!/usr/bin/env bash
# The 10-year reprocess (issue 16): a realistic raw archive of one mooring — 10 MicroCATs
# every 30 min for 3652 days (1.75 M samples), through the simulator's controller, encoder,
# acoustic channel (2 % frame loss in the good state) and shore-side repair, written as the
# gateway archives a link (`<dir>/raw/albatross-modem/<YYYYMMDD>.cap`) — then
# `albatross reprocess` of it with bench/reprocess/albatross-10y.toml (derived variables,
# QC, CSV + NetCDF), timed as a user runs it. Prints a Markdown table for BENCHMARKS.md.
#
# Usage: bash bench/reprocess_10y.sh [DAYS]      (DAYS default 3652)
#   DIR=...    where the archive is kept between runs (default target/bench/archive-<DAYS>d;
#              it is generated only when missing: same seed, same bytes)
#   RUNS=N     reprocess runs (default 1); each into a fresh directory, all removed at the end
#   OUT=DIR    where the runs write (default $DIR; e.g. /dev/shm to time the work without the
#              disk: creating ~80 000 files is most of a run on a slow filesystem)
#   BIN_DIR=.. another build's binaries (default: the release build, built first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
days="${1:-3652}"
dir="${DIR:-$root/target/bench/archive-${days}d}"
runs="${RUNS:-1}"
if [ -z "${BIN_DIR:-}" ]; then
    (cd "$root" && cargo build -q --release -p gateway --bin albatross \
        -p firmware-shim --features firmware-shim/sim --bin albatross-sim)
    BIN_DIR="$root/target/release"
fi
config="$root/bench/reprocess/albatross-10y.toml"
raw="$dir/raw"
if [ ! -f "$dir/generated" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    /usr/bin/time -v "$BIN_DIR/albatross-sim" record --archive "$raw/albatross-modem" \
        --duration "${days}d" --instruments 10 --loss-good 0.02 --repair --seed 16 \
        2> "$dir/generate.log"
    touch "$dir/generated"
fi
gen_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/generate.log")
samples=$(grep -o '[0-9]* samples measured' "$dir/generate.log" | cut -d' ' -f1)
files=$(find "$raw" -name '*.cap' | wc -l)
size=$(du -sm "$raw" | cut -f1)
echo "archive: $files day files, $size MB, $samples samples measured; generated in $gen_wall ($dir/generate.log)"
echo
cpus=$(nproc)
out_root="${OUT:-$dir}"
outs=()
trap 'rm -rf "${outs[@]}"' EXIT
printf '| run | output on | wall | user + sys CPU | records | records/s | records/s per core | peak RSS | day files |\n|---|---|---|---|---|---|---|---|---|\n'
for run in $(seq 1 "$runs"); do
    out="$out_root/albatross-reprocess-$run-$$"
    outs+=("$out")
    fs=$(df -T "$out_root" | awk 'NR==2 {print $2}')
    /usr/bin/time -v "$BIN_DIR/albatross" reprocess --config "$config" --raw "$raw" --out "$out" \
        2> "$dir/reprocess.log"
    line=$(grep '^reprocessed' "$dir/reprocess.log")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/reprocess.log")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/reprocess.log")
    user=$(awk -F': ' '/User time/ {print $2}' "$dir/reprocess.log")
    sys=$(awk -F': ' '/System time/ {print $2}' "$dir/reprocess.log")
    t=$(echo "$line" | sed -E 's/.*bad bytes; ([0-9.]+) s .*/\1/')
    r=$(echo "$line" | sed -E 's/.*; ([0-9]+) records decoded.*/\1/')
    f=$(echo "$line" | sed -E 's/^[^:]*: ([0-9]+) day files.*/\1/')
    echo "$t $r $f $user $sys" | awk -v kb="$kb" -v wall="$wall" -v cpus="$cpus" -v run="$run" -v fs="$fs" '{
        printf "| %d | %s | %s | %.1f + %.1f s | %d | %.0f | %.0f | %.0f MB | %d |\n",
            run, fs, wall, $4, $5, $2, $2/$1, $2/$1/cpus, kb/1024, $3 }'
done
echo
echo "machine: $cpus CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr), $(date -u +%Y-%m-%d)"
