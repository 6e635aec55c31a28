#!/usr/bin/env python3
"""Python peers of `albatross decode`, for bench/decode_vs_python.sh.

    peers.py sbe37-hex FILE [--repeat N]   seabirdscientific: read the .hex scans, parse the
                                           header's calibration, convert T, C, P (dbar) and
                                           PSS-78 salinity (gsw.SP_from_C) for every scan
    peers.py nortek FILE [--repeat N]      MHKiT's dolfyn reader: mhkit.dolfyn.read(FILE)
    peers.py make-hex SRC DST N            SRC's header, then its scan lines N times
    peers.py make-nortek SRC DST N         SRC's configuration structures (up to the first
                                           data structure), then its data structures N times
    peers.py check-hex FILE                print the first scan as the peer decodes it

Without --repeat the decode runs once (the whole process is timed from outside). With
--repeat N it runs N times in-process and prints one JSON line with the best and median
seconds of the decode call alone (imports and interpreter start-up excluded).
"""

import json
import re
import statistics
import sys
import time
import warnings

warnings.simplefilter("ignore")


# ------------------------------------------------------------------ SBE 37 hex (seabirdscientific)

def _coefficients(path):
    """The <CalibrationCoefficients> of a .hex header, as {format: {name: value}}."""
    groups, current = {}, None
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("*END*"):
                break
            m = re.search(r"<Calibration format=['\"](\w+)['\"]", line)
            if m:
                current = groups.setdefault(m.group(1), {})
                continue
            m = re.search(r"<(\w+)>\s*([-+0-9.eE]+)\s*</\1>", line)
            if m and current is not None:
                current[m.group(1)] = float(m.group(2))
    return groups


def decode_sbe37_hex(path):
    import gsw
    from seabirdscientific import cal_coefficients as cc
    from seabirdscientific import conversion as conv
    from seabirdscientific import instrument_data as idata

    k = _coefficients(path)
    t, c, p = k["TEMP1"], k["WBCOND0"], k["STRAIN0"]
    tc = cc.TemperatureCoefficients(a0=t["A0"], a1=t["A1"], a2=t["A2"], a3=t["A3"])
    cc_ = cc.ConductivityCoefficients(
        g=c["G"], h=c["H"], i=c["I"], j=c["J"], cpcor=c["PCOR"], ctcor=c["TCOR"],
        wbotc=c["WBOTC"],
    )
    pc = cc.PressureCoefficients(
        pa0=p["PA0"], pa1=p["PA1"], pa2=p["PA2"], ptca0=p["PTCA0"], ptca1=p["PTCA1"],
        ptca2=p["PTCA2"], ptcb0=p["PTCB0"], ptcb1=p["PTCB1"], ptcb2=p["PTCB2"],
        ptempa0=p["PTEMPA0"], ptempa1=p["PTEMPA1"], ptempa2=p["PTEMPA2"],
        offset=p.get("POFFSET", 0.0),
    )
    sensors = [idata.Sensors.Temperature, idata.Sensors.Conductivity, idata.Sensors.Pressure]
    raw = idata.read_hex_file(path, idata.InstrumentType.SBE37SM, sensors)
    temperature = conv.convert_temperature(raw["temperature"].values, tc)
    pressure = conv.convert_pressure(
        raw["pressure"].values, raw["temperature compensation"].values, pc, "dbar"
    )
    conductivity = conv.convert_conductivity(
        raw["conductivity"].values, temperature, pressure, cc_, idata.InstrumentType.SBE37SM
    )
    salinity = gsw.SP_from_C(conductivity * 10.0, temperature, pressure)
    times = raw["date time"].values
    return times, temperature, conductivity, pressure, salinity


# ------------------------------------------------------------------ Nortek (MHKiT dolfyn)

def decode_nortek(path):
    from mhkit import dolfyn

    return dolfyn.read(path)


# ------------------------------------------------------------------ large inputs

def make_hex(src, dst, n):
    with open(src, "rb") as f:
        data = f.read()
    end = data.index(b"*END*")
    body_start = data.index(b"\n", end) + 1
    header, scans = data[:body_start], data[body_start:]
    if not scans.endswith(b"\n"):
        scans += b"\n"
    with open(dst, "wb") as f:
        f.write(header)
        for _ in range(n):
            f.write(scans)


def _structures(data):
    """(offset, length, id) of each checksum-valid Nortek structure, in order."""
    out, i = [], 0
    while i + 4 <= len(data):
        if data[i] != 0xA5:
            i += 1
            continue
        size = int.from_bytes(data[i + 2:i + 4], "little") * 2
        if size < 6 or i + size > len(data):
            i += 1
            continue
        words = [int.from_bytes(data[j:j + 2], "little") for j in range(i, i + size - 2, 2)]
        if (0xB58C + sum(words)) & 0xFFFF == int.from_bytes(data[i + size - 2:i + size], "little"):
            out.append((i, size, data[i + 1]))
            i += size
        else:
            i += 1
    return out


def make_nortek(src, dst, n):
    with open(src, "rb") as f:
        data = f.read()
    structs = _structures(data)
    config = [s for s in structs if s[2] in (0x00, 0x04, 0x05)]
    body = [s for s in structs if s[2] not in (0x00, 0x04, 0x05)]
    with open(dst, "wb") as f:
        for off, size, _ in config:
            f.write(data[off:off + size])
        chunk = b"".join(data[off:off + size] for off, size, _ in body)
        for _ in range(n):
            f.write(chunk)


# ------------------------------------------------------------------ main

def _count(result):
    """Records decoded: scans for the hex peer, profiles/samples for dolfyn."""
    if isinstance(result, tuple):
        return int(len(result[1]))
    return int(result["time"].size)


def _timed(fn, path, repeat):
    records = _count(fn(path))  # warm-up: imports and caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t0)
    return {
        "best_s": min(times),
        "median_s": statistics.median(times),
        "runs": repeat,
        "records": records,
    }


def main(argv):
    if len(argv) >= 2 and argv[0] in ("sbe37-hex", "nortek"):
        fn = decode_sbe37_hex if argv[0] == "sbe37-hex" else decode_nortek
        if len(argv) == 4 and argv[2] == "--repeat":
            print(json.dumps(_timed(fn, argv[1], int(argv[3]))))
        else:
            fn(argv[1])
        return 0
    if len(argv) == 4 and argv[0] == "make-hex":
        make_hex(argv[1], argv[2], int(argv[3]))
        return 0
    if len(argv) == 4 and argv[0] == "make-nortek":
        make_nortek(argv[1], argv[2], int(argv[3]))
        return 0
    if len(argv) == 2 and argv[0] == "check-hex":
        times, t, c, p, s = decode_sbe37_hex(argv[1])
        print(f"{len(t)} scans; first: {times[0]} T={t[0]:.4f} C={c[0]:.6f} P={p[0]:.3f} S={s[0]:.4f}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
