//! Newtypes for the sizes and counts a VM is configured with, with checked arithmetic only
//! (vm-memory's "no operators" rule: every conversion that can overflow says so).

use std::fmt;

/// Guest memory size in MiB.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::MemMib;
/// let m = MemMib::new(128);
/// assert_eq!(m.bytes(), Some(128 << 20));
/// assert_eq!(MemMib::default(), m);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemMib(u32);

impl MemMib {
    /// The default guest memory size, 128 MiB (Firecracker's default too).
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::MemMib;
    /// assert_eq!(MemMib::DEFAULT.get(), 128);
    /// ```
    pub const DEFAULT: Self = Self(128);

    /// Wraps a size in MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::MemMib;
    /// assert_eq!(MemMib::new(64).get(), 64);
    /// ```
    #[must_use]
    pub const fn new(mib: u32) -> Self {
        Self(mib)
    }

    /// The size in MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::MemMib;
    /// assert_eq!(MemMib::new(3).get(), 3);
    /// ```
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The size in bytes, or `None` if it does not fit a `u64` (it always does for a `u32` MiB
    /// count; the check keeps the arithmetic explicit).
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::MemMib;
    /// assert_eq!(MemMib::new(1).bytes(), Some(1 << 20));
    /// ```
    #[must_use]
    pub fn bytes(self) -> Option<u64> {
        u64::from(self.0).checked_mul(1 << 20)
    }
}

impl Default for MemMib {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for MemMib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} MiB", self.0)
    }
}

/// Number of vCPUs, 1 to [`VcpuCount::MAX`].
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::VcpuCount;
/// assert_eq!(VcpuCount::new(2).map(VcpuCount::get), Some(2));
/// assert_eq!(VcpuCount::new(0), None);
/// assert_eq!(VcpuCount::default().get(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VcpuCount(u8);

impl VcpuCount {
    /// The largest supported count: the MP table's APIC ids are one byte, and the IOAPIC takes
    /// the id after the last CPU.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::VcpuCount;
    /// assert!(VcpuCount::new(VcpuCount::MAX).is_some());
    /// assert!(VcpuCount::new(VcpuCount::MAX + 1).is_none());
    /// ```
    pub const MAX: u8 = 254;

    /// One vCPU.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::VcpuCount;
    /// assert_eq!(VcpuCount::ONE.get(), 1);
    /// ```
    pub const ONE: Self = Self(1);

    /// A count in `1..=MAX`, or `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::VcpuCount;
    /// assert!(VcpuCount::new(255).is_none());
    /// ```
    #[must_use]
    pub const fn new(n: u8) -> Option<Self> {
        if n == 0 || n > Self::MAX {
            None
        } else {
            Some(Self(n))
        }
    }

    /// The count.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::VcpuCount;
    /// assert_eq!(VcpuCount::ONE.get(), 1);
    /// ```
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for VcpuCount {
    fn default() -> Self {
        Self::ONE
    }
}

impl fmt::Display for VcpuCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_mib_converts_to_bytes() {
        assert_eq!(MemMib::new(3072).bytes(), Some(3 << 30));
        assert_eq!(
            MemMib::new(u32::MAX).bytes(),
            Some(u64::from(u32::MAX) << 20)
        );
    }

    #[test]
    fn vcpu_count_rejects_zero_and_too_many() {
        assert!(VcpuCount::new(0).is_none());
        assert!(VcpuCount::new(255).is_none());
        assert_eq!(VcpuCount::new(254).map(VcpuCount::get), Some(254));
    }
}
