//! The guest physical memory layout (Firecracker's low-memory layout, spec/vmm.md 1.1) and the
//! RAM regions and E820 map derived from the memory size.
//!
//! | address | what |
//! |---|---|
//! | `0x500` | boot GDT |
//! | `0x520` | boot IDT (empty) |
//! | `0x6000` | PVH `hvm_start_info` |
//! | `0x6040` | PVH module list (the initramfs) |
//! | `0x7000` | zero page (`boot_params`) or the PVH memory map |
//! | `0x8ff0` | initial stack pointer (Linux 64-bit entry) |
//! | `0x9000..0xc000` | PML4, PDPT, PD: identity map of the first GiB |
//! | `0x20000` | kernel command line (at most 2048 bytes) |
//! | `0x9fc00` | MP table; `[0x9fc00, 0xe0000)` is reserved |
//! | `0x100000` | high memory: bzImage payload, E820 RAM from here |
//! | top of low RAM | initramfs, 4 KiB aligned |
//! | `0xC000_0000..4 GiB` | MMIO gap: never RAM (IOAPIC, LAPIC, TSS live here) |

use vm_memory::GuestAddress;

use super::units::MemMib;

/// Boot GDT.
pub const BOOT_GDT_START: GuestAddress = GuestAddress(0x500);
/// Boot IDT (one zero entry).
pub const BOOT_IDT_START: GuestAddress = GuestAddress(0x520);
/// PVH `hvm_start_info`.
pub const PVH_INFO_START: GuestAddress = GuestAddress(0x6000);
/// PVH module list.
pub const MODLIST_START: GuestAddress = GuestAddress(0x6040);
/// Zero page (Linux boot) or PVH memory map.
pub const ZERO_PAGE_START: GuestAddress = GuestAddress(0x7000);
/// Initial RSP/RBP for the Linux 64-bit entry.
pub const BOOT_STACK_POINTER: u64 = 0x8ff0;
/// Page map level 4.
pub const PML4_START: GuestAddress = GuestAddress(0x9000);
/// Page directory pointer table.
pub const PDPTE_START: GuestAddress = GuestAddress(0xa000);
/// Page directory (512 x 2 MiB pages).
pub const PDE_START: GuestAddress = GuestAddress(0xb000);
/// Kernel command line.
pub const CMDLINE_START: GuestAddress = GuestAddress(0x20000);
/// Longest command line x86 kernels accept (`COMMAND_LINE_SIZE`), including the NUL.
pub const CMDLINE_MAX_SIZE: usize = 2048;
/// End of the low RAM listed in E820 (the EBDA starts here).
pub const EBDA_START: u64 = 0x9fc00;
/// MP table.
pub const MPTABLE_START: GuestAddress = GuestAddress(EBDA_START);
/// End of the reserved range for the MP table (and ACPI, unused).
pub const SYSTEM_MEM_END: u64 = 0xe0000;
/// Start of high memory.
pub const HIMEM_START: GuestAddress = GuestAddress(0x10_0000);
/// Start of the 32-bit MMIO gap.
pub const MMIO_GAP_START: u64 = 0xC000_0000;
/// End of the 32-bit MMIO gap (4 GiB).
pub const MMIO_GAP_END: u64 = 0x1_0000_0000;
/// KVM's TSS (three pages).
pub const KVM_TSS_ADDRESS: u64 = 0xfffb_d000;
/// KVM's EPT identity map page, right below the TSS.
pub const KVM_IDENTITY_MAP_ADDRESS: u64 = 0xfffb_c000;
/// IOAPIC base.
pub const IOAPIC_START: u32 = 0xfec0_0000;
/// LAPIC base.
pub const APIC_START: u32 = 0xfee0_0000;
/// The smallest guest we accept: the ELF kernel loads at 16 MiB.
pub const MIN_MEM: MemMib = MemMib::new(32);

/// What an E820 / PVH memory map entry describes.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::layout::E820Kind;
/// assert_eq!(E820Kind::Ram.code(), 1);
/// assert_eq!(E820Kind::Reserved.code(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum E820Kind {
    /// Usable RAM (type 1).
    Ram,
    /// Reserved (type 2).
    Reserved,
}

impl E820Kind {
    /// The E820 type number.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::layout::E820Kind;
    /// assert_eq!(E820Kind::Ram.code(), 1);
    /// ```
    #[must_use]
    pub const fn code(self) -> u32 {
        match self {
            Self::Ram => 1,
            Self::Reserved => 2,
        }
    }
}

/// One memory map entry.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::layout::{E820Entry, E820Kind};
/// let e = E820Entry { addr: 0, size: 0x9fc00, kind: E820Kind::Ram };
/// assert_eq!(e.end(), Some(0x9fc00));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct E820Entry {
    /// First byte.
    pub addr: u64,
    /// Length in bytes.
    pub size: u64,
    /// RAM or reserved.
    pub kind: E820Kind,
}

impl E820Entry {
    /// One past the last byte, if it does not overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::layout::{E820Entry, E820Kind};
    /// let e = E820Entry { addr: u64::MAX, size: 2, kind: E820Kind::Ram };
    /// assert_eq!(e.end(), None);
    /// ```
    #[must_use]
    pub fn end(&self) -> Option<u64> {
        self.addr.checked_add(self.size)
    }
}

/// The RAM regions `(start, size)` for a guest of `mem` MiB: `[0, min(size, 3 GiB))`, and the
/// rest from 4 GiB. `None` if the size overflows.
///
/// # Examples
///
/// ```
/// use vm_memory::GuestAddress;
/// use vmm_ref::vmm::{MemMib, layout::ram_regions};
/// assert_eq!(ram_regions(MemMib::new(128)), Some(vec![(GuestAddress(0), 128 << 20)]));
/// let big = ram_regions(MemMib::new(4096)).unwrap();
/// assert_eq!(big, vec![(GuestAddress(0), 3 << 30), (GuestAddress(4 << 30), 1 << 30)]);
/// ```
#[must_use]
pub fn ram_regions(mem: MemMib) -> Option<Vec<(GuestAddress, u64)>> {
    let total = mem.bytes()?;
    if total <= MMIO_GAP_START {
        return Some(vec![(GuestAddress(0), total)]);
    }
    let high = total.checked_sub(MMIO_GAP_START)?;
    MMIO_GAP_END.checked_add(high)?;
    Some(vec![
        (GuestAddress(0), MMIO_GAP_START),
        (GuestAddress(MMIO_GAP_END), high),
    ])
}

/// The memory map for the given RAM regions, as Firecracker builds it: low RAM up to the EBDA,
/// the MP-table area reserved, then every region as RAM from 1 MiB up. The legacy hole
/// `[0xe0000, 1 MiB)` is not listed. Regions must start at 0 or above 1 MiB.
///
/// # Examples
///
/// ```
/// use vm_memory::GuestAddress;
/// use vmm_ref::vmm::layout::{e820_map, E820Kind};
/// let map = e820_map(&[(GuestAddress(0), 64 << 20)]);
/// assert_eq!(map.len(), 3);
/// assert_eq!((map[2].addr, map[2].size, map[2].kind), (1 << 20, (64 << 20) - (1 << 20), E820Kind::Ram));
/// ```
#[must_use]
pub fn e820_map(regions: &[(GuestAddress, u64)]) -> Vec<E820Entry> {
    let mut map = vec![
        E820Entry {
            addr: 0,
            size: EBDA_START,
            kind: E820Kind::Ram,
        },
        E820Entry {
            addr: EBDA_START,
            size: SYSTEM_MEM_END - EBDA_START,
            kind: E820Kind::Reserved,
        },
    ];
    for &(start, size) in regions {
        let Some(end) = start.0.checked_add(size) else {
            continue;
        };
        let from = start.0.max(HIMEM_START.0);
        if end > from {
            map.push(E820Entry {
                addr: from,
                size: end - from,
                kind: E820Kind::Ram,
            });
        }
    }
    map
}

/// Where the initramfs goes: the top of the low RAM region (below the MMIO gap), 4 KiB aligned,
/// and above `kernel_end`. `None` if it does not fit.
///
/// # Examples
///
/// ```
/// use vm_memory::GuestAddress;
/// use vmm_ref::vmm::layout::initrd_address;
/// let regions = [(GuestAddress(0), 64 << 20)];
/// assert_eq!(initrd_address(&regions, 0x1800, 32 << 20), Some(GuestAddress((64 << 20) - 0x2000)));
/// assert_eq!(initrd_address(&regions, 60 << 20, 32 << 20), None);
/// ```
#[must_use]
pub fn initrd_address(
    regions: &[(GuestAddress, u64)],
    size: u64,
    kernel_end: u64,
) -> Option<GuestAddress> {
    let &(start, len) = regions.first()?;
    let low_end = start.0.checked_add(len)?.min(MMIO_GAP_START);
    let addr = low_end.checked_sub(size)? & !0xfff;
    (addr >= kernel_end && addr >= HIMEM_START.0).then_some(GuestAddress(addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_gib_fits_below_the_gap() {
        assert_eq!(
            ram_regions(MemMib::new(3072)),
            Some(vec![(GuestAddress(0), 3 << 30)])
        );
    }

    #[test]
    fn memory_above_three_gib_moves_to_four_gib() {
        let r = ram_regions(MemMib::new(3073)).unwrap();
        assert_eq!(r[1], (GuestAddress(4 << 30), 1 << 20));
    }

    #[test]
    fn e820_reserves_the_mp_table_area_and_skips_the_legacy_hole() {
        let map = e820_map(&[(GuestAddress(0), 128 << 20)]);
        assert_eq!(
            map,
            vec![
                E820Entry {
                    addr: 0,
                    size: 0x9fc00,
                    kind: E820Kind::Ram
                },
                E820Entry {
                    addr: 0x9fc00,
                    size: 0x40400,
                    kind: E820Kind::Reserved
                },
                E820Entry {
                    addr: 0x10_0000,
                    size: (128 << 20) - 0x10_0000,
                    kind: E820Kind::Ram
                },
            ]
        );
        // Nothing between 0xe0000 and 1 MiB is listed.
        assert!(
            map.iter()
                .all(|e| e.end().unwrap() <= 0xe0000 || e.addr >= 0x10_0000)
        );
    }

    #[test]
    fn e820_lists_the_high_region() {
        let map = e820_map(&ram_regions(MemMib::new(5120)).unwrap());
        assert_eq!(map.len(), 4);
        assert_eq!(
            map[3],
            E820Entry {
                addr: 4 << 30,
                size: 2 << 30,
                kind: E820Kind::Ram
            }
        );
        assert_eq!(map[2].end(), Some(MMIO_GAP_START));
    }

    #[test]
    fn initrd_is_page_aligned_at_the_top_of_low_memory() {
        let regions = ram_regions(MemMib::new(4096)).unwrap();
        let a = initrd_address(&regions, 100, 0).unwrap();
        assert_eq!(a, GuestAddress(MMIO_GAP_START - 0x1000));
        assert_eq!(a.0 % 4096, 0);
    }
}
