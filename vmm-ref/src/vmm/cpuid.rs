//! CPUID and MSR setup for each vCPU, as pure functions over the entries KVM supports
//! (spec/vmm.md 1.7-1.9).

use kvm_bindings::{kvm_cpuid_entry2, kvm_fpu, kvm_msr_entry, kvm_regs};

use super::BootProtocol;
use super::layout::{BOOT_STACK_POINTER, PVH_INFO_START, ZERO_PAGE_START};

/// Leaf 1 ECX: running under a hypervisor.
const ECX_HYPERVISOR: u32 = 1 << 31;
/// Leaf 1 ECX: TSC deadline timer.
const ECX_TSC_DEADLINE: u32 = 1 << 24;
/// Leaf 1 ECX: perfmon and debug capability (an MSR we do not offer).
const ECX_PDCM: u32 = 1 << 15;
/// Leaf 1 EDX: hyper-threading (more than one logical processor per package).
const EDX_HTT: u32 = 1 << 28;
/// Leaf 6 ECX: energy performance bias.
const ECX_EPB: u32 = 1 << 3;
/// Leaf 7 ECX: WAITPKG (umwait/tpause), which KVM may not intercept.
const ECX_WAITPKG: u32 = 1 << 5;

/// Adjusts the CPUID entries KVM supports for vCPU `index` of `count`: the hypervisor bit,
/// the TSC-deadline bit when KVM offers that timer, APIC id = vCPU index (leaf 1 EBX and leaf
/// 0xB EDX), the logical-processor count and HTT with more than one vCPU, and clears PDCM,
/// EPB, WAITPKG and the PMU leaf (0xA), which we do not emulate.
///
/// # Examples
///
/// ```
/// use kvm_bindings::kvm_cpuid_entry2;
/// use vmm_ref::vmm::cpuid::filter_cpuid;
/// let mut e = [kvm_cpuid_entry2 { function: 1, ..Default::default() }];
/// filter_cpuid(&mut e, 3, 4, true);
/// assert_eq!(e[0].ebx >> 24, 3);
/// assert_ne!(e[0].ecx & (1 << 31), 0);
/// ```
pub fn filter_cpuid(entries: &mut [kvm_cpuid_entry2], index: u8, count: u8, tsc_deadline: bool) {
    for e in entries.iter_mut() {
        match e.function {
            1 => {
                e.ecx |= ECX_HYPERVISOR;
                e.ecx &= !ECX_PDCM;
                if tsc_deadline {
                    e.ecx |= ECX_TSC_DEADLINE;
                }
                // APIC id in 31:24, CLFLUSH line size (8 x 8 bytes) in 15:8.
                e.ebx = (u32::from(index) << 24) | (8 << 8);
                if count > 1 {
                    e.ebx |= u32::from(count) << 16;
                    e.edx |= EDX_HTT;
                }
            }
            6 => e.ecx &= !ECX_EPB,
            7 if e.index == 0 => e.ecx &= !ECX_WAITPKG,
            0xa => {
                e.eax = 0;
                e.ebx = 0;
                e.ecx = 0;
                e.edx = 0;
            }
            0xb => e.edx = u32::from(index),
            _ => {}
        }
    }
}

/// MSR indices written at boot.
mod msr_index {
    pub(super) const IA32_SYSENTER_CS: u32 = 0x174;
    pub(super) const IA32_SYSENTER_ESP: u32 = 0x175;
    pub(super) const IA32_SYSENTER_EIP: u32 = 0x176;
    pub(super) const STAR: u32 = 0xc000_0081;
    pub(super) const LSTAR: u32 = 0xc000_0082;
    pub(super) const CSTAR: u32 = 0xc000_0083;
    pub(super) const SYSCALL_MASK: u32 = 0xc000_0084;
    pub(super) const KERNEL_GS_BASE: u32 = 0xc000_0102;
    pub(super) const IA32_TSC: u32 = 0x10;
    pub(super) const IA32_MISC_ENABLE: u32 = 0x1a0;
    pub(super) const MTRR_DEF_TYPE: u32 = 0x2ff;
}

/// The MSRs every vCPU starts with: SYSENTER/SYSCALL MSRs zeroed, TSC 0, fast strings on,
/// and MTRRs enabled with write-back as the default type (`0x806`).
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::cpuid::boot_msrs;
/// let m = boot_msrs();
/// assert!(m.iter().any(|e| e.index == 0x2ff && e.data == 0x806));
/// ```
#[must_use]
pub fn boot_msrs() -> Vec<kvm_msr_entry> {
    use msr_index::*;
    let entry = |index, data| kvm_msr_entry {
        index,
        data,
        ..Default::default()
    };
    vec![
        entry(IA32_SYSENTER_CS, 0),
        entry(IA32_SYSENTER_ESP, 0),
        entry(IA32_SYSENTER_EIP, 0),
        entry(STAR, 0),
        entry(CSTAR, 0),
        entry(KERNEL_GS_BASE, 0),
        entry(SYSCALL_MASK, 0),
        entry(LSTAR, 0),
        entry(IA32_TSC, 0),
        entry(IA32_MISC_ENABLE, 1),
        entry(MTRR_DEF_TYPE, 0x806),
    ]
}

/// General registers at the kernel entry: RIP = entry, RFLAGS = 2, and RSI = zero page with
/// the stack at 0x8ff0 (Linux 64-bit) or RBX = start info (PVH).
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::{BootProtocol, cpuid::boot_regs};
/// let r = boot_regs(BootProtocol::Linux64, 0x100_0000);
/// assert_eq!((r.rip, r.rsi, r.rsp, r.rflags), (0x100_0000, 0x7000, 0x8ff0, 2));
/// assert_eq!(boot_regs(BootProtocol::Pvh, 0x100_0000).rbx, 0x6000);
/// ```
#[must_use]
pub fn boot_regs(protocol: BootProtocol, entry: u64) -> kvm_regs {
    let mut regs = kvm_regs {
        rip: entry,
        rflags: 0x2,
        ..Default::default()
    };
    match protocol {
        BootProtocol::Linux64 => {
            regs.rsp = BOOT_STACK_POINTER;
            regs.rbp = BOOT_STACK_POINTER;
            regs.rsi = ZERO_PAGE_START.0;
        }
        BootProtocol::Pvh => regs.rbx = PVH_INFO_START.0,
    }
    regs
}

/// The FPU at reset: control word 0x37f, MXCSR 0x1f80.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::cpuid::boot_fpu;
/// assert_eq!((boot_fpu().fcw, boot_fpu().mxcsr), (0x37f, 0x1f80));
/// ```
#[must_use]
pub fn boot_fpu() -> kvm_fpu {
    kvm_fpu {
        fcw: 0x37f,
        mxcsr: 0x1f80,
        ..Default::default()
    }
}

/// The XCR0 a vCPU starts with: every user state component CPUID leaf 0xD.0 offers (EAX, and
/// EDX for the upper half), or `None` when the leaf is missing or does not offer x87 and SSE
/// (then XCR0 is left at KVM's reset value).
///
/// Why not the architectural reset value 1: KVM derives CPUID 0xD.0 EBX (the XSAVE area size
/// for the current XCR0) from its copy of XCR0, which it updates when it intercepts the guest's
/// XSETBV. Under emulated SVM (the rig: qemu TCG as L0) that intercept does not reach L1's KVM,
/// so EBX kept the x87+SSE size, and Linux, finding it smaller than the size of the features it
/// enables, turned XSAVE off ("XSAVE consistency problem"). Starting with the full XCR0 gives the
/// guest the size for the XCR0 it will set; the guest still sets XCR0 itself.
///
/// # Examples
///
/// ```
/// use kvm_bindings::kvm_cpuid_entry2;
/// use vmm_ref::vmm::cpuid::boot_xcr0;
/// let leaf = kvm_cpuid_entry2 { function: 0xd, index: 0, eax: 0x207, ..Default::default() };
/// assert_eq!(boot_xcr0(&[leaf]), Some(0x207));
/// assert_eq!(boot_xcr0(&[]), None);
/// ```
#[must_use]
pub fn boot_xcr0(entries: &[kvm_cpuid_entry2]) -> Option<u64> {
    let leaf = entries.iter().find(|e| e.function == 0xd && e.index == 0)?;
    let xcr0 = u64::from(leaf.eax) | (u64::from(leaf.edx) << 32);
    (xcr0 & 0b11 == 0b11).then_some(xcr0)
}

/// LAPIC register offset of LVT LINT0.
pub const APIC_LVT0: usize = 0x350;
/// LAPIC register offset of LVT LINT1.
pub const APIC_LVT1: usize = 0x360;
/// Delivery mode ExtINT.
const APIC_MODE_EXTINT: u32 = 0x7;
/// Delivery mode NMI.
const APIC_MODE_NMI: u32 = 0x4;

/// Sets LINT0 to ExtINT (the in-kernel PIC's "virtual wire") and LINT1 to NMI in a LAPIC
/// register page as returned by `KVM_GET_LAPIC`.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::cpuid::set_lint;
/// let mut regs = [0 as std::os::raw::c_char; 1024];
/// set_lint(&mut regs);
/// assert_eq!(regs[0x351] as u8 & 0x7, 0x7);
/// assert_eq!(regs[0x361] as u8 & 0x7, 0x4);
/// ```
pub fn set_lint(regs: &mut [std::os::raw::c_char; 1024]) {
    for (off, mode) in [(APIC_LVT0, APIC_MODE_EXTINT), (APIC_LVT1, APIC_MODE_NMI)] {
        let mut b = [0u8; 4];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = regs[off + i] as u8;
        }
        let v = (u32::from_le_bytes(b) & !0x700) | (mode << 8);
        for (i, byte) in v.to_le_bytes().iter().enumerate() {
            regs[off + i] = *byte as std::os::raw::c_char;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(function: u32, index: u32) -> kvm_cpuid_entry2 {
        kvm_cpuid_entry2 {
            function,
            index,
            ecx: !0,
            edx: 0,
            ..Default::default()
        }
    }

    #[test]
    fn boot_xcr0_takes_both_halves_of_leaf_0xd_and_needs_x87_and_sse() {
        let mut l = leaf(0xd, 0);
        l.eax = 0x207;
        l.edx = 0x1;
        assert_eq!(boot_xcr0(&[leaf(1, 0), l]), Some(0x1_0000_0207));
        l.eax = 0x1; // x87 only: leave XCR0 alone
        l.edx = 0;
        assert_eq!(boot_xcr0(&[l]), None);
        let mut sub = leaf(0xd, 1); // another subleaf does not count
        sub.eax = 0x7;
        assert_eq!(boot_xcr0(&[sub]), None);
    }

    #[test]
    fn single_vcpu_has_no_htt_and_no_logical_count() {
        let mut e = [leaf(1, 0)];
        filter_cpuid(&mut e, 0, 1, false);
        assert_eq!(e[0].edx & EDX_HTT, 0);
        assert_eq!((e[0].ebx >> 16) & 0xff, 0);
        assert_eq!(e[0].ecx & ECX_TSC_DEADLINE, ECX_TSC_DEADLINE); // input had it set
        assert_eq!(e[0].ecx & ECX_PDCM, 0);
    }

    #[test]
    fn smp_sets_htt_and_the_count() {
        let mut e = [leaf(1, 0)];
        filter_cpuid(&mut e, 1, 4, false);
        assert_ne!(e[0].edx & EDX_HTT, 0);
        assert_eq!((e[0].ebx >> 16) & 0xff, 4);
        assert_eq!(e[0].ebx >> 24, 1);
    }

    #[test]
    fn x2apic_id_matches_the_vcpu_index() {
        let mut e = [leaf(0xb, 0), leaf(0xb, 1)];
        filter_cpuid(&mut e, 5, 8, false);
        assert!(e.iter().all(|l| l.edx == 5));
    }

    #[test]
    fn pmu_leaf_is_zeroed_and_epb_waitpkg_cleared() {
        let mut e = [leaf(0xa, 0), leaf(6, 0), leaf(7, 0)];
        e[0].eax = 0x0703_0804;
        filter_cpuid(&mut e, 0, 1, false);
        assert_eq!(e[0].eax, 0);
        assert_eq!(e[1].ecx & ECX_EPB, 0);
        assert_eq!(e[2].ecx & ECX_WAITPKG, 0);
    }

    #[test]
    fn set_lint_keeps_the_other_bits() {
        let mut regs = [0 as std::os::raw::c_char; 1024];
        regs[0x350] = 0x20; // vector bits
        regs[0x352] = 0x01; // mask bit 16
        set_lint(&mut regs);
        assert_eq!(regs[0x350] as u8, 0x20);
        assert_eq!(regs[0x352] as u8, 0x01);
        assert_eq!(regs[0x351] as u8, 0x07);
    }
}
