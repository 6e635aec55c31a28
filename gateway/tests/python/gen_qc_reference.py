#!/usr/bin/env python3
"""Reference QARTOD flags for `gateway::qc`, computed with PyPI ioos_qc (3.0.0).

Writes (both committed):
  gateway/tests/data/qc_reference_config.json  per series: our config (the serde form of
      `gateway::qc::VariableTests`), translated below into ioos_qc arguments
  gateway/tests/data/qc_reference.csv          per value: series, time, value, depth and
      the ioos_qc flags of gross_range, climatology, spike (average and differential),
      rate_of_change, flat_line, and the aggregate (qartod_compare)

Series (deterministic):
  check     outputs-and-qc.md section 4.3 check vector (12 values)
  synth_t   3000 half-hourly temperatures from 2024-01-20 (Jan-Mar) around 13.2 C, with
            injected spikes, flat lines, out-of-range values, NaNs and rate jumps
  synth_s   1500 salinities every ~10 min from 2024-06-01 with gaps, timing jitter
            (including sub-second), spikes, flat lines and NaNs
  sbe37     the 5502 temperatures of protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.cnv
            (90 s from 2017-11-10T18:00:01), real flat lines at the sensor resolution

`aggregate_fixed` is qartod_compare over the same flags but with ioos_qc's climatology
quirk corrected (it flags NaN as GOOD; we flag it MISSING); `aggregate` is the raw one.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install ioos_qc
      /tmp/venv/bin/python gateway/tests/python/gen_qc_reference.py
"""
import json
import os

import numpy as np
import pandas as pd
from ioos_qc import qartod

HERE = os.path.dirname(os.path.abspath(__file__))
GATEWAY = os.path.normpath(os.path.join(HERE, "..", ".."))
REPO = os.path.normpath(os.path.join(GATEWAY, ".."))
CNV = os.path.join(REPO, "protocol", "tests", "data", "seabird", "SBE37SM-RS232_03716125_2017_11_16.cnv")


def check_series():
    x = [13.20, 13.21, 13.19, 15.5, 13.20, 13.22, np.nan, 13.23, 13.23, 13.23, 13.23, 13.24]
    t = pd.date_range("2024-01-01T00:00Z", periods=len(x), freq="30min").tz_convert(None)
    cfg = {
        "gross_range": {"fail_span": [-2.0, 40.0], "suspect_span": [12.5, 14.0]},
        "climatology": [{"months": [1, 3], "suspect_span": [12.5, 14.0], "fail_span": [10.0, 16.0]}],
        "spike": {"suspect_threshold": 0.5, "fail_threshold": 1.5},
        "rate_of_change": {"threshold_per_s": 1e-4, "fail_threshold_per_s": 1e-3},
        "flat_line": {"suspect_threshold_s": 3600, "fail_threshold_s": 5400, "tolerance": 0.001},
    }
    return t, np.array(x), np.full(len(x), np.nan), cfg


def synth_t():
    rng = np.random.default_rng(11)
    n = 3000
    t = pd.date_range("2024-01-20T00:00Z", periods=n, freq="30min").tz_convert(None)
    hours = np.arange(n) * 0.5
    x = 13.2 + 0.05 * np.sin(2 * np.pi * hours / 12.42) + rng.normal(0, 0.002, n)
    x = np.round(x, 4)
    for i in rng.choice(np.arange(5, n - 5), 40, replace=False):  # spikes
        x[i] += rng.choice([-1, 1]) * rng.choice([0.7, 2.0, 0.3])
    for i in rng.choice(np.arange(5, n - 5), 10, replace=False):  # out of range
        x[i] = rng.choice([40.5, 14.5, 12.0, -6.0])
    for start, length in [(100, 3), (400, 4), (900, 6), (1500, 10), (2200, 5), (2700, 12)]:  # flat
        x[start:start + length] = x[start]
    for start, step in [(600, 0.3), (1200, -0.25), (1800, 2.0), (1810, -2.0), (2400, 0.15)]:  # rate jumps (steps)
        x[start:] += step
    for i in rng.choice(np.arange(0, n), 25, replace=False):  # NaNs
        x[i] = np.nan
    x[2000:2005] = np.nan
    x[0] = np.nan
    depth = np.full(n, 2450.0)
    cfg = {
        "gross_range": {"fail_span": [-5.0, 35.0], "suspect_span": [12.5, 14.0]},
        "climatology": [
            {"months": [1, 1], "suspect_span": [13.0, 13.4], "fail_span": [12.0, 15.0], "depth_span_m": [2000.0, 2600.0]},
            {"months": [2, 2], "suspect_span": [13.1, 13.5]},
            {"months": [2, 2], "suspect_span": [0.0, 1.0], "fail_span": [-1.0, 2.0], "depth_span_m": [0.0, 1000.0]},
        ],
        "spike": {"suspect_threshold": 0.5, "fail_threshold": 1.5},
        "rate_of_change": {"threshold_per_s": 1e-4, "fail_threshold_per_s": 1e-3},
        "flat_line": {"suspect_threshold_s": 5400, "fail_threshold_s": 9000, "tolerance": 0.0005},
    }
    return t, x, depth, cfg


def synth_s():
    rng = np.random.default_rng(12)
    n = 1500
    secs = np.arange(n) * 600.0
    secs[700:] += 3 * 3600  # a 3-hour gap
    jitter = rng.choice([0.0, 0.0, 0.0, 1.0, -1.0, 0.5, -0.5, 0.25], n)
    secs = secs + jitter
    t = pd.Timestamp("2024-06-01T00:00:00") + pd.to_timedelta(secs, unit="s")
    x = np.round(38.48 + rng.normal(0, 0.003, n), 4)
    for i in rng.choice(np.arange(3, n - 3), 25, replace=False):
        x[i] += rng.choice([-1, 1]) * rng.choice([0.02, 0.2, 0.008])
    for start, length in [(50, 4), (300, 7), (1000, 3), (1300, 9)]:
        x[start:start + length] = x[start]
    for i in rng.choice(np.arange(0, n), 15, replace=False):
        x[i] = np.nan
    x[-1] = np.nan
    depth = np.full(n, 2420.0)
    cfg = {
        "gross_range": {"fail_span": [2.0, 42.0], "suspect_span": [38.3, 38.7]},
        "climatology": [{"months": [6, 7], "suspect_span": [38.45, 38.52], "fail_span": [38.0, 39.0]}],
        "spike": {"suspect_threshold": 0.01, "fail_threshold": 0.1},
        "rate_of_change": {"threshold_per_s": 2e-5, "fail_threshold_per_s": 2e-4},
        "flat_line": {"suspect_threshold_s": 1800, "fail_threshold_s": 3000, "tolerance": 0.0001},
    }
    return t, x, depth, cfg


def sbe37():
    vals = []
    with open(CNV) as f:
        for line in f:
            if line.startswith(("#", "*")) or not line.strip():
                continue
            vals.append(float(line.split()[0]))
    x = np.array(vals)
    t = pd.Timestamp("2017-11-10T18:00:01") + pd.to_timedelta(np.arange(len(x)) * 90, unit="s")
    depth = np.full(len(x), 20.0)
    cfg = {
        "gross_range": {"fail_span": [-5.0, 35.0], "suspect_span": [-1.95, -1.9]},
        "climatology": [{"months": [11, 11], "suspect_span": [-1.92, -1.90], "fail_span": [-2.5, 0.0], "depth_span_m": [0.0, 50.0]}],
        "spike": {"suspect_threshold": 0.002, "fail_threshold": 0.01},
        "rate_of_change": {"threshold_per_s": 1e-5, "fail_threshold_per_s": 1e-4},
        "flat_line": {"suspect_threshold_s": 270, "fail_threshold_s": 450, "tolerance": 0.0001},
    }
    return t, x, depth, cfg


def ioos_flags(t, x, depth, cfg):
    g = cfg["gross_range"]
    gross = qartod.gross_range_test(x, fail_span=g["fail_span"], suspect_span=g["suspect_span"])
    members = []
    for m in cfg["climatology"]:
        d = {"tspan": m["months"], "vspan": m["suspect_span"], "period": "month"}
        if "fail_span" in m:
            d["fspan"] = m["fail_span"]
        if "depth_span_m" in m:
            d["zspan"] = m["depth_span_m"]
        members.append(d)
    clim = qartod.climatology_test(members, x, t, depth)
    s = cfg["spike"]
    spike_avg = qartod.spike_test(x, s["suspect_threshold"], s["fail_threshold"], method="average")
    spike_diff = qartod.spike_test(x, s["suspect_threshold"], s["fail_threshold"], method="differential")
    r = cfg["rate_of_change"]
    roc = qartod.rate_of_change_test(x, t, r["threshold_per_s"], r["fail_threshold_per_s"])
    fl = cfg["flat_line"]
    flat = qartod.flat_line_test(x, t, fl["suspect_threshold_s"], fl["fail_threshold_s"], fl["tolerance"])
    agg = qartod.qartod_compare([np.asarray(a) for a in (gross, clim, spike_avg, roc, flat)])
    clim_fixed = np.where(np.isfinite(x), np.asarray(clim), 9)
    agg_fixed = qartod.qartod_compare([np.asarray(a) for a in (gross, clim_fixed, spike_avg, roc, flat)])
    cols = {
        "gross_range": gross, "climatology": clim, "spike_average": spike_avg,
        "spike_differential": spike_diff, "rate_of_change": roc, "flat_line": flat,
        "aggregate": agg, "aggregate_fixed": agg_fixed,
    }
    return {k: np.asarray(v).astype(int) for k, v in cols.items()}


def main():
    import ioos_qc
    series = {"check": check_series(), "synth_t": synth_t(), "synth_s": synth_s(), "sbe37": sbe37()}
    configs = {}
    out = os.path.join(GATEWAY, "tests", "data", "qc_reference.csv")
    names = ["gross_range", "climatology", "spike_average", "spike_differential",
             "rate_of_change", "flat_line", "aggregate", "aggregate_fixed"]
    with open(out, "w") as f:
        f.write(f"# ioos_qc {ioos_qc.__version__}; generated by gateway/tests/python/gen_qc_reference.py\n")
        f.write("series,time_ms,value,depth_m," + ",".join(names) + "\n")
        for sid, (t, x, depth, cfg) in series.items():
            configs[sid] = cfg
            flags = ioos_flags(t, x, depth, cfg)
            ms = np.asarray((pd.DatetimeIndex(t) - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1), dtype=np.int64)
            for i in range(len(x)):
                row = [sid, str(ms[i]), repr(float(x[i])), repr(float(depth[i]))]
                row += [str(flags[k][i]) for k in names]
                f.write(",".join(row) + "\n")
            print(sid, len(x), {k: np.bincount(v, minlength=10)[[1, 2, 3, 4, 9]].tolist() for k, v in flags.items()})
    with open(os.path.join(GATEWAY, "tests", "data", "qc_reference_config.json"), "w") as f:
        json.dump(configs, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
