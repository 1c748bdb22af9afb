//! Guest RAM: one private anonymous mapping per RAM region, placed at a host address that is
//! congruent to the region's guest address modulo 2 MiB, and advised `MADV_HUGEPAGE`.
//!
//! Why: KVM maps guest memory with 2 MiB pages in its (nested) page tables only where the host
//! backs it with a huge page *and* the memory slot's host and guest addresses agree modulo
//! 2 MiB; for a slot where they do not, it never uses large pages. `mmap` returns addresses
//! that are only page-aligned, so a plain mapping almost never qualifies, and every 4 KiB page
//! the guest touches costs a nested page fault of its own. That is expensive anywhere and
//! very expensive in the emulated-SVM rig. qemu aligns its RAM blocks the same way.
//!
//! vm-memory cannot place a mapping, so [`allocate`] maps the memory itself (with 2 MiB of
//! slack, trimmed off again) and hands vm-memory non-owning regions over it; the returned
//! [`RamMappings`] owns the mappings and must outlive every user of the memory (the `Vm` and
//! `RunningVm` keep it as their last field, so it is dropped after the memory and after the
//! vCPU threads were joined; see [`RamMappings::leak`] for threads that could not be).

use vm_memory::{GuestAddress, GuestMemoryMmap, GuestRegionMmap, MmapRegion};

use super::Error;

/// The huge page size the placement is for.
pub const HUGE_PAGE: usize = 2 << 20;

/// The lowest address at or above `reserved` that is congruent to `guest` modulo
/// [`HUGE_PAGE`]. With `HUGE_PAGE` bytes of slack after `reserved`, a region of the wanted
/// size always fits from there.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::guestmem::host_start;
/// assert_eq!(host_start(0x7f00_0012_3000, 0), 0x7f00_0020_0000);
/// assert_eq!(host_start(0x7f00_0020_0000, 0), 0x7f00_0020_0000);
/// assert_eq!(host_start(0x7f00_0012_3000, 0x1_0010_0000), 0x7f00_0030_0000);
/// ```
#[must_use]
pub fn host_start(reserved: usize, guest: u64) -> usize {
    let mask = HUGE_PAGE - 1;
    // Only the low bits of the guest address matter.
    let want = (guest & mask as u64) as usize;
    let have = reserved & mask;
    reserved + ((want + HUGE_PAGE - have) & mask)
}

/// The host mappings behind guest RAM; unmaps them when dropped.
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress};
/// use vmm_ref::vmm::guestmem::allocate;
/// let (mem, mappings) = allocate(&[(GuestAddress(0), 4 << 20)])?;
/// mem.write_obj(7u32, GuestAddress(0x1000)).unwrap();
/// drop(mem);
/// drop(mappings); // after the memory
/// # Ok::<(), vmm_ref::vmm::Error>(())
/// ```
#[derive(Debug)]
pub struct RamMappings(Vec<(usize, usize)>);

impl RamMappings {
    /// Gives the mappings up without unmapping them: for when a thread that may still use the
    /// memory could not be joined.
    ///
    /// # Examples
    ///
    /// ```
    /// use vm_memory::GuestAddress;
    /// let (mem, mappings) = vmm_ref::vmm::guestmem::allocate(&[(GuestAddress(0), 2 << 20)])?;
    /// mappings.leak();
    /// # drop(mem);
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    pub fn leak(mut self) {
        self.0.clear();
    }
}

impl Drop for RamMappings {
    fn drop(&mut self) {
        for &(addr, len) in &self.0 {
            // Safe because the range is a mapping this value made and owns, and its owner
            // drops the guest memory (the only user) first.
            unsafe { libc::munmap(addr as *mut libc::c_void, len) };
        }
    }
}

/// Maps guest RAM for `ranges` (guest address, length): each region private, anonymous and
/// `MAP_NORESERVE` as vm-memory would map it, but placed as the module docs say and advised
/// `MADV_HUGEPAGE` (a hint: refused where transparent huge pages are off, which is fine).
///
/// # Errors
///
/// [`Error::Memory`] when a mapping fails or a length overflows.
///
/// # Examples
///
/// ```
/// use vm_memory::{GuestAddress, GuestMemoryBackend, GuestMemoryRegion, MemoryRegionAddress};
/// use vmm_ref::vmm::guestmem::{HUGE_PAGE, allocate};
/// let (mem, _mappings) = allocate(&[(GuestAddress(0), 8 << 20)])?;
/// let host = mem.iter().next().unwrap().get_host_address(MemoryRegionAddress(0)).unwrap();
/// assert_eq!(host as usize % HUGE_PAGE, 0);
/// # Ok::<(), vmm_ref::vmm::Error>(())
/// ```
pub fn allocate(ranges: &[(GuestAddress, usize)]) -> Result<(GuestMemoryMmap, RamMappings), Error> {
    let prot = libc::PROT_READ | libc::PROT_WRITE;
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE;
    let mut mappings = RamMappings(Vec::with_capacity(ranges.len()));
    let mut regions = Vec::with_capacity(ranges.len());
    for &(guest, len) in ranges {
        let total = len
            .checked_add(HUGE_PAGE)
            .ok_or_else(|| Error::Memory(format!("{len} bytes of guest memory overflow")))?;
        // Safe because a fresh anonymous mapping at an address of the kernel's choosing
        // touches no existing memory.
        let reserved = unsafe { libc::mmap(std::ptr::null_mut(), total, prot, flags, -1, 0) };
        if reserved == libc::MAP_FAILED {
            return Err(Error::Memory(format!(
                "mmap of {total} bytes: {}",
                std::io::Error::last_os_error()
            )));
        }
        let base = reserved as usize;
        let start = host_start(base, guest.0);
        // Give back the slack on either side; the rest is recorded before anything can fail.
        let head = start - base;
        let tail = total - head - len;
        // Safe because both ranges lie inside the mapping just made, outside `start..start+len`.
        unsafe {
            if head > 0 {
                libc::munmap(reserved, head);
            }
            if tail > 0 {
                libc::munmap((start + len) as *mut libc::c_void, tail);
            }
        }
        mappings.0.push((start, len));
        // Safe because madvise only changes how the kernel backs the range we own.
        unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
        // Safe because `start..start + len` is a valid mapping owned by `mappings`, which the
        // caller keeps alive for as long as the memory is used (module docs).
        let region = unsafe { MmapRegion::build_raw(start as *mut u8, len, prot, flags) }
            .map_err(|e| Error::Memory(e.to_string()))?;
        regions.push(
            GuestRegionMmap::new(region, guest).ok_or_else(|| {
                Error::Memory(format!("guest region at {:#x} overflows", guest.0))
            })?,
        );
    }
    let mem = GuestMemoryMmap::from_regions(regions).map_err(|e| Error::Memory(e.to_string()))?;
    Ok((mem, mappings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vm_memory::{Bytes, GuestMemoryBackend, GuestMemoryRegion, MemoryRegionAddress};

    #[test]
    fn the_host_start_is_congruent_and_within_the_slack() {
        for base in [0x1000usize, 0x1f_f000, 0x20_0000, 0x7f12_3456_7000] {
            for guest in [0u64, 0x1000, 0x10_0000, 0x1_0000_0000, 0x1_0003_0000] {
                let s = host_start(base, guest);
                assert!(s >= base && s - base < HUGE_PAGE, "{base:#x} {guest:#x}");
                assert_eq!(s % HUGE_PAGE, (guest as usize) % HUGE_PAGE);
            }
        }
    }

    #[test]
    fn every_region_is_placed_congruently_and_usable() {
        let ranges = [(GuestAddress(0), 6 << 20), (GuestAddress(1 << 32), 4 << 20)];
        let (mem, mappings) = allocate(&ranges).unwrap();
        assert_eq!(mem.num_regions(), 2);
        for (r, &(guest, len)) in mem.iter().zip(&ranges) {
            let host = r.get_host_address(MemoryRegionAddress(0)).unwrap() as usize;
            assert_eq!(host % HUGE_PAGE, guest.0 as usize % HUGE_PAGE);
            assert_eq!(r.len(), len as u64);
            assert!(r.file_offset().is_none());
        }
        mem.write_obj(0xdead_beef_u32, GuestAddress((1 << 32) + 0x3f_fffc))
            .unwrap();
        assert_eq!(
            mem.read_obj::<u32>(GuestAddress((1 << 32) + 0x3f_fffc))
                .unwrap(),
            0xdead_beef
        );
        // Fresh memory reads as zero.
        assert_eq!(mem.read_obj::<u64>(GuestAddress(0x5f_fff8)).unwrap(), 0);
        assert_eq!(mappings.0.len(), 2);
        drop(mem);
        drop(mappings);
    }
}
