#!/usr/bin/env bash
# Compares two builds of `albatross decode` byte for byte (issue 15 item 3: the streaming
# decode must not change the output): every real file under protocol/tests/data and
# captures/, plus generated large and mixed inputs (a .hex with its scans repeated, a
# Nortek file repeated, SIO blocks between junk, random bytes), through every --format and
# both --output encodings; stdout, stderr and the exit code must be identical.
# Usage: OLD=path/to/old/albatross NEW=path/to/new/albatross bash bench/decode_compare.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${OLD:?set OLD to the albatross binary to compare against}"
: "${NEW:=$root/target/release/albatross}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gen="$tmp/gen"
mkdir -p "$gen"
data="$root/protocol/tests/data"
python3 - "$data" "$gen" <<'EOF'
import random, sys
data, gen = sys.argv[1], sys.argv[2]
r = random.Random(15)
def rd(p): return open(f"{data}/{p}", "rb").read()
hexf = rd("seabird/SBE37SM-RS232_03716125_2017_11_16.hex")
end = hexf.index(b"*END*\n") + 6
open(f"{gen}/big.hex", "wb").write(hexf[:end] + hexf[end:] * 100)
open(f"{gen}/big.aqd", "wb").write(rd("ooi/VELPT_SN_11402_2014-07-02.aqd") * 4500)
sio = rd("ooi/node59p1_0.ctdmo.dat")
bad = rd("ooi/node59p1_1.bad.ctdmo.dat")
parts = []
for i in range(60):
    parts += [sio, r.randbytes(r.choice([0, 7, 40, 5000, 70000, 140000])), bad]
open(f"{gen}/mixed.ctdmo.dat", "wb").write(b"".join(parts))
open(f"{gen}/long-junk.ctdmo.dat", "wb").write(sio + r.randbytes(3_000_000) + sio + sio[:1000])
open(f"{gen}/big.dosta.log", "wb").write(rd("ooi/20150330.dosta1.head600.log") * 50)
open(f"{gen}/random-10.bin", "wb").write(r.randbytes(10 * 1024 * 1024))
lines = [b"24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\n",
         b" 01247, 23.3810, 0.08525, -0.739, 21 Jul 2003, 23:02:50, 24941\r\n",
         b"CST-2405PR  11531  15780  15783  -0.087  544\r\n",
         b"junk \xff\xfe\xe2\x82 not a record\r\n", b"\r\n", b"\n", b"tail\r"]
open(f"{gen}/mixed-lines.txt", "wb").write(b"".join(r.choice(lines) for _ in range(200000)) + b"no newline\r")
EOF
formats="auto sbe37-ascii sbe37-im sbe37-raw sbe37-hex sbe37-ooi-im ooi-ctdmo nortek optode cstar"
n=0
fail=0
while IFS= read -r f; do
    for fmt in $formats; do
        for out in jsonl csv; do
            n=$((n + 1))
            set +e
            "$OLD" decode "$f" --format "$fmt" --output "$out" > "$tmp/o.out" 2> "$tmp/o.err"
            oc=$?
            "$NEW" decode "$f" --format "$fmt" --output "$out" > "$tmp/n.out" 2> "$tmp/n.err"
            nc=$?
            set -e
            if [ "$oc" != "$nc" ] || ! cmp -s "$tmp/o.out" "$tmp/n.out" || ! cmp -s "$tmp/o.err" "$tmp/n.err"; then
                fail=$((fail + 1))
                echo "DIFFERS: $f --format $fmt --output $out (exit $oc vs $nc)"
                diff "$tmp/o.err" "$tmp/n.err" | head -5 || true
            fi
        done
    done
done < <(find "$data" "$root/captures" "$gen" -type f ! -name '*.md' ! -name SHA256SUMS | sort)
echo "$n runs compared, $fail differ"
[ "$fail" = 0 ]
