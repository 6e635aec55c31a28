#!/usr/bin/env bash
# Times `albatross decode` against Python peers decoding the same bytes, in one run, and
# writes the section "Instrument decoding vs Python peers (issue 3)" of BENCHMARKS.md.
#
#   bench/decode_vs_python.sh            # defaults: RUNS=5 HEX_X=100 WPR_X=1100 (≈ 3 MB)
#   RUNS=10 HEX_X=50 bench/decode_vs_python.sh
#
# Peers (PyPI, installed into bench/.venv): seabirdscientific (SBE 37 .hex) and MHKiT's
# dolfyn reader (Nortek AWAC .wpr). PyPI `dolfyn` 1.3.0 does not import with numpy 2 /
# SciPy 1.14+ (np.RankWarning, scipy.integrate.cumtrapz are gone), so MHKiT's maintained
# copy is used. OOI's mi-instrument parsers are not on PyPI.
# Large inputs (target/bench/) repeat the files' scans / data structures so that process
# start-up does not dominate.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-5}
HEX_X=${HEX_X:-100}
WPR_X=${WPR_X:-1100}
VENV=bench/.venv
PY=$VENV/bin/python
OUT=target/bench
mkdir -p "$OUT"

echo "== Python peers in $VENV" >&2
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
fi
"$PY" -m pip install -q --disable-pip-version-check "seabirdscientific==3.1.1" "mhkit==1.1.2"

if command -v hyperfine >/dev/null 2>&1; then
    TIMER=hyperfine
elif [ "$(id -u)" = 0 ] && apt-get install -y -q hyperfine >/dev/null 2>&1; then
    TIMER=hyperfine
else
    TIMER=python
fi
echo "== timer: $TIMER" >&2

echo "== building albatross (release)" >&2
cargo build --release -q -p gateway
BIN=target/release/albatross

HEX=protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.hex
WPR=protocol/tests/data/mhkit/H-AWAC_test01.wpr
AQD=protocol/tests/data/ooi/VELPT_SN_11402_2014-07-02.aqd
HEX_BIG=$OUT/SBE37SM_x$HEX_X.hex
WPR_BIG=$OUT/H-AWAC_x$WPR_X.wpr
"$PY" bench/peers.py make-hex "$HEX" "$HEX_BIG" "$HEX_X"
"$PY" bench/peers.py make-nortek "$WPR" "$WPR_BIG" "$WPR_X"

# case: label | file | peer kind; each is timed with both of our outputs (JSON lines, CSV).
FILES=(
    "SBE37SM .hex (seabirdscientific)|$HEX|sbe37-hex"
    "SBE37SM .hex ×$HEX_X scans (seabirdscientific)|$HEX_BIG|sbe37-hex"
    "AWAC .wpr (MHKiT dolfyn)|$WPR|nortek"
    "AWAC .wpr ×$WPR_X profiles (MHKiT dolfyn)|$WPR_BIG|nortek"
)
CASES=()
for f in "${FILES[@]}"; do
    CASES+=("$f|jsonl" "$f|csv")
done

CASE_JSON=()
i=0
for c in "${CASES[@]}"; do
    IFS='|' read -r label file kind fmt <<<"$c"
    label="$label, $fmt"
    i=$((i + 1))
    echo "== $label" >&2
    ours_records=$("$BIN" decode "$file" 2>/dev/null | wc -l)
    ours="$BIN decode --output $fmt $file >/dev/null 2>&1"
    peer="$PY bench/peers.py $kind $file >/dev/null 2>&1"
    hf=$OUT/case$i.json
    if [ "$TIMER" = hyperfine ]; then
        hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$hf" \
            --command-name albatross "$BIN decode --output $fmt $file" \
            --command-name peer "$PY bench/peers.py $kind $file" \
            --output null >&2 || hyperfine --warmup 1 --runs "$RUNS" --export-json "$hf" "$ours" "$peer" >&2
    else
        "$PY" bench/report.py time "$hf" "$RUNS" "$ours" "$peer"
    fi
    inproc=$("$PY" bench/peers.py "$kind" "$file" --repeat "$RUNS" 2>/dev/null | tail -1)
    bytes=$(stat -c %s "$file")
    CASE_JSON+=("{\"label\": \"$label\", \"file\": \"$file\", \"bytes\": $bytes, \"hyperfine\": \"$hf\", \"ours_records\": $ours_records, \"inproc\": $inproc}")
done

# MHKiT on the Aquadopp (VELPT) file: recorded, not timed, when it fails.
AQD_NOTE=$("$PY" bench/peers.py nortek "$AQD" 2>&1 >/dev/null | tail -1 | tr -d '"\\' || true)
if "$PY" bench/peers.py nortek "$AQD" >/dev/null 2>&1; then
    AQD_NOTE="MHKiT dolfyn reads $AQD."
else
    AQD_NOTE="MHKiT dolfyn 1.1.2 cannot read the Aquadopp file $AQD (\`$AQD_NOTE\` in read_aqd); albatross decodes its 72 records. No Aquadopp row for that reason."
fi

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
CASES_JOINED=$(IFS=,; echo "${CASE_JSON[*]}")
VERSIONS=$("$PY" - "$TIMER" <<'EOF'
import json, platform, subprocess, sys
from importlib.metadata import version
v = {}
v["albatross"] = subprocess.run(["target/release/albatross", "--version"], capture_output=True, text=True).stdout.strip()
v["rustc"] = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
v["Python"] = platform.python_version()
for p in ["seabirdscientific", "mhkit", "numpy", "xarray", "gsw"]:
    v[p] = version(p)
if sys.argv[1] == "hyperfine":
    v["hyperfine"] = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
print(json.dumps(v))
EOF
)
RESULTS=$OUT/decode_vs_python.json
cat >"$RESULTS" <<EOF
{
  "command": "RUNS=$RUNS HEX_X=$HEX_X WPR_X=$WPR_X bench/decode_vs_python.sh",
  "machine": "$(nproc) CPUs (nproc), $CPU, $(uname -sr)",
  "timer": "$TIMER",
  "runs": $RUNS,
  "load": "$LOAD",
  "versions": $VERSIONS,
  "cases": [$CASES_JOINED],
  "notes": [
    "$AQD_NOTE",
    "The peer's SBE 37 work: read_hex_file (scan lines to counts), calibration from the header XML (a regex), convert_temperature, convert_pressure (dbar), convert_conductivity and gsw.SP_from_C; ours does the same (header parse, T, P, C, PSS-78 salinity) and also formats JSON. The peer's first scan agrees with the .cnv (bench/peers.py check-hex).",
    "Records: ours count the Nortek configuration as one more record (nortek_config), so 10 / 9 and 9901 / 9900 decode the same profiles.",
    "PyPI dolfyn 1.3.0 does not import with numpy 2 / SciPy 1.14+, so MHKiT's maintained copy of dolfyn is the Nortek peer; OOI's mi-instrument parsers are not packaged on PyPI."
  ]
}
EOF
"$PY" bench/report.py write BENCHMARKS.md "$RESULTS"
