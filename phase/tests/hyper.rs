//! Hyper's lifecycle and status words: the tables drawn in `phase::hyper`'s rustdoc, mirrored
//! here cell by cell (change them together).

use phase::{
    Error, HyperPod, HyperStatus, LIFECYCLE_TRANSITIONS, LifecycleEvent, LifecycleState, PodPhase,
    hyper_status, transition,
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
