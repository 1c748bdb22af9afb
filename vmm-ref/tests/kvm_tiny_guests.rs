//! The VMM on this host's KVM with tiny hand-assembled guests: a minimal ELF "kernel" whose
//! code does port I/O. They exercise the real boot path (kernel loading, GDT, page tables,
//! CPUID, MSRs, registers, LAPIC), the device bus, the console and agent channel, every way a
//! guest can end, and that no vCPU thread is left behind.
//!
//! Each test skips, saying why, when `/dev/kvm` cannot be opened or a VM cannot be created.
//! They run on the paravirtual `kvm_pvm` of the development machines (which cannot boot Linux
//! but runs these).

use std::time::{Duration, Instant};

mod kvm_support;

use kvm_support::{TempFile, debug_port, halt_forever, mov_dx, print, reset, tiny_elf};
use vmm_ref::vmm::{
    ConsoleConfig, GuestExit, HostStop, InternalErrorKind, MemMib, RunningVm, VcpuCount, Vm,
    VmConfig, VmEvent,
};

fn config(kernel: &TempFile) -> VmConfig {
    VmConfig {
        kernel: kernel.0.clone(),
        memory: MemMib::new(32),
        ..VmConfig::default()
    }
}

fn start(config: VmConfig) -> RunningVm {
    Vm::try_from(config)
        .expect("build VM")
        .start()
        .expect("start VM")
}

/// Runs until the guest ends (or 60 s pass), collecting debug-port codes and agent bytes.
fn run_to_end(vm: &mut RunningVm) -> (GuestExit, Vec<u8>, Vec<u8>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut codes = Vec::new();
    let mut agent = Vec::new();
    loop {
        match vm.next_event(Some(deadline)) {
            VmEvent::AgentData(b) => agent.extend(b),
            VmEvent::DebugPort { code, .. } => codes.push(code),
            VmEvent::Ended(e) => return (e, codes, agent),
            VmEvent::Deadline => panic!("the tiny guest did not end within 60 s"),
        }
    }
}

#[test]
fn linux64_entry_prints_on_com1_writes_port_0x80_and_reset_ends_the_vm() {
    require_kvm!();
    let mut code = print(b"Hi\n");
    code.extend(debug_port(0x41));
    code.extend(reset());
    let k = TempFile::with("hello64", &tiny_elf(&code, false));
    let log = TempFile::with("hello64.log", b"");
    let mut cfg = config(&k);
    cfg.console = ConsoleConfig {
        log: Some(log.0.clone()),
        terminal: false,
    };
    let vm = Vm::try_from(cfg).unwrap();
    assert_eq!(vm.boot_protocol(), vmm_ref::vmm::BootProtocol::Linux64);
    let mut vm = vm.start().unwrap();
    let (exit, codes, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(codes, vec![0x41]);
    assert_eq!(vm.console_tail(), "Hi\n");
    assert_eq!(std::fs::read(&log.0).unwrap(), b"Hi\n");
}

#[test]
fn pvh_entry_runs_the_same_guest_in_protected_mode() {
    require_kvm!();
    let mut code = print(b"pvh\n");
    code.extend(reset());
    let k = TempFile::with("hello-pvh", &tiny_elf(&code, true));
    let vm = Vm::try_from(config(&k)).unwrap();
    assert_eq!(vm.boot_protocol(), vmm_ref::vmm::BootProtocol::Pvh);
    let mut vm = vm.start().unwrap();
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(vm.console_tail(), "pvh\n");
}

#[test]
fn reset_after_expect_shutdown_is_an_orderly_shutdown() {
    require_kvm!();
    let k = TempFile::with("shutdown", &tiny_elf(&reset(), false));
    let mut vm = start(config(&k));
    vm.expect_shutdown();
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Shutdown);
    assert!(exit.is_orderly());
}

#[test]
fn kernel_panic_on_the_console_is_reported_as_the_end() {
    require_kvm!();
    let mut code = print(b"[ 0.5] Kernel panic - not syncing: test\n");
    code.extend(reset());
    let k = TempFile::with("panic", &tiny_elf(&code, false));
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(
        exit,
        GuestExit::KernelPanic {
            message: "not syncing: test".into()
        }
    );
}

#[test]
fn undefined_instruction_with_an_empty_idt_is_a_triple_fault() {
    require_kvm!();
    let k = TempFile::with("ud2", &tiny_elf(&[0x0f, 0x0b], false));
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::TripleFault);
}

#[test]
fn executing_from_unbacked_memory_is_an_internal_error_with_its_rip() {
    require_kvm!();
    // jmp to 768 MiB: identity-mapped by the boot page tables but not guest RAM.
    let target: u32 = 0x3000_0000;
    let mut code = vec![0xb8]; // mov eax, target
    code.extend_from_slice(&target.to_le_bytes());
    code.extend_from_slice(&[0xff, 0xe0]); // jmp rax
    let k = TempFile::with("mmio-exec", &tiny_elf(&code, false));
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    match exit {
        GuestExit::InternalError(e) => {
            assert_eq!(e.kind, InternalErrorKind::Emulation);
            assert_eq!(e.rip, u64::from(target));
            assert_eq!(e.vcpu, 0);
            assert!(e.to_string().contains("0x30000000"), "{e}");
        }
        other => panic!("expected an internal error, got {other:?}"),
    }
}

#[test]
fn host_timeout_stops_a_halted_guest_without_hanging() {
    require_kvm!();
    let k = TempFile::with("halt", &tiny_elf(&halt_forever(), false));
    let mut vm = start(config(&k));
    let t0 = Instant::now();
    let ev = vm.next_event(Some(t0 + Duration::from_millis(300)));
    assert_eq!(ev, VmEvent::Deadline);
    let exit = vm.stop(HostStop::Timeout {
        after: Duration::from_millis(300),
    });
    assert_eq!(
        exit,
        GuestExit::Timeout {
            after: Duration::from_millis(300)
        }
    );
    // The vCPU was kicked out of KVM_RUN and joined promptly.
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t0.elapsed()
    );
    // Ended is repeated on later calls.
    assert_eq!(vm.next_event(None), VmEvent::Ended(exit));
}

#[test]
fn dropping_a_running_vm_joins_its_vcpus() {
    require_kvm!();
    let k = TempFile::with("drop", &tiny_elf(&halt_forever(), false));
    let vm = start(config(&k));
    let t0 = Instant::now();
    drop(vm);
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[test]
fn two_vcpus_reset_stops_the_waiting_application_processor_too() {
    require_kvm!();
    let mut code = print(b"smp\n");
    code.extend(reset());
    let k = TempFile::with("smp", &tiny_elf(&code, false));
    let mut cfg = config(&k);
    cfg.vcpus = VcpuCount::new(2).unwrap();
    let mut vm = start(cfg);
    let t0 = Instant::now();
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert!(t0.elapsed() < Duration::from_secs(10));
}

#[test]
fn com2_carries_bytes_both_ways() {
    require_kvm!();
    // Echo every byte received on COM2 back on COM2; reset after '!'.
    let mut code = Vec::new();
    code.extend(mov_dx(0x2fd)); // 0: mov dx, LSR
    code.push(0xec); // 4: in al, dx
    code.extend_from_slice(&[0xa8, 0x01]); // 5: test al, 1
    code.extend_from_slice(&[0x74, 0xf7]); // 7: jz 0
    code.extend(mov_dx(0x2f8)); // 9: mov dx, DATA
    code.push(0xec); // 13: in al, dx
    code.push(0xee); // 14: out dx, al
    code.extend_from_slice(&[0x3c, b'!']); // 15: cmp al, '!'
    code.extend_from_slice(&[0x75, 0xed]); // 17: jne 0
    code.extend(reset());
    let k = TempFile::with("echo", &tiny_elf(&code, false));
    let mut vm = start(config(&k));
    // More than one 64-byte FIFO load, so flow control is exercised.
    let mut msg: Vec<u8> = (0..200u32).map(|i| b'a' + (i % 26) as u8).collect();
    msg.push(b'!');
    vm.send_to_agent(&msg);
    let (exit, _, agent) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(agent, msg);
}

#[test]
fn a_missing_kernel_file_is_an_error_not_a_guest() {
    require_kvm!();
    let cfg = VmConfig {
        kernel: "/nonexistent/vmlinux".into(),
        memory: MemMib::new(32),
        ..VmConfig::default()
    };
    let err = Vm::try_from(cfg).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/vmlinux"), "{err}");
}

#[test]
fn too_little_memory_is_refused_before_touching_kvm() {
    let cfg = VmConfig {
        kernel: "x".into(),
        memory: MemMib::new(16),
        ..VmConfig::default()
    };
    let err = Vm::try_from(cfg).unwrap_err();
    assert!(err.to_string().contains("at least 32 MiB"), "{err}");
}

#[test]
fn int3_is_a_triple_fault_or_an_internal_error_with_bytes_read_from_guest_memory() {
    require_kvm!();
    // With the empty boot IDT, hardware KVM turns int3 into a triple fault; the paravirtual
    // kvm_pvm cannot emulate it and reports an internal error. Either way the instruction is
    // identified: KVM gives no bytes for this one, so they come from guest memory at RIP.
    let k = TempFile::with("int3", &tiny_elf(&[0x90, 0xcc, 0xf4], false));
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    match exit {
        GuestExit::TripleFault => {}
        GuestExit::InternalError(e) => {
            assert_eq!(e.rip, kvm_support::LOAD + 1, "{e}");
            assert_eq!(e.instruction.first(), Some(&0xcc), "{e}");
            assert!(e.to_string().contains("(int3)"), "{e}");
        }
        other => panic!("expected a triple fault or an internal error, got {other:?}"),
    }
}

#[test]
fn a_kernel_larger_than_guest_memory_is_refused_with_the_size_it_needs() {
    require_kvm!();
    let mut elf = tiny_elf(&reset(), false);
    // p_memsz of the PT_LOAD: 40 MiB from 16 MiB, in a 32 MiB guest.
    elf[64 + 40..64 + 48].copy_from_slice(&(40u64 << 20).to_le_bytes());
    let k = TempFile::with("big-kernel", &elf);
    let err = Vm::try_from(config(&k)).unwrap_err();
    assert!(err.to_string().contains("up to 56 MiB"), "{err}");
}

#[test]
fn an_initramfs_that_does_not_fit_above_the_kernel_is_refused() {
    require_kvm!();
    let k = TempFile::with("small-kernel", &tiny_elf(&reset(), false));
    let mut cfg = config(&k);
    cfg.initramfs = Some(vmm_ref::vmm::Initramfs::Bytes(vec![0; 17 << 20]));
    let err = Vm::try_from(cfg).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("initramfs: 17825792 bytes do not fit"),
        "{err}"
    );
}

#[test]
fn the_initramfs_is_placed_page_aligned_at_the_top_of_memory() {
    require_kvm!();
    let k = TempFile::with("initrd-kernel", &tiny_elf(&reset(), false));
    let mut cfg = config(&k);
    cfg.initramfs = Some(vmm_ref::vmm::Initramfs::Bytes(vec![7; 5000]));
    let vm = Vm::try_from(cfg).unwrap();
    let i = vm.initrd().unwrap();
    assert_eq!((i.addr.0, i.size), ((32 << 20) - 0x2000, 5000));
}

#[test]
fn unclaimed_ports_read_zero_and_the_i8042_answers_its_self_test() {
    require_kvm!();
    let mut code = mov_dx(0x3f8);
    // in al, 0x71 (CMOS data: unclaimed); add al, 'A'; out dx, al  -> 'A' when it read 0.
    code.extend_from_slice(&[0xe4, 0x71, 0x04, b'A', 0xee]);
    // mov al, 0xaa; out 0x64, al (controller self test); in al, 0x60; out dx, al  -> 'U' (0x55).
    code.extend_from_slice(&[0xb0, 0xaa, 0xe6, 0x64, 0xe4, 0x60, 0xee]);
    // in al, 0x64 (status, buffer now empty); add al, '0'; out dx, al  -> 'L': 0x1c = not
    // inhibited (0x10) | last write was a command (0x08) | system flag (0x04), no OBF (0x01).
    code.extend_from_slice(&[0xe4, 0x64, 0x04, b'0', 0xee]);
    code.extend(reset());
    let k = TempFile::with("ports", &tiny_elf(&code, false));
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(vm.console_tail(), "AUL");
}

#[test]
fn bzimage_is_entered_at_its_64_bit_entry_with_the_zero_page_in_rsi() {
    require_kvm!();
    let k = TempFile::with(
        "bzimage",
        &kvm_support::tiny_bzimage(&kvm_support::check_zero_page()),
    );
    let vm = Vm::try_from(config(&k)).unwrap();
    assert_eq!(
        vm.kernel().format,
        vmm_ref::vmm::loader::KernelFormat::BzImage
    );
    assert_eq!(vm.kernel().entry.0, 0x10_0200);
    let mut vm = vm.start().unwrap();
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(vm.console_tail(), "ok");
}

#[test]
fn elf_without_pvh_gets_the_zero_page_in_rsi() {
    require_kvm!();
    let k = TempFile::with("elf-zp", &tiny_elf(&kvm_support::check_zero_page(), false));
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(vm.console_tail(), "ok");
}

#[test]
fn pvh_entry_gets_the_start_info_in_rbx() {
    require_kvm!();
    let k = TempFile::with(
        "pvh-si",
        &tiny_elf(&kvm_support::check_pvh_start_info(), true),
    );
    let mut vm = start(config(&k));
    let (exit, _, _) = run_to_end(&mut vm);
    assert_eq!(exit, GuestExit::Reboot);
    assert_eq!(vm.console_tail(), "ok");
}
