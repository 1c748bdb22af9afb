//! Recovery after a daemon restart: which persisted pods to adopt, re-run, stop, keep or delete.
//!
//! Hyper's daemon had two ways out (spec/hyper.md section 3.4; DESIGN.md "Daemon restart"):
//! SIGHUP left every VM and container running for the next daemon to adopt (the upgrade path),
//! and SIGINT/SIGTERM stopped every pod first. Hyper's own test scenarios (seeds/000, cases 3
//! and 4): a Kubernetes pod running when the daemon got SIGHUP runs again after the restart;
//! after SIGTERM it does not.
//!
//! The next daemon calls [`recover`] once per persisted pod with what it found (is the pod's
//! sandbox still alive?) and how the previous daemon ended.
//!
//! # The recovery table ([`RECOVERY_TABLE`])
//!
//! | previous exit | recorded status | sandbox | → |
//! |---|---|---|---|
//! | LeftRunning | Running | Alive | Adopt |
//! | LeftRunning | Running | Gone | Lost |
//! | StoppedAll | Running | Alive | Stop |
//! | StoppedAll | Running | Gone | LeaveStopped |
//! | - | Stopped | Alive | Stop |
//! | - | Stopped | Gone | LeaveStopped |
//! | - | Finished | Alive | Stop |
//! | - | Finished | Gone | Finished |
//!
//! `LeftRunning` is SIGHUP, and also an unclean end (a crash or SIGKILL: the pods were not
//! stopped). `Lost` is a running pod whose sandbox died while no daemon watched it: it is treated
//! as a pod that finished with status Failed, so it is re-run ([`Recovery::Rerun`]) unless its
//! policy is `Never`, else finished like any failed pod (deleted if it came from a Kubernetes
//! file, kept as Failed otherwise). `Finished` becomes `Delete` for a Kubernetes pod (it should
//! already be gone) and `Keep { status }` otherwise.
//!
//! # Decisions we made where the sources are open
//!
//! - An unclean end counts as SIGHUP: nothing was stopped, so whatever still runs is adopted.
//! - A pod recorded as running after a SIGTERM exit was meant to be stopped: if its sandbox
//!   survived it is stopped now; either way it is not run again (Hyper's case 4).
//! - A live sandbox for a pod that is recorded as stopped or finished is a leak: stop it.

use phase::RestartPolicy;

use crate::pod::{FinalStatus, PodOrigin, RestartScope};

/// How the previous daemon ended.
///
/// # Examples
///
/// ```
/// # use restart::DaemonExit;
/// assert_eq!(DaemonExit::Hangup.effect(), DaemonExit::Unclean.effect());
/// assert_ne!(DaemonExit::Hangup.effect(), DaemonExit::Terminate.effect());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DaemonExit {
    /// SIGHUP: it released every sandbox and left the pods running.
    Hangup,
    /// SIGTERM or SIGINT: it stopped every pod, then exited.
    Terminate,
    /// It died without cleaning up (crash, SIGKILL, power loss).
    Unclean,
}

impl DaemonExit {
    /// Every way out.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::DaemonExit;
    /// assert_eq!(DaemonExit::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Hangup, Self::Terminate, Self::Unclean];

    /// What the exit did to the pods.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{DaemonExit, ExitEffect};
    /// assert_eq!(DaemonExit::Terminate.effect(), ExitEffect::StoppedAll);
    /// ```
    #[must_use]
    pub const fn effect(self) -> ExitEffect {
        match self {
            Self::Hangup | Self::Unclean => ExitEffect::LeftRunning,
            Self::Terminate => ExitEffect::StoppedAll,
        }
    }
}

/// What the previous daemon's exit did to the pods.
///
/// # Examples
///
/// ```
/// # use restart::ExitEffect;
/// assert_ne!(ExitEffect::LeftRunning, ExitEffect::StoppedAll);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitEffect {
    /// Pods were left running (SIGHUP, or an unclean end).
    LeftRunning,
    /// Every pod was stopped first (SIGTERM).
    StoppedAll,
}

/// A pod's status as the previous daemon last persisted it.
///
/// # Examples
///
/// ```
/// # use restart::{FinalStatus, PersistedStatus};
/// assert_ne!(PersistedStatus::Running, PersistedStatus::Finished(FinalStatus::Succeeded));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersistedStatus {
    /// Created and never started, or stopped on request: may be started again by the user.
    Stopped,
    /// Running (or starting).
    Running,
    /// Every container finished and nothing will restart.
    Finished(FinalStatus),
}

/// What the new daemon knows about one persisted pod.
///
/// # Examples
///
/// ```
/// # use phase::RestartPolicy;
/// # use restart::{PersistedPod, PersistedStatus, PodOrigin, RestartScope};
/// let pod = PersistedPod {
///     status: PersistedStatus::Running,
///     sandbox_alive: true,
///     origin: PodOrigin::Kubernetes,
///     scope: RestartScope::Pod,
///     policy: RestartPolicy::Never,
/// };
/// assert!(pod.sandbox_alive);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PersistedPod {
    /// The recorded status.
    pub status: PersistedStatus,
    /// Whether its sandbox (VM, or host processes) was found alive.
    pub sandbox_alive: bool,
    /// Where the pod came from.
    pub origin: PodOrigin,
    /// Its restart scope.
    pub scope: RestartScope,
    /// Its pod restart policy.
    pub policy: RestartPolicy,
}

/// What to do with one persisted pod.
///
/// # Examples
///
/// ```
/// # use restart::{FinalStatus, Recovery};
/// assert!(Recovery::Adopt.runs());
/// assert!(Recovery::Rerun.runs());
/// assert!(!Recovery::Keep { status: FinalStatus::Failed }.runs());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum Recovery {
    /// Take over the live sandbox and supervise the pod as it is.
    Adopt,
    /// Start the pod again from its spec, on a fresh sandbox.
    Rerun,
    /// Stop the live sandbox (stop signal, grace, SIGKILL) and leave the pod stopped.
    Stop,
    /// Nothing to do: the pod stays stopped.
    LeaveStopped,
    /// The pod stays listed, finished, with this status.
    Keep {
        /// Its final status.
        status: FinalStatus,
    },
    /// Remove the pod.
    Delete,
}

impl Recovery {
    /// Whether the pod runs after recovery.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::Recovery;
    /// assert!(!Recovery::Stop.runs());
    /// ```
    #[must_use]
    pub const fn runs(self) -> bool {
        matches!(self, Self::Adopt | Self::Rerun)
    }
}

/// The recovery table's answer before policy and origin are applied.
///
/// # Examples
///
/// ```
/// # use restart::RecoveryVerdict;
/// assert_ne!(RecoveryVerdict::Lost, RecoveryVerdict::Finished);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecoveryVerdict {
    /// Adopt the live sandbox.
    Adopt,
    /// The pod died unwatched: a Failed pod, re-run unless `Never`.
    Lost,
    /// Stop the live sandbox.
    Stop,
    /// Nothing to do.
    LeaveStopped,
    /// Already finished: keep, or delete a Kubernetes pod.
    Finished,
}

/// The recorded status, without its data, as the table's column.
///
/// # Examples
///
/// ```
/// # use restart::{FinalStatus, PersistedStatus, StatusKind};
/// assert_eq!(StatusKind::of(PersistedStatus::Finished(FinalStatus::Failed)), StatusKind::Finished);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusKind {
    /// Stopped.
    Stopped,
    /// Running.
    Running,
    /// Finished.
    Finished,
}

impl StatusKind {
    /// Every kind.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::StatusKind;
    /// assert_eq!(StatusKind::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Stopped, Self::Running, Self::Finished];

    /// The kind of a recorded status.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{PersistedStatus, StatusKind};
    /// assert_eq!(StatusKind::of(PersistedStatus::Running), StatusKind::Running);
    /// ```
    #[must_use]
    pub const fn of(status: PersistedStatus) -> Self {
        match status {
            PersistedStatus::Stopped => Self::Stopped,
            PersistedStatus::Running => Self::Running,
            PersistedStatus::Finished(_) => Self::Finished,
        }
    }
}

/// The recovery table of the module documentation: `(effect, status, sandbox alive, verdict)`,
/// `None` = any.
///
/// # Examples
///
/// ```
/// # use restart::RECOVERY_TABLE;
/// assert_eq!(RECOVERY_TABLE.len(), 8);
/// ```
pub const RECOVERY_TABLE: [(Option<ExitEffect>, StatusKind, bool, RecoveryVerdict); 8] = {
    use ExitEffect::{LeftRunning, StoppedAll};
    use RecoveryVerdict as V;
    use StatusKind::{Finished, Running, Stopped};
    [
        (Some(LeftRunning), Running, true, V::Adopt),
        (Some(LeftRunning), Running, false, V::Lost),
        (Some(StoppedAll), Running, true, V::Stop),
        (Some(StoppedAll), Running, false, V::LeaveStopped),
        (None, Stopped, true, V::Stop),
        (None, Stopped, false, V::LeaveStopped),
        (None, Finished, true, V::Stop),
        (None, Finished, false, V::Finished),
    ]
};

/// The recovery table as a `match`.
///
/// # Examples
///
/// ```
/// # use restart::{recovery_verdict, ExitEffect, RecoveryVerdict, StatusKind};
/// assert_eq!(recovery_verdict(ExitEffect::LeftRunning, StatusKind::Running, true), RecoveryVerdict::Adopt);
/// assert_eq!(recovery_verdict(ExitEffect::StoppedAll, StatusKind::Running, false), RecoveryVerdict::LeaveStopped);
/// ```
#[must_use]
pub const fn recovery_verdict(
    effect: ExitEffect,
    status: StatusKind,
    sandbox_alive: bool,
) -> RecoveryVerdict {
    match (effect, status, sandbox_alive) {
        (ExitEffect::LeftRunning, StatusKind::Running, true) => RecoveryVerdict::Adopt,
        (ExitEffect::LeftRunning, StatusKind::Running, false) => RecoveryVerdict::Lost,
        (_, _, true) => RecoveryVerdict::Stop,
        (_, StatusKind::Finished, false) => RecoveryVerdict::Finished,
        (_, StatusKind::Running | StatusKind::Stopped, false) => RecoveryVerdict::LeaveStopped,
    }
}

/// What to do with one persisted pod after a daemon restart.
///
/// # Examples
///
/// Hyper's scenarios 3 and 4 (seeds/000): a Kubernetes pod with policy `Never`, running when the
/// daemon went down.
///
/// ```
/// # use phase::RestartPolicy;
/// # use restart::{recover, DaemonExit, PersistedPod, PersistedStatus, PodOrigin, Recovery, RestartScope};
/// let running = PersistedPod {
///     status: PersistedStatus::Running,
///     sandbox_alive: true,
///     origin: PodOrigin::Kubernetes,
///     scope: RestartScope::Pod,
///     policy: RestartPolicy::Never,
/// };
/// assert_eq!(recover(&running, DaemonExit::Hangup), Recovery::Adopt);
/// let after_term = PersistedPod { sandbox_alive: false, ..running };
/// assert_eq!(recover(&after_term, DaemonExit::Terminate), Recovery::LeaveStopped);
/// ```
pub const fn recover(pod: &PersistedPod, exit: DaemonExit) -> Recovery {
    match recovery_verdict(exit.effect(), StatusKind::of(pod.status), pod.sandbox_alive) {
        RecoveryVerdict::Adopt => Recovery::Adopt,
        RecoveryVerdict::Stop => Recovery::Stop,
        RecoveryVerdict::LeaveStopped => Recovery::LeaveStopped,
        RecoveryVerdict::Lost => match (pod.policy, pod.origin) {
            (RestartPolicy::Never, PodOrigin::Kubernetes) => Recovery::Delete,
            (RestartPolicy::Never, PodOrigin::Native) => Recovery::Keep {
                status: FinalStatus::Failed,
            },
            (RestartPolicy::Always | RestartPolicy::OnFailure, _) => Recovery::Rerun,
        },
        RecoveryVerdict::Finished => match (pod.origin, pod.status) {
            (PodOrigin::Kubernetes, _) => Recovery::Delete,
            (PodOrigin::Native, PersistedStatus::Finished(status)) => Recovery::Keep { status },
            // Unreachable by the table (Finished needs a finished status); keep it stopped.
            (PodOrigin::Native, _) => Recovery::LeaveStopped,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(
        status: PersistedStatus,
        alive: bool,
        origin: PodOrigin,
        policy: RestartPolicy,
    ) -> PersistedPod {
        PersistedPod {
            status,
            sandbox_alive: alive,
            origin,
            scope: RestartScope::Pod,
            policy,
        }
    }

    #[test]
    fn recovery_verdict_matches_its_table() {
        for effect in [ExitEffect::LeftRunning, ExitEffect::StoppedAll] {
            for status in StatusKind::ALL {
                for alive in [false, true] {
                    let row = RECOVERY_TABLE
                        .iter()
                        .find(|(e, s, a, _)| {
                            e.is_none_or(|e| e == effect) && *s == status && *a == alive
                        })
                        .expect("total");
                    assert_eq!(recovery_verdict(effect, status, alive), row.3);
                }
            }
        }
    }

    #[test]
    fn drawn_recovery_table_is_the_constant() {
        let source = include_str!("recovery.rs");
        let drawn: alloc::vec::Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("//! | "))
            .filter(|l| {
                l.starts_with("LeftRunning") || l.starts_with("StoppedAll") || l.starts_with("- |")
            })
            .collect();
        assert_eq!(drawn.len(), RECOVERY_TABLE.len());
        for (line, (effect, status, alive, verdict)) in drawn.iter().zip(RECOVERY_TABLE) {
            let effect = effect.map_or_else(
                || alloc::string::String::from("-"),
                |e| alloc::format!("{e:?}"),
            );
            let alive = if alive { "Alive" } else { "Gone" };
            assert_eq!(
                *line,
                alloc::format!("{effect} | {status:?} | {alive} | {verdict:?} |")
            );
        }
    }

    #[test]
    fn after_sigterm_nothing_runs_again() {
        for status in [
            PersistedStatus::Stopped,
            PersistedStatus::Running,
            PersistedStatus::Finished(FinalStatus::Succeeded),
            PersistedStatus::Finished(FinalStatus::Failed),
        ] {
            for alive in [false, true] {
                for origin in PodOrigin::ALL {
                    for policy in RestartPolicy::ALL {
                        let r = recover(&pod(status, alive, origin, policy), DaemonExit::Terminate);
                        assert!(!r.runs(), "{status:?} {alive} {origin:?} {policy:?}: {r:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn after_sighup_a_running_pod_with_a_live_sandbox_is_adopted() {
        for origin in PodOrigin::ALL {
            for policy in RestartPolicy::ALL {
                let p = pod(PersistedStatus::Running, true, origin, policy);
                assert_eq!(recover(&p, DaemonExit::Hangup), Recovery::Adopt);
                assert_eq!(recover(&p, DaemonExit::Unclean), Recovery::Adopt);
            }
        }
    }

    #[test]
    fn a_lost_pod_is_rerun_unless_never() {
        let lost = |policy, origin| {
            recover(
                &pod(PersistedStatus::Running, false, origin, policy),
                DaemonExit::Hangup,
            )
        };
        assert_eq!(
            lost(RestartPolicy::Always, PodOrigin::Native),
            Recovery::Rerun
        );
        assert_eq!(
            lost(RestartPolicy::OnFailure, PodOrigin::Kubernetes),
            Recovery::Rerun
        );
        assert_eq!(
            lost(RestartPolicy::Never, PodOrigin::Kubernetes),
            Recovery::Delete
        );
        assert_eq!(
            lost(RestartPolicy::Never, PodOrigin::Native),
            Recovery::Keep {
                status: FinalStatus::Failed
            }
        );
    }

    #[test]
    fn a_finished_pod_stays_finished() {
        let f = PersistedStatus::Finished(FinalStatus::Succeeded);
        for exit in DaemonExit::ALL {
            assert_eq!(
                recover(
                    &pod(f, false, PodOrigin::Native, RestartPolicy::Always),
                    exit
                ),
                Recovery::Keep {
                    status: FinalStatus::Succeeded
                }
            );
            assert_eq!(
                recover(
                    &pod(f, false, PodOrigin::Kubernetes, RestartPolicy::Always),
                    exit
                ),
                Recovery::Delete
            );
        }
    }
}
