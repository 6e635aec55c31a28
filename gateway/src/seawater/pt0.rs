//! Potential temperature referenced to 0 dbar, ported from the TEOS-10 GSW toolbox.
//!
//! `gsw` 0.2.3 (GSW-rs) lacks `pt0_from_t` and keeps its Gibbs function private, so this
//! module ports the published algorithm of GSW-C / GSW-Fortran v3.06 (`gsw_pt0_from_t`,
//! `gsw_entropy_part`, `gsw_entropy_part_zerop`, `gsw_gibbs_pt0_pt0`, TEOS-10/GSW-C
//! `gsw_oceanographic_toolbox.c`, TEOS-10/GSW-Fortran `toolbox/*.f90`). The polynomial
//! coefficients are those of the TEOS-10 Gibbs function (IOC, SCOR and IAPSO, 2010: The
//! international thermodynamic equation of seawater – 2010, Manuals and Guides No. 56) and
//! the iteration is McDougall et al.'s modified Newton–Raphson (McDougall, T.J. and
//! S.J. Wotherspoon, 2014, Appl. Math. Lett. 29, 20–25): two iterations, which GSW states
//! give machine precision. The code keeps GSW-C's expression order so that results agree
//! with PyPI `gsw` (which wraps GSW-C) to rounding.

/// GSW-C `gsw_sfac` = 1/(40·35.16504/35) (GSW_TEOS10_CONSTANTS, the literal used there).
const GSW_SFAC: f64 = 0.024_882_667_558_461_5;
/// Standard Ocean Reference Salinity (g/kg).
const GSW_SSO: f64 = 35.165_04;
/// Unit conversion factor for salinities, 35.16504/35 (GSW-C `gsw_ups`).
const GSW_UPS: f64 = GSW_SSO / 35.0;
/// Specific heat "cp0" of Conservative Temperature (J/(kg K)).
const GSW_CP0: f64 = 3_991.867_957_119_63;
/// Celsius zero in kelvin.
const GSW_T0: f64 = 273.15;

/// Entropy minus the terms that depend on SA only (`gsw_entropy_part`), J/(kg K).
#[allow(clippy::excessive_precision)]
pub(crate) fn entropy_part(sa: f64, t: f64, p: f64) -> f64 {
    let x2 = GSW_SFAC * sa;
    let x = x2.sqrt();
    let y = t * 0.025;
    let z = p * 1e-4;

    let g03 = z
        * (-270.983805184062
            + z * (776.153611613101
                + z * (-196.51255088122 + (28.9796526294175 - 2.13290083518327 * z) * z)))
        + y * (-24715.571866078
            + z * (2910.0729080936
                + z * (-1513.116771538718
                    + z * (546.959324647056 + z * (-111.1208127634436 + 8.68841343834394 * z))))
            + y * (2210.2236124548363
                + z * (-2017.52334943521
                    + z * (1498.081172457456
                        + z * (-718.6359919632359
                            + (146.4037555781616 - 4.9892131862671505 * z) * z)))
                + y * (-592.743745734632
                    + z * (1591.873781627888
                        + z * (-1207.261522487504
                            + (608.785486935364 - 105.4993508931208 * z) * z))
                    + y * (290.12956292128547
                        + z * (-973.091553087975
                            + z * (602.603274510125
                                + z * (-276.361526170076 + 32.40953340386105 * z)))
                        + y * (-113.90630790850321
                            + y * (21.35571525415769 - 67.41756835751434 * z)
                            + z * (381.06836198507096
                                + z * (-133.7383902842754 + 49.023632509086724 * z)))))));

    let g08 = x2
        * (z * (729.116529735046
            + z * (-343.956902961561
                + z * (124.687671116248 + z * (-31.656964386073 + 7.04658803315449 * z))))
            + x * (x
                * (y * (-137.1145018408982
                    + y * (148.10030845687618 + y * (-68.5590309679152 + 12.4848504784754 * y)))
                    - 22.6683558512829 * z)
                + z * (-175.292041186547 + (83.1923927801819 - 29.483064349429 * z) * z)
                + y * (-86.1329351956084
                    + z * (766.116132004952 + z * (-108.3834525034224 + 51.2796974779828 * z))
                    + y * (-30.0682112585625 - 1380.9597954037708 * z
                        + y * (3.50240264723578 + 938.26075044542 * z))))
            + y * (1760.062705994408
                + y * (-675.802947790203
                    + y * (365.7041791005036
                        + y * (-108.30162043765552 + 12.78101825083098 * y)
                        + z * (-1190.914967948748
                            + (298.904564555024 - 145.9491676006352 * z) * z))
                    + z * (2082.7344423998043
                        + z * (-614.668925894709
                            + (340.685093521782 - 33.3848202979239 * z) * z)))
                + z * (-1721.528607567954
                    + z * (674.819060538734
                        + z * (-356.629112415276 + (88.4080716616 - 15.84003094423364 * z) * z)))));

    -(g03 + g08) * 0.025
}

/// [`entropy_part`] evaluated at p = 0 (`gsw_entropy_part_zerop`), J/(kg K).
#[allow(clippy::excessive_precision)]
pub(crate) fn entropy_part_zerop(sa: f64, pt0: f64) -> f64 {
    let x2 = GSW_SFAC * sa;
    let x = x2.sqrt();
    let y = pt0 * 0.025;

    let g03 = y
        * (-24715.571866078
            + y * (2210.2236124548363
                + y * (-592.743745734632
                    + y * (290.12956292128547
                        + y * (-113.90630790850321 + y * 21.35571525415769)))));

    let g08 = x2
        * (x * (x
            * (y * (-137.1145018408982
                + y * (148.10030845687618 + y * (-68.5590309679152 + 12.4848504784754 * y))))
            + y * (-86.1329351956084 + y * (-30.0682112585625 + y * 3.50240264723578)))
            + y * (1760.062705994408
                + y * (-675.802947790203
                    + y * (365.7041791005036
                        + y * (-108.30162043765552 + 12.78101825083098 * y)))));

    -(g03 + g08) * 0.025
}

/// Second temperature derivative of the Gibbs function at (SA, pt0, 0)
/// (`gsw_gibbs_pt0_pt0`), J/(kg K²).
#[allow(clippy::excessive_precision)]
pub(crate) fn gibbs_pt0_pt0(sa: f64, pt0: f64) -> f64 {
    let x2 = GSW_SFAC * sa;
    let x = x2.sqrt();
    let y = pt0 * 0.025;

    let g03 = -24715.571866078
        + y * (4420.4472249096725
            + y * (-1778.231237203896
                + y * (1160.5182516851419 + y * (-569.531539542516 + y * 128.13429152494615))));

    let g08 = x2
        * (1760.062705994408
            + x * (-86.1329351956084
                + x * (-137.1145018408982
                    + y * (296.20061691375236
                        + y * (-205.67709290374563 + 49.9394019139016 * y)))
                + y * (-60.136422517125 + y * 10.50720794170734))
            + y * (-1351.605895580406
                + y * (1097.1125373015109 + y * (-433.20648175062206 + 63.905091254154904 * y))));

    (g03 + g08) * 0.000625
}

/// Potential temperature (°C, ITS-90) referenced to 0 dbar from Absolute Salinity `sa`
/// (g/kg), in-situ temperature `t` (°C, ITS-90) and sea pressure `p` (dbar):
/// `gsw_pt0_from_t`. Pure arithmetic: NaN in gives NaN out, never a panic; the caller
/// checks the domain.
#[allow(clippy::excessive_precision)]
pub fn pt0_from_t(sa: f64, t: f64, p: f64) -> f64 {
    let s1 = sa / GSW_UPS;

    // Initial estimate (a fit to the adiabatic lapse rate), then two modified Newton steps
    // on entropy(SA, pt0, 0) = entropy(SA, t, p).
    let mut pt0 = t + p
        * (8.65483913395442e-6 - s1 * 1.41636299744881e-6 - p * 7.38286467135737e-9
            + t * (-8.38241357039698e-6
                + s1 * 2.83933368585534e-8
                + t * 1.77803965218656e-8
                + p * 1.71155619208233e-10));

    let mut dentropy_dt = GSW_CP0 / ((GSW_T0 + pt0) * (1.0 - 0.05 * (1.0 - sa / GSW_SSO)));

    let true_entropy_part = entropy_part(sa, t, p);

    for _ in 0..2 {
        let pt0_old = pt0;
        let dentropy = entropy_part_zerop(sa, pt0_old) - true_entropy_part;
        pt0 = pt0_old - dentropy / dentropy_dt;
        let pt0m = 0.5 * (pt0 + pt0_old);
        dentropy_dt = -gibbs_pt0_pt0(sa, pt0m);
        pt0 = pt0_old - dentropy / dentropy_dt;
    }
    pt0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// outputs-and-qc.md §7(a): the GSW documentation cast, SA and t/p given, pt0 expected.
    #[test]
    fn gsw_documentation_cast() {
        let sa = [
            34.7117937385076,
            34.89155423426942,
            35.025619373601344,
            34.84717698163861,
            34.73665636071239,
            34.73234939211968,
        ];
        let t = [28.7856, 28.4329, 22.8103, 10.2600, 6.8863, 4.4036];
        let p = [10.0, 50.0, 125.0, 250.0, 600.0, 1000.0];
        let pt0 = [
            28.78319681971812,
            28.420983340326593,
            22.78493039690398,
            10.230523669290353,
            6.829230171389842,
            4.324510655999961,
        ];
        for i in 0..6 {
            let got = pt0_from_t(sa[i], t[i], p[i]);
            assert!((got - pt0[i]).abs() < 1e-12, "{i}: {got} vs {}", pt0[i]);
        }
    }

    #[test]
    fn zero_pressure_is_identity() {
        for &(sa, t) in &[(35.0, 10.0), (38.5, 13.2), (0.0, 2.0), (40.0, 30.0)] {
            assert!((pt0_from_t(sa, t, 0.0) - t).abs() < 1e-12);
        }
    }

    #[test]
    fn nan_propagates() {
        assert!(pt0_from_t(f64::NAN, 10.0, 100.0).is_nan());
        assert!(pt0_from_t(35.0, f64::NAN, 100.0).is_nan());
    }
}
