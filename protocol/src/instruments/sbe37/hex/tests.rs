//! Unit tests: §2.5 golden scans with a header built from the §2.5 coefficients.

extern crate std;
use super::*;
use std::format;
use std::string::String;

/// A SeatermV2-style header holding the SBE37SM-RS232_03716125 coefficients (§2.5).
fn sm_header() -> String {
    let mut s = String::from(
        "* Sea-Bird SBE37SM-RS232  Data File:\r\n* <HardwareData DeviceType='SBE37SM-RS232' SerialNumber='03716125'>\r\n*       <SampleLength>15</SampleLength>\r\n",
    );
    let groups: [(&str, &[(&str, f64)]); 3] = [
        (
            "TEMP1",
            &[
                ("A0", -1.898409e-04),
                ("A1", 3.136087e-04),
                ("A2", -4.461848e-06),
                ("A3", 2.019781e-07),
            ],
        ),
        (
            "WBCOND0",
            &[
                ("G", -1.001932e+00),
                ("H", 1.284250e-01),
                ("I", -9.960452e-05),
                ("J", 2.347041e-05),
                ("PCOR", -9.57e-08),
                ("TCOR", 3.25e-06),
                ("WBOTC", -1.491050e-07),
            ],
        ),
        (
            "STRAIN0",
            &[
                ("PA0", 1.054949e-03),
                ("PA1", 4.853700e-04),
                ("PA2", -2.070713e-12),
                ("PTCA0", 5.236075e+05),
                ("PTCA1", 4.346490),
                ("PTCA2", -1.758472e-01),
                ("PTCB0", 2.526225e+01),
                ("PTCB1", 6.5e-04),
                ("PTCB2", 0.0),
                ("PTEMPA0", -6.152156e+01),
                ("PTEMPA1", 5.181662e-02),
                ("PTEMPA2", -2.894098e-07),
                ("POFFSET", 0.0),
                ("PRANGE", 160.0),
            ],
        ),
    ];
    for (fmt, coefs) in groups {
        s += &format!("*    <Calibration format='{fmt}' id='x'>\r\n*       <SerialNum>03716125</SerialNum>\r\n");
        for (n, v) in coefs {
            s += &format!("*       <{n}>{v:e}</{n}>\r\n");
        }
        s += "*    </Calibration>\r\n";
    }
    s + "*END*\r\n"
}

#[test]
fn golden_sm_scans() {
    let text = sm_header()
        + "09B9FD14FE88095E0404842198A5A1\r\n09B9FA150160095E1504852198A619\r\n09B9FB15016D095E0E04842198A691\r\n\
           09B9FE15016B095E0E04852198A709\r\n09BA0115016B095E0504852198A781\r\n";
    let h = HexHeader::parse(&text).unwrap();
    assert_eq!(h.serial, Some(3_716_125));
    assert_eq!(h.device_type.as_str(), "SBE37SM-RS232");
    assert_eq!(
        h.layout,
        ScanLayout {
            oxygen: false,
            pressure: true
        }
    );
    let raw = h.raw_scans(&text).next().unwrap().unwrap();
    assert_eq!(
        (
            raw.temperature,
            raw.conductivity,
            raw.pressure,
            raw.pressure_temperature,
            raw.seconds_since_2000
        ),
        (637437, 1375880, Some(613892), Some(1156), 563652001)
    );
    let want = [
        (-1.9118, 2.711842, 20.072, "2017-11-10T18:00:01Z", 34.5801),
        (-1.9116, 2.715786, 20.078, "2017-11-10T18:02:01Z", 34.6354),
        (-1.9117, 2.715857, 20.076, "2017-11-10T18:04:01Z", 34.6364),
        (-1.9118, 2.715846, 20.076, "2017-11-10T18:06:01Z", 34.6364),
        (-1.9119, 2.715846, 20.073, "2017-11-10T18:08:01Z", 34.6365),
    ];
    let got: std::vec::Vec<_> = h.scans(&text).collect();
    assert_eq!(got.len(), 5);
    for (g, (t, c, p, time, sal)) in got.into_iter().zip(want) {
        let g = g.unwrap();
        assert_eq!(format!("{:.4}", g.temperature_c), format!("{t:.4}"));
        assert_eq!(format!("{:.6}", g.conductivity_s_m), format!("{c:.6}"));
        assert_eq!(
            format!("{:.3}", g.pressure_dbar.unwrap()),
            format!("{p:.3}")
        );
        assert_eq!(format!("{}", g.time.unwrap()), time);
        assert!((g.salinity_psu.unwrap() - sal).abs() <= 2e-4);
        assert_eq!(g.serial, Some(3_716_125));
    }
}

#[test]
fn bad_lines_are_reported_and_skipped() {
    let text = sm_header() + "09B9FD14FE88095E0404842198A5A1\r\n\r\nZZB9FD14FE88095E0404842198A5A1\r\n09B9FD\r\n000000000000000000000000000000\r\n09B9FD14FE88095E0404842198A5A1\r\n";
    let h = HexHeader::parse(&text).unwrap();
    let first = h.data_line;
    let got: std::vec::Vec<_> = h.scans(&text).collect();
    assert_eq!(got.len(), 5);
    assert!(got[0].is_ok() && got[4].is_ok());
    assert_eq!(
        got[1],
        Err(HexError {
            line: first + 2,
            kind: HexErrorKind::NotHex { column: 1 }
        })
    );
    assert_eq!(
        got[2],
        Err(HexError {
            line: first + 3,
            kind: HexErrorKind::Length {
                expected: 30,
                found: 6
            }
        })
    );
    assert_eq!(
        got[3],
        Err(HexError {
            line: first + 4,
            kind: HexErrorKind::NonFinite {
                quantity: "temperature"
            }
        })
    );
}

#[test]
fn header_errors() {
    assert_eq!(HexHeader::parse("* x\n"), Err(HexHeaderError::MissingEnd));
    assert_eq!(
        HexHeader::parse("* x\nfoo\n*END*\n"),
        Err(HexHeaderError::NotAHeaderLine { line: 2 })
    );
    let no_strain: String = sm_header()
        .replace("<PTCB1>", "<XX>")
        .replace("</PTCB1>", "</XX>");
    assert_eq!(
        HexHeader::parse(&no_strain),
        Err(HexHeaderError::MissingCoefficient {
            group: "STRAIN0",
            name: "PTCB1"
        })
    );
    let bad = sm_header().replace("<A2>", "<A2>x");
    assert!(matches!(
        HexHeader::parse(&bad),
        Err(HexHeaderError::BadCoefficient { name: "A2", .. })
    ));
}

/// HydroCAT-ODO (Fathom, double-quoted attributes, 21-byte scans): §2.5 field split.
#[test]
fn odo_layout_field_split() {
    let text = "* <HardwareData DeviceType=\"HydroCAT-ODO-SDI12\" SerialNumber=\"03727856\">\n\
*     <SampleLength>21</SampleLength>\n\
*   <Calibration format=\"TEMP1\" id=\"Temperature\">\n\
*     <A0>-0.0001367044</A0>\n*     <A1>0.0003061535</A1>\n*     <A2>-0.000004148458</A2>\n*     <A3>1.95543e-7</A3>\n\
*   </Calibration>\n\
*   <Calibration format=\"WBCOND0\" id=\"Conductivity\">\n\
*     <G>-1.001092</G>\n*     <H>0.1461717</H>\n*     <I>-0.0003631198</I>\n*     <J>0.00004760601</J>\n\
*     <PCOR>-9.57e-8</PCOR>\n*     <TCOR>0.00000325</TCOR>\n*     <WBOTC>0</WBOTC>\n\
*   </Calibration>\n\
*   <Calibration format=\"STRAIN0\" id=\"Pressure\">\n\
*     <PA0>0.0611649</PA0>\n*     <PA1>0.0004983102</PA1>\n*     <PA2>-4.694498e-12</PA2>\n\
*     <PTCA0>524774.9</PTCA0>\n*     <PTCA1>8.287606</PTCA1>\n*     <PTCA2>-0.1166535</PTCA2>\n\
*     <PTCB0>25.0145</PTCB0>\n*     <PTCB1>0.00009975062</PTCB1>\n*     <PTCB2>0</PTCB2>\n\
*     <PTEMPA0>-81.36602</PTEMPA0>\n*     <PTEMPA1>0.0477136</PTEMPA1>\n*     <PTEMPA2>-2.086711e-7</PTEMPA2>\n\
*     <POFFSET>0</POFFSET>\n*     <PRANGE>160</PRANGE>\n\
*   </Calibration>\n\
*   <Calibration format=\"OXYGEN1\" id=\"Oxygen\">\n\
*     <TAU20>4</TAU20>\n*     <OXA0>1.0513</OXA0>\n*     <OXA1>-0.0015</OXA1>\n*     <OXA2>0.4817141</OXA2>\n\
*     <OXB0>-0.2321605</OXB0>\n*     <OXB1>1.702102</OXB1>\n*     <OXC0>0.09262869</OXC0>\n\
*     <OXC1>0.00390124</OXC1>\n*     <OXC2>0.00005166511</OXC2>\n*     <OXTA0>0.0007047701</OXTA0>\n\
*     <OXTA1>0.0002513018</OXTA1>\n*     <OXTA2>6.532714e-7</OXTA2>\n*     <OXTA3>1.000212e-7</OXTA3>\n\
*     <OXE>0.011</OXE>\n\
*   </Calibration>\n\
*END*\n038E940A3EAC292B10185F6008738A089B3060751B\n";
    let h = HexHeader::parse(text).unwrap();
    assert_eq!(h.serial, Some(3_727_856));
    assert_eq!(
        h.layout,
        ScanLayout {
            oxygen: true,
            pressure: true
        }
    );
    assert_eq!(h.oxygen.map(|o| o.e), Some(0.011));
    let raw = h.raw_scans(text).next().unwrap().unwrap();
    assert_eq!(raw.temperature, 233108);
    assert_eq!(f64::from(raw.conductivity) / 256.0, 2622.671875);
    assert!((sbe63_phase_us(raw.oxygen_phase.unwrap()) - 16.98).abs() < 1e-9);
    assert!((sbe63_thermistor_v(raw.oxygen_thermistor.unwrap()) - 0.59728).abs() < 1e-9);
    assert_eq!(
        (raw.pressure, raw.pressure_temperature),
        (Some(553866), Some(2203))
    );
    assert_eq!(format!("{}", raw.time()), "2025-09-19T20:10:03Z");
    // No cross-checked O2 value exists (§2.5); require a plausible water value.
    let s = h.scans(text).next().unwrap().unwrap();
    let o2 = s.oxygen_ml_l.unwrap();
    assert!((0.0..15.0).contains(&o2), "O2 {o2}");
}
