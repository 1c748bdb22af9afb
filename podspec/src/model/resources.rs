//! Quantities: memory in bytes, CPU in millicores, and the VM's size (vCPUs, MiB).
//!
//! Kubernetes quantities (`128Mi`, `0.5`, `500m`, `1e3`, `2G`) are parsed with
//! [`Memory::from_quantity`] and [`MilliCpu::from_quantity`], rounding up as Kubernetes'
//! `Value()` / `MilliValue()` do. Arithmetic is checked (vm-memory's "no operators" rule): the
//! newtypes have no `+` or `*`, only named, checked conversions.

use std::fmt;
use std::num::NonZeroU32;

use crate::{ErrorType, FieldError, FieldPath};

/// A quantity's numeric value as `mantissa * 10^exp10 * 2^exp2` (mantissa non-negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parsed {
    mantissa: u128,
    exp10: i32,
    exp2: u32,
}

fn quantity_error(s: &str, detail: &str) -> FieldError {
    FieldError::new(FieldPath::root(), ErrorType::Invalid, detail).with_value(s)
}

const QUANTITY_DETAIL: &str = "must be a quantity: a decimal number with an optional suffix \
(Ki, Mi, Gi, Ti, Pi, Ei, m, k, M, G, T, P, E, or e<exponent>), matching \
'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// Parses Kubernetes' quantity grammar. Negative values are refused (resources are never
/// negative).
fn parse_quantity(s: &str) -> Result<Parsed, FieldError> {
    if let Some(parsed) = parse_plain_quantity(s.as_bytes()) {
        return Ok(parsed);
    }
    let err = || quantity_error(s, QUANTITY_DETAIL);
    let (negative, unsigned) = match s.as_bytes() {
        [b'+', rest @ ..] => (false, rest),
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    // One pass over the bytes (no string searchers: this runs for every resource of every
    // container): the number is the leading digits and dots, at most one dot.
    let num_len = unsigned
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(num_len);
    let (int_part, frac_part) = match number.iter().position(|b| *b == b'.') {
        Some(dot) => (&number[..dot], &number[dot + 1..]),
        None => (number, &[][..]),
    };
    if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains(&b'.') {
        return Err(err());
    }
    // The digits of both parts, leading zeros dropped, at most 30 of them (so they fit).
    let mut mantissa: u128 = 0;
    let mut significant = 0_usize;
    for &b in int_part.iter().chain(frac_part) {
        if significant == 0 && b == b'0' {
            continue;
        }
        significant += 1;
        if significant > 30 {
            return Err(quantity_error(s, "is too large"));
        }
        mantissa = mantissa * 10 + u128::from(b - b'0');
    }
    if negative && mantissa != 0 {
        return Err(quantity_error(s, "must be greater than or equal to 0"));
    }
    let frac = i32::try_from(frac_part.len()).map_err(|_| err())?;
    let (exp10, exp2) = match (suffix_exponents(suffix), suffix) {
        (Some(exps), _) => exps,
        (None, [b'e' | b'E', exp @ ..]) => {
            let digits = exp
                .strip_prefix(b"+")
                .or(exp.strip_prefix(b"-"))
                .unwrap_or(exp);
            if digits.is_empty() || digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
                return Err(err());
            }
            // At most a sign and three digits.
            let value = digits
                .iter()
                .fold(0_i32, |v, d| v * 10 + i32::from(d - b'0'));
            (
                if exp.first() == Some(&b'-') {
                    -value
                } else {
                    value
                },
                0,
            )
        }
        (None, _) => return Err(err()),
    };
    Ok(Parsed {
        mantissa,
        exp10: exp10 - frac,
        exp2,
    })
}

/// The common quantity shape, `[0-9]{1,18}` and a suffix letter or two (`500m`, `1`, `128Mi`),
/// read without 128-bit arithmetic; `None` for anything else, which [`parse_quantity`] then
/// reads in full (with the same result for these shapes).
fn parse_plain_quantity(s: &[u8]) -> Option<Parsed> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let (number, suffix) = s.split_at(digits);
    let (exp10, exp2) = suffix_exponents(suffix)?;
    let mantissa = number
        .iter()
        .fold(0_u64, |m, d| m * 10 + u64::from(d - b'0'));
    Some(Parsed {
        mantissa: u128::from(mantissa),
        exp10,
        exp2,
    })
}

/// `10^k` for every `k` whose power fits a `u64`.
const POW10: [u64; 20] = {
    let mut t = [1_u64; 20];
    let mut k = 1;
    while k < 20 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// The common quantity shape (see [`parse_plain_quantity`]) straight to
/// `ceil(value * 10^scale)` in 64 bits, in one pass with no intermediate [`Parsed`]; `None`
/// for any other shape and whenever 64 bits do not do, which [`parse_quantity`] and
/// [`Parsed::ceil_scaled`] then decide (with the same result for these shapes).
#[inline]
pub(crate) fn plain_scaled(s: &[u8], scale: i32) -> Option<u64> {
    let mut mantissa = 0_u64;
    let mut digits = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            break;
        }
        if digits == 18 {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(b - b'0');
        digits += 1;
    }
    if digits == 0 {
        return None;
    }
    let (exp10, exp2) = suffix_exponents(&s[digits..])?;
    let num = mantissa.checked_mul(1_u64 << exp2)?;
    let exp = exp10 + scale;
    match usize::try_from(exp) {
        Ok(up) => num.checked_mul(*POW10.get(up)?),
        Err(_) => Some(num.div_ceil(*POW10.get(exp.unsigned_abs() as usize)?)),
    }
}

/// The decimal and binary exponents of a suffix other than an `e<exponent>`; `None` for those
/// and for anything that is no suffix.
fn suffix_exponents(suffix: &[u8]) -> Option<(i32, u32)> {
    Some(match suffix {
        b"" => (0, 0),
        b"m" => (-3, 0),
        b"u" => (-6, 0),
        b"n" => (-9, 0),
        b"k" => (3, 0),
        b"M" => (6, 0),
        b"G" => (9, 0),
        b"T" => (12, 0),
        b"P" => (15, 0),
        b"E" => (18, 0),
        b"Ki" => (0, 10),
        b"Mi" => (0, 20),
        b"Gi" => (0, 30),
        b"Ti" => (0, 40),
        b"Pi" => (0, 50),
        b"Ei" => (0, 60),
        _ => return None,
    })
}

impl Parsed {
    /// `ceil(value * 10^scale)` as a `u64`, or `None` when it does not fit.
    fn ceil_scaled(self, scale: i32) -> Option<u64> {
        // The common case in 64 bits (`500m`, `1` as millicores, `128Mi`): everything fits, and
        // the decimal exponent is within u64's powers of ten. Anything else (an overflow
        // included) is done in 128 bits below.
        if let Ok(m) = u64::try_from(self.mantissa)
            && let Some(num) = 1_u64.checked_shl(self.exp2).and_then(|p| m.checked_mul(p))
        {
            let exp = self.exp10 + scale;
            if (0..=19).contains(&exp)
                && let Some(v) = num.checked_mul(10_u64.pow(exp.unsigned_abs()))
            {
                return Some(v);
            }
            if (-19..0).contains(&exp) {
                return Some(num.div_ceil(10_u64.pow(exp.unsigned_abs())));
            }
        }
        self.ceil_scaled_wide(scale)
    }

    /// [`Self::ceil_scaled`] in 128 bits.
    fn ceil_scaled_wide(self, scale: i32) -> Option<u64> {
        let mut num = self.mantissa.checked_mul(1_u128.checked_shl(self.exp2)?)?;
        let exp = self.exp10 + scale;
        if self.mantissa == 0 {
            return Some(0);
        }
        if exp >= 0 {
            num = num.checked_mul(10_u128.checked_pow(u32::try_from(exp).ok()?)?)?;
            u64::try_from(num).ok()
        } else {
            let div = 10_u128.checked_pow(u32::try_from(-exp).ok()?);
            match div {
                Some(div) => u64::try_from(num.div_ceil(div)).ok(),
                // Dividing by more than u128 can hold: a positive value rounds up to 1.
                None => Some(1),
            }
        }
    }
}

/// An amount of memory in bytes.
///
/// # Examples
///
/// ```
/// use podspec::model::Memory;
/// assert_eq!(Memory::from_quantity("128Mi").unwrap(), Memory::from_mib(128).unwrap());
/// assert_eq!(Memory::from_quantity("1G").unwrap().bytes(), 1_000_000_000);
/// assert_eq!(Memory::from_quantity("0.5Ki").unwrap().bytes(), 512);
/// assert!(Memory::from_quantity("12 Mi").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Memory(u64);

impl Memory {
    /// This many bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Memory::from_bytes(4096).bytes(), 4096);
    /// ```
    pub const fn from_bytes(bytes: u64) -> Self {
        Self(bytes)
    }

    /// This many MiB, or `None` on overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Memory::from_mib(1).unwrap().bytes(), 1 << 20);
    /// ```
    pub const fn from_mib(mib: u64) -> Option<Self> {
        match mib.checked_mul(1 << 20) {
            Some(b) => Some(Self(b)),
            None => None,
        }
    }

    /// Parses a Kubernetes quantity, rounding a fractional byte count up.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] (at the root path) when the text is not a quantity, is negative, or
    /// does not fit in a `u64`.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::Memory;
    /// assert_eq!(Memory::from_quantity("1e3").unwrap().bytes(), 1000);
    /// assert_eq!(Memory::from_quantity("1.5").unwrap().bytes(), 2);
    /// assert!(Memory::from_quantity("-1Mi").is_err());
    /// ```
    pub fn from_quantity(s: &str) -> Result<Self, FieldError> {
        if let Some(bytes) = plain_scaled(s.as_bytes(), 0) {
            return Ok(Self(bytes));
        }
        parse_quantity(s)?
            .ceil_scaled(0)
            .map(Self)
            .ok_or_else(|| quantity_error(s, "is too large"))
    }

    /// The number of bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Memory::default().bytes(), 0);
    /// ```
    pub const fn bytes(self) -> u64 {
        self.0
    }

    /// The size in MiB, rounded up.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::Memory;
    /// assert_eq!(Memory::from_bytes((1 << 20) + 1).mib_ceil(), 2);
    /// ```
    pub const fn mib_ceil(self) -> u64 {
        self.0.div_ceil(1 << 20)
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 != 0 && self.0.is_multiple_of(1 << 20) {
            write!(f, "{}Mi", self.0 >> 20)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// An amount of CPU in thousandths of a CPU (Kubernetes' `500m`).
///
/// # Examples
///
/// ```
/// use podspec::model::MilliCpu;
/// assert_eq!(MilliCpu::from_quantity("500m").unwrap().millis(), 500);
/// assert_eq!(MilliCpu::from_quantity("0.25").unwrap().millis(), 250);
/// assert_eq!(MilliCpu::from_quantity("2").unwrap().millis(), 2000);
/// assert_eq!(MilliCpu::from_quantity("0.0001").unwrap().millis(), 1); // rounds up
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MilliCpu(u64);

impl MilliCpu {
    /// This many millicores.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::MilliCpu::from_millis(1500).millis(), 1500);
    /// ```
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Parses a Kubernetes quantity, rounding up to a whole millicore.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] (at the root path) when the text is not a quantity, is negative, or
    /// does not fit in a `u64`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(podspec::model::MilliCpu::from_quantity("one").is_err());
    /// ```
    pub fn from_quantity(s: &str) -> Result<Self, FieldError> {
        if let Some(millis) = plain_scaled(s.as_bytes(), 3) {
            return Ok(Self(millis));
        }
        parse_quantity(s)?
            .ceil_scaled(3)
            .map(Self)
            .ok_or_else(|| quantity_error(s, "is too large"))
    }

    /// The number of millicores.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::MilliCpu::default().millis(), 0);
    /// ```
    pub const fn millis(self) -> u64 {
        self.0
    }

    /// Whole vCPUs needed to give this much CPU (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::MilliCpu;
    /// assert_eq!(MilliCpu::from_millis(1500).vcpus_ceil().get(), 2);
    /// assert_eq!(MilliCpu::from_millis(0).vcpus_ceil().get(), 1);
    /// ```
    pub fn vcpus_ceil(self) -> Vcpus {
        let n = u32::try_from(self.0.div_ceil(1000)).unwrap_or(u32::MAX);
        Vcpus(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
    }
}

impl fmt::Display for MilliCpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1000) {
            write!(f, "{}", self.0 / 1000)
        } else {
            write!(f, "{}m", self.0)
        }
    }
}

/// A number of virtual CPUs, at least one.
///
/// # Examples
///
/// ```
/// use podspec::model::Vcpus;
/// assert_eq!(Vcpus::try_from(2).unwrap().get(), 2);
/// assert!(Vcpus::try_from(0).is_err());
/// assert_eq!(Vcpus::default().get(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vcpus(NonZeroU32);

impl Vcpus {
    /// One vCPU (Hyper's default).
    pub const ONE: Self = Self(NonZeroU32::MIN);

    /// The count.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Vcpus::ONE.get(), 1);
    /// ```
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl Default for Vcpus {
    fn default() -> Self {
        Self::ONE
    }
}

impl TryFrom<u32> for Vcpus {
    type Error = FieldError;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        NonZeroU32::new(n).map(Self).ok_or_else(|| {
            FieldError::new(FieldPath::root(), ErrorType::Invalid, "must be at least 1")
                .with_value(i64::from(n))
        })
    }
}

/// A VM's memory size in MiB, at least one.
///
/// # Examples
///
/// ```
/// use podspec::model::MemoryMib;
/// assert_eq!(MemoryMib::default().get(), 128);
/// assert_eq!(MemoryMib::try_from(512).unwrap().memory().bytes(), 512 << 20);
/// assert!(MemoryMib::try_from(0).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemoryMib(NonZeroU32);

impl MemoryMib {
    /// 128 MiB, Hyper's default VM size.
    pub const DEFAULT: Self = Self(NonZeroU32::new(128).expect("128 is not zero"));

    /// The size in MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::MemoryMib::DEFAULT.get(), 128);
    /// ```
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The size as [`Memory`].
    ///
    /// # Examples
    ///
    /// ```
    /// let m = podspec::model::MemoryMib::DEFAULT.memory();
    /// assert_eq!(m.mib_ceil(), 128);
    /// ```
    pub const fn memory(self) -> Memory {
        Memory((self.0.get() as u64) << 20)
    }

    /// The smallest size holding `memory` (at least 1 MiB), or `None` beyond `u32::MAX` MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Memory, MemoryMib};
    /// let m = MemoryMib::from_memory_ceil(Memory::from_bytes(1)).unwrap();
    /// assert_eq!(m.get(), 1);
    /// ```
    pub fn from_memory_ceil(memory: Memory) -> Option<Self> {
        let mib = u32::try_from(memory.mib_ceil()).ok()?;
        Some(Self(NonZeroU32::new(mib).unwrap_or(NonZeroU32::MIN)))
    }
}

impl Default for MemoryMib {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for MemoryMib {
    type Error = FieldError;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        NonZeroU32::new(n).map(Self).ok_or_else(|| {
            FieldError::new(FieldPath::root(), ErrorType::Invalid, "must be at least 1")
                .with_value(i64::from(n))
        })
    }
}

/// The VM a pod runs in: Hyper's `resource` {`vcpu`, `memory`}.
///
/// # Examples
///
/// ```
/// use podspec::model::VmResources;
/// let vm = VmResources::default();
/// assert_eq!((vm.vcpus.get(), vm.memory.get()), (1, 128));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct VmResources {
    /// Virtual CPUs.
    pub vcpus: Vcpus,
    /// Memory.
    pub memory: MemoryMib,
}

/// CPU and memory amounts (Kubernetes' `ResourceList`, restricted to the two resources a VM
/// runtime acts on).
///
/// # Examples
///
/// ```
/// use podspec::model::{Memory, ResourceList};
/// let r = ResourceList { memory: Memory::from_mib(64), ..Default::default() };
/// assert!(r.cpu.is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ResourceList {
    /// CPU.
    pub cpu: Option<MilliCpu>,
    /// Memory.
    pub memory: Option<Memory>,
}

/// A container's resource requests and limits.
///
/// # Examples
///
/// ```
/// use podspec::model::{MilliCpu, ResourceList, Resources};
/// let r = Resources {
///     limits: ResourceList { cpu: Some(MilliCpu::from_millis(500)), memory: None },
///     ..Default::default()
/// };
/// assert_eq!(r.limits.cpu.unwrap().to_string(), "500m");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Resources {
    /// What the container is guaranteed.
    pub requests: ResourceList,
    /// What the container may not exceed.
    pub limits: ResourceList,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A quantity read by the full grammar and scaled in 128 bits, past every shortcut.
    fn reference(s: &str, scale: i32) -> Result<u64, FieldError> {
        parse_quantity(s)?
            .ceil_scaled_wide(scale)
            .ok_or_else(|| quantity_error(s, "is too large"))
    }

    /// Quantity-like text: digits (many), signs, dots and the suffix letters.
    fn quantities() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            30 => proptest::char::range('0', '9'),
            2 => Just('.'),
            1 => Just('-'),
            1 => Just('+'),
            2 => Just('e'),
            1 => Just('E'),
            3 => Just('i'),
            2 => Just('m'),
            1 => Just('u'),
            1 => Just('n'),
            1 => Just('k'),
            2 => Just('K'),
            3 => Just('M'),
            2 => Just('G'),
            1 => Just('T'),
            1 => Just('P'),
            1 => Just(' '),
        ];
        let digits_then = |n| {
            (
                proptest::collection::vec(proptest::char::range('0', '9'), 1..n),
                prop_oneof![
                    Just(""),
                    Just("m"),
                    Just("u"),
                    Just("n"),
                    Just("k"),
                    Just("M"),
                    Just("G"),
                    Just("T"),
                    Just("P"),
                    Just("E"),
                    Just("Ki"),
                    Just("Mi"),
                    Just("Gi"),
                    Just("Ti"),
                    Just("Pi"),
                    Just("Ei"),
                    Just("mi"),
                ],
            )
                .prop_map(|(d, suffix)| d.into_iter().collect::<String>() + suffix)
        };
        prop_oneof![
            proptest::collection::vec(c, 0..24).prop_map(|v| v.into_iter().collect::<String>()),
            digits_then(22),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Memory and CPU read every text as the full grammar with 128-bit scaling does:
        /// the same value, or the same error.
        #[test]
        fn shortcuts_agree_with_the_full_reading(s in quantities()) {
            prop_assert_eq!(Memory::from_quantity(&s).map(Memory::bytes), reference(&s, 0));
            prop_assert_eq!(MilliCpu::from_quantity(&s).map(MilliCpu::millis), reference(&s, 3));
        }
    }

    #[test]
    fn the_one_pass_shape_leaves_what_does_not_fit_to_the_full_reading() {
        assert_eq!(plain_scaled(b"500m", 3), Some(500));
        assert_eq!(plain_scaled(b"1", 3), Some(1000));
        assert_eq!(plain_scaled(b"1n", 3), Some(1));
        assert_eq!(plain_scaled(b"128Mi", 0), Some(128 << 20));
        assert_eq!(
            plain_scaled(b"999999999999999999", 0),
            Some(999_999_999_999_999_999)
        );
        // 19 digits, 10^21, 2^60 overflowing: not decided here.
        assert_eq!(plain_scaled(b"1000000000000000000", 0), None);
        assert_eq!(plain_scaled(b"1E", 3), None);
        assert_eq!(plain_scaled(b"16Ei", 0), None);
        assert_eq!(plain_scaled(b"1.5", 0), None);
        assert_eq!(plain_scaled(b"", 0), None);
        assert!(Memory::from_quantity("16Ei").is_err());
        assert_eq!(
            MilliCpu::from_quantity("1E").unwrap_err().detail,
            "is too large"
        );
    }

    #[test]
    fn binary_suffixes_are_powers_of_1024() {
        for (s, want) in [
            ("1Ki", 1_u64 << 10),
            ("1Mi", 1 << 20),
            ("1Gi", 1 << 30),
            ("1Ti", 1 << 40),
            ("1Pi", 1 << 50),
            ("1Ei", 1 << 60),
        ] {
            assert_eq!(Memory::from_quantity(s).unwrap().bytes(), want, "{s}");
        }
    }

    #[test]
    fn decimal_suffixes_are_powers_of_1000() {
        for (s, want) in [
            ("1k", 1_000_u64),
            ("1M", 1_000_000),
            ("1G", 1_000_000_000),
            ("1T", 1_000_000_000_000),
            ("1P", 1_000_000_000_000_000),
            ("1E", 1_000_000_000_000_000_000),
            ("1500m", 2),
            ("1e6", 1_000_000),
            ("1E3", 1000),
            ("2e+2", 200),
            ("5e-1", 1),
        ] {
            assert_eq!(Memory::from_quantity(s).unwrap().bytes(), want, "{s}");
        }
    }

    #[test]
    fn cpu_rounds_up_to_a_millicore() {
        assert_eq!(MilliCpu::from_quantity("1u").unwrap().millis(), 1);
        assert_eq!(MilliCpu::from_quantity("0").unwrap().millis(), 0);
        assert_eq!(MilliCpu::from_quantity("100n").unwrap().millis(), 1);
        assert_eq!(MilliCpu::from_quantity(".5").unwrap().millis(), 500);
        assert_eq!(MilliCpu::from_quantity("1.").unwrap().millis(), 1000);
    }

    #[test]
    fn malformed_quantities_are_invalid() {
        for bad in [
            "", ".", "Mi", "1..2", "1.2.3", "1 Mi", "1mi", "1KI", "1e", "1e1000", "0x10", "1Mi1",
            "+", "--1",
        ] {
            let e = Memory::from_quantity(bad).unwrap_err();
            assert_eq!(e.kind, ErrorType::Invalid, "{bad:?}");
        }
    }

    #[test]
    fn the_plain_shape_reads_as_the_full_grammar_does() {
        for s in [
            "0",
            "7",
            "500m",
            "128Mi",
            "0010Ki",
            "999999999999999999E",
            "1u",
            "64k",
        ] {
            let plain = parse_plain_quantity(s.as_bytes());
            assert!(plain.is_some(), "{s}");
            // The full reading, past the plain shape's shortcut.
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let full = Parsed {
                mantissa: s[..digits].parse().unwrap(),
                exp10: suffix_exponents(&s.as_bytes()[digits..]).unwrap().0,
                exp2: suffix_exponents(&s.as_bytes()[digits..]).unwrap().1,
            };
            assert_eq!(plain, Some(full), "{s}");
        }
        for s in [
            "",
            "1.5",
            "-1",
            "+1",
            "1e3",
            "1mi",
            "1234567890123456789",
            ".5",
            "Mi",
        ] {
            assert_eq!(parse_plain_quantity(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn exponents_take_one_sign_and_at_most_three_digits() {
        assert_eq!(Memory::from_quantity("1e-0").unwrap().bytes(), 1);
        assert_eq!(Memory::from_quantity("3E-1").unwrap().bytes(), 1);
        assert_eq!(
            Memory::from_quantity("2e010").unwrap().bytes(),
            20_000_000_000
        );
        assert_eq!(MilliCpu::from_quantity("1e-3").unwrap().millis(), 1);
        for bad in ["1e+-1", "1e-", "1e+", "1e0001", "1ee1", "1e1.5"] {
            let e = Memory::from_quantity(bad).unwrap_err();
            assert_eq!(e.detail, QUANTITY_DETAIL, "{bad:?}");
        }
    }

    #[test]
    fn negative_quantities_are_refused_but_minus_zero_is_zero() {
        assert!(Memory::from_quantity("-1").is_err());
        assert!(MilliCpu::from_quantity("-0.5").is_err());
        assert_eq!(Memory::from_quantity("-0").unwrap().bytes(), 0);
    }

    #[test]
    fn overflow_is_too_large_not_a_panic() {
        assert!(Memory::from_quantity("100Ei").is_err());
        assert!(Memory::from_quantity("99999999999999999999999999999999").is_err());
        assert!(MilliCpu::from_quantity("1e19").is_err());
    }

    #[test]
    fn the_64_bit_path_agrees_with_the_128_bit_one() {
        let mantissas = [
            0,
            1,
            5,
            999,
            1 << 40,
            u128::from(u64::MAX),
            u128::from(u64::MAX) + 1,
        ];
        for mantissa in mantissas {
            for exp10 in -25..25 {
                for exp2 in [0, 10, 20, 60, 70] {
                    for scale in [0, 3] {
                        let p = Parsed {
                            mantissa,
                            exp10,
                            exp2,
                        };
                        assert_eq!(
                            p.ceil_scaled(scale),
                            p.ceil_scaled_wide(scale),
                            "{p:?} scale {scale}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn leading_zeros_do_not_count_towards_the_30_digits() {
        let zeros = "0".repeat(40);
        assert_eq!(
            Memory::from_quantity(&format!("{zeros}12.50Ki"))
                .unwrap()
                .bytes(),
            12_800
        );
        assert_eq!(Memory::from_quantity("000.000").unwrap().bytes(), 0);
        // 30 significant digits fit (and are then too large for a u64 unless scaled down);
        // 31 are refused before any arithmetic.
        let thirty = format!("{}e-28", "1".repeat(30));
        assert_eq!(Memory::from_quantity(&thirty).unwrap().bytes(), 12);
        let e = Memory::from_quantity(&format!("{}e-30", "1".repeat(31))).unwrap_err();
        assert_eq!(e.detail, "is too large");
    }

    #[test]
    fn display_uses_mi_when_whole() {
        assert_eq!(Memory::from_mib(3).unwrap().to_string(), "3Mi");
        assert_eq!(Memory::from_bytes(1000).to_string(), "1000");
        assert_eq!(MilliCpu::from_millis(2000).to_string(), "2");
    }
}
