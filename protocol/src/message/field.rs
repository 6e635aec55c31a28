//! Bounded fixed-point fields, sized as in DCCL: `bits = ceil(log2((max-min)/res + 2))`.
//!
//! A value is an integer count of the field's resolution (`10^-decimals` of the unit).
//! Code 0 is reserved for "not measured"; code `k ≥ 1` means `min + (k - 1)`. So every
//! code a field's bits can hold decodes to a value, and encoding is exact: no value is
//! ever rounded on the wire.

use super::MessageError;

/// The range and resolution of one bounded fixed-point field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Field name, used in errors.
    pub name: &'static str,
    /// Width on the wire.
    pub bits: u32,
    /// Smallest value, in resolution units.
    pub min: i64,
    /// Resolution is `10^-decimals` of the physical unit.
    pub decimals: u32,
}

/// Temperature, ITS-90: -5.0000 … 47.4286 °C at 0.0001 °C (19 bits).
pub const TEMPERATURE: FieldSpec = FieldSpec {
    name: "temperature",
    bits: 19,
    min: -50_000,
    decimals: 4,
};
/// Conductivity: 0.00000 … 10.48574 S/m at 0.00001 S/m (20 bits).
pub const CONDUCTIVITY: FieldSpec = FieldSpec {
    name: "conductivity",
    bits: 20,
    min: 0,
    decimals: 5,
};
/// Pressure: -10.000 … 8378.606 dbar at 0.001 dbar (23 bits); negative in air.
pub const PRESSURE: FieldSpec = FieldSpec {
    name: "pressure",
    bits: 23,
    min: -10_000,
    decimals: 3,
};
/// Dissolved oxygen: 0.000 … 16.382 ml/l at 0.001 ml/l (14 bits).
pub const OXYGEN: FieldSpec = FieldSpec {
    name: "oxygen",
    bits: 14,
    min: 0,
    decimals: 3,
};

impl FieldSpec {
    /// Largest value the field carries, in resolution units.
    pub const fn max(&self) -> i64 {
        self.min + (1i64 << self.bits) - 2
    }

    /// The wire code of `value` (0 for `None`), or an error when it is out of range.
    pub fn encode(&self, value: Option<i64>) -> Result<u32, MessageError> {
        match value {
            None => Ok(0),
            Some(v) if v >= self.min && v <= self.max() => Ok((v - self.min + 1) as u32),
            Some(_) => Err(MessageError::FieldOutOfRange { field: self.name }),
        }
    }

    /// The value of a wire code (`None` for code 0). Codes wider than `bits` give `None`.
    pub fn decode(&self, code: u32) -> Option<i64> {
        if code == 0 || u64::from(code) >= (1u64 << self.bits) {
            None
        } else {
            Some(self.min + i64::from(code) - 1)
        }
    }

    /// The physical value of `value` resolution units.
    pub fn to_f64(&self, value: i64) -> f64 {
        value as f64 / libm::pow(10.0, self.decimals as f64)
    }

    /// Resolution units nearest to a physical value; `None` if not finite or out of range.
    pub fn from_f64(&self, x: f64) -> Option<i64> {
        let scaled = libm::round(x * libm::pow(10.0, self.decimals as f64));
        if !scaled.is_finite() || scaled < self.min as f64 || scaled > self.max() as f64 {
            return None;
        }
        Some(scaled as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_widths_follow_dccl_formula() {
        // bits = ceil(log2(span/res + 2)) for the instrument ranges in SPEC.md §4.1
        assert_eq!(TEMPERATURE.max(), 474_286); // 47.4286 °C covers the SBE 37's -5…45 °C
        assert_eq!(CONDUCTIVITY.max(), 1_048_574); // 10.48574 S/m covers 0…7 S/m
        assert_eq!(PRESSURE.max(), 8_378_606); // 8378.606 dbar covers the 7000 m rating
        assert_eq!(OXYGEN.max(), 16_382);
    }

    #[test]
    fn codes() {
        assert_eq!(TEMPERATURE.encode(None), Ok(0));
        assert_eq!(TEMPERATURE.encode(Some(-50_000)), Ok(1));
        assert_eq!(TEMPERATURE.decode(1), Some(-50_000));
        assert_eq!(TEMPERATURE.decode(0), None);
        assert_eq!(TEMPERATURE.decode((1 << 19) - 1), Some(474_286));
        assert!(TEMPERATURE.encode(Some(474_287)).is_err());
        assert_eq!(TEMPERATURE.from_f64(13.2345), Some(132_345));
        assert_eq!(PRESSURE.from_f64(f64::NAN), None);
    }
}
