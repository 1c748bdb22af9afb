//! `RunningVm::next_event` on this host's KVM with tiny guests that never stop talking: the
//! caller's deadline must still come (before the fix it was only checked when the event
//! queue went idle, so a chatty guest starved it).
//!
//! Each test skips, saying why, when `/dev/kvm` cannot be opened or a VM cannot be created.

use std::time::{Duration, Instant};

mod kvm_support;

use kvm_support::{TempFile, mov_dx, tiny_elf};
use vmm_ref::vmm::{GuestExit, HostStop, MemMib, Vm, VmConfig, VmEvent};

/// Calls `next_event` with a deadline `wait` away, doing `work` per event like a real caller
/// (so the guest gets ahead and the queue never drains), until the deadline is reported or
/// `give_up` passes. Returns the time the deadline took to come (None: it never did) and
/// the number of events seen before it.
fn time_to_deadline(
    kernel: &TempFile,
    wait: Duration,
    give_up: Duration,
) -> (Option<Duration>, u32) {
    let config = VmConfig {
        kernel: kernel.0.clone(),
        memory: MemMib::new(32),
        ..VmConfig::default()
    };
    let mut vm = Vm::try_from(config).unwrap().start().unwrap();
    let t0 = Instant::now();
    let deadline = t0 + wait;
    let mut events = 0;
    let result = loop {
        if t0.elapsed() > give_up {
            break None;
        }
        match vm.next_event(Some(deadline)) {
            VmEvent::Deadline => break Some(t0.elapsed()),
            VmEvent::Ended(e) => panic!("the chatty guest ended: {e}"),
            VmEvent::AgentData(_) | VmEvent::DebugPort { .. } => {
                events += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    };
    let exit = vm.stop(HostStop::Abandoned);
    assert_eq!(exit, GuestExit::HostStopped);
    (result, events)
}

#[test]
fn a_stream_of_debug_port_writes_does_not_starve_the_deadline() {
    require_kvm!();
    // mov al, 0x41; 2: out 0x80, al; jmp 2
    let code = [0xb0, 0x41, 0xe6, 0x80, 0xeb, 0xfc];
    let k = TempFile::with("chatty-port80", &tiny_elf(&code, false));
    let (took, events) = time_to_deadline(&k, Duration::from_millis(300), Duration::from_secs(10));
    let took = took.unwrap_or_else(|| panic!("no deadline after 10 s and {events} events"));
    assert!(events > 0, "the guest wrote nothing before the deadline");
    // Each late check costs at most one event's work (1 ms) after the deadline.
    assert!(took < Duration::from_secs(2), "deadline after {took:?}");
}

#[test]
fn a_stream_of_agent_bytes_does_not_starve_the_deadline() {
    require_kvm!();
    // mov dx, 0x2f8; mov al, 'x'; out dx, al; jmp back to the out
    let mut code = mov_dx(0x2f8);
    code.extend_from_slice(&[0xb0, b'x', 0xee, 0xeb, 0xfd]);
    let k = TempFile::with("chatty-com2", &tiny_elf(&code, false));
    let (took, events) = time_to_deadline(&k, Duration::from_millis(300), Duration::from_secs(10));
    let took = took.unwrap_or_else(|| panic!("no deadline after 10 s and {events} events"));
    assert!(events > 0, "the guest sent nothing before the deadline");
    assert!(took < Duration::from_secs(2), "deadline after {took:?}");
}

#[test]
fn diagnostics_show_the_uart_registers_and_its_last_accesses_without_touching_it() {
    require_kvm!();
    // COM2 IER = THRI (the UART raises its transmitter-empty interrupt), then halt for good.
    let mut code = mov_dx(0x2f9);
    code.extend_from_slice(&[0xb0, 0x02, 0xee]); // mov al, 2; out dx, al
    code.extend_from_slice(&[0xb0, 0x41, 0xe6, 0x80]); // out 0x80, 0x41: done
    code.extend(kvm_support::halt_forever());
    let k = TempFile::with("diag", &tiny_elf(&code, false));
    let config = VmConfig {
        kernel: k.0.clone(),
        memory: MemMib::new(32),
        ..VmConfig::default()
    };
    let mut vm = Vm::try_from(config).unwrap().start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match vm.next_event(Some(deadline)) {
            VmEvent::DebugPort { code: 0x41, .. } => break,
            VmEvent::Deadline => panic!("the guest did not reach port 0x80"),
            _ => {}
        }
    }
    let d = vm.diagnostics();
    assert_eq!(d.com2.accesses(), 1);
    assert_eq!(
        d.com2.edges(),
        1,
        "IER=THRI with an empty THR raises one edge"
    );
    assert!(d.port_accesses() >= 2);
    let text = format!("{d:#}");
    assert!(
        !d.to_string().contains("EDGE"),
        "the short form has no access trace"
    );
    assert!(text.contains("COM2: IER=0x02 IIR=0x02"), "{text}");
    assert!(
        text.contains("W IER  0x02 -> IER=0x02 IIR=0x02 EDGE"),
        "{text}"
    );
    // Taking them again changes nothing: the IIR was not read.
    assert_eq!(vm.diagnostics().com2.accesses(), 1);
    assert!(vm.diagnostics().to_string().contains("IIR=0x02"));
    let _ = vm.stop(HostStop::Abandoned);
}
