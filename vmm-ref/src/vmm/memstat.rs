//! The VMM's own memory use: its resident set minus the guest memory the guest touched
//! (DESIGN.md, "VMM memory overhead"; Firecracker's target is 5 MiB).
//!
//! Read from `/proc/self`: the peak and current resident set (`VmHWM`, `VmRSS` in `status`)
//! and the resident pages of the guest memory mappings (the `Rss:` of every mapping in `smaps`
//! that overlaps a guest memory range; with kernel segments mapped from the `vmlinux` file a
//! guest range is several mappings, all counted). The guest never gives memory back, so its
//! resident pages at the time of measuring are at least what they were at the moment of the
//! peak, and `VmHWM - guest` never overstates the VMM's own peak.
//!
//! # Examples
//!
//! ```
//! use vmm_ref::vmm::memstat::MemoryUsage;
//! let status = "VmHWM:\t  90000 kB\nVmRSS:\t  88000 kB\n";
//! let smaps = "7f0000000000-7f0010000000 rw-p 00000000 00:00 0 \nRss:               80000 kB\n";
//! let u = MemoryUsage::from_proc(status, smaps, &[(0x7f00_0000_0000, 0x1000_0000)]).unwrap();
//! assert_eq!(u.guest_kib, 80000);
//! assert_eq!(u.peak_overhead_kib(), 10000);
//! ```

/// Memory of the VMM process, KiB.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::memstat::MemoryUsage;
/// let u = MemoryUsage { peak_rss_kib: 100, rss_kib: 90, guest_kib: 80 };
/// assert_eq!((u.peak_overhead_kib(), u.overhead_kib()), (20, 10));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Peak resident set of the process (`VmHWM`), guest pages included.
    pub peak_rss_kib: u64,
    /// Resident set now (`VmRSS`), guest pages included.
    pub rss_kib: u64,
    /// Resident pages of guest memory now.
    pub guest_kib: u64,
}

impl MemoryUsage {
    /// Peak resident set minus the guest's resident pages: the VMM's own peak (never
    /// overstated, see the module docs).
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::memstat::MemoryUsage;
    /// let u = MemoryUsage { peak_rss_kib: 10, rss_kib: 10, guest_kib: 12 };
    /// assert_eq!(u.peak_overhead_kib(), 0);
    /// ```
    #[must_use]
    pub fn peak_overhead_kib(&self) -> u64 {
        self.peak_rss_kib.saturating_sub(self.guest_kib)
    }

    /// Resident set now minus the guest's resident pages.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::memstat::MemoryUsage;
    /// let u = MemoryUsage { peak_rss_kib: 50, rss_kib: 30, guest_kib: 20 };
    /// assert_eq!(u.overhead_kib(), 10);
    /// ```
    #[must_use]
    pub fn overhead_kib(&self) -> u64 {
        self.rss_kib.saturating_sub(self.guest_kib)
    }

    /// Computes the usage from the text of `/proc/self/status` and `/proc/self/smaps` and the
    /// guest memory ranges `(host address, length)`. `None` when `status` lacks `VmHWM` or
    /// `VmRSS`.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::memstat::MemoryUsage;
    /// assert!(MemoryUsage::from_proc("Name: x\n", "", &[]).is_none());
    /// ```
    #[must_use]
    pub fn from_proc(status: &str, smaps: &str, guest: &[(u64, u64)]) -> Option<Self> {
        Some(Self {
            peak_rss_kib: status_kib(status, "VmHWM")?,
            rss_kib: status_kib(status, "VmRSS")?,
            guest_kib: resident_in(smaps, guest),
        })
    }

    /// Reads this process's usage now. `None` when `/proc` cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::memstat::MemoryUsage;
    /// let u = MemoryUsage::measure(&[]).unwrap();
    /// assert!(u.peak_rss_kib >= u.rss_kib && u.guest_kib == 0);
    /// ```
    #[must_use]
    pub fn measure(guest: &[(u64, u64)]) -> Option<Self> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        Self::from_proc(&status, &smaps, guest)
    }
}

/// The value of a `Key:   N kB` line of `/proc/PID/status`.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// The sum of `Rss:` over the mappings of `smaps` that overlap one of `ranges`.
fn resident_in(smaps: &str, ranges: &[(u64, u64)]) -> u64 {
    let mut total = 0;
    let mut inside = false;
    for line in smaps.lines() {
        if let Some((start, end)) = mapping_range(line) {
            inside = ranges.iter().any(|&(a, len)| {
                let b = a.saturating_add(len);
                start < b && a < end
            });
        } else if inside && let Some(rest) = line.strip_prefix("Rss:") {
            total += rest
                .trim()
                .strip_suffix("kB")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

/// `start-end` of a mapping's header line in `smaps` (`7f..-7f.. rw-p ...`).
fn mapping_range(line: &str) -> Option<(u64, u64)> {
    let range = line.split_whitespace().next()?;
    let (a, b) = range.split_once('-')?;
    let start = u64::from_str_radix(a, 16).ok()?;
    let end = u64::from_str_radix(b, 16).ok()?;
    (start < end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
55d000000000-55d000100000 r-xp 00000000 08:01 42 /usr/bin/vmm-ref
Size:               1024 kB
Rss:                 900 kB
7f0000000000-7f0001000000 rw-p 00000000 00:00 0 
Size:              16384 kB
Rss:                2048 kB
7f0001000000-7f0003000000 rw-p 00200000 08:01 7 /rig/guest/vmlinux
Size:              32768 kB
Rss:               12000 kB
7f0003000000-7f0010000000 rw-p 00000000 00:00 0 
Size:             212992 kB
Rss:                4000 kB
7f0010000000-7f0010021000 rw-p 00000000 00:00 0 
Size:                132 kB
Rss:                  40 kB
";

    #[test]
    fn every_mapping_of_a_guest_range_counts_and_nothing_else() {
        let guest = [(0x7f00_0000_0000, 0x1000_0000)];
        assert_eq!(resident_in(SMAPS, &guest), 2048 + 12000 + 4000);
        assert_eq!(resident_in(SMAPS, &[]), 0);
    }

    #[test]
    fn a_mapping_that_straddles_the_range_end_counts_as_guest() {
        let guest = [(0x7f00_0000_0000, 0x0200_0000)];
        assert_eq!(resident_in(SMAPS, &guest), 2048 + 12000);
    }

    #[test]
    fn status_fields_are_read_in_kib() {
        let status =
            "Name:\tvmm-ref\nVmPeak:\t  300000 kB\nVmHWM:\t   90000 kB\nVmRSS:\t   85000 kB\n";
        let u = MemoryUsage::from_proc(status, SMAPS, &[(0x7f00_0000_0000, 0x1000_0000)]).unwrap();
        assert_eq!(
            u,
            MemoryUsage {
                peak_rss_kib: 90000,
                rss_kib: 85000,
                guest_kib: 18048
            }
        );
        assert_eq!(u.peak_overhead_kib(), 90000 - 18048);
        assert_eq!(u.overhead_kib(), 85000 - 18048);
        assert_eq!(status_kib("VmHWMx: 5 kB\n", "VmHWM"), None);
    }

    #[test]
    fn this_process_can_be_measured() {
        let u = MemoryUsage::measure(&[]).unwrap();
        assert!(u.rss_kib > 0 && u.peak_rss_kib >= u.rss_kib);
    }
}
