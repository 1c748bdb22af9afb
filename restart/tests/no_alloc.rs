//! Making a decision does not allocate: a counting global allocator sees no allocation while
//! `decide`, `verdict`, the backoff, `pod_outcome` and `recover` run over their whole domains.
//! Also prints a rough time per decision (measured, not asserted; criterion benchmarks own the
//! numbers).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::time::Instant;

use phase::{
    ContainerKind, ContainerSpec, ExitCodeOperator, ExitCodes, Millis, RestartPolicy, RestartRule,
};
use restart::{
    Backoff, BackoffConfig, Case, DaemonExit, DecisionInput, EndCause, ExitHow, FinalStatus,
    LastRun, PersistedPod, PersistedStatus, PodCondition, PodOrigin, RestartScope, decide,
    pod_outcome, recover, verdict,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` with a const initializer, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn decisions_do_not_allocate() {
    // Everything that allocates is built first.
    let specs = [
        ContainerSpec::new("plain"),
        ContainerSpec::new("own").with_restart_policy(RestartPolicy::OnFailure),
        ContainerSpec::new("rules")
            .with_restart_policy(RestartPolicy::Never)
            .with_restart_rule(RestartRule::restart_on(ExitCodes::new(
                ExitCodeOperator::In,
                [1, 2, 3],
            )))
            .with_restart_rule(RestartRule::restart_on(ExitCodes::new(
                ExitCodeOperator::NotIn,
                [0],
            ))),
    ];
    let mut backoff = Backoff::new(BackoffConfig::default());
    backoff.next(Millis::from_secs(1));
    let lasts = [
        LastRun::NoStatus,
        LastRun::Unknown,
        LastRun::Running,
        LastRun::Exited {
            how: ExitHow::Exited,
            code: Some(0),
            at: Millis::from_secs(2),
        },
        LastRun::Exited {
            how: ExitHow::Exited,
            code: Some(137),
            at: Millis::from_secs(2),
        },
        LastRun::Exited {
            how: ExitHow::Failed,
            code: None,
            at: Millis::from_secs(2),
        },
        LastRun::Exited {
            how: ExitHow::Stopped,
            code: Some(143),
            at: Millis::from_secs(2),
        },
    ];
    let cases: Vec<Case> = Case::all().collect();

    let before = allocations();
    let mut decisions = 0u64;
    for spec in &specs {
        for pod_policy in RestartPolicy::ALL {
            for condition in PodCondition::ALL {
                for kind in ContainerKind::ALL {
                    for last in lasts {
                        let input = DecisionInput {
                            pod_policy,
                            condition,
                            kind,
                            container: spec,
                            last,
                        };
                        let _ =
                            black_box(decide(black_box(&input), &backoff, Millis::from_secs(3)));
                        decisions += 1;
                    }
                }
            }
        }
    }
    for case in &cases {
        black_box(verdict(black_box(case)));
    }
    for t in 0..100 {
        let now = Millis::from_secs(t * 7);
        black_box(backoff.delay(now, now));
        backoff.next(now);
    }
    for scope in RestartScope::ALL {
        for origin in PodOrigin::ALL {
            for policy in RestartPolicy::ALL {
                for status in FinalStatus::ALL {
                    for cause in EndCause::ALL {
                        let _ = black_box(pod_outcome(scope, origin, policy, status, cause));
                    }
                    for exit in DaemonExit::ALL {
                        let pod = PersistedPod {
                            status: PersistedStatus::Finished(status),
                            sandbox_alive: false,
                            origin,
                            scope,
                            policy,
                        };
                        let _ = black_box(recover(&pod, exit));
                    }
                }
            }
        }
    }
    let after = allocations();
    assert_eq!(after - before, 0, "decisions allocated");
    assert_eq!(decisions, 3 * 3 * 2 * 3 * 7);

    // Rough timing, for the report only.
    let input = DecisionInput {
        pod_policy: RestartPolicy::OnFailure,
        condition: PodCondition::Active,
        kind: ContainerKind::Regular,
        container: &specs[2],
        last: lasts[4],
    };
    let n = 200_000u32;
    #[expect(
        clippy::disallowed_methods,
        reason = "the test measures itself; the crate reads no clock"
    )]
    let start = Instant::now();
    for _ in 0..n {
        let _ = black_box(decide(
            black_box(&input),
            black_box(&backoff),
            black_box(Millis::from_secs(3)),
        ));
    }
    let per = start.elapsed() / n;
    assert_eq!(allocations(), after, "the timing loop allocated");
    println!("restart decide: {per:?} per decision (this build's profile)");
}
