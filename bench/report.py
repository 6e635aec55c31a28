#!/usr/bin/env python3
"""Timing and reporting for bench/decode_vs_python.sh (standard library only).

    report.py time OUT.json RUNS CMD...   time each CMD (a shell command string) RUNS times
                                          after one warm-up, write hyperfine-shaped JSON
                                          (used when hyperfine is not installed)
    report.py write BENCH.md RESULTS.json write/replace the issue-3 section of BENCH.md

RESULTS.json (made by the shell script) holds the machine, versions, the command line and
one entry per case: hyperfine JSON path, in-process peer timing, record counts, notes.
"""

import json
import os
import statistics
import subprocess
import sys
import time

HEADING = "## Instrument decoding vs Python peers (issue 3)"


def time_cmds(out, runs, cmds):
    results = []
    for cmd in cmds:
        subprocess.run(cmd, shell=True, check=True)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, shell=True, check=True)
            times.append(time.perf_counter() - t0)
        results.append({
            "command": cmd,
            "mean": statistics.mean(times),
            "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
            "min": min(times),
            "max": max(times),
            "times": times,
        })
    with open(out, "w") as f:
        json.dump({"results": results}, f)


def fmt_s(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def section(res):
    lines = [HEADING, ""]
    lines.append(
        "Each side decodes the same bytes to values: `albatross decode --output jsonl|csv FILE` "
        "(release build, JSON lines or CSV written to /dev/null: it also formats every record) "
        "against the Python "
        "peer (values in memory as numpy/xarray, nothing written). Whole-process times come "
        f"from {res['timer']} ({res['runs']} runs after a warm-up; mean ± σ, and the minimum). "
        "The headline ratio is against the peer's decode call alone, timed in-process (imports "
        "and interpreter start-up excluded, best of the same number of runs), with our whole "
        "process, start-up included, as a user runs it (its minimum); the whole-process ratio, "
        "which includes the interpreter's start-up and imports, stands beside it."
    )
    lines.append("")
    lines.append(f"Command: `{res['command']}`")
    lines.append("")
    lines.append(f"Machine: {res['machine']}")
    lines.append("")
    lines.append("Versions: " + ", ".join(f"{k} {v}" for k, v in res["versions"].items()))
    lines.append("")
    lines.append(
        "| input, our output | bytes | records (ours / peer) | albatross (process) "
        "| peer decode call, in-process | **ratio: in-process peer / our process** "
        "| Python peer (process) | ratio, both whole processes |"
    )
    lines.append("|---|---|---|---|---|---|---|---|")
    for c in res["cases"]:
        with open(c["hyperfine"]) as f:
            hf = json.load(f)["results"]
        ours, peer = hf[0], hf[1]
        inproc = c["inproc"]
        ratio = peer["mean"] / ours["mean"]
        ratio_min = peer["min"] / ours["min"]
        ratio_in = inproc["best_s"] / ours["min"]
        lines.append(
            f"| {c['label']} | {c['bytes']:,} | {c['ours_records']:,} / {inproc['records']:,} "
            f"| {fmt_s(ours['mean'])} ± {fmt_s(ours['stddev'])} (min {fmt_s(ours['min'])}) "
            f"| {fmt_s(inproc['best_s'])} | **{ratio_in:.1f}×** "
            f"| {fmt_s(peer['mean'])} ± {fmt_s(peer['stddev'])} (min {fmt_s(peer['min'])}) "
            f"| {ratio:.0f}× (min/min {ratio_min:.0f}×) |"
        )
    lines.append("")
    lines.append(f"Target: ≥ 50× (brief §5). Load average during the run: {res['load']}.")
    for n in res.get("notes", []):
        lines.append("")
        lines.append(n)
    lines.append("")
    return "\n".join(lines)


def write_md(md_path, results_path):
    with open(results_path) as f:
        res = json.load(f)
    new = section(res)
    old = ""
    if os.path.exists(md_path):
        with open(md_path) as f:
            old = f.read()
    if HEADING in old:
        start = old.index(HEADING)
        rest = old[start + len(HEADING):]
        nxt = rest.find("\n## ")
        end = len(old) if nxt < 0 else start + len(HEADING) + nxt + 1
        text = old[:start] + new + ("\n" if end < len(old) else "") + old[end:]
    elif old:
        text = old.rstrip("\n") + "\n\n" + new
    else:
        text = "# Benchmarks\n\n" + new
    with open(md_path, "w") as f:
        f.write(text)
    print(new)


def main(argv):
    if len(argv) >= 4 and argv[0] == "time":
        time_cmds(argv[1], int(argv[2]), argv[3:])
        return 0
    if len(argv) == 3 and argv[0] == "write":
        write_md(argv[1], argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
