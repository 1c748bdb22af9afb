//! Inputs the fuzz target `restart_tracker` (fuzz/fuzz_targets/restart_tracker.rs) found, kept as
//! regression tests. Each runs the tracker on a worker thread with a deadline, so a tracker that
//! loops forever fails the test instead of hanging it.

use std::sync::mpsc;
use std::time::Duration;

use phase::{Millis, PodSpec, RestartPolicy};
use restart::{Action, BackoffConfig, PodConfig, PodTracker, RestartScope};

/// Creates the tracker and drains at most `limit` actions, on a thread; `None` if that did not
/// finish within two seconds.
fn first_actions(config: PodConfig, limit: usize) -> Option<Vec<Action>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut t = PodTracker::new(config, Millis::ZERO);
        let actions: Vec<Action> = std::iter::from_fn(|| t.poll_action()).take(limit).collect();
        let _ = tx.send(actions);
    });
    rx.recv_timeout(Duration::from_secs(2)).ok()
}

/// Found by `restart_tracker` (artifact `oom-431f34b3…`): a pod-scope pod with no containers
/// and policy Always, with a back-off whose waits are zero (`initial: 255 s, max: 0`, or
/// `initial: 0`). It finishes at once, is re-created at once, finishes again, ... inside
/// `PodTracker::new`, which never returns and grows its action queue until memory runs out.
/// With the default back-off the second re-creation waits 10 s and all is well.
#[test]
#[ignore = "fuzz finding, not fixed yet: PodTracker::new loops forever (see the doc comment)"]
fn zero_backoff_recreation_of_an_empty_pod_terminates() {
    let zero = BackoffConfig::new(Duration::from_secs(255), Duration::ZERO);
    let config = PodConfig::new(PodSpec::new(RestartPolicy::Always))
        .with_scope(RestartScope::Pod)
        .with_backoff(zero);
    let actions = first_actions(config, 1_000);
    assert!(
        actions.is_some(),
        "PodTracker::new did not return within 2 s"
    );
}

/// The same pod with the default back-off: one re-creation at once, the next after 10 s.
#[test]
fn default_backoff_recreation_of_an_empty_pod_waits() {
    let config = PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_scope(RestartScope::Pod);
    let actions = first_actions(config, 1_000).expect("returns");
    assert_eq!(
        actions,
        [
            Action::RecreatePod {
                after: Duration::ZERO
            },
            Action::RecreatePod {
                after: Duration::from_secs(10)
            },
        ]
    );
}
