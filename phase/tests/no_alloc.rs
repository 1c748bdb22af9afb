//! Computing a pod's phase (and its conditions) allocates nothing: proven with a counting global
//! allocator. The counter is per thread, so other tests' threads cannot disturb it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use phase::{
    ContainerSpec, ContainerState, ContainerStatus, ExitCodeOperator, ExitCodes, Millis,
    PhaseFacts, PodSpec, RestartPolicy, RestartRule, Statuses, Termination, aggregate, conditions,
    decide,
};

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: forwards every call to `System` unchanged; it only counts allocations, in a
// const-initialised thread-local that never allocates itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn phase_and_conditions_allocate_nothing() {
    let spec = PodSpec::new(RestartPolicy::OnFailure)
        .with_init_container(ContainerSpec::new("setup"))
        .with_init_container(ContainerSpec::new("proxy").with_restart_policy(RestartPolicy::Always))
        .with_container(ContainerSpec::new("app"))
        .with_container(
            ContainerSpec::new("worker")
                .with_restart_policy(RestartPolicy::Never)
                .with_restart_rule(RestartRule::restart_on(ExitCodes::new(
                    ExitCodeOperator::In,
                    [42],
                ))),
        );
    let init = [
        ContainerStatus::new("setup", ContainerState::terminated(0, Millis(1))),
        ContainerStatus::new("proxy", ContainerState::running(Millis(2))).with_ready(true),
    ];
    let regular = [
        ContainerStatus::new("app", ContainerState::running(Millis(3))).with_ready(true),
        ContainerStatus::new("worker", ContainerState::Waiting { reason: None })
            .with_last_termination(Termination::new(42, Millis(4))),
    ];
    let statuses = Statuses::new(&regular, &init);
    let facts = PhaseFacts::new().initialized();

    let before = allocations();
    let phase = aggregate(&spec, statuses, facts);
    let decision = decide(&spec, statuses, facts);
    let conds = conditions(&spec, statuses, phase);
    let after = allocations();

    assert_eq!(after - before, 0, "the phase computation allocated");
    // The counter works: building a status allocates (its name).
    let probe = allocations();
    let named = ContainerStatus::new("x", ContainerState::Unset);
    assert!(
        allocations() > probe,
        "the counting allocator counts nothing"
    );
    drop(named);
    // And the answers are the expected ones, so the computation really ran.
    assert_eq!(phase, phase::PodPhase::Running);
    assert_eq!(decision.counters.stopped, 1);
    assert!(conds.initialized.is_true());
}
