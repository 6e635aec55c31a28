#!/usr/bin/env python3
"""Checks the daily files the gateway wrote under DIR (gateway/src/dailyfiles).

For every `*.nc` under DIR (recursively):
  1. IOOS compliance-checker (Python API), suites cf:1.6 and acdd:1.3: every check must
     pass (scored points == possible points, no high/medium/low issue);
  2. the EMSO metadata specification v1.0.7 (check_emso, written from the specification's
     tables: the emso-metadata-harmonizer cannot run offline): every required global
     attribute present and non-empty, the mandatory coordinates (time, depth, latitude,
     longitude, sensor_id, platform_id with cf_role=timeseries_id), variable_type on every
     variable, SeaDataNet parameter and unit URNs on the coordinates and data variables;
  3. xarray: time strictly increasing, every QC variable int8 with a _FillValue, every data
     variable double with _FillValue 99999.0, and every value equal to the CSV of the same
     name (same rows, same times, same numbers, empty CSV cell <=> missing value);
  4. ioos_qc (3.0.0): every per-test flag variable `<VAR>_qc_<test>` (its parameters in
     `qc_test_config`) equals ioos_qc's qartod test run on the instrument's whole series
     (all its files under DIR, in time order: the gateway flags each day with its
     neighbouring days as context, so the series is continuous), for gross range, spike,
     rate of change (per-second thresholds) and flat line; density inversion needs the
     line's other instruments and is compared in gateway/tests/dailyfiles_line.rs.

Usage: check_daily_files.py DIR   (exit 0: all good; 1: a failure; 2: bad usage / no files)
Needs: compliance-checker, xarray, netCDF4, ioos_qc (scripts/test-all.sh installs them in
./.venv).
"""
import csv
import json
import math
import os
import sys
import tempfile
from datetime import datetime, timezone

SUITES = ["cf:1.6", "acdd:1.3"]
FILL = 99999.0
# identity columns of the CSV (the serial number's column is named per product)
ID_COLUMNS = {"stationname", "latitude", "longitude", "time", "sensor_theoric_depth",
              "sensor_serial_number", "Instrument_Serial", "Optode_Serial"}


def is_flag(col):
    """`<VAR>_QC`, `aggregate_QC` or a per-test `<VAR>_qc_<test>`."""
    return col.endswith("_QC") or "_qc_" in col


def find(root, ext):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.join(d, f) for f in files if f.endswith(ext)]
    return sorted(out)


def run_compliance(path, suite, tmp):
    """(passed, scored, possible, issue lines) for one file and one suite."""
    from compliance_checker.runner import CheckSuite, ComplianceChecker

    if not getattr(run_compliance, "loaded", False):
        CheckSuite().load_all_available_checkers()
        run_compliance.loaded = True
    out = os.path.join(tmp, "report.json")
    ComplianceChecker.run_checker(
        ds_loc=path,
        checker_names=[suite],
        verbose=0,
        criteria="strict",
        output_filename=out,
        output_format="json",
    )
    with open(out) as f:
        rep = json.load(f)[suite]
    issues = []
    exempt = 0
    exempted = []
    no_cf_name = technical_without_standard_name(path)
    for prio in ("high_priorities", "medium_priorities", "low_priorities"):
        for item in rep.get(prio, []):
            msgs = item.get("msgs") or []
            value = item.get("value", [0, 0])
            # a check that scored all its points may still carry an informational message
            # (e.g. "does not cross 1582-10-15"): not a failure
            if value[0] == value[1]:
                continue
            name = item.get("name", "")
            var = name.split('"')[1] if name.count('"') == 2 else None
            if suite.startswith("acdd") and msgs == ["standard_name"] and var in no_cf_name:
                exempt += value[1] - value[0]
                exempted.append(var)
                continue
            issues.append(f"{prio.split('_')[0]}: {name}: {'; '.join(msgs)}")
    scored, possible = rep["scored_points"], rep["possible_points"]
    run_compliance.exempt = sorted(exempted)
    return scored + exempt == possible and not issues, scored, possible, issues


def technical_without_standard_name(path):
    """The variables ACDD would want a standard_name on but for which the CF table has none:
    instrument state and raw counts (EMSO variable_type technical or sensor: battery
    voltage, C-Star counts, the line controller's counters, the optode's product number).
    ACDD 1.3 only recommends standard_name; CF forbids inventing one. Each is listed in
    the output and counted, not hidden."""
    import netCDF4

    with netCDF4.Dataset(path) as ds:
        return {n for n, v in ds.variables.items()
                if "standard_name" not in v.ncattrs()
                and v.ncattrs() and getattr(v, "variable_type", "") in ("technical", "sensor")}


# EMSO metadata specification v1.0.7, required global attributes (outputs-and-qc.md §2.2)
EMSO_REQUIRED_GLOBALS = [
    "date_created", "time_coverage_start",
    "geospatial_lat_min", "geospatial_lat_max", "geospatial_lon_min", "geospatial_lon_max",
    "geospatial_vertical_min", "geospatial_vertical_max",
    "institution", "institution_edmo_code", "institution_edmo_uri", "institution_ror_uri",
    "update_interval", "emso_regional_facility_name", "emso_regional_facility_uri",
    "emso_site_name", "emso_site_uri", "network",
    "title", "summary", "keywords", "keywords_uri", "keywords_type", "keywords_vocabulary",
    "keywords_vocabulary_uri",
    "principal_investigator", "principal_investigator_email",
    "contributor_name", "contributor_role",
    "doi", "license", "license_uri", "featureType",
]
EMSO_COORDINATES = ["time", "depth", "latitude", "longitude", "sensor_id", "platform_id"]
EMSO_VARIABLE_TYPES = {"coordinate", "environmental", "biological", "quality_control",
                       "sensor", "platform", "technical"}
SDN_ATTRIBUTES = ["sdn_parameter_urn", "sdn_parameter_name", "sdn_uom_urn", "sdn_uom_name"]
# SPDX ids of the open data licences EMSO accepts (CC-BY-4.0 recommended)
SPDX_LICENSES = {"CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "ODbL-1.0"}
DATACITE_ROLES = {"ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor",
                  "Editor", "HostingInstitution", "Producer", "ProjectLeader", "ProjectManager",
                  "ProjectMember", "RegistrationAgency", "RegistrationAuthority",
                  "RelatedPerson", "Researcher", "ResearchGroup", "RightsHolder", "Sponsor",
                  "Supervisor", "WorkPackageLeader", "Other"}


def check_emso(nc_path, failures):
    """EMSO v1.0.7 required attributes and variables; each problem by name in failures.
    Returns the number of problems."""
    import netCDF4

    problems = []
    with netCDF4.Dataset(nc_path) as ds:
        globals_ = {k: ds.getncattr(k) for k in ds.ncattrs()}
        for name in EMSO_REQUIRED_GLOBALS:
            v = globals_.get(name)
            if v is None or (isinstance(v, str) and not v.strip()):
                problems.append(f"missing global attribute {name}")
        if "license" in globals_ and globals_["license"] not in SPDX_LICENSES:
            problems.append(f"license {globals_['license']!r} is not an SPDX id ({sorted(SPDX_LICENSES)})")
        if globals_.get("data_mode", "R") not in ("R", "P", "D", "M"):
            problems.append(f"data_mode {globals_['data_mode']!r} not R/P/D/M")
        roles = str(globals_.get("contributor_role", "")).split()
        if any(r not in DATACITE_ROLES for r in roles):
            problems.append(f"contributor_role {roles} not DataCite contributor types")
        names = [n for n in str(globals_.get("contributor_name", "")).split(",") if n.strip()]
        if roles and len(names) != len(roles):
            problems.append(f"{len(names)} contributor_name for {len(roles)} contributor_role")
        for name in EMSO_COORDINATES:
            if name not in ds.variables:
                problems.append(f"missing coordinate variable {name}")
        for name in ("sensor_id", "platform_id"):
            if name in ds.variables and ds.variables[name].dtype.kind not in ("S", "U", "O"):
                problems.append(f"{name} is {ds.variables[name].dtype}, not a string/char variable")
        roles_ = [n for n, v in ds.variables.items() if "cf_role" in v.ncattrs()]
        if "platform_id" in ds.variables and roles_ != ["platform_id"]:
            problems.append(f"cf_role=timeseries_id on {roles_}, not only on platform_id")
        elif "platform_id" in ds.variables and ds.variables["platform_id"].getncattr("cf_role") != "timeseries_id":
            problems.append("platform_id cf_role is not timeseries_id")
        for name, var in ds.variables.items():
            attrs = set(var.ncattrs())
            vt = var.getncattr("variable_type") if "variable_type" in attrs else None
            if vt is None:
                problems.append(f"{name}: missing variable attribute variable_type")
                continue
            if vt not in EMSO_VARIABLE_TYPES:
                problems.append(f"{name}: variable_type {vt!r} not one of {sorted(EMSO_VARIABLE_TYPES)}")
            is_coordinate = name in EMSO_COORDINATES
            if vt == "environmental" or is_coordinate:
                for a in SDN_ATTRIBUTES:
                    if a not in attrs or not str(var.getncattr(a)).strip():
                        problems.append(f"{name}: missing variable attribute {a}")
                for a, prefix in (("sdn_parameter_urn", "SDN:P01::"), ("sdn_uom_urn", "SDN:P06::")):
                    if a in attrs and not str(var.getncattr(a)).startswith(prefix):
                        problems.append(f"{name}: {a} {var.getncattr(a)!r} does not start with {prefix}")
                if name not in ("sensor_id", "platform_id"):
                    for a in ("long_name", "standard_name", "units"):
                        if a not in attrs:
                            problems.append(f"{name}: missing variable attribute {a}")
            if vt == "environmental":
                coords = str(var.getncattr("coordinates")).split() if "coordinates" in attrs else []
                for c in EMSO_COORDINATES:
                    if c not in coords:
                        problems.append(f"{name}: coordinates does not name {c}")
                if "ancillary_variables" not in attrs:
                    problems.append(f"{name}: missing variable attribute ancillary_variables")
            if vt == "quality_control":
                for a in ("long_name", "conventions", "flag_values", "flag_meanings"):
                    if a not in attrs:
                        problems.append(f"{name}: missing variable attribute {a}")
    failures += [f"{nc_path}: EMSO v1.0.7: {p}" for p in problems]
    return len(problems)


def parse_time(s):
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in s else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp()


def check_values(nc_path, failures):
    import numpy as np
    import xarray as xr

    csv_path = nc_path[:-3] + ".csv"
    if not os.path.exists(csv_path):
        failures.append(f"{nc_path}: no CSV next to it")
        return 0
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    raw = xr.open_dataset(nc_path, decode_times=False, mask_and_scale=False)
    ds = xr.open_dataset(nc_path)
    n = ds.sizes.get("time", 0)
    if n != len(rows) or n == 0:
        failures.append(f"{nc_path}: {n} times in the NetCDF, {len(rows)} rows in the CSV")
        return 0
    t = raw["time"].values.astype("float64")
    if not np.all(np.diff(t) > 0):
        failures.append(f"{nc_path}: time is not strictly increasing")
    if raw["time"].attrs.get("units") != "seconds since 1970-01-01T00:00:00Z":
        failures.append(f"{nc_path}: time units {raw['time'].attrs.get('units')!r}")
    if not np.issubdtype(ds["time"].dtype, np.datetime64):
        failures.append(f"{nc_path}: xarray did not decode time")
    for i, r in enumerate(rows):
        if abs(parse_time(r["time"]) - t[i]) > 1e-6:
            failures.append(f"{nc_path}: row {i}: time {r['time']} != {t[i]}")
            break
    def text(name):
        v = ds[name].values
        return v.item().decode() if hasattr(v, "item") and isinstance(v.item(), bytes) else str(v.astype(str))

    station = text("stationname")
    if any(r["stationname"] != station for r in rows):
        failures.append(f"{nc_path}: stationname {station!r} differs from the CSV")
    if text("platform_id") != station:
        failures.append(f"{nc_path}: platform_id {text('platform_id')!r} is not the stationname")
    for name in ("latitude", "longitude", "sensor_theoric_depth"):
        if any(float(r[name]) != float(raw[name].values) for r in rows):
            failures.append(f"{nc_path}: {name} differs from the CSV")
    compared = 0
    for col in rows[0].keys():
        if col in ID_COLUMNS:
            continue
        if col not in raw.variables:
            failures.append(f"{nc_path}: CSV column {col} has no variable")
            continue
        v = raw[col]
        fill = v.attrs.get("_FillValue", v.encoding.get("_FillValue"))
        if fill is None:
            failures.append(f"{nc_path}: {col} has no _FillValue")
            continue
        if is_flag(col):
            if v.dtype != np.int8:
                failures.append(f"{nc_path}: {col} is {v.dtype}, not int8")
            if np.asarray(v.attrs.get("flag_values")).dtype != np.int8:
                failures.append(f"{nc_path}: {col} flag_values not int8")
        else:
            if v.dtype != np.float64 or float(fill) != FILL:
                failures.append(f"{nc_path}: {col} is {v.dtype} with _FillValue {fill}")
            if "ancillary_variables" not in v.attrs:
                failures.append(f"{nc_path}: {col} has no ancillary_variables")
        vals = v.values
        for i, r in enumerate(rows):
            cell = r[col]
            x = vals[i]
            if cell == "":
                ok = x == fill
            elif is_flag(col):
                ok = int(cell) == int(x)
            else:
                ok = float(cell) == float(x) and x != fill
            if not ok:
                failures.append(f"{nc_path}: {col} row {i}: CSV {cell!r} != NetCDF {x!r}")
                break
            compared += 1
        # masked view: missing values come back as NaN
        if not is_flag(col):
            masked = ds[col].values
            if any((r[col] == "") != math.isnan(masked[i]) for i, r in enumerate(rows)):
                failures.append(f"{nc_path}: {col}: missing values do not decode to NaN")
    ds.close()
    raw.close()
    return compared


def ioos_flags(test, cfg, t, x):
    """ioos_qc's flags of `test` (our `qc_test_config` JSON `cfg`) on values x at times t
    (seconds); None when ioos_qc has no equivalent (n_dev rate of change)."""
    import numpy as np
    from ioos_qc import qartod

    if test == "gross_range":
        f = qartod.gross_range_test(x, fail_span=cfg["fail_span"], suspect_span=cfg.get("suspect_span"))
    elif test == "spike":
        f = qartod.spike_test(x, cfg.get("suspect_threshold"), cfg.get("fail_threshold"),
                              method=cfg.get("method", "average"))
    elif test == "rate_of_change":
        if cfg.get("n_dev") is not None or cfg.get("threshold_per_s") is None:
            return None
        f = qartod.rate_of_change_test(x, t, cfg["threshold_per_s"], cfg.get("fail_threshold_per_s"))
    elif test == "flat_line":
        f = qartod.flat_line_test(x, t, cfg["suspect_threshold_s"], cfg["fail_threshold_s"], cfg["tolerance"])
    else:
        return None
    return np.asarray(f).astype(int)


def check_ioos_qc(files, failures):
    """Per-test flags against ioos_qc on each instrument's whole series: (flags compared,
    tests compared, flags other than pass and missing)."""
    import numpy as np
    import netCDF4

    series = {}
    for path in files:
        with netCDF4.Dataset(path) as ds:
            key = (os.path.dirname(os.path.dirname(path)), netCDF4.chartostring(ds["platform_id"][:]).item())
            series.setdefault(key, []).append(path)
    flags = tests = raised = 0
    for key, paths in sorted(series.items()):
        data = {}
        for path in paths:
            with netCDF4.Dataset(path) as ds:
                ds.set_auto_mask(False)
                t = ds["time"][:].astype("float64")
                for name, var in ds.variables.items():
                    if "ioos_qc_test" not in var.ncattrs():
                        continue
                    parent = name.split("_qc_")[0]
                    x = ds[parent][:].astype("float64")
                    x = np.where(x == FILL, np.nan, x)
                    d = data.setdefault(name, {"test": var.getncattr("ioos_qc_test"),
                                               "cfg": json.loads(var.getncattr("qc_test_config")),
                                               "t": [], "x": [], "ours": []})
                    d["t"].append(t)
                    d["x"].append(x)
                    d["ours"].append(ds[name][:].astype(int))
        for name, d in sorted(data.items()):
            t = np.concatenate(d["t"])
            order = np.argsort(t, kind="stable")
            x = np.concatenate(d["x"])[order]
            ours = np.concatenate(d["ours"])[order]
            theirs = ioos_flags(d["test"], d["cfg"], t[order], x)
            if theirs is None:
                continue
            tests += 1
            bad = np.nonzero(ours != theirs)[0]
            if bad.size:
                i = bad[0]
                failures.append(f"{key[1]}: {name}: {bad.size} of {ours.size} flags differ from ioos_qc "
                                f"(first at t={t[order][i]}: ours {ours[i]}, ioos_qc {theirs[i]}, value {x[i]})")
            flags += ours.size
            raised += int(np.count_nonzero((ours != 1) & (ours != 9)))
    return flags, tests, raised


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__, file=sys.stderr)
        return 2
    files = find(sys.argv[1], ".nc")
    if not files:
        print(f"no .nc files under {sys.argv[1]}", file=sys.stderr)
        return 2
    failures = []
    values = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            for suite in SUITES:
                ok, scored, possible, issues = run_compliance(path, suite, tmp)
                exempt = run_compliance.exempt
                note = (f" (+{possible - scored} for standard_name on {len(exempt)} technical variables "
                        f"without a CF standard name: {' '.join(exempt)})") if exempt and ok else ""
                print(f"{os.path.relpath(path, sys.argv[1])}: {suite} {scored}/{possible}"
                      + note + ("" if ok else " FAILED"))
                if not ok:
                    failures.append(f"{path}: {suite}: {scored}/{possible}")
                    failures += [f"  {i}" for i in issues]
            emso = check_emso(path, failures)
            print(f"{os.path.relpath(path, sys.argv[1])}: EMSO v1.0.7 required attributes and variables"
                  + (" all present" if emso == 0 else f": {emso} problems FAILED"))
            values += check_values(path, failures)
    flags, tests, raised = check_ioos_qc(files, failures)
    print(f"ioos_qc: {tests} per-test flag series, {flags} flags compared, {raised} of them "
          "not evaluated, suspect or fail")
    print(f"{len(files)} files, suites {' '.join(SUITES)} and EMSO v1.0.7; {values} NetCDF values equal to their CSV cells")
    for f in failures:
        print("FAIL", f)
    passed = len(files) - len({f.split(':')[0] for f in failures if not f.startswith('  ')})
    print(f"check_daily_files: {passed} of {len(files)} files pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
