//! The Intel MultiProcessor (MP 1.4) table that lets a kernel built with `CONFIG_X86_MPPARSE`
//! find more than one CPU and the IOAPIC (spec/vmm.md 1.11).
//!
//! Layout at [`MPTABLE_START`]: the 16-byte floating pointer (`_MP_`), then the configuration
//! table (`PCMP`) with one processor entry per vCPU (APIC id = vCPU index, the BSP is 0), one
//! ISA bus, one IOAPIC (id = vCPU count + 1), interrupt sources ISA IRQ i -> IOAPIC pin i for
//! i in 0..24, and the local interrupts ExtINT -> LINT0 and NMI -> LINT1.

use vm_memory::{Bytes, GuestMemoryMmap};

use super::Error;
use super::layout::{APIC_START, IOAPIC_START, MPTABLE_START, SYSTEM_MEM_END};
use super::units::VcpuCount;

/// Local APIC version reported for every CPU.
const APIC_VERSION: u8 = 0x14;
/// IOAPIC version.
const IOAPIC_VERSION: u8 = 0x11;
/// CPU signature (family 6).
const CPU_STEPPING: u32 = 0x600;
/// CPU feature flags: APIC and FPU present.
const CPU_FEATURE_APIC_FPU: u32 = 0x201;
/// Number of IOAPIC pins routed from the ISA bus.
const IRQ_PINS: u8 = 24;
/// Size of the floating pointer structure.
const MPF_SIZE: usize = 16;
/// Size of the configuration table header.
const MPC_HEADER_SIZE: usize = 44;

/// The two's-complement checksum byte that makes `bytes` sum to zero.
fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |acc, b| acc.wrapping_add(*b))
        .wrapping_neg()
}

/// Builds the MP floating pointer and configuration table for `cpus` vCPUs, to be placed at
/// guest physical address `base`.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::{VcpuCount, mptable::build_mptable};
/// let t = build_mptable(VcpuCount::new(2).unwrap(), 0x9fc00);
/// assert_eq!(&t[0..4], b"_MP_");
/// assert_eq!(&t[16..20], b"PCMP");
/// assert_eq!(t[..16].iter().fold(0u8, |a, b| a.wrapping_add(*b)), 0);
/// ```
#[must_use]
pub fn build_mptable(cpus: VcpuCount, base: u32) -> Vec<u8> {
    let n = cpus.get();
    let ioapic_id = n + 1;
    let mut entries: Vec<u8> = Vec::new();
    let mut count: u16 = 0;
    for id in 0..n {
        entries.push(0); // MP_PROCESSOR
        entries.push(id);
        entries.push(APIC_VERSION);
        entries.push(if id == 0 { 0x3 } else { 0x1 }); // enabled, BSP
        entries.extend_from_slice(&CPU_STEPPING.to_le_bytes());
        entries.extend_from_slice(&CPU_FEATURE_APIC_FPU.to_le_bytes());
        entries.extend_from_slice(&[0; 8]);
        count += 1;
    }
    // MP_BUS: bus 0 is ISA.
    entries.extend_from_slice(&[1, 0]);
    entries.extend_from_slice(b"ISA   ");
    count += 1;
    // MP_IOAPIC: enabled.
    entries.extend_from_slice(&[2, ioapic_id, IOAPIC_VERSION, 1]);
    entries.extend_from_slice(&IOAPIC_START.to_le_bytes());
    count += 1;
    for irq in 0..IRQ_PINS {
        // MP_INTSRC, mp_INT, flags 0 (conforming), bus 0, irq -> ioapic pin irq.
        entries.extend_from_slice(&[3, 0, 0, 0, 0, irq, ioapic_id, irq]);
        count += 1;
    }
    // MP_LINTSRC: ExtINT -> LINT0 of every local APIC, NMI -> LINT1.
    entries.extend_from_slice(&[4, 3, 0, 0, 0, 0, 0xff, 0]);
    entries.extend_from_slice(&[4, 1, 0, 0, 0, 0, 0xff, 1]);
    count += 2;

    let table_len = MPC_HEADER_SIZE + entries.len();
    let mut table = Vec::with_capacity(table_len);
    table.extend_from_slice(b"PCMP");
    table.extend_from_slice(&(table_len as u16).to_le_bytes());
    table.push(4); // spec revision 1.4
    table.push(0); // checksum, below
    table.extend_from_slice(b"VMM-REF ");
    table.extend_from_slice(b"000000000000");
    table.extend_from_slice(&0u32.to_le_bytes()); // OEM table pointer
    table.extend_from_slice(&0u16.to_le_bytes()); // OEM table size
    table.extend_from_slice(&count.to_le_bytes());
    table.extend_from_slice(&APIC_START.to_le_bytes());
    table.extend_from_slice(&0u32.to_le_bytes()); // extended table length/checksum
    table.extend_from_slice(&entries);
    table[7] = checksum(&table);

    let mut mpf = Vec::with_capacity(MPF_SIZE + table_len);
    mpf.extend_from_slice(b"_MP_");
    mpf.extend_from_slice(&(base + MPF_SIZE as u32).to_le_bytes());
    mpf.push(1); // length in 16-byte units
    mpf.push(4); // spec revision
    mpf.push(0); // checksum, below
    mpf.extend_from_slice(&[0; 5]); // feature bytes: a configuration table is present
    mpf[10] = checksum(&mpf);
    mpf.extend_from_slice(&table);
    mpf
}

/// Writes the MP table for `cpus` vCPUs at [`MPTABLE_START`].
///
/// # Errors
///
/// [`Error::Layout`] if it would run past the reserved area, [`Error::GuestMemory`] if the
/// area is not backed.
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::{VcpuCount, mptable::write_mptable};
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 1 << 20)]).unwrap();
/// write_mptable(&mem, VcpuCount::ONE).unwrap();
/// let mut sig = [0u8; 4];
/// mem.read_slice(&mut sig, GuestAddress(0x9fc00)).unwrap();
/// assert_eq!(&sig, b"_MP_");
/// ```
pub fn write_mptable(mem: &GuestMemoryMmap, cpus: VcpuCount) -> Result<(), Error> {
    let bytes = build_mptable(cpus, MPTABLE_START.0 as u32);
    if MPTABLE_START.0 + bytes.len() as u64 > SYSTEM_MEM_END {
        return Err(Error::Layout("MP table runs past the reserved area"));
    }
    mem.write_slice(&bytes, MPTABLE_START)
        .map_err(|e| Error::GuestMemory(format!("MP table: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(b: &[u8]) -> u8 {
        b.iter().fold(0u8, |a, x| a.wrapping_add(*x))
    }

    fn u16_at(b: &[u8], i: usize) -> u16 {
        u16::from_le_bytes([b[i], b[i + 1]])
    }

    #[test]
    fn both_checksums_are_zero_for_every_cpu_count() {
        for n in [1u8, 2, 4, 17, 254] {
            let t = build_mptable(VcpuCount::new(n).unwrap(), 0x9fc00);
            assert_eq!(sum(&t[..16]), 0, "floating pointer, {n} cpus");
            let len = usize::from(u16_at(&t, 16 + 4));
            assert_eq!(len, t.len() - 16);
            assert_eq!(sum(&t[16..]), 0, "config table, {n} cpus");
        }
    }

    #[test]
    fn floating_pointer_points_at_the_table() {
        let t = build_mptable(VcpuCount::ONE, 0x9fc00);
        assert_eq!(u32::from_le_bytes([t[4], t[5], t[6], t[7]]), 0x9fc10);
        assert_eq!((t[8], t[9]), (1, 4));
    }

    #[test]
    fn one_processor_entry_per_vcpu_with_matching_apic_ids_and_one_bsp() {
        let n = 4u8;
        let t = build_mptable(VcpuCount::new(n).unwrap(), 0x9fc00);
        let entries = &t[16 + 44..];
        for id in 0..n {
            let e = &entries[usize::from(id) * 20..usize::from(id) * 20 + 20];
            assert_eq!(e[0], 0);
            assert_eq!(e[1], id);
            assert_eq!(e[3] & 2 != 0, id == 0, "only cpu 0 is the BSP");
        }
        // entry count: cpus + bus + ioapic + 24 intsrc + 2 lintsrc
        assert_eq!(u16_at(&t, 16 + 34), u16::from(n) + 1 + 1 + 24 + 2);
    }

    #[test]
    fn ioapic_id_follows_the_cpus_and_sits_at_fec00000() {
        let t = build_mptable(VcpuCount::new(2).unwrap(), 0x9fc00);
        let io = &t[16 + 44 + 2 * 20 + 8..][..8];
        assert_eq!((io[0], io[1], io[3]), (2, 3, 1));
        assert_eq!(
            u32::from_le_bytes([io[4], io[5], io[6], io[7]]),
            0xfec0_0000
        );
    }

    #[test]
    fn the_largest_table_fits_the_reserved_area() {
        let t = build_mptable(VcpuCount::new(254).unwrap(), 0x9fc00);
        assert!(0x9fc00 + t.len() as u64 <= SYSTEM_MEM_END);
    }
}
