//! Kubernetes' own restart tables, transcribed as table tests named after their source.
//!
//! - `pkg/kubelet/container/helpers_test.go`: `TestShouldContainerBeRestarted`.
//! - `pkg/api/v1/pod/util_test.go`: `TestIsContainerRestartable`,
//!   `TestContainerHasRestartablePolicy` (the table for `ContainerShouldRestart`),
//!   `TestFindMatchingContainerRestartRule`.
//! - `client-go/util/flowcontrol/backoff_test.go`: `TestSlowBackoff`, `TestBackoffReset`,
//!   `TestBackoffHighWaterMark`, `TestIsInBackOffSinceUpdate`.
//! - `pkg/kubelet/dockertools/docker_manager_test.go`: `TestSyncPodBackoff` (initial 1 s, max 60 s,
//!   flowcontrol's reset rule of 2 * max).
//! - spec/kubernetes.md section 2.4: the kubelet's default sequence 0, 10, 20, 40, 80, 160, 300.

use std::time::Duration;

use phase::{
    ContainerSpec, ContainerState, ExitCodeOperator, ExitCodes, Millis, RestartPolicy, RestartRule,
    RestartRuleAction,
};
use restart::{
    Backoff, BackoffConfig, PodCondition, RuleMatch, container_should_restart,
    is_container_restartable, rule_match, should_container_be_restarted,
};

fn s(secs: u64) -> Millis {
    Millis::from_secs(secs)
}

/// `TestShouldContainerBeRestarted`: five containers, the runtime's statuses newest first, and
/// the expected answer under Never, OnFailure, Always.
#[test]
fn test_should_container_be_restarted() {
    // Newest status per container ("alive" has an older exited instance: only the newest counts;
    // "failed" has two exited instances, codes 1 then 3: the newest is 1).
    let newest: [(&str, Option<ContainerState>); 5] = [
        ("no-history", None),
        ("alive", Some(ContainerState::running(Millis::ZERO))),
        ("succeed", Some(ContainerState::terminated(0, Millis::ZERO))),
        ("failed", Some(ContainerState::terminated(1, Millis::ZERO))),
        ("unknown", Some(ContainerState::Unset)),
    ];
    let policies = [
        RestartPolicy::Never,
        RestartPolicy::OnFailure,
        RestartPolicy::Always,
    ];
    let expected: [(&str, [bool; 3]); 5] = [
        ("no-history", [true, true, true]),
        ("alive", [false, false, false]),
        ("succeed", [false, false, true]),
        ("failed", [false, true, true]),
        ("unknown", [true, true, true]),
    ];
    for ((name, state), (ename, want)) in newest.iter().zip(expected) {
        assert_eq!(*name, ename);
        let c = ContainerSpec::new(*name);
        for (policy, want) in policies.into_iter().zip(want) {
            let got =
                should_container_be_restarted(policy, PodCondition::Active, &c, state.as_ref());
            assert_eq!(got, want, "container {name} policy {policy}");
        }
    }
}

/// Step 1 of `ShouldContainerBeRestarted` (not in the Go table): a pod with a deletion timestamp
/// restarts nothing.
#[test]
fn test_should_container_be_restarted_deleted_pod() {
    let c = ContainerSpec::new("no-history");
    for policy in RestartPolicy::ALL {
        assert!(!should_container_be_restarted(
            policy,
            PodCondition::Terminating,
            &c,
            None
        ));
    }
}

fn own(p: RestartPolicy) -> ContainerSpec {
    ContainerSpec::new("c").with_restart_policy(p)
}

fn codes(op: ExitCodeOperator, values: &[i32]) -> RestartRule {
    RestartRule::restart_on(ExitCodes::new(op, values.iter().copied()))
}

/// `TestIsContainerRestartable`. The Go table's "default empty policy" pod is Kubernetes'
/// defaulting to Always.
#[test]
fn test_is_container_restartable() {
    let cases: [(&str, RestartPolicy, ContainerSpec, bool); 8] = [
        (
            "Container: Rule action 'Restart' should always be true",
            RestartPolicy::Never,
            own(RestartPolicy::Never)
                .with_restart_rule(RestartRule::new(RestartRuleAction::Restart, None)),
            true,
        ),
        (
            "Container: Policy 'Always' is restartable",
            RestartPolicy::Never,
            own(RestartPolicy::Always),
            true,
        ),
        (
            "Container: Policy 'OnFailure' is restartable",
            RestartPolicy::Never,
            own(RestartPolicy::OnFailure),
            true,
        ),
        (
            "Container: Policy 'Never' is not restartable",
            RestartPolicy::Always,
            own(RestartPolicy::Never),
            false,
        ),
        (
            "Pod Fallback: Policy 'Always' is restartable",
            RestartPolicy::Always,
            ContainerSpec::new("c"),
            true,
        ),
        (
            "Pod Fallback: Policy 'OnFailure' is restartable",
            RestartPolicy::OnFailure,
            ContainerSpec::new("c"),
            true,
        ),
        (
            "Pod Fallback: Policy 'Never' is not restartable",
            RestartPolicy::Never,
            ContainerSpec::new("c"),
            false,
        ),
        (
            "Pod Fallback: Default empty policy is restartable (since it's not 'Never')",
            RestartPolicy::default(),
            ContainerSpec::new("c"),
            true,
        ),
    ];
    for (name, pod, c, want) in cases {
        assert_eq!(is_container_restartable(&c, pod), want, "{name}");
    }
}

/// `TestContainerHasRestartablePolicy`: the table for `ContainerShouldRestart`. Cases whose Go
/// pod spec is empty use Kubernetes' default, Always.
#[test]
fn test_container_should_restart() {
    use ExitCodeOperator::{In, NotIn};
    let cases: [(&str, ContainerSpec, RestartPolicy, i32, bool); 12] = [
        (
            "Rule: 'In' operator matches with 'Restart' action",
            own(RestartPolicy::Never).with_restart_rule(codes(In, &[42, 50, 60])),
            RestartPolicy::default(),
            42,
            true,
        ),
        (
            "Rule: 'NotIn' operator matches with 'Restart' action",
            own(RestartPolicy::Never).with_restart_rule(codes(NotIn, &[0, 1, 2])),
            RestartPolicy::default(),
            99,
            true,
        ),
        (
            "Rule: 'In' operator does not match, should fall back to container policy",
            own(RestartPolicy::Never).with_restart_rule(codes(In, &[10, 20])),
            RestartPolicy::default(),
            30,
            false,
        ),
        (
            "Rule: 'NotIn' operator does not match, should fall back to container policy",
            own(RestartPolicy::Never).with_restart_rule(codes(NotIn, &[10, 20])),
            RestartPolicy::default(),
            10,
            false,
        ),
        (
            "Container Policy: 'Always'",
            own(RestartPolicy::Always),
            RestartPolicy::Never,
            0,
            true,
        ),
        (
            "Container Policy: 'OnFailure' with exit code 0",
            own(RestartPolicy::OnFailure),
            RestartPolicy::Never,
            0,
            false,
        ),
        (
            "Container Policy: 'OnFailure' with non-zero exit code",
            own(RestartPolicy::OnFailure),
            RestartPolicy::Never,
            1,
            true,
        ),
        (
            "Container Policy: 'Never' should return false",
            own(RestartPolicy::Never),
            RestartPolicy::Always,
            1,
            false,
        ),
        (
            "Pod Policy: Fallback to pod 'Always'",
            ContainerSpec::new("c"),
            RestartPolicy::Always,
            0,
            true,
        ),
        (
            "Pod Policy: Fallback to pod 'OnFailure' with non-zero exit code",
            ContainerSpec::new("c"),
            RestartPolicy::OnFailure,
            1,
            true,
        ),
        (
            "Pod Policy: Fallback to pod 'Never'",
            ContainerSpec::new("c"),
            RestartPolicy::Never,
            1,
            false,
        ),
        (
            "Pod Policy: Fallback with no policies specified should return true",
            ContainerSpec::new("c"),
            RestartPolicy::default(),
            0,
            true,
        ),
    ];
    for (name, c, pod, code, want) in cases {
        assert_eq!(container_should_restart(&c, pod, code), want, "{name}");
    }
}

/// `TestFindMatchingContainerRestartRule`, through `rule_match` (which also needs the
/// container's own policy for rules to count, as `ContainerShouldRestart` does).
#[test]
fn test_find_matching_container_restart_rule() {
    use ExitCodeOperator::{In, NotIn};
    let with = |rules: &[RestartRule]| {
        rules
            .iter()
            .cloned()
            .fold(own(RestartPolicy::Never), ContainerSpec::with_restart_rule)
    };
    let rule_in = codes(In, &[42, 50, 60]);
    let rule_not_in = codes(NotIn, &[0, 1, 2]);
    let rule_in_42 = codes(In, &[42]);
    let cases: [(&str, ContainerSpec, i32, RuleMatch); 5] = [
        (
            "a rule with op In matches",
            with(std::slice::from_ref(&rule_in)),
            42,
            RuleMatch::Restart,
        ),
        (
            "a rule with op NotIn matches",
            with(&[rule_not_in]),
            99,
            RuleMatch::Restart,
        ),
        (
            "matches the first rule if two rules both matched",
            with(&[rule_in.clone(), rule_in_42]),
            42,
            RuleMatch::Restart,
        ),
        (
            "no rules matched",
            with(&[rule_in]),
            100,
            RuleMatch::NoMatch,
        ),
        ("no rules defined", with(&[]), 0, RuleMatch::NoMatch),
    ];
    for (name, c, code, want) in cases {
        assert_eq!(rule_match(&c, Some(code)), want, "{name}");
    }
}

fn flowcontrol(initial: u64, max: u64) -> Backoff {
    // client-go's own expiry rule: 2 * max.
    Backoff::new(
        BackoffConfig::new(Duration::from_secs(initial), Duration::from_secs(max))
            .with_reset_after(Duration::from_secs(2 * max)),
    )
}

/// `TestSlowBackoff`: step 1 s, max 50 s; `Get` before each `Next` reads 0, 1, 2, ... 32, 50, 50.
#[test]
fn test_slow_backoff() {
    let mut b = flowcontrol(1, 50);
    let mut now = s(0);
    for want in [0, 1, 2, 4, 8, 16, 32, 50, 50, 50] {
        now = now.saturating_add(Duration::from_secs(1));
        assert_eq!(b.get(), Duration::from_secs(want));
        b.next(now);
    }
    b.next(now);
    b.reset();
    assert_eq!(b.get(), Duration::ZERO);
}

/// `TestBackoffReset`: after 2 * max + 1 s, the entry no longer counts.
#[test]
fn test_backoff_reset() {
    let mut b = flowcontrol(1, 5);
    let mut now = s(0);
    for _ in 0..=5 {
        now = now.saturating_add(Duration::from_secs(1));
        b.next(now);
    }
    assert!(b.is_in_backoff_since(now, now));
    let last_update = now;
    now = now.saturating_add(Duration::from_secs(11));
    assert!(!b.is_in_backoff_since(last_update, now));
    // And an exit that late is past the reset window: the next restart is immediate.
    assert!(b.is_expired(now));
    assert_eq!(b.delay(now, now), Duration::ZERO);
}

/// `TestBackoffHighWaterMark`: within 2 * max, `Next` keeps the backoff at max.
#[test]
fn test_backoff_high_water_mark() {
    let mut b = flowcontrol(1, 5);
    let mut now = s(0);
    for _ in 0..=5 {
        now = now.saturating_add(Duration::from_secs(1));
        b.next(now);
    }
    now = now.saturating_add(Duration::from_secs(6));
    b.next(now);
    assert_eq!(b.get(), Duration::from_secs(5));
}

/// `TestIsInBackOffSinceUpdate`: step 1 s, max 10 s; `Next` whenever not in backoff.
#[test]
fn test_is_in_back_off_since_update() {
    let mut b = flowcontrol(1, 10);
    let cases: [(u64, bool, u64); 38] = [
        (0, false, 0),
        (1, false, 1),
        (2, true, 2),
        (3, false, 2),
        (4, true, 4),
        (5, true, 4),
        (6, true, 4),
        (7, false, 4),
        (8, true, 8),
        (9, true, 8),
        (10, true, 8),
        (11, true, 8),
        (12, true, 8),
        (13, true, 8),
        (14, true, 8),
        (15, false, 8),
        (16, true, 10),
        (17, true, 10),
        (18, true, 10),
        (19, true, 10),
        (20, true, 10),
        (21, true, 10),
        (22, true, 10),
        (23, true, 10),
        (24, true, 10),
        (25, false, 10),
        (26, true, 10),
        (27, true, 10),
        (28, true, 10),
        (29, true, 10),
        (30, true, 10),
        (31, true, 10),
        (32, true, 10),
        (33, true, 10),
        (34, true, 10),
        (35, false, 10),
        (56, false, 0),
        (57, false, 1),
    ];
    for (tick, in_backoff, value) in cases {
        let now = s(tick);
        assert_eq!(b.is_in_backoff_since_update(now), in_backoff, "tick {tick}");
        if in_backoff {
            assert_eq!(b.get(), Duration::from_secs(value), "tick {tick}");
        } else {
            b.next(now);
        }
    }
}

/// `TestSyncPodBackoff`: a container "bad" exits over and over; at each tick the kubelet either
/// starts it (and `Next`s the backoff) or skips it with `ErrCrashLoopBackOff`. Columns: tick,
/// expected backoff, when the container then exits (`killDelay`), started?
#[test]
fn test_sync_pod_backoff() {
    let mut b = flowcontrol(1, 60);
    let mut finished_at = s(0);
    let cases: [(u64, u64, u64, bool); 9] = [
        (1, 1, 1, true),
        (2, 2, 2, true),
        (3, 2, 3, false),
        (4, 4, 4, true),
        (5, 4, 5, false),
        (6, 4, 6, false),
        (7, 4, 7, false),
        (8, 8, 129, true),
        (130, 1, 0, true),
    ];
    for (tick, backoff, kill_delay, starts) in cases {
        let now = s(tick);
        let in_backoff = b.is_in_backoff_since(finished_at, now);
        assert_eq!(!in_backoff, starts, "tick {tick}");
        if !in_backoff {
            b.next(now);
        }
        assert_eq!(b.get(), Duration::from_secs(backoff), "tick {tick}");
        if starts {
            finished_at = s(kill_delay);
        }
    }
}

/// spec/kubernetes.md section 2.4: with the kubelet's defaults, the waits after successive quick
/// crashes are 0, 10, 20, 40, 80, 160, 300, 300 s; a 10-minute run resets them.
#[test]
fn kubelet_default_backoff_sequence() {
    let mut b = Backoff::new(BackoffConfig::default());
    let mut now = s(0);
    let mut waits = Vec::new();
    for _ in 0..9 {
        let exited = now.saturating_add(Duration::from_secs(1));
        let wait = b.delay(exited, exited);
        waits.push(wait.as_secs());
        now = exited.saturating_add(wait);
        b.next(now);
    }
    assert_eq!(waits, [0, 10, 20, 40, 80, 160, 300, 300, 300]);
    // It now runs for 601 s: the next crash restarts at once, then 10 s again.
    let exited = now.saturating_add(Duration::from_secs(601));
    assert_eq!(b.delay(exited, exited), Duration::ZERO);
    b.next(exited);
    let again = exited.saturating_add(Duration::from_secs(1));
    assert_eq!(b.delay(again, again), Duration::from_secs(10));
}
