//! QARTOD flags, their aggregation and their OceanSITES mapping.

use serde::{Serialize, Serializer};

/// A QARTOD flag (IODE L34, ioos_qc `QartodFlags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Flag {
    /// 1: the value passed the test.
    Pass = 1,
    /// 2: the test could not be evaluated (not enough neighbours, no matching period…).
    NotEvaluated = 2,
    /// 3: suspect or of high interest.
    Suspect = 3,
    /// 4: failed.
    Fail = 4,
    /// 9: the value is missing (NaN or absent).
    Missing = 9,
}

impl Flag {
    /// The QARTOD code (1, 2, 3, 4 or 9).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The flag of a QARTOD code, `None` for any other number.
    pub fn from_code(code: u8) -> Option<Flag> {
        match code {
            1 => Some(Flag::Pass),
            2 => Some(Flag::NotEvaluated),
            3 => Some(Flag::Suspect),
            4 => Some(Flag::Fail),
            9 => Some(Flag::Missing),
            _ => None,
        }
    }

    /// OceanSITES reference table 2 code for the `<VAR>_QC` variable (outputs-and-qc.md
    /// §2.3): 1→1 good, 2→0 no QC performed, 3→3 potentially correctable, 4→4 bad, 9→9.
    pub fn to_oceansites(self) -> i8 {
        match self {
            Flag::Pass => 1,
            Flag::NotEvaluated => 0,
            Flag::Suspect => 3,
            Flag::Fail => 4,
            Flag::Missing => 9,
        }
    }

    /// Rank in ioos_qc's `qartod_compare` precedence: MISSING < UNKNOWN < GOOD < SUSPECT < FAIL.
    fn aggregate_rank(self) -> u8 {
        match self {
            Flag::Missing => 0,
            Flag::NotEvaluated => 1,
            Flag::Pass => 2,
            Flag::Suspect => 3,
            Flag::Fail => 4,
        }
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

/// The aggregate flag of one record's test results, as ioos_qc's `qartod_compare`: the
/// worst by MISSING < NOT EVALUATED < PASS < SUSPECT < FAIL, so a test that could not be
/// evaluated does not hide the others' PASS. An empty list gives [`Flag::Missing`]
/// (ioos_qc's fill value).
pub fn aggregate(flags: &[Flag]) -> Flag {
    flags
        .iter()
        .copied()
        .max_by_key(|f| f.aggregate_rank())
        .unwrap_or(Flag::Missing)
}

/// [`aggregate`] element-wise over several equally long flag series (ioos_qc
/// `qartod_compare(vectors)`); a series shorter than the first contributes nothing past
/// its end.
pub fn aggregate_series(series: &[&[Flag]]) -> Vec<Flag> {
    let n = series.first().map_or(0, |s| s.len());
    let mut buf = Vec::with_capacity(series.len());
    (0..n)
        .map(|i| {
            buf.clear();
            buf.extend(series.iter().filter_map(|s| s.get(i).copied()));
            aggregate(&buf)
        })
        .collect()
}

/// The flag a derived variable (salinity, σθ, O2 saturation…) inherits from the aggregate
/// flags of its inputs: MISSING if any input is missing (the value cannot exist), else
/// the worst of FAIL > SUSPECT > NOT EVALUATED > PASS (an input that was not checked
/// leaves the derived value not fully checked). Empty input gives PASS.
pub fn inherit(inputs: &[Flag]) -> Flag {
    let rank = |f: &Flag| match f {
        Flag::Pass => 0,
        Flag::NotEvaluated => 1,
        Flag::Suspect => 2,
        Flag::Fail => 3,
        Flag::Missing => 4,
    };
    inputs
        .iter()
        .copied()
        .max_by_key(rank)
        .unwrap_or(Flag::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(codes: &[u8]) -> Vec<Flag> {
        codes.iter().map(|&c| Flag::from_code(c).unwrap()).collect()
    }

    /// outputs-and-qc.md §4.3: qartod_compare([1,3,9,2], [4,1,1,9]) → 4 3 1 2.
    #[test]
    fn qartod_compare_check_vector() {
        let a = flags(&[1, 3, 9, 2]);
        let b = flags(&[4, 1, 1, 9]);
        assert_eq!(aggregate_series(&[&a, &b]), flags(&[4, 3, 1, 2]));
    }

    #[test]
    fn inherit_is_worst_with_missing_dominant() {
        assert_eq!(inherit(&flags(&[1, 1, 1])), Flag::Pass);
        assert_eq!(inherit(&flags(&[1, 2, 1])), Flag::NotEvaluated);
        assert_eq!(inherit(&flags(&[1, 3, 2])), Flag::Suspect);
        assert_eq!(inherit(&flags(&[4, 3, 1])), Flag::Fail);
        assert_eq!(inherit(&flags(&[4, 9, 1])), Flag::Missing);
    }

    #[test]
    fn codes_and_oceansites() {
        for c in [1u8, 2, 3, 4, 9] {
            assert_eq!(Flag::from_code(c).unwrap().code(), c);
        }
        assert_eq!(Flag::from_code(0), None);
        assert_eq!(Flag::NotEvaluated.to_oceansites(), 0);
        assert_eq!(serde_json::to_string(&Flag::Suspect).unwrap(), "3");
    }
}
