//! Hyper's lifecycle and status words: the tables drawn in `phase::hyper`'s rustdoc, mirrored
//! here cell by cell (change them together).

use phase::{
    Error, HyperPod, HyperStatus, LIFECYCLE_TRANSITIONS, LifecycleEvent, LifecycleState, PodPhase,
    hyper_status, replace, transition,
};

use LifecycleEvent::{Remove, Start, Stop, VmExited};
use LifecycleState::{Created, Removed, Running};

/// The rustdoc transition table: `None` is "error".
#[rustfmt::skip]
const TRANSITIONS: [(LifecycleState, [Option<LifecycleState>; 4]); 3] = [
    //            start          stop           vm-exited      remove
    (Created, [Some(Running), None,          Some(Created), Some(Removed)]),
    (Running, [None,          Some(Created), Some(Created), None]),
    (Removed, [None,          None,          None,          None]),
];

const EVENTS: [LifecycleEvent; 4] = [Start, Stop, VmExited, Remove];

#[test]
fn every_transition_matches_the_drawn_table() {
    let mut allowed = 0;
    for (state, row) in TRANSITIONS {
        for (event, want) in EVENTS.into_iter().zip(row) {
            let got = transition(state, event);
            match want {
                Some(to) => {
                    assert_eq!(got, Ok(to), "{state} + {event}");
                    assert!(LIFECYCLE_TRANSITIONS.contains(&(state, event, to)));
                    allowed += 1;
                }
                None => assert_eq!(
                    got,
                    Err(Error::Lifecycle { state, event }),
                    "{state} + {event}"
                ),
            }
        }
    }
    assert_eq!(
        allowed,
        LIFECYCLE_TRANSITIONS.len(),
        "the const list has no extra entries"
    );
}

/// The rustdoc status table: rows are lifecycle states, columns phases.
#[rustfmt::skip]
const STATUS: [(LifecycleState, [Option<HyperStatus>; 4]); 3] = [
    //          Pending                     Running                     Succeeded                     Failed
    (Created, [Some(HyperStatus::Created), Some(HyperStatus::Created), Some(HyperStatus::Succeeded), Some(HyperStatus::Failed)]),
    (Running, [Some(HyperStatus::Pending), Some(HyperStatus::Running), Some(HyperStatus::Succeeded), Some(HyperStatus::Failed)]),
    (Removed, [None, None, None, None]),
];

#[test]
fn every_status_word_matches_the_drawn_table() {
    for (state, row) in STATUS {
        for (phase, want) in PodPhase::ALL.into_iter().zip(row) {
            assert_eq!(hyper_status(state, phase), want, "{state} {phase}");
        }
    }
}

#[test]
fn create_start_stop_start_remove() {
    let mut pod = HyperPod::new();
    assert_eq!(pod.status(PodPhase::Pending), Some(HyperStatus::Created));
    assert_eq!(pod.handle(Start), Ok(Running));
    assert_eq!(
        pod.handle(Start),
        Err(Error::Lifecycle {
            state: Running,
            event: Start
        })
    );
    assert_eq!(
        pod.handle(Remove),
        Err(Error::Lifecycle {
            state: Running,
            event: Remove
        })
    );
    assert_eq!(pod.handle(Stop), Ok(Created));
    assert_eq!(
        pod.handle(Start),
        Ok(Running),
        "a stopped pod can start again on a fresh VM"
    );
    assert_eq!(pod.handle(VmExited), Ok(Created));
    assert_eq!(
        pod.handle(VmExited),
        Ok(Created),
        "a late VM-exit report is harmless"
    );
    assert_eq!(pod.handle(Remove), Ok(Removed));
    for event in EVENTS {
        assert_eq!(
            pod.handle(event),
            Err(Error::Lifecycle {
                state: Removed,
                event
            })
        );
    }
    assert_eq!(pod.status(PodPhase::Succeeded), None);
}

#[test]
fn a_refused_event_leaves_the_state_alone() {
    let mut pod = HyperPod::new();
    let _ = pod.handle(Stop);
    assert_eq!(pod.state(), Created);
}

#[test]
fn error_messages_name_the_event_and_state() {
    let e = transition(Created, Stop).unwrap_err();
    assert_eq!(e.to_string(), "cannot stop a pod that is created");
}

/// `replace -o OLD -n NEW` over every pair of states: only (Running, Created) is allowed, it
/// swaps them, and every refusal leaves both pods as they were.
#[test]
fn replace_hands_the_vm_over_only_from_a_running_pod_to_a_created_one() {
    for old_state in LifecycleState::ALL {
        for new_state in LifecycleState::ALL {
            let mut old = HyperPod::from_state(old_state);
            let mut new = HyperPod::from_state(new_state);
            let got = replace(&mut old, &mut new);
            if (old_state, new_state) == (Running, Created) {
                assert_eq!(got, Ok(()));
                assert_eq!((old.state(), new.state()), (Created, Running));
            } else {
                assert_eq!(
                    got,
                    Err(Error::Replace {
                        old: old_state,
                        new: new_state
                    }),
                    "{old_state} with {new_state}"
                );
                assert_eq!((old.state(), new.state()), (old_state, new_state));
            }
        }
    }
}

/// After a replace the old pod is an ordinary created pod (it can start on a new VM or be
/// removed) and the new one an ordinary running pod (stop, vm-exited).
#[test]
fn replaced_pods_go_on_by_the_ordinary_table() {
    let mut old = HyperPod::from_state(Running);
    let mut new = HyperPod::new();
    replace(&mut old, &mut new).unwrap();
    assert_eq!(new.handle(VmExited), Ok(Created));
    assert_eq!(old.handle(Remove), Ok(Removed));
    let e = replace(&mut new, &mut HyperPod::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot replace a pod that is created with a pod that is created: the old pod must be running and the new one created"
    );
}
