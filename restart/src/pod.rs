//! Pod scope: what happens to a pod once every container has finished.
//!
//! Two restart scopes exist (DESIGN.md, "Restart scope"):
//!
//! - [`RestartScope::Container`], the kubelet's: each container restarts on its own with
//!   CrashLoopBackOff ([`crate::decide`]). The pod finishes only when nothing will restart.
//! - [`RestartScope::Pod`], Hyper's legacy rule (spec/hyper.md section 3.3, seeds/000): no
//!   container restarts on its own; when **every** container has finished, the pod's status
//!   decides whether the **whole pod** is re-created (on a fresh sandbox), from the pod policy.
//!
//! Then the pod's origin decides what a finished pod becomes: a pod that came from a Kubernetes
//! file is deleted (Hyper removed finished `kubernetes`-type pods and never started them again);
//! any other pod is kept with its final status until it is removed.
//!
//! # The pod table ([`POD_TABLE`])
//!
//! | scope | status | policy | → |
//! |---|---|---|---|
//! | Pod | Succeeded | Always | Recreate |
//! | Pod | Succeeded | OnFailure | Finish |
//! | Pod | Succeeded | Never | Finish |
//! | Pod | Failed | Always | Recreate |
//! | Pod | Failed | OnFailure | Recreate |
//! | Pod | Failed | Never | Finish |
//! | Container | - | - | Finish |
//!
//! `Finish` then becomes `Delete` for [`PodOrigin::Kubernetes`] and `Keep { status }` otherwise.
//! A pod that finished because it was stopped or deleted on request is never re-created
//! (Hyper's `stop` first set a Kubernetes pod's policy to `never`).
//!
//! # Decisions we made where the sources are open
//!
//! - **Status.** The pod Succeeded iff every regular container's last run ended with exit
//!   code 0 and no init container failed for good; sidecars do not count (as in the kubelet,
//!   spec section 9, surprise 3). The exit code alone decides, as in Kubernetes' `getPhase`
//!   (spec section 1: a terminated container with exit code 0 is succeeded): a container that
//!   exits 0 while its preStop hook runs, or in answer to its stop signal, succeeded, so the
//!   tracker's final status is the phase `phase` computes from the same container statuses. A
//!   container killed with SIGKILL (137), ended by its stop signal (143), or never started
//!   counts as failed (Hyper: `Killed` means failed). How a run ended decides only restarts.
//! - **Pod-scope re-creation is throttled** by a CrashLoopBackOff of its own (one per pod, same
//!   configuration as the containers'). Hyper re-created at once; a pod that fails instantly
//!   would then spin. With a zero back-off the tracker still re-creates a pod at most once per
//!   call ([`crate::tracker`], "Bounded work per call"), so an empty pod cannot loop.

use core::fmt;

use phase::{PodPhase, RestartPolicy};

/// Who restarts what.
///
/// # Examples
///
/// ```
/// # use restart::RestartScope;
/// assert_eq!(RestartScope::default(), RestartScope::Container);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RestartScope {
    /// The kubelet's rule: each container restarts on its own, with CrashLoopBackOff.
    #[default]
    Container,
    /// Hyper's legacy rule: the whole pod is re-created once every container has finished.
    Pod,
}

impl RestartScope {
    /// Both scopes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::RestartScope;
    /// assert_eq!(RestartScope::ALL.len(), 2);
    /// ```
    pub const ALL: [Self; 2] = [Self::Container, Self::Pod];
}

/// Where the pod came from.
///
/// # Examples
///
/// ```
/// # use restart::PodOrigin;
/// assert_ne!(PodOrigin::Kubernetes, PodOrigin::Native);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodOrigin {
    /// A Hyper pod file, a pod-controller file, or anything that is not a Kubernetes manifest.
    #[default]
    Native,
    /// A Kubernetes manifest (v1 or v1beta1): deleted once finished.
    Kubernetes,
}

impl PodOrigin {
    /// Both origins.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::PodOrigin;
    /// assert_eq!(PodOrigin::ALL.len(), 2);
    /// ```
    pub const ALL: [Self; 2] = [Self::Native, Self::Kubernetes];
}

/// The final status of a pod whose containers have all finished.
///
/// # Examples
///
/// ```
/// # use phase::PodPhase;
/// # use restart::FinalStatus;
/// assert_eq!(FinalStatus::Failed.phase(), PodPhase::Failed);
/// assert_eq!(FinalStatus::from_success(true), FinalStatus::Succeeded);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FinalStatus {
    /// Every container that counts exited 0.
    Succeeded,
    /// Something failed.
    Failed,
}

impl FinalStatus {
    /// Both values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::FinalStatus;
    /// assert_eq!(FinalStatus::ALL[0], FinalStatus::Succeeded);
    /// ```
    pub const ALL: [Self; 2] = [Self::Succeeded, Self::Failed];

    /// `Succeeded` if `ok`, else `Failed`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::FinalStatus;
    /// assert_eq!(FinalStatus::from_success(false), FinalStatus::Failed);
    /// ```
    #[must_use]
    pub const fn from_success(ok: bool) -> Self {
        if ok { Self::Succeeded } else { Self::Failed }
    }

    /// The matching terminal [`PodPhase`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PodPhase;
    /// # use restart::FinalStatus;
    /// assert!(FinalStatus::Succeeded.phase().is_terminal());
    /// ```
    #[must_use]
    pub const fn phase(self) -> PodPhase {
        match self {
            Self::Succeeded => PodPhase::Succeeded,
            Self::Failed => PodPhase::Failed,
        }
    }
}

impl fmt::Display for FinalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phase().as_str())
    }
}

/// The pod table's answer before the origin is applied.
///
/// # Examples
///
/// ```
/// # use restart::PodVerdict;
/// assert_ne!(PodVerdict::Recreate, PodVerdict::Finish);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PodVerdict {
    /// Re-create the whole pod.
    Recreate,
    /// The pod is done.
    Finish,
}

/// What becomes of a pod whose containers have all finished.
///
/// # Examples
///
/// ```
/// # use restart::{FinalStatus, PodOutcome};
/// let kept = PodOutcome::Keep { status: FinalStatus::Failed };
/// assert_ne!(kept, PodOutcome::Delete);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum PodOutcome {
    /// Re-create the whole pod on a fresh sandbox (pod scope only).
    Recreate,
    /// Keep the pod, stopped, with its final status, until it is removed.
    Keep {
        /// The final status.
        status: FinalStatus,
    },
    /// Remove the pod (a finished Kubernetes pod, or a deletion request).
    Delete,
}

/// The pod table of the module documentation: `(scope, status, policy, verdict)`, `None` = any.
///
/// # Examples
///
/// ```
/// # use restart::POD_TABLE;
/// assert_eq!(POD_TABLE.len(), 7);
/// ```
pub const POD_TABLE: [(
    RestartScope,
    Option<FinalStatus>,
    Option<RestartPolicy>,
    PodVerdict,
); 7] = {
    use FinalStatus::{Failed, Succeeded};
    use PodVerdict::{Finish, Recreate};
    use RestartPolicy::{Always, Never, OnFailure};
    use RestartScope::{Container, Pod};
    [
        (Pod, Some(Succeeded), Some(Always), Recreate),
        (Pod, Some(Succeeded), Some(OnFailure), Finish),
        (Pod, Some(Succeeded), Some(Never), Finish),
        (Pod, Some(Failed), Some(Always), Recreate),
        (Pod, Some(Failed), Some(OnFailure), Recreate),
        (Pod, Some(Failed), Some(Never), Finish),
        (Container, None, None, Finish),
    ]
};

/// The pod table as a `match`: re-create or finish.
///
/// # Examples
///
/// ```
/// # use phase::RestartPolicy;
/// # use restart::{pod_verdict, FinalStatus, PodVerdict, RestartScope};
/// assert_eq!(pod_verdict(RestartScope::Pod, FinalStatus::Failed, RestartPolicy::OnFailure), PodVerdict::Recreate);
/// assert_eq!(pod_verdict(RestartScope::Container, FinalStatus::Failed, RestartPolicy::Always), PodVerdict::Finish);
/// ```
#[must_use]
pub const fn pod_verdict(
    scope: RestartScope,
    status: FinalStatus,
    policy: RestartPolicy,
) -> PodVerdict {
    match (scope, status, policy) {
        (RestartScope::Container, ..)
        | (_, _, RestartPolicy::Never)
        | (_, FinalStatus::Succeeded, RestartPolicy::OnFailure) => PodVerdict::Finish,
        (RestartScope::Pod, ..) => PodVerdict::Recreate,
    }
}

/// Why the pod's containers all finished.
///
/// # Examples
///
/// ```
/// # use restart::EndCause;
/// assert_eq!(EndCause::ALL.len(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndCause {
    /// They finished by themselves (and, in container scope, nothing will restart).
    Finished,
    /// The pod was stopped on request: final, never re-created.
    StopRequested,
    /// The pod was deleted on request.
    DeleteRequested,
}

impl EndCause {
    /// Every cause.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::EndCause;
    /// assert_eq!(EndCause::ALL[2], EndCause::DeleteRequested);
    /// ```
    pub const ALL: [Self; 3] = [Self::Finished, Self::StopRequested, Self::DeleteRequested];
}

/// What becomes of a pod whose containers have all finished: the pod table, then the origin.
///
/// # Examples
///
/// ```
/// # use phase::RestartPolicy;
/// # use restart::{pod_outcome, EndCause, FinalStatus, PodOrigin, PodOutcome, RestartScope};
/// // Hyper's seed, case 1: a Kubernetes pod with policy Never runs, succeeds, and is deleted.
/// assert_eq!(
///     pod_outcome(RestartScope::Pod, PodOrigin::Kubernetes, RestartPolicy::Never, FinalStatus::Succeeded, EndCause::Finished),
///     PodOutcome::Delete,
/// );
/// // A Hyper pod is kept with its status.
/// assert_eq!(
///     pod_outcome(RestartScope::Pod, PodOrigin::Native, RestartPolicy::Never, FinalStatus::Failed, EndCause::Finished),
///     PodOutcome::Keep { status: FinalStatus::Failed },
/// );
/// // Pod scope, Always: re-created, unless it was stopped on request.
/// assert_eq!(
///     pod_outcome(RestartScope::Pod, PodOrigin::Kubernetes, RestartPolicy::Always, FinalStatus::Succeeded, EndCause::Finished),
///     PodOutcome::Recreate,
/// );
/// assert_eq!(
///     pod_outcome(RestartScope::Pod, PodOrigin::Native, RestartPolicy::Always, FinalStatus::Failed, EndCause::StopRequested),
///     PodOutcome::Keep { status: FinalStatus::Failed },
/// );
/// ```
pub const fn pod_outcome(
    scope: RestartScope,
    origin: PodOrigin,
    policy: RestartPolicy,
    status: FinalStatus,
    cause: EndCause,
) -> PodOutcome {
    match (cause, pod_verdict(scope, status, policy), origin) {
        (EndCause::DeleteRequested, ..) | (_, PodVerdict::Finish, PodOrigin::Kubernetes) => {
            PodOutcome::Delete
        }
        (EndCause::Finished, PodVerdict::Recreate, _) => PodOutcome::Recreate,
        (EndCause::StopRequested, PodVerdict::Recreate, PodOrigin::Kubernetes) => {
            PodOutcome::Delete
        }
        (_, _, PodOrigin::Native) => PodOutcome::Keep { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_verdict_matches_its_table_on_the_whole_domain() {
        for scope in RestartScope::ALL {
            for status in FinalStatus::ALL {
                for policy in RestartPolicy::ALL {
                    let row = POD_TABLE
                        .iter()
                        .find(|(s, st, p, _)| {
                            *s == scope
                                && st.is_none_or(|x| x == status)
                                && p.is_none_or(|x| x == policy)
                        })
                        .expect("total");
                    assert_eq!(pod_verdict(scope, status, policy), row.3);
                }
            }
        }
    }

    #[test]
    fn drawn_pod_table_is_the_constant() {
        let source = include_str!("pod.rs");
        let drawn: alloc::vec::Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("//! | "))
            .filter(|l| l.starts_with("Pod |") || l.starts_with("Container |"))
            .collect();
        assert_eq!(drawn.len(), POD_TABLE.len());
        let cell = |v: Option<alloc::string::String>| v.unwrap_or_else(|| "-".into());
        for (line, (scope, status, policy, verdict)) in drawn.iter().zip(POD_TABLE) {
            let expected = alloc::format!(
                "{scope:?} | {} | {} | {verdict:?} |",
                cell(status.map(|s| alloc::format!("{s:?}"))),
                cell(policy.map(|p| alloc::format!("{p:?}"))),
            );
            assert_eq!(*line, expected);
        }
    }

    #[test]
    fn a_deleted_pod_is_always_deleted() {
        for scope in RestartScope::ALL {
            for origin in PodOrigin::ALL {
                for policy in RestartPolicy::ALL {
                    for status in FinalStatus::ALL {
                        assert_eq!(
                            pod_outcome(scope, origin, policy, status, EndCause::DeleteRequested),
                            PodOutcome::Delete
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_pod_scope_finishing_by_itself_recreates() {
        for scope in RestartScope::ALL {
            for origin in PodOrigin::ALL {
                for policy in RestartPolicy::ALL {
                    for status in FinalStatus::ALL {
                        for cause in EndCause::ALL {
                            let out = pod_outcome(scope, origin, policy, status, cause);
                            if out == PodOutcome::Recreate {
                                assert_eq!((scope, cause), (RestartScope::Pod, EndCause::Finished));
                                assert_ne!(policy, RestartPolicy::Never);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_kubernetes_pod_is_never_kept() {
        for scope in RestartScope::ALL {
            for policy in RestartPolicy::ALL {
                for status in FinalStatus::ALL {
                    for cause in EndCause::ALL {
                        let out = pod_outcome(scope, PodOrigin::Kubernetes, policy, status, cause);
                        assert!(!matches!(out, PodOutcome::Keep { .. }));
                    }
                }
            }
        }
    }
}
