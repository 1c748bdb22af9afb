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
/// `initial: 0`). It finishes at once and is re-created at once, again and again: before the
/// fix, inside `PodTracker::new`, which never returned and grew its action queue until memory
/// ran out. The rule now (tracker docs, "Bounded work per call"): at most one re-creation per
/// call; the next one waits for the next `handle_timeout`, which `poll_timeout` asks for at once.
#[test]
fn zero_backoff_recreation_of_an_empty_pod_terminates() {
    for zero in [
        BackoffConfig::new(Duration::from_secs(255), Duration::ZERO),
        BackoffConfig::new(Duration::ZERO, Duration::from_secs(300)),
    ] {
        let config = PodConfig::new(PodSpec::new(RestartPolicy::Always))
            .with_scope(RestartScope::Pod)
            .with_backoff(zero);
        let actions = first_actions(config.clone(), 1_000);
        let now_at_once = Action::RecreatePod {
            after: Duration::ZERO,
        };
        // One re-creation in `new` (the first is always at once), then the second is announced
        // and waits for the next call.
        assert_eq!(
            actions.as_deref(),
            Some(&[now_at_once, now_at_once][..]),
            "{zero:?}"
        );
        let mut t = PodTracker::new(config, Millis::ZERO);
        while t.poll_action().is_some() {}
        assert_eq!(t.state().incarnation, 2);
        for call in 0..5u32 {
            assert_eq!(t.poll_timeout(), Some(Millis::ZERO), "due at once");
            t.handle_timeout(Millis::ZERO);
            let got: Vec<Action> = std::iter::from_fn(|| t.poll_action()).collect();
            assert_eq!(got, [now_at_once], "call {call}: exactly one re-creation");
            assert_eq!(t.state().incarnation, 3 + call);
        }
        // A stop ends the cycle for good.
        t.handle_stop(None, Millis(1)).unwrap();
        assert!(t.is_finished());
        assert_eq!(t.poll_timeout(), None);
    }
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
