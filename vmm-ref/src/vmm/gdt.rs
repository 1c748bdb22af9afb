//! The boot GDT, its KVM segment registers, and the identity-mapping page tables, as pure
//! functions (spec/vmm.md 1.6).

use kvm_bindings::{kvm_segment, kvm_sregs};
use vm_memory::{Bytes, GuestMemoryMmap};

use super::layout::{BOOT_GDT_START, BOOT_IDT_START, PDE_START, PDPTE_START, PML4_START};
use super::{BootProtocol, Error};

/// Encodes one GDT descriptor from its flags (access byte in bits 0-7, flags nibble in bits
/// 12-15), base and limit, as Linux's `GDT_ENTRY` macro does.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::gdt::gdt_entry;
/// // The 64-bit code segment: present, DPL 0, execute/read, L=1.
/// assert_eq!(gdt_entry(0xa09b, 0, 0xfffff), 0x00af_9b00_0000_ffff);
/// ```
#[must_use]
pub const fn gdt_entry(flags: u16, base: u32, limit: u32) -> u64 {
    let base = base as u64;
    let limit = limit as u64;
    let flags = flags as u64;
    ((base & 0xff00_0000) << (56 - 24))
        | ((flags & 0xf0ff) << 40)
        | ((limit & 0x000f_0000) << (48 - 16))
        | ((base & 0x00ff_ffff) << 16)
        | (limit & 0x0000_ffff)
}

/// The four-entry boot GDT for a boot protocol: null, code (selector 0x08), data (0x10),
/// TSS (0x18).
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::{BootProtocol, gdt::boot_gdt};
/// let g = boot_gdt(BootProtocol::Linux64);
/// assert_eq!(g[0], 0);
/// // L bit set on the Linux 64-bit code segment, D/B on the PVH one.
/// assert_ne!(g[1] & (1 << 53), 0);
/// assert_ne!(boot_gdt(BootProtocol::Pvh)[1] & (1 << 54), 0);
/// ```
#[must_use]
pub const fn boot_gdt(protocol: BootProtocol) -> [u64; 4] {
    match protocol {
        BootProtocol::Linux64 => [
            0,
            gdt_entry(0xa09b, 0, 0xfffff),
            gdt_entry(0xc093, 0, 0xfffff),
            gdt_entry(0x808b, 0, 0xfffff),
        ],
        BootProtocol::Pvh => [
            0,
            gdt_entry(0xc09b, 0, 0xffff_ffff),
            gdt_entry(0xc093, 0, 0xffff_ffff),
            gdt_entry(0x008b, 0, 0x67),
        ],
    }
}

/// The KVM segment register for GDT entry `index`: base, limit (scaled to bytes when the
/// granularity bit is set) and attribute bits decoded from the descriptor.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::gdt::{gdt_entry, segment_from_entry};
/// let s = segment_from_entry(gdt_entry(0xc093, 0, 0xfffff), 2);
/// assert_eq!((s.selector, s.limit, s.g, s.db, s.present), (0x10, 0xffff_ffff, 1, 1, 1));
/// ```
#[must_use]
pub fn segment_from_entry(entry: u64, index: u8) -> kvm_segment {
    let bit = |shift: u32| ((entry >> shift) & 1) as u8;
    let base = ((entry >> 16) & 0x00ff_ffff) | ((entry >> 32) & 0xff00_0000);
    let raw_limit = ((entry & 0xffff) | ((entry >> 32) & 0x000f_0000)) as u32;
    let g = bit(55);
    let limit = if g == 1 {
        (raw_limit << 12) | 0xfff
    } else {
        raw_limit
    };
    let present = bit(47);
    kvm_segment {
        base,
        limit,
        selector: u16::from(index) * 8,
        type_: ((entry >> 40) & 0xf) as u8,
        present,
        dpl: ((entry >> 45) & 3) as u8,
        db: bit(54),
        s: bit(44),
        l: bit(53),
        g,
        avl: bit(52),
        unusable: u8::from(present == 0),
        padding: 0,
    }
}

/// Writes the boot GDT and the empty IDT into guest memory.
///
/// # Errors
///
/// [`Error::GuestMemory`] when the low pages are not backed.
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::{BootProtocol, gdt::{boot_gdt, write_gdt}};
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 1 << 20)]).unwrap();
/// write_gdt(&mem, BootProtocol::Linux64).unwrap();
/// let code: u64 = mem.read_obj(GuestAddress(0x508)).unwrap();
/// assert_eq!(code, boot_gdt(BootProtocol::Linux64)[1]);
/// ```
pub fn write_gdt(mem: &GuestMemoryMmap, protocol: BootProtocol) -> Result<(), Error> {
    for (i, entry) in boot_gdt(protocol).iter().enumerate() {
        let addr = BOOT_GDT_START
            .0
            .checked_add(8 * i as u64)
            .ok_or(Error::Layout("GDT address overflows"))?;
        mem.write_obj(*entry, vm_memory::GuestAddress(addr))
            .map_err(|e| Error::GuestMemory(format!("GDT: {e}")))?;
    }
    mem.write_obj(0u64, BOOT_IDT_START)
        .map_err(|e| Error::GuestMemory(format!("IDT: {e}")))?;
    Ok(())
}

/// Writes page tables identity-mapping the first GiB with 2 MiB pages (PML4 at 0x9000, PDPT at
/// 0xa000, PD at 0xb000), for the Linux 64-bit entry.
///
/// # Errors
///
/// [`Error::GuestMemory`] when the low pages are not backed.
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::gdt::write_page_tables;
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 1 << 20)]).unwrap();
/// write_page_tables(&mem).unwrap();
/// let pml4: u64 = mem.read_obj(GuestAddress(0x9000)).unwrap();
/// assert_eq!(pml4, 0xa003);
/// ```
pub fn write_page_tables(mem: &GuestMemoryMmap) -> Result<(), Error> {
    let err = |e: vm_memory::GuestMemoryError| Error::GuestMemory(format!("page tables: {e}"));
    mem.write_obj(PDPTE_START.0 | 0x03, PML4_START)
        .map_err(err)?;
    mem.write_obj(PDE_START.0 | 0x03, PDPTE_START)
        .map_err(err)?;
    for i in 0..512u64 {
        // Present, writable, page size (2 MiB).
        mem.write_obj(
            (i << 21) | 0x83,
            vm_memory::GuestAddress(PDE_START.0 + i * 8),
        )
        .map_err(err)?;
    }
    Ok(())
}

/// CR0 protection enable.
const X86_CR0_PE: u64 = 0x1;
/// CR0 extension type (387 present).
const X86_CR0_ET: u64 = 0x10;
/// CR0 paging.
const X86_CR0_PG: u64 = 0x8000_0000;
/// CR4 physical address extension.
const X86_CR4_PAE: u64 = 0x20;
/// EFER long mode enable.
const EFER_LME: u64 = 0x100;
/// EFER long mode active.
const EFER_LMA: u64 = 0x400;

/// The special registers for entering the kernel: segments from the boot GDT, GDT/IDT
/// registers, and the control registers of the protocol (long mode with paging for Linux
/// 64-bit; 32-bit protected mode without paging for PVH). Starts from the vCPU's current
/// `sregs` so the fields KVM filled in (APIC base, ...) are kept.
///
/// # Examples
///
/// ```
/// use kvm_bindings::kvm_sregs;
/// use vmm_ref::vmm::{BootProtocol, gdt::boot_sregs};
/// let s = boot_sregs(kvm_sregs::default(), BootProtocol::Linux64);
/// assert_eq!((s.cs.selector, s.cs.l, s.cr3), (0x08, 1, 0x9000));
/// assert_eq!(s.efer & 0x500, 0x500);
/// let p = boot_sregs(kvm_sregs::default(), BootProtocol::Pvh);
/// assert_eq!((p.cr0, p.cr4, p.cs.db), (0x11, 0, 1));
/// ```
#[must_use]
pub fn boot_sregs(mut sregs: kvm_sregs, protocol: BootProtocol) -> kvm_sregs {
    let gdt = boot_gdt(protocol);
    let code = segment_from_entry(gdt[1], 1);
    let data = segment_from_entry(gdt[2], 2);
    let tss = segment_from_entry(gdt[3], 3);
    sregs.gdt.base = BOOT_GDT_START.0;
    sregs.gdt.limit = (size_of_val(&gdt) - 1) as u16;
    sregs.idt.base = BOOT_IDT_START.0;
    sregs.idt.limit = 7;
    sregs.cs = code;
    sregs.ds = data;
    sregs.es = data;
    sregs.fs = data;
    sregs.gs = data;
    sregs.ss = data;
    sregs.tr = tss;
    match protocol {
        BootProtocol::Linux64 => {
            sregs.cr0 |= X86_CR0_PE | X86_CR0_PG;
            sregs.cr3 = PML4_START.0;
            sregs.cr4 |= X86_CR4_PAE;
            sregs.efer |= EFER_LME | EFER_LMA;
        }
        BootProtocol::Pvh => {
            sregs.cr0 = X86_CR0_PE | X86_CR0_ET;
            sregs.cr4 = 0;
        }
    }
    sregs
}

#[cfg(test)]
mod tests {
    use super::*;
    use vm_memory::GuestAddress;

    #[test]
    fn linux_gdt_matches_the_known_descriptors() {
        let g = boot_gdt(BootProtocol::Linux64);
        assert_eq!(g[1], 0x00af_9b00_0000_ffff);
        assert_eq!(g[2], 0x00cf_9300_0000_ffff);
        assert_eq!(g[3], 0x008f_8b00_0000_ffff);
    }

    #[test]
    fn pvh_tss_limit_is_not_scaled() {
        let tss = segment_from_entry(boot_gdt(BootProtocol::Pvh)[3], 3);
        assert_eq!(
            (tss.limit, tss.g, tss.type_, tss.selector),
            (0x67, 0, 0xb, 0x18)
        );
    }

    #[test]
    fn segment_decodes_the_base_bytes() {
        let s = segment_from_entry(gdt_entry(0x0093, 0x1234_5678, 0xabcde), 5);
        assert_eq!(
            (s.base, s.limit, s.selector, s.g),
            (0x1234_5678, 0xabcde, 40, 0)
        );
    }

    #[test]
    fn null_entry_is_unusable() {
        assert_eq!(segment_from_entry(0, 0).unusable, 1);
    }

    #[test]
    fn page_tables_identity_map_the_first_gib() {
        let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 1 << 20)]).unwrap();
        write_page_tables(&mem).unwrap();
        let pdpte: u64 = mem.read_obj(GuestAddress(0xa000)).unwrap();
        assert_eq!(pdpte, 0xb003);
        let first: u64 = mem.read_obj(GuestAddress(0xb000)).unwrap();
        let last: u64 = mem.read_obj(GuestAddress(0xb000 + 511 * 8)).unwrap();
        assert_eq!(first, 0x83);
        assert_eq!(last, (511 << 21) | 0x83);
    }

    #[test]
    fn write_gdt_fails_without_low_memory() {
        let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(1 << 20), 1 << 20)]).unwrap();
        assert!(matches!(
            write_gdt(&mem, BootProtocol::Pvh),
            Err(Error::GuestMemory(_))
        ));
    }

    #[test]
    fn linux_sregs_keep_unrelated_fields() {
        let before = kvm_sregs {
            apic_base: 0xfee0_0900,
            cr0: 0x10,
            ..Default::default()
        };
        let s = boot_sregs(before, BootProtocol::Linux64);
        assert_eq!(s.apic_base, 0xfee0_0900);
        assert_eq!(s.cr0, 0x8000_0011);
        assert_eq!(
            (s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit),
            (0x500, 31, 0x520, 7)
        );
        assert_eq!(s.tr.selector, 0x18);
    }
}
