//! [`Monitor`]: the rules every [`PodTracker`](restart::PodTracker) run must keep, checked online,
//! one event or action at a time.
//!
//! The fuzz target `restart_tracker` and the model checker ([`crate::model`]) feed it everything
//! they hand to and take from the tracker. It knows only the tracker's documented rules (the
//! tracker's module documentation and DESIGN.md), not its code:
//!
//! | rule | what must hold |
//! |---|---|
//! | [`Rule::NeverRestarted`] | pod policy `Never`, no container policy of its own: no container starts twice, no restart or re-creation is announced |
//! | [`Rule::StopWithoutPreStop`] | a stop signal to a container with a preStop hook comes right after that hook |
//! | [`Rule::StopWithZeroGrace`] | a stop signal leaves a grace period above zero |
//! | [`Rule::KillWithoutStop`] | SIGKILL follows a stop signal, unless the grace period in force is zero |
//! | [`Rule::StartAfterStop`] | nothing is started, restarted or re-created after a stop or delete request |
//! | [`Rule::ActionAfterOutcome`] | the pod's outcome is its last action (a kept pod may still be deleted) |
//! | [`Rule::HooksOverlap`] | no hook is asked for while another one of the pod is outstanding |
//! | [`Rule::BackoffOverCap`] | no restart or re-creation waits longer than the backoff cap |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use phase::{ContainerId, RestartPolicy};
use restart::{Action, Event, Hook, Millis, PodConfig, Signal};

/// Which rule a [`Violation`] broke. The table in the [module documentation](self) says what
/// each one means.
///
/// # Examples
///
/// ```
/// assert_eq!(verify::Rule::NeverRestarted.to_string(), "a Never container was restarted");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Under `Never`, something was restarted.
    NeverRestarted,
    /// A stop signal without the container's preStop hook right before it.
    StopWithoutPreStop,
    /// A stop signal with no time left before SIGKILL.
    StopWithZeroGrace,
    /// SIGKILL without a stop signal first, while the grace period is above zero.
    KillWithoutStop,
    /// A start, restart or re-creation after a stop or delete request.
    StartAfterStop,
    /// An action after the pod's outcome.
    ActionAfterOutcome,
    /// Two hooks of the pod outstanding at once.
    HooksOverlap,
    /// A restart or re-creation announced beyond the backoff cap.
    BackoffOverCap,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NeverRestarted => "a Never container was restarted",
            Self::StopWithoutPreStop => "a stop signal came without its preStop hook",
            Self::StopWithZeroGrace => "a stop signal left no grace period",
            Self::KillWithoutStop => "SIGKILL came without a stop signal first",
            Self::StartAfterStop => "something started after a stop or delete request",
            Self::ActionAfterOutcome => "an action came after the pod's outcome",
            Self::HooksOverlap => "two hooks of the pod were outstanding at once",
            Self::BackoffOverCap => "a restart waited longer than the backoff cap",
        })
    }
}

/// A broken rule: which one, when, and the action that broke it.
///
/// # Examples
///
/// ```
/// use restart::{Action, Millis};
/// let v = verify::Violation { rule: verify::Rule::ActionAfterOutcome, at: Millis(5), action: Action::DeletePod };
/// assert!(v.to_string().starts_with("at 5ms: an action came after the pod's outcome"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The time of the action.
    pub at: Millis,
    /// The action.
    pub action: Action,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}ms: {} ({:?})", self.at.0, self.rule, self.action)
    }
}

impl std::error::Error for Violation {}

/// The online checker. Feed it every event the tracker accepted ([`Monitor::event`]) and every
/// action it emitted ([`Monitor::action`]), in order.
///
/// # Examples
///
/// ```
/// use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
/// use restart::{Event, Millis, PodConfig, PodTracker};
/// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("app"));
/// let config = PodConfig::new(spec);
/// let mut monitor = verify::Monitor::new(&config);
/// let mut tracker = PodTracker::new(config, Millis::ZERO);
/// let app = ContainerId::regular(0);
/// let now = Millis(1);
/// for event in [Event::Started { container: app }, Event::Exited { container: app, code: 1 }] {
///     while let Some(a) = tracker.poll_action() {
///         monitor.action(&a, now).unwrap();
///     }
///     tracker.handle(event, now).unwrap();
///     monitor.event(&event, now);
/// }
/// while let Some(a) = tracker.poll_action() {
///     monitor.action(&a, now).unwrap();
/// }
/// assert_eq!(monitor.starts(app), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Monitor {
    never: bool,
    pre_stop: BTreeSet<ContainerId>,
    zero_probe_grace: BTreeSet<ContainerId>,
    zero_pod_grace: bool,
    backoff_max: Duration,
    starts: BTreeMap<ContainerId, u32>,
    last: BTreeMap<ContainerId, Action>,
    grace_override: Option<Duration>,
    stop_requested: bool,
    outcome: Option<Action>,
    hook: Option<(ContainerId, Hook, Millis)>,
}

impl Monitor {
    /// A monitor for a pod with this configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{ContainerId, PodSpec, RestartPolicy};
    /// let m = verify::Monitor::new(&restart::PodConfig::new(PodSpec::new(RestartPolicy::Always)));
    /// assert_eq!(m.starts(ContainerId::regular(0)), 0);
    /// ```
    #[must_use]
    pub fn new(config: &PodConfig) -> Self {
        let own = config
            .spec
            .iter()
            .any(|(_, _, c)| c.restart_policy.is_some());
        let ids = || config.spec.iter().map(|(id, _, _)| id);
        Self {
            never: config.spec.restart_policy == RestartPolicy::Never && !own,
            pre_stop: ids()
                .filter(|&id| config.container_config(id).hooks.has(Hook::PreStop))
                .collect(),
            zero_probe_grace: ids()
                .filter(|&id| {
                    config
                        .container_config(id)
                        .probe_grace_period
                        .is_some_and(|g| g.is_zero())
                })
                .collect(),
            zero_pod_grace: config.grace_period.is_zero(),
            backoff_max: config.backoff.max,
            starts: BTreeMap::new(),
            last: BTreeMap::new(),
            grace_override: None,
            stop_requested: false,
            outcome: None,
            hook: None,
        }
    }

    /// How many times the container was asked to start, over every run of the pod.
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{ContainerId, PodSpec, RestartPolicy};
    /// use restart::{Action, Millis, PodConfig};
    /// let mut m = verify::Monitor::new(&PodConfig::new(PodSpec::new(RestartPolicy::Always)));
    /// let c = ContainerId::regular(0);
    /// m.action(&Action::StartContainer { container: c }, Millis(0)).unwrap();
    /// assert_eq!(m.starts(c), 1);
    /// ```
    #[must_use]
    pub fn starts(&self, container: ContainerId) -> u32 {
        self.starts.get(&container).copied().unwrap_or(0)
    }

    /// Records an event the tracker accepted (`handle` returned `Ok`).
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{PodSpec, RestartPolicy, ContainerId};
    /// use restart::{Action, Event, Millis, PodConfig};
    /// let mut m = verify::Monitor::new(&PodConfig::new(PodSpec::new(RestartPolicy::Always)));
    /// m.event(&Event::Delete { grace: None }, Millis(0));
    /// let start = Action::StartContainer { container: ContainerId::regular(0) };
    /// assert_eq!(m.action(&start, Millis(1)).unwrap_err().rule, verify::Rule::StartAfterStop);
    /// ```
    pub fn event(&mut self, event: &Event, _now: Millis) {
        match *event {
            Event::Stop { grace } | Event::Delete { grace } => {
                self.stop_requested = true;
                if grace.is_some() {
                    self.grace_override = grace;
                }
            }
            Event::HookFinished {
                container, hook, ..
            } if self
                .hook
                .is_some_and(|(c, h, _)| c == container && h == hook) =>
            {
                self.hook = None;
            }
            _ => {}
        }
    }

    /// The sandbox died while no daemon watched it: whatever ran is gone, and a new run of the
    /// pod (a re-run after a daemon restart) starts from scratch. Starts keep counting.
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{PodSpec, RestartPolicy};
    /// let mut m = verify::Monitor::new(&restart::PodConfig::new(PodSpec::new(RestartPolicy::Always)));
    /// m.sandbox_lost();
    /// ```
    pub fn sandbox_lost(&mut self) {
        self.last.clear();
        self.hook = None;
    }

    /// Checks one action the tracker emitted at `now`.
    ///
    /// # Errors
    ///
    /// The first rule it breaks.
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{ContainerId, PodSpec, RestartPolicy};
    /// use restart::{Action, Millis, PodConfig};
    /// let mut m = verify::Monitor::new(&PodConfig::new(PodSpec::new(RestartPolicy::Never)));
    /// let c = ContainerId::regular(0);
    /// m.action(&Action::StartContainer { container: c }, Millis(0)).unwrap();
    /// let again = m.action(&Action::StartContainer { container: c }, Millis(1));
    /// assert_eq!(again.unwrap_err().rule, verify::Rule::NeverRestarted);
    /// ```
    pub fn action(&mut self, action: &Action, now: Millis) -> Result<(), Violation> {
        let fail = |rule| {
            Err(Violation {
                rule,
                at: now,
                action: *action,
            })
        };
        match self.outcome {
            Some(Action::KeepPod { .. }) if *action == Action::DeletePod => {}
            Some(_) => return fail(Rule::ActionAfterOutcome),
            None => {}
        }
        match *action {
            Action::StartContainer { container } => {
                if self.stop_requested {
                    return fail(Rule::StartAfterStop);
                }
                let n = self.starts.entry(container).or_insert(0);
                *n += 1;
                if self.never && *n > 1 {
                    return fail(Rule::NeverRestarted);
                }
            }
            Action::RestartAfter { after, .. } | Action::RecreatePod { after } => {
                if self.stop_requested {
                    return fail(Rule::StartAfterStop);
                }
                if self.never {
                    return fail(Rule::NeverRestarted);
                }
                if after > self.backoff_max {
                    return fail(Rule::BackoffOverCap);
                }
                if matches!(action, Action::RecreatePod { .. }) {
                    self.last.clear();
                }
            }
            Action::RunHook {
                container,
                hook,
                timeout,
                ..
            } => {
                if let Some((_, _, deadline)) = self.hook
                    && now < deadline
                {
                    return fail(Rule::HooksOverlap);
                }
                self.hook = Some((container, hook, now.saturating_add(timeout)));
            }
            Action::KillContainer {
                container,
                signal,
                grace,
                ..
            } => {
                let prev = self.last.get(&container);
                match signal {
                    Signal::Stop => {
                        let after_pre_stop = matches!(
                            prev,
                            Some(Action::RunHook {
                                hook: Hook::PreStop,
                                ..
                            })
                        );
                        if self.pre_stop.contains(&container) && !after_pre_stop {
                            return fail(Rule::StopWithoutPreStop);
                        }
                        if grace.is_zero() {
                            return fail(Rule::StopWithZeroGrace);
                        }
                    }
                    Signal::Kill => {
                        let after_stop = matches!(
                            prev,
                            Some(Action::KillContainer {
                                signal: Signal::Stop,
                                ..
                            })
                        );
                        let zero_grace = self.zero_pod_grace
                            || self.grace_override.is_some_and(|g| g.is_zero())
                            || self.zero_probe_grace.contains(&container);
                        if !after_stop && !zero_grace {
                            return fail(Rule::KillWithoutStop);
                        }
                    }
                }
            }
            Action::KeepPod { .. } | Action::DeletePod => self.outcome = Some(*action),
        }
        if let Some(c) = action.container() {
            self.last.insert(c, *action);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use phase::{ContainerSpec, PodSpec};
    use restart::{Hooks, KillCause, StopReason};

    use super::*;

    const C: ContainerId = ContainerId::regular(0);

    fn monitor(policy: RestartPolicy, hooks: Hooks) -> Monitor {
        let spec = PodSpec::new(policy).with_container(ContainerSpec::new("a"));
        Monitor::new(&PodConfig::new(spec).with_hooks(C, hooks))
    }

    fn stop(signal: Signal, grace: u64) -> Action {
        Action::KillContainer {
            container: C,
            signal,
            grace: Duration::from_secs(grace),
            cause: KillCause::PodDeleted,
        }
    }

    fn pre_stop() -> Action {
        Action::RunHook {
            container: C,
            hook: Hook::PreStop,
            reason: Some(StopReason::Delete),
            timeout: Duration::from_secs(2),
        }
    }

    #[test]
    fn stop_signal_needs_the_pre_stop_right_before_it() {
        let hooks = Hooks::none().with(Hook::PreStop, Duration::from_secs(2));
        let mut m = monitor(RestartPolicy::Always, hooks);
        let err = m.action(&stop(Signal::Stop, 5), Millis(0)).unwrap_err();
        assert_eq!(err.rule, Rule::StopWithoutPreStop);
        let mut m = monitor(RestartPolicy::Always, hooks);
        m.action(&pre_stop(), Millis(0)).unwrap();
        m.event(
            &Event::HookFinished {
                container: C,
                hook: Hook::PreStop,
                outcome: restart::HookOutcome::Succeeded,
            },
            Millis(1),
        );
        assert_eq!(m.action(&stop(Signal::Stop, 5), Millis(1)), Ok(()));
        assert_eq!(m.action(&stop(Signal::Kill, 0), Millis(6)), Ok(()));
    }

    #[test]
    fn stop_signal_without_grace_is_a_violation() {
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        let err = m.action(&stop(Signal::Stop, 0), Millis(0)).unwrap_err();
        assert_eq!(err.rule, Rule::StopWithZeroGrace);
    }

    #[test]
    fn sigkill_first_is_allowed_only_with_zero_grace() {
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        let err = m.action(&stop(Signal::Kill, 0), Millis(0)).unwrap_err();
        assert_eq!(err.rule, Rule::KillWithoutStop);
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        m.event(
            &Event::Delete {
                grace: Some(Duration::ZERO),
            },
            Millis(0),
        );
        assert_eq!(m.action(&stop(Signal::Kill, 0), Millis(0)), Ok(()));
    }

    #[test]
    fn never_forbids_restart_announcements() {
        let mut m = monitor(RestartPolicy::Never, Hooks::none());
        let a = Action::RestartAfter {
            container: C,
            after: Duration::ZERO,
        };
        assert_eq!(
            m.action(&a, Millis(0)).unwrap_err().rule,
            Rule::NeverRestarted
        );
        // Under Always the same announcement is fine, up to the cap.
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        assert_eq!(m.action(&a, Millis(0)), Ok(()));
        let over = Action::RecreatePod {
            after: Duration::from_secs(301),
        };
        assert_eq!(
            m.action(&over, Millis(0)).unwrap_err().rule,
            Rule::BackoffOverCap
        );
    }

    #[test]
    fn a_kept_pod_may_be_deleted_but_nothing_follows_a_delete() {
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        let keep = Action::KeepPod {
            status: restart::FinalStatus::Succeeded,
        };
        m.action(&keep, Millis(0)).unwrap();
        m.action(&Action::DeletePod, Millis(1)).unwrap();
        let err = m.action(&Action::DeletePod, Millis(2)).unwrap_err();
        assert_eq!(err.rule, Rule::ActionAfterOutcome);
    }

    #[test]
    fn hooks_overlap_until_finished_or_timed_out() {
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        m.action(&pre_stop(), Millis(0)).unwrap();
        let err = m.action(&pre_stop(), Millis(1_999)).unwrap_err();
        assert_eq!(err.rule, Rule::HooksOverlap);
        // After the 2 s timeout the next hook may come.
        let mut m = monitor(RestartPolicy::Always, Hooks::none());
        m.action(&pre_stop(), Millis(0)).unwrap();
        assert_eq!(m.action(&pre_stop(), Millis(2_000)), Ok(()));
    }
}
