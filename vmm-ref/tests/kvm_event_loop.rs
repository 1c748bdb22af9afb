//! `RunningVm::next_event` on this host's KVM with tiny guests that never stop talking, and
//! its delivery order (see its rustdoc): the caller's deadline must still come however chatty
//! the guest is (once it was only checked when the event queue went idle, so a chatty guest
//! starved it), and what the VM already holds must not be held back behind a deadline that
//! has passed (once a passed deadline always came first, so a caller handing a stale deadline
//! never got the bytes it waited for: the kvm runtime's heartbeat livelock).
//!
//! Each test skips, saying why, when `/dev/kvm` cannot be opened or a VM cannot be created.

use std::time::{Duration, Instant};

mod kvm_support;

use kvm_support::{TempFile, debug_port, halt_forever, mov_dx, tiny_elf};
use vmm_ref::vmm::{GuestExit, HostStop, MemMib, RunningVm, Vm, VmConfig, VmEvent};

/// What a call of `next_event` returned, without the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Data,
    Port,
    Deadline,
}

/// How many events the calls with a stale deadline wait for.
const STALE_EVENTS: usize = 10;

/// What [`chatty_run`] saw.
#[derive(Debug)]
struct Run {
    /// How long the deadline took to come (None: not before `give_up`).
    took: Option<Duration>,
    /// Events before it.
    events: u32,
    /// Calls begun after the deadline had passed that returned something else before it.
    late: u32,
    /// What the calls handing the same deadline again, after it came, returned.
    stale: Vec<Kind>,
    /// Every agent byte delivered, in order.
    bytes: Vec<u8>,
}

fn start(kernel: &TempFile) -> RunningVm {
    let config = VmConfig {
        kernel: kernel.0.clone(),
        memory: MemMib::new(32),
        ..VmConfig::default()
    };
    Vm::try_from(config).unwrap().start().unwrap()
}

/// Calls `next_event` with a deadline `wait` away, doing `work` per event like a real caller
/// (so the guest gets ahead and the queue never drains), until the deadline is reported or
/// `give_up` passes; then more calls with the same deadline, now past (a caller with a stale
/// timer), with the same work after each, until [`STALE_EVENTS`] events came or `give_up`
/// passes again (the vCPU thread may not run for a while on a loaded host).
fn chatty_run(kernel: &TempFile, wait: Duration, give_up: Duration) -> Run {
    let work = Duration::from_millis(1);
    let mut vm = start(kernel);
    let t0 = Instant::now();
    let deadline = t0 + wait;
    let mut run = Run {
        took: None,
        events: 0,
        late: 0,
        stale: Vec::new(),
        bytes: Vec::new(),
    };
    let kind = |ev: VmEvent, bytes: &mut Vec<u8>| match ev {
        VmEvent::AgentData(b) => {
            bytes.extend(b);
            Kind::Data
        }
        VmEvent::DebugPort { .. } => Kind::Port,
        VmEvent::Deadline => Kind::Deadline,
        VmEvent::Ended(e) => panic!("the chatty guest ended: {e}"),
    };
    while t0.elapsed() <= give_up {
        let after_deadline = Instant::now() >= deadline;
        match kind(vm.next_event(Some(deadline)), &mut run.bytes) {
            Kind::Deadline => {
                run.took = Some(t0.elapsed());
                break;
            }
            _ if after_deadline => run.late += 1,
            _ => run.events += 1,
        }
        std::thread::sleep(work);
    }
    let t1 = Instant::now();
    while run.took.is_some()
        && t1.elapsed() <= give_up
        && run.stale.iter().filter(|&&k| k != Kind::Deadline).count() < STALE_EVENTS
    {
        run.stale
            .push(kind(vm.next_event(Some(deadline)), &mut run.bytes));
        std::thread::sleep(work);
    }
    let exit = vm.stop(HostStop::Abandoned);
    assert_eq!(exit, GuestExit::HostStopped);
    run
}

/// The two halves of the delivery order's fairness, for a guest that keeps sending `what`.
fn assert_fair(run: &Run, what: Kind) {
    let took = run
        .took
        .unwrap_or_else(|| panic!("no deadline after 10 s: {run:?}"));
    assert!(run.events > 0, "the guest sent nothing before the deadline");
    // Once the deadline has passed, at most one call returns something else first.
    assert!(run.late <= 1, "{} events after the deadline", run.late);
    // Each late check costs at most one event's work (1 ms) after the deadline.
    assert!(took < Duration::from_secs(2), "deadline after {took:?}");
    // A stale deadline handed again and again does not hold back what the guest sends: the
    // calls alternate, and every other one can deliver.
    let delivered = run.stale.iter().filter(|&&k| k == what).count();
    assert_eq!(
        delivered,
        STALE_EVENTS,
        "events delivered in {} calls with a past deadline, the first: {:?}",
        run.stale.len(),
        &run.stale[..run.stale.len().min(20)]
    );
    for pair in run.stale.windows(2) {
        assert!(
            pair.contains(&Kind::Deadline),
            "two events in a row after the deadline: {:?}",
            run.stale
        );
    }
}

#[test]
fn a_stream_of_debug_port_writes_neither_starves_the_deadline_nor_is_starved_by_it() {
    require_kvm!();
    // mov al, 0x41; 2: out 0x80, al; jmp 2
    let code = [0xb0, 0x41, 0xe6, 0x80, 0xeb, 0xfc];
    let k = TempFile::with("chatty-port80", &tiny_elf(&code, false));
    let run = chatty_run(&k, Duration::from_millis(300), Duration::from_secs(10));
    assert_fair(&run, Kind::Port);
}

#[test]
fn a_stream_of_agent_bytes_neither_starves_the_deadline_nor_is_held_back_by_it() {
    require_kvm!();
    // mov dx, 0x2f8; mov al, 0; 2: out dx, al; inc al; jmp 2 (bytes 0, 1, 2, ... 255, 0, ...)
    let mut code = mov_dx(0x2f8);
    code.extend_from_slice(&[0xb0, 0x00, 0xee, 0xfe, 0xc0, 0xeb, 0xfb]);
    let k = TempFile::with("chatty-com2", &tiny_elf(&code, false));
    let run = chatty_run(&k, Duration::from_millis(300), Duration::from_secs(10));
    assert_fair(&run, Kind::Data);
    // Nothing lost or reordered across the deadlines.
    assert!(!run.bytes.is_empty());
    for (i, &b) in run.bytes.iter().enumerate() {
        assert_eq!(b, i as u8, "byte {i} of {}", run.bytes.len());
    }
}

#[test]
fn a_deadline_already_past_still_gets_the_bytes_events_and_end_the_vm_holds() {
    require_kvm!();
    // "hello" on COM2, 0x41 on the debug port, the i8042 reset, then a marker write to an
    // unclaimed port (0x81): once the host counts 8 port writes, the first 7 are handled.
    let mut code = mov_dx(0x2f8);
    for &b in b"hello" {
        code.extend_from_slice(&[0xb0, b, 0xee]);
    }
    code.extend(debug_port(0x41));
    code.extend_from_slice(&[0xb0, 0xfe, 0xe6, 0x64, 0xe6, 0x81]);
    code.extend(halt_forever());
    let k = TempFile::with("held", &tiny_elf(&code, false));
    let mut vm = start(&k);
    let past = Instant::now();
    let give_up = past + Duration::from_secs(10);
    while vm.diagnostics().port_accesses() < 8 {
        assert!(
            Instant::now() < give_up,
            "the guest did not run: {}",
            vm.diagnostics()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // A caller whose deadline has passed (a stale timer) gets what the VM holds, each item
    // followed by the deadline it owes, and finally the end of the guest.
    let seen: Vec<VmEvent> = (0..6).map(|_| vm.next_event(Some(past))).collect();
    assert_eq!(seen[0], VmEvent::AgentData(b"hello".to_vec()), "{seen:?}");
    assert_eq!(seen[1], VmEvent::Deadline, "{seen:?}");
    assert!(
        matches!(seen[2], VmEvent::DebugPort { code: 0x41, .. }),
        "{seen:?}"
    );
    assert_eq!(seen[3], VmEvent::Deadline, "{seen:?}");
    assert_eq!(seen[4], VmEvent::Ended(GuestExit::Reboot), "{seen:?}");
    assert_eq!(seen[5], VmEvent::Ended(GuestExit::Reboot), "{seen:?}");
}

#[test]
fn diagnostics_show_the_uart_registers_and_its_last_accesses_without_touching_it() {
    require_kvm!();
    // COM2 IER = THRI (the UART raises its transmitter-empty interrupt), then halt for good.
    let mut code = mov_dx(0x2f9);
    code.extend_from_slice(&[0xb0, 0x02, 0xee]); // mov al, 2; out dx, al
    code.extend_from_slice(&[0xb0, 0x41, 0xe6, 0x80]); // out 0x80, 0x41: done
    code.extend(halt_forever());
    let k = TempFile::with("diag", &tiny_elf(&code, false));
    let mut vm = start(&k);
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
