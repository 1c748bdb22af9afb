//! The container decision: should this container be started, kept, restarted, or left alone?
//!
//! This is the kubelet's answer (spec/kubernetes.md sections 2.1 to 2.3:
//! `ShouldContainerBeRestarted`, `ContainerShouldRestart`, `computePodActions` and
//! `computeInitContainerActions`, with the `ContainerRestartRules` gate on), written as one
//! table. [`classify`] reduces a container and its last run to a [`Case`]; [`verdict`] looks the
//! case up; [`decide`] adds CrashLoopBackOff and returns a [`Decision`] such as
//! `Restart { after }`. None of them allocates.
//!
//! # The decision table
//!
//! First matching row wins. `policy` is the *effective* policy: the container's own
//! `restartPolicy` if it has one, else the pod's. `rule` says whether one of the container's
//! `restartPolicyRules` matched the exit code with action `Restart`; rules count only when the
//! container has its own policy, and the first matching rule wins. `how` is how the last run
//! ended ([`ExitHow`]): `Exited` by itself, `Failed` (killed by the runtime for a failed
//! liveness or startup probe, a failed postStart, postRestart or preStart hook, or a lost
//! dependency), or `Stopped` (killed because the pod is stopping). `code` is `Zero` or `NonZero`
//! (no exit code at all counts as `NonZero`). `-` means any value.
//!
//! | # | pod | kind | last run | how | code | rule | policy | verdict |
//! |---|---|---|---|---|---|---|---|---|
//! | 1 | Terminating | - | - | - | - | - | - | DoNotRestart(PodTerminating) |
//! | 2 | Active | - | NoStatus | - | - | - | - | Start |
//! | 3 | Active | - | Unknown | - | - | - | - | Start |
//! | 4 | Active | - | Running | - | - | - | - | Keep |
//! | 5 | Active | - | Exited | Stopped | - | - | - | DoNotRestart(Stopped) |
//! | 6 | Active | Init | Exited | Exited | Zero | - | - | DoNotRestart(Completed) |
//! | 7 | Active | Sidecar | Exited | - | - | - | - | Restart |
//! | 8 | Active | - | Exited | Exited | - | Restart | - | Restart |
//! | 9 | Active | - | Exited | - | - | - | Never | DoNotRestart(Never) |
//! | 10 | Active | - | Exited | Failed | - | - | - | Restart |
//! | 11 | Active | - | Exited | Exited | Zero | - | OnFailure | DoNotRestart(Succeeded) |
//! | 12 | Active | - | Exited | Exited | - | - | - | Restart |
//!
//! The same rows are [`DECISION_TABLE`]; the tests walk it, check that [`verdict`] agrees with it
//! on the whole domain of [`Case`], and check that this drawing is the constant's rendering.
//!
//! Where the rows come from:
//! - 1: a pod with a `deletionTimestamp` never restarts anything (`ShouldContainerBeRestarted`
//!   step 1). We apply it to a pod being stopped too.
//! - 2, 3: no status, or a `created`/`unknown` one, means start, even under `Never` (steps 2
//!   and 4; spec/kubernetes.md section 9, surprise 5).
//! - 4: a running container is kept (step 3). Liveness and startup failures do not come through
//!   here: the runtime kills the container (reason Health), and its exit comes back as `Failed`.
//! - 6: a regular init container that exited 0 has done its job (`computeInitContainerActions`).
//! - 7: a sidecar (an init container with `restartPolicy: Always`) always restarts.
//! - 8, 9, 11, 12: `ContainerShouldRestart` (rules, then the container's policy, then the pod's).
//! - 9, 10: a container killed for a failed probe is restarted unless the policy is `Never`
//!   (`computePodActions`), and a failed init container is retried unless `Never`.
//!
//! # Decisions we made where the sources are open
//!
//! - **`Failed` ignores the exit code and the rules.** The kubelet decides a probe kill's restart
//!   when it kills (pod policy not `Never`), whatever code the process then exits with; we do the
//!   same for every runtime-initiated failure kill, with the effective policy in place of the
//!   pod's. So under `OnFailure` a container that exits 0 on SIGTERM after a liveness kill is
//!   restarted, as in the kubelet. A failed postStart is a `Failed` kill too (the kubelet sends it
//!   through the normal policy with the real exit code; the two differ only for a container that
//!   exits 0 on SIGTERM under `OnFailure`).
//! - **A failed preStart hook** (a hook the kubelet does not have) counts as a `Failed` run with
//!   no exit code: the container was never created, and it is retried unless `Never`.
//! - **`Stopped` is never restarted**, even under `Always`: the pod is stopping.
//! - The alpha rule action `RestartAllContainers` and the spec-hash change (restart even under
//!   `Never`) are not modelled.

use core::fmt;
use core::time::Duration;

use phase::{ContainerKind, ContainerSpec, ContainerState, RestartPolicy};

use crate::backoff::Backoff;
use crate::time::Millis;

/// Whether the pod is running normally or on its way out (deleted, stopped, or finished).
///
/// # Examples
///
/// ```
/// # use restart::PodCondition;
/// assert_eq!(PodCondition::ALL.len(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodCondition {
    /// Running normally: containers start and restart per policy.
    Active,
    /// Being deleted or stopped: nothing is (re)started any more.
    Terminating,
}

impl PodCondition {
    /// Both values (for exhaustive tests).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::PodCondition;
    /// assert_eq!(PodCondition::ALL[0], PodCondition::Active);
    /// ```
    pub const ALL: [Self; 2] = [Self::Active, Self::Terminating];
}

/// How a container's last run ended.
///
/// # Examples
///
/// ```
/// # use restart::ExitHow;
/// assert_eq!(ExitHow::ALL.len(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitHow {
    /// The process ended by itself; its exit code decides.
    Exited,
    /// The runtime ended the run because it failed: a failed liveness or startup probe, a failed
    /// preStart, postStart or postRestart hook, or a lost dependency. Restarted unless `Never`.
    Failed,
    /// The runtime ended the run because the pod is stopping. Never restarted.
    Stopped,
}

impl ExitHow {
    /// Every value (for exhaustive tests).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::ExitHow;
    /// assert!(ExitHow::ALL.contains(&ExitHow::Stopped));
    /// ```
    pub const ALL: [Self; 3] = [Self::Exited, Self::Failed, Self::Stopped];
}

/// The container's newest run, as the decision sees it.
///
/// # Examples
///
/// ```
/// # use restart::{ExitHow, LastRun, Millis};
/// let crashed = LastRun::Exited { how: ExitHow::Exited, code: Some(1), at: Millis(5) };
/// assert_ne!(crashed, LastRun::NoStatus);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LastRun {
    /// No run recorded: never started, or every run garbage-collected.
    NoStatus,
    /// Created but not started, or in an unknown state.
    Unknown,
    /// Running now.
    Running,
    /// Finished.
    Exited {
        /// How it ended.
        how: ExitHow,
        /// The exit code; `None` if no process ran (a failed preStart hook).
        code: Option<i32>,
        /// When it ended (`finishedAt`), for CrashLoopBackOff.
        at: Millis,
    },
}

/// An exit code, reduced to what the policies look at.
///
/// # Examples
///
/// ```
/// # use restart::CodeClass;
/// assert_eq!(CodeClass::of(Some(0)), CodeClass::Zero);
/// assert_eq!(CodeClass::of(Some(137)), CodeClass::NonZero);
/// assert_eq!(CodeClass::of(None), CodeClass::NonZero);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeClass {
    /// Exit code 0.
    Zero,
    /// Any other exit code, or none.
    NonZero,
}

impl CodeClass {
    /// Both values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::CodeClass;
    /// assert_eq!(CodeClass::ALL.len(), 2);
    /// ```
    pub const ALL: [Self; 2] = [Self::Zero, Self::NonZero];

    /// The class of an exit code (`None`, no code, is a failure).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::CodeClass;
    /// assert_eq!(CodeClass::of(Some(-1)), CodeClass::NonZero);
    /// ```
    #[must_use]
    pub const fn of(code: Option<i32>) -> Self {
        match code {
            Some(0) => Self::Zero,
            _ => Self::NonZero,
        }
    }
}

/// Whether a `restartPolicyRules` entry matched with action `Restart`.
///
/// # Examples
///
/// ```
/// # use restart::RuleMatch;
/// assert_eq!(RuleMatch::ALL.len(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleMatch {
    /// No rule matched (or the container has no own policy, so rules are ignored).
    NoMatch,
    /// The first matching rule says `Restart`.
    Restart,
}

impl RuleMatch {
    /// Both values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::RuleMatch;
    /// assert_eq!(RuleMatch::ALL[1], RuleMatch::Restart);
    /// ```
    pub const ALL: [Self; 2] = [Self::NoMatch, Self::Restart];
}

/// The last run, reduced to the table's columns.
///
/// # Examples
///
/// ```
/// # use restart::{CaseLast, CodeClass, ExitHow, RuleMatch};
/// let last = CaseLast::Exited { how: ExitHow::Exited, code: CodeClass::Zero, rule: RuleMatch::NoMatch };
/// assert_ne!(last, CaseLast::Running);
/// assert_eq!(CaseLast::ALL.len(), 15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseLast {
    /// No status.
    NoStatus,
    /// Created or unknown.
    Unknown,
    /// Running.
    Running,
    /// Finished.
    Exited {
        /// How it ended.
        how: ExitHow,
        /// Its exit code's class.
        code: CodeClass,
        /// Whether a restart rule matched.
        rule: RuleMatch,
    },
}

impl CaseLast {
    /// Every value: the three without an exit, and every exit combination.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::CaseLast;
    /// assert_eq!(CaseLast::ALL[0], CaseLast::NoStatus);
    /// ```
    pub const ALL: [Self; 15] = {
        let mut all = [Self::NoStatus; 15];
        all[1] = Self::Unknown;
        all[2] = Self::Running;
        let mut i = 3;
        let mut h = 0;
        while h < ExitHow::ALL.len() {
            let mut c = 0;
            while c < CodeClass::ALL.len() {
                let mut r = 0;
                while r < RuleMatch::ALL.len() {
                    all[i] = Self::Exited {
                        how: ExitHow::ALL[h],
                        code: CodeClass::ALL[c],
                        rule: RuleMatch::ALL[r],
                    };
                    i += 1;
                    r += 1;
                }
                c += 1;
            }
            h += 1;
        }
        all
    };
}

/// One point of the table's domain: everything the verdict depends on.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerKind, RestartPolicy};
/// # use restart::{verdict, Case, CaseLast, PodCondition, Verdict};
/// let case = Case {
///     pod: PodCondition::Active,
///     kind: ContainerKind::Regular,
///     last: CaseLast::Running,
///     policy: RestartPolicy::Never,
/// };
/// assert_eq!(verdict(&case), Verdict::Keep);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Case {
    /// Active or terminating.
    pub pod: PodCondition,
    /// Init, sidecar or regular.
    pub kind: ContainerKind,
    /// The last run.
    pub last: CaseLast,
    /// The effective restart policy.
    pub policy: RestartPolicy,
}

impl Case {
    /// How many cases the domain has: 2 conditions x 3 kinds x 15 last runs x 3 policies.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::Case;
    /// assert_eq!(Case::all().count(), Case::DOMAIN_SIZE);
    /// ```
    pub const DOMAIN_SIZE: usize = 2 * 3 * 15 * 3;

    /// Every case of the domain, in a fixed order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::Case;
    /// assert_eq!(Case::all().count(), 270);
    /// ```
    pub fn all() -> impl Iterator<Item = Self> {
        PodCondition::ALL.into_iter().flat_map(|pod| {
            ContainerKind::ALL.into_iter().flat_map(move |kind| {
                CaseLast::ALL.into_iter().flat_map(move |last| {
                    RestartPolicy::ALL.into_iter().map(move |policy| Self {
                        pod,
                        kind,
                        last,
                        policy,
                    })
                })
            })
        })
    }
}

/// The table's answer, before CrashLoopBackOff.
///
/// # Examples
///
/// ```
/// # use restart::{NoRestart, Verdict};
/// assert!(Verdict::Restart.is_start());
/// assert!(!Verdict::DoNotRestart(NoRestart::Never).is_start());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Start it now: it has no run, or an unknown one. No backoff applies.
    Start,
    /// It is running: nothing to do.
    Keep,
    /// Restart it, after its CrashLoopBackOff.
    Restart,
    /// Leave it stopped.
    DoNotRestart(NoRestart),
}

impl Verdict {
    /// Whether the verdict starts the container (`Start` or `Restart`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::Verdict;
    /// assert!(Verdict::Start.is_start());
    /// assert!(!Verdict::Keep.is_start());
    /// ```
    #[must_use]
    pub const fn is_start(self) -> bool {
        matches!(self, Self::Start | Self::Restart)
    }
}

/// Why a container is not restarted.
///
/// # Examples
///
/// ```
/// # use restart::NoRestart;
/// assert_eq!(NoRestart::Never.as_str(), "Never");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoRestart {
    /// The pod is being deleted or stopped.
    PodTerminating,
    /// The run was stopped because the pod is stopping.
    Stopped,
    /// A regular init container finished its job (exit 0).
    Completed,
    /// The effective policy is `Never`.
    Never,
    /// The effective policy is `OnFailure` and the container exited 0.
    Succeeded,
}

impl NoRestart {
    /// The name used in the decision table.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::NoRestart;
    /// assert_eq!(NoRestart::PodTerminating.as_str(), "PodTerminating");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PodTerminating => "PodTerminating",
            Self::Stopped => "Stopped",
            Self::Completed => "Completed",
            Self::Never => "Never",
            Self::Succeeded => "Succeeded",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start => f.write_str("Start"),
            Self::Keep => f.write_str("Keep"),
            Self::Restart => f.write_str("Restart"),
            Self::DoNotRestart(r) => write!(f, "DoNotRestart({})", r.as_str()),
        }
    }
}

/// A pattern over [`CaseLast`] for one table row.
///
/// # Examples
///
/// ```
/// # use restart::{CaseLast, LastPattern};
/// assert!(LastPattern::Any.matches(&CaseLast::Running));
/// assert!(!LastPattern::NoStatus.matches(&CaseLast::Running));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LastPattern {
    /// Any last run.
    Any,
    /// No status.
    NoStatus,
    /// Created or unknown.
    Unknown,
    /// Running.
    Running,
    /// Finished, with optional constraints (`None` = any).
    Exited {
        /// Required [`ExitHow`].
        how: Option<ExitHow>,
        /// Required [`CodeClass`].
        code: Option<CodeClass>,
        /// Required [`RuleMatch`].
        rule: Option<RuleMatch>,
    },
}

impl LastPattern {
    /// Whether `last` fits the pattern.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{CaseLast, CodeClass, ExitHow, LastPattern, RuleMatch};
    /// let p = LastPattern::Exited { how: Some(ExitHow::Stopped), code: None, rule: None };
    /// let last = CaseLast::Exited { how: ExitHow::Stopped, code: CodeClass::Zero, rule: RuleMatch::NoMatch };
    /// assert!(p.matches(&last));
    /// ```
    #[must_use]
    pub fn matches(&self, last: &CaseLast) -> bool {
        fn fits<T: PartialEq>(want: Option<T>, got: T) -> bool {
            want.is_none_or(|w| w == got)
        }
        match (self, last) {
            (Self::Any, _)
            | (Self::NoStatus, CaseLast::NoStatus)
            | (Self::Unknown, CaseLast::Unknown)
            | (Self::Running, CaseLast::Running) => true,
            (
                Self::Exited {
                    how: want_how,
                    code: want_code,
                    rule: want_rule,
                },
                CaseLast::Exited { how, code, rule },
            ) => fits(*want_how, *how) && fits(*want_code, *code) && fits(*want_rule, *rule),
            _ => false,
        }
    }
}

/// One row of the decision table: patterns (`None` = any) and the verdict.
///
/// # Examples
///
/// ```
/// # use restart::{Case, DECISION_TABLE};
/// // Every case matches some row: the last row is the catch-all for exits.
/// assert!(Case::all().all(|c| DECISION_TABLE.iter().any(|r| r.matches(&c))));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Row {
    /// The row number in the drawn table.
    pub number: u8,
    /// Required pod condition.
    pub pod: Option<PodCondition>,
    /// Required container kind.
    pub kind: Option<ContainerKind>,
    /// Required last run.
    pub last: LastPattern,
    /// Required effective policy.
    pub policy: Option<RestartPolicy>,
    /// The answer.
    pub verdict: Verdict,
}

impl Row {
    /// Whether `case` fits the row.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerKind, RestartPolicy};
    /// # use restart::{Case, CaseLast, PodCondition, DECISION_TABLE};
    /// let case = Case {
    ///     pod: PodCondition::Terminating,
    ///     kind: ContainerKind::Regular,
    ///     last: CaseLast::NoStatus,
    ///     policy: RestartPolicy::Always,
    /// };
    /// assert!(DECISION_TABLE[0].matches(&case));
    /// ```
    #[must_use]
    pub fn matches(&self, case: &Case) -> bool {
        self.pod.is_none_or(|p| p == case.pod)
            && self.kind.is_none_or(|k| k == case.kind)
            && self.last.matches(&case.last)
            && self.policy.is_none_or(|p| p == case.policy)
    }
}

const fn exited(
    how: Option<ExitHow>,
    code: Option<CodeClass>,
    rule: Option<RuleMatch>,
) -> LastPattern {
    LastPattern::Exited { how, code, rule }
}

const fn row(
    number: u8,
    pod: PodCondition,
    kind: Option<ContainerKind>,
    last: LastPattern,
    policy: Option<RestartPolicy>,
    verdict: Verdict,
) -> Row {
    Row {
        number,
        pod: Some(pod),
        kind,
        last,
        policy,
        verdict,
    }
}

/// The decision table of the module documentation, as data. First matching row wins.
///
/// # Examples
///
/// ```
/// # use restart::DECISION_TABLE;
/// assert_eq!(DECISION_TABLE.len(), 12);
/// assert!(DECISION_TABLE.iter().enumerate().all(|(i, r)| usize::from(r.number) == i + 1));
/// ```
pub const DECISION_TABLE: &[Row] = {
    use ContainerKind::{Init, Sidecar};
    use ExitHow::{Exited, Failed, Stopped};
    use PodCondition::{Active, Terminating};
    use Verdict::{DoNotRestart, Keep, Restart, Start};
    &[
        Row {
            number: 1,
            pod: Some(Terminating),
            kind: None,
            last: LastPattern::Any,
            policy: None,
            verdict: DoNotRestart(NoRestart::PodTerminating),
        },
        row(2, Active, None, LastPattern::NoStatus, None, Start),
        row(3, Active, None, LastPattern::Unknown, None, Start),
        row(4, Active, None, LastPattern::Running, None, Keep),
        row(
            5,
            Active,
            None,
            exited(Some(Stopped), None, None),
            None,
            DoNotRestart(NoRestart::Stopped),
        ),
        row(
            6,
            Active,
            Some(Init),
            exited(Some(Exited), Some(CodeClass::Zero), None),
            None,
            DoNotRestart(NoRestart::Completed),
        ),
        row(
            7,
            Active,
            Some(Sidecar),
            exited(None, None, None),
            None,
            Restart,
        ),
        row(
            8,
            Active,
            None,
            exited(Some(Exited), None, Some(RuleMatch::Restart)),
            None,
            Restart,
        ),
        row(
            9,
            Active,
            None,
            exited(None, None, None),
            Some(RestartPolicy::Never),
            DoNotRestart(NoRestart::Never),
        ),
        row(
            10,
            Active,
            None,
            exited(Some(Failed), None, None),
            None,
            Restart,
        ),
        row(
            11,
            Active,
            None,
            exited(Some(Exited), Some(CodeClass::Zero), None),
            Some(RestartPolicy::OnFailure),
            DoNotRestart(NoRestart::Succeeded),
        ),
        row(
            12,
            Active,
            None,
            exited(Some(Exited), None, None),
            None,
            Restart,
        ),
    ]
};

/// The table's verdict for a case, written as a `match` (the tests prove it equals the first
/// matching row of [`DECISION_TABLE`] on the whole domain).
///
/// # Examples
///
/// ```
/// # use phase::{ContainerKind, RestartPolicy};
/// # use restart::{verdict, Case, CaseLast, CodeClass, ExitHow, NoRestart, PodCondition, RuleMatch, Verdict};
/// let exited_ok = CaseLast::Exited { how: ExitHow::Exited, code: CodeClass::Zero, rule: RuleMatch::NoMatch };
/// let case = |policy| Case { pod: PodCondition::Active, kind: ContainerKind::Regular, last: exited_ok, policy };
/// assert_eq!(verdict(&case(RestartPolicy::Always)), Verdict::Restart);
/// assert_eq!(verdict(&case(RestartPolicy::OnFailure)), Verdict::DoNotRestart(NoRestart::Succeeded));
/// assert_eq!(verdict(&case(RestartPolicy::Never)), Verdict::DoNotRestart(NoRestart::Never));
/// ```
#[must_use]
pub const fn verdict(case: &Case) -> Verdict {
    use CaseLast as L;
    use ExitHow::{Exited, Failed, Stopped};
    if matches!(case.pod, PodCondition::Terminating) {
        return Verdict::DoNotRestart(NoRestart::PodTerminating);
    }
    let (how, code, rule) = match case.last {
        L::NoStatus | L::Unknown => return Verdict::Start,
        L::Running => return Verdict::Keep,
        L::Exited { how, code, rule } => (how, code, rule),
    };
    match (how, case.kind, code, rule, case.policy) {
        (Stopped, ..) => Verdict::DoNotRestart(NoRestart::Stopped),
        (Exited, ContainerKind::Init, CodeClass::Zero, ..) => {
            Verdict::DoNotRestart(NoRestart::Completed)
        }
        (_, ContainerKind::Sidecar, ..) | (Exited, _, _, RuleMatch::Restart, _) => Verdict::Restart,
        (.., RestartPolicy::Never) => Verdict::DoNotRestart(NoRestart::Never),
        (Failed, ..) => Verdict::Restart,
        (Exited, _, CodeClass::Zero, _, RestartPolicy::OnFailure) => {
            Verdict::DoNotRestart(NoRestart::Succeeded)
        }
        (Exited, ..) => Verdict::Restart,
    }
}

/// Everything [`decide`] needs to know about one container.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerKind, ContainerSpec, RestartPolicy};
/// # use restart::{DecisionInput, LastRun, PodCondition};
/// let spec = ContainerSpec::new("app");
/// let input = DecisionInput {
///     pod_policy: RestartPolicy::Always,
///     condition: PodCondition::Active,
///     kind: ContainerKind::Regular,
///     container: &spec,
///     last: LastRun::NoStatus,
/// };
/// assert_eq!(input.container.name, "app");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionInput<'a> {
    /// The pod's `restartPolicy`.
    pub pod_policy: RestartPolicy,
    /// Whether the pod is terminating.
    pub condition: PodCondition,
    /// Init, sidecar or regular.
    pub kind: ContainerKind,
    /// The container's restart policy and rules.
    pub container: &'a ContainerSpec,
    /// Its newest run.
    pub last: LastRun,
}

/// The effective policy: the container's own, else the pod's.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, RestartPolicy};
/// # use restart::effective_policy;
/// let own = ContainerSpec::new("a").with_restart_policy(RestartPolicy::Never);
/// assert_eq!(effective_policy(RestartPolicy::Always, &own), RestartPolicy::Never);
/// assert_eq!(effective_policy(RestartPolicy::OnFailure, &ContainerSpec::new("b")), RestartPolicy::OnFailure);
/// ```
#[must_use]
pub fn effective_policy(pod_policy: RestartPolicy, container: &ContainerSpec) -> RestartPolicy {
    container.restart_policy.unwrap_or(pod_policy)
}

/// Whether a `restartPolicyRules` entry with action `Restart` is the first rule to match `code`.
/// Rules count only when the container has its own policy; no exit code matches no rule.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, ExitCodeOperator, ExitCodes, RestartPolicy, RestartRule};
/// # use restart::{rule_match, RuleMatch};
/// let c = ContainerSpec::new("a")
///     .with_restart_policy(RestartPolicy::Never)
///     .with_restart_rule(RestartRule::restart_on(ExitCodes::new(ExitCodeOperator::In, [42])));
/// assert_eq!(rule_match(&c, Some(42)), RuleMatch::Restart);
/// assert_eq!(rule_match(&c, Some(1)), RuleMatch::NoMatch);
/// assert_eq!(rule_match(&c, None), RuleMatch::NoMatch);
/// ```
#[must_use]
pub fn rule_match(container: &ContainerSpec, code: Option<i32>) -> RuleMatch {
    let (Some(_), Some(code)) = (container.restart_policy, code) else {
        return RuleMatch::NoMatch;
    };
    match container
        .restart_policy_rules
        .iter()
        .find(|r| r.matches(code))
        .map(|r| r.action)
    {
        Some(phase::RestartRuleAction::Restart) => RuleMatch::Restart,
        // No match, or an action this crate does not model: fall back to the policy, as
        // `ContainerShouldRestart` does for actions other than `Restart`.
        _ => RuleMatch::NoMatch,
    }
}

/// Reduces a container and its newest run to the table's [`Case`].
///
/// # Examples
///
/// ```
/// # use phase::{ContainerKind, ContainerSpec, RestartPolicy};
/// # use restart::{classify, CaseLast, DecisionInput, LastRun, PodCondition};
/// let spec = ContainerSpec::new("app").with_restart_policy(RestartPolicy::OnFailure);
/// let input = DecisionInput {
///     pod_policy: RestartPolicy::Never,
///     condition: PodCondition::Active,
///     kind: ContainerKind::Regular,
///     container: &spec,
///     last: LastRun::Running,
/// };
/// let case = classify(&input);
/// assert_eq!(case.policy, RestartPolicy::OnFailure);
/// assert_eq!(case.last, CaseLast::Running);
/// ```
#[must_use]
pub fn classify(input: &DecisionInput<'_>) -> Case {
    let last = match input.last {
        LastRun::NoStatus => CaseLast::NoStatus,
        LastRun::Unknown => CaseLast::Unknown,
        LastRun::Running => CaseLast::Running,
        LastRun::Exited { how, code, .. } => CaseLast::Exited {
            how,
            code: CodeClass::of(code),
            rule: rule_match(input.container, code),
        },
    };
    Case {
        pod: input.condition,
        kind: input.kind,
        last,
        policy: effective_policy(input.pod_policy, input.container),
    }
}

/// A decision, as data: what to do with the container, and when.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::Decision;
/// let d = Decision::Restart { after: Duration::from_secs(10) };
/// assert_eq!(d.restart_after(), Some(Duration::from_secs(10)));
/// assert_eq!(Decision::Keep.restart_after(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum Decision {
    /// Start it now (first start, or an unknown run); no backoff.
    Start,
    /// It is running; nothing to do.
    Keep,
    /// Restart it once `after` has passed (zero: now).
    Restart {
        /// The CrashLoopBackOff wait still to go, from `now`.
        after: Duration,
    },
    /// Leave it stopped.
    DoNotRestart {
        /// Why.
        reason: NoRestart,
    },
}

impl Decision {
    /// The wait before a restart, if this is a restart.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::Decision;
    /// assert_eq!(Decision::Start.restart_after(), None);
    /// assert_eq!(Decision::Restart { after: Duration::ZERO }.restart_after(), Some(Duration::ZERO));
    /// ```
    #[must_use]
    pub const fn restart_after(&self) -> Option<Duration> {
        match self {
            Self::Restart { after } => Some(*after),
            _ => None,
        }
    }
}

/// The container decision: [`classify`], [`verdict`], then CrashLoopBackOff for a restart
/// (counted from the exit time, see [`Backoff::delay`]). Pure and allocation-free.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use phase::{ContainerKind, ContainerSpec, RestartPolicy};
/// # use restart::{decide, Backoff, BackoffConfig, Decision, DecisionInput, ExitHow, LastRun, Millis, PodCondition};
/// let spec = ContainerSpec::new("app");
/// let mut backoff = Backoff::new(BackoffConfig::default());
/// let crashed_at = |s| LastRun::Exited { how: ExitHow::Exited, code: Some(1), at: Millis::from_secs(s) };
/// let input = |last| DecisionInput {
///     pod_policy: RestartPolicy::OnFailure,
///     condition: PodCondition::Active,
///     kind: ContainerKind::Regular,
///     container: &spec,
///     last,
/// };
/// // First crash: restart at once.
/// let d = decide(&input(crashed_at(5)), &backoff, Millis::from_secs(5));
/// assert_eq!(d, Decision::Restart { after: Duration::ZERO });
/// backoff.next(Millis::from_secs(5));
/// // Second crash one second later: wait 10 s from the exit.
/// let d = decide(&input(crashed_at(6)), &backoff, Millis::from_secs(6));
/// assert_eq!(d, Decision::Restart { after: Duration::from_secs(10) });
/// ```
pub fn decide(input: &DecisionInput<'_>, backoff: &Backoff, now: Millis) -> Decision {
    match verdict(&classify(input)) {
        Verdict::Start => Decision::Start,
        Verdict::Keep => Decision::Keep,
        Verdict::DoNotRestart(reason) => Decision::DoNotRestart { reason },
        Verdict::Restart => {
            let exited_at = match input.last {
                LastRun::Exited { at, .. } => at,
                LastRun::NoStatus | LastRun::Unknown | LastRun::Running => now,
            };
            Decision::Restart {
                after: backoff.delay(exited_at, now),
            }
        }
    }
}

/// Kubernetes' `ShouldContainerBeRestarted` (`pkg/kubelet/container/helpers.go`), with the
/// `ContainerRestartRules` gate on: given the newest runtime state of the container (`None` if
/// there is none), should the kubelet (re)start it?
///
/// `Unset` and `Waiting` stand for the runtime's `created`/`unknown` states.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, ContainerState, Millis, RestartPolicy};
/// # use restart::{should_container_be_restarted, PodCondition};
/// let c = ContainerSpec::new("succeed");
/// let done = ContainerState::terminated(0, Millis::ZERO);
/// assert!(!should_container_be_restarted(RestartPolicy::OnFailure, PodCondition::Active, &c, Some(&done)));
/// assert!(should_container_be_restarted(RestartPolicy::Always, PodCondition::Active, &c, Some(&done)));
/// assert!(should_container_be_restarted(RestartPolicy::Never, PodCondition::Active, &c, None));
/// assert!(!should_container_be_restarted(RestartPolicy::Always, PodCondition::Terminating, &c, None));
/// ```
#[must_use]
pub fn should_container_be_restarted(
    pod_policy: RestartPolicy,
    condition: PodCondition,
    container: &ContainerSpec,
    newest: Option<&ContainerState>,
) -> bool {
    if condition == PodCondition::Terminating {
        return false;
    }
    match newest {
        None | Some(ContainerState::Unset | ContainerState::Waiting { .. }) => true,
        Some(ContainerState::Running { .. }) => false,
        Some(ContainerState::Terminated(t)) => {
            container_should_restart(container, pod_policy, t.exit_code)
        }
    }
}

/// Kubernetes' `ContainerShouldRestart` (`pkg/api/v1/pod/util.go`): the container's rules, then
/// its own policy, then the pod's.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, RestartPolicy};
/// # use restart::container_should_restart;
/// let c = ContainerSpec::new("a").with_restart_policy(RestartPolicy::OnFailure);
/// assert!(container_should_restart(&c, RestartPolicy::Never, 1));
/// assert!(!container_should_restart(&c, RestartPolicy::Always, 0));
/// ```
#[must_use]
pub fn container_should_restart(
    container: &ContainerSpec,
    pod_policy: RestartPolicy,
    exit_code: i32,
) -> bool {
    container.should_restart(pod_policy, exit_code)
}

/// Kubernetes' `IsContainerRestartable`: can this container ever restart? Ignores exit codes.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, RestartPolicy};
/// # use restart::is_container_restartable;
/// assert!(!is_container_restartable(&ContainerSpec::new("a"), RestartPolicy::Never));
/// assert!(is_container_restartable(&ContainerSpec::new("a"), RestartPolicy::OnFailure));
/// ```
#[must_use]
pub fn is_container_restartable(container: &ContainerSpec, pod_policy: RestartPolicy) -> bool {
    container.is_restartable(pod_policy)
}

/// Kubernetes' `IsRestartableInitContainer`: an init container whose own policy is `Always`.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, RestartPolicy};
/// # use restart::is_restartable_init_container;
/// assert!(is_restartable_init_container(&ContainerSpec::new("proxy").with_restart_policy(RestartPolicy::Always)));
/// assert!(!is_restartable_init_container(&ContainerSpec::new("setup")));
/// ```
#[must_use]
pub fn is_restartable_init_container(container: &ContainerSpec) -> bool {
    container.restart_policy == Some(RestartPolicy::Always)
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;

    use super::*;

    fn first_row(case: &Case) -> &'static Row {
        DECISION_TABLE
            .iter()
            .find(|r| r.matches(case))
            .expect("the table is total")
    }

    #[test]
    fn verdict_equals_first_matching_row_on_the_whole_domain() {
        let mut n = 0;
        for case in Case::all() {
            assert_eq!(verdict(&case), first_row(&case).verdict, "{case:?}");
            n += 1;
        }
        assert_eq!(n, Case::DOMAIN_SIZE);
    }

    #[test]
    fn every_row_is_reachable() {
        for r in DECISION_TABLE {
            assert!(
                Case::all().any(|c| first_row(&c).number == r.number),
                "row {} is shadowed",
                r.number
            );
        }
    }

    fn cell<T: fmt::Debug>(v: Option<T>) -> String {
        v.map_or_else(|| String::from("-"), |v| format!("{v:?}"))
    }

    /// One row as drawn in the module documentation, without the leading `| `.
    fn render(r: &Row) -> String {
        let dash = || String::from("-");
        let (last, how, code, rule) = match r.last {
            LastPattern::Any => (dash(), dash(), dash(), dash()),
            LastPattern::NoStatus => (String::from("NoStatus"), dash(), dash(), dash()),
            LastPattern::Unknown => (String::from("Unknown"), dash(), dash(), dash()),
            LastPattern::Running => (String::from("Running"), dash(), dash(), dash()),
            LastPattern::Exited { how, code, rule } => {
                (String::from("Exited"), cell(how), cell(code), cell(rule))
            }
        };
        format!(
            "{} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.number,
            cell(r.pod),
            cell(r.kind),
            last,
            how,
            code,
            rule,
            cell(r.policy),
            r.verdict
        )
    }

    #[test]
    fn the_drawn_table_is_the_constant() {
        let source = include_str!("decision.rs");
        let drawn: alloc::vec::Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("//! | "))
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        assert_eq!(drawn.len(), DECISION_TABLE.len());
        for (line, r) in drawn.iter().zip(DECISION_TABLE) {
            assert_eq!(*line, render(r));
        }
    }
}
