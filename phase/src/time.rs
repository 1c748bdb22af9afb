//! The crate's time type: [`Millis`], a point on a caller-chosen clock.
//!
//! `no_std` has no `Instant`, and STYLE.md H2 asks for one crate-local time type that proptest and
//! fuzz targets can construct directly. `Millis` is that type: a `u64` count of milliseconds since
//! an epoch the caller picks (boot of the supervisor, the Unix epoch, zero in a test). The crate
//! never reads a clock; every `now` comes in as a `Millis`. Durations are [`core::time::Duration`].
//!
//! Arithmetic saturates instead of overflowing or panicking: a deadline past `u64::MAX` ms
//! (about 584 million years) is pinned at [`Millis::MAX`].

use core::fmt;
use core::time::Duration;

/// A point in time: milliseconds since an epoch chosen by the caller.
///
/// Only differences between two `Millis` from the same clock mean anything.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use phase::Millis;
/// let start = Millis::from_secs(5);
/// let later = start.saturating_add(Duration::from_millis(1_500));
/// assert_eq!(later, Millis(6_500));
/// assert_eq!(later.saturating_duration_since(start), Duration::from_millis(1_500));
/// assert_eq!(start.saturating_duration_since(later), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// The epoch itself.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::Millis;
    /// assert_eq!(Millis::ZERO.as_millis(), 0);
    /// ```
    pub const ZERO: Self = Self(0);

    /// The latest representable point; saturating arithmetic stops here.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::Millis;
    /// assert_eq!(Millis::MAX.saturating_add(Duration::from_secs(1)), Millis::MAX);
    /// ```
    pub const MAX: Self = Self(u64::MAX);

    /// `secs` whole seconds after the epoch (saturating).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::Millis;
    /// assert_eq!(Millis::from_secs(2), Millis(2_000));
    /// ```
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs.saturating_mul(1_000))
    }

    /// Milliseconds since the epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::Millis;
    /// assert_eq!(Millis(42).as_millis(), 42);
    /// ```
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, pinned at [`Millis::MAX`]. Sub-millisecond parts of `d` are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::Millis;
    /// assert_eq!(Millis(1).saturating_add(Duration::from_secs(1)), Millis(1_001));
    /// ```
    #[must_use]
    pub fn saturating_add(self, d: Duration) -> Self {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(ms))
    }

    /// `self - d`, pinned at [`Millis::ZERO`]. Sub-millisecond parts of `d` are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::Millis;
    /// assert_eq!(Millis(500).saturating_sub(Duration::from_secs(1)), Millis::ZERO);
    /// ```
    #[must_use]
    pub fn saturating_sub(self, d: Duration) -> Self {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_sub(ms))
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::Millis;
    /// assert_eq!(Millis(3_000).saturating_duration_since(Millis(1_000)), Duration::from_secs(2));
    /// ```
    #[must_use]
    pub const fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Display for Millis {
    /// Writes `<n>ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_saturates_at_max() {
        assert_eq!(
            Millis(u64::MAX - 1).saturating_add(Duration::from_millis(5)),
            Millis::MAX
        );
        assert_eq!(Millis(0).saturating_add(Duration::MAX), Millis::MAX);
    }

    #[test]
    fn sub_saturates_at_zero() {
        assert_eq!(
            Millis(3).saturating_sub(Duration::from_millis(5)),
            Millis::ZERO
        );
    }

    #[test]
    fn from_secs_saturates() {
        assert_eq!(Millis::from_secs(u64::MAX), Millis::MAX);
    }

    #[test]
    fn sub_millisecond_parts_are_dropped() {
        assert_eq!(
            Millis(0).saturating_add(Duration::from_micros(1_999)),
            Millis(1)
        );
    }

    #[test]
    fn display_has_unit() {
        assert_eq!(alloc::format!("{}", Millis(7)), "7ms");
    }
}
