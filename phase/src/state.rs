//! The shared vocabulary: container identity and kind, restart policies and rules, container
//! states, and the pod phase.
//!
//! These are `phase`'s **own** small input types. `phase` does not depend on `podspec`: a runtime
//! (`vmm-ref`) maps its domain pod and its runtime observations into these types, then asks the
//! rest of the crate what the pod's phase, conditions and health are. The `restart` crate uses the
//! same types for its decisions.
//!
//! Structs are `#[non_exhaustive]` with public fields: read them directly, build them with their
//! `new` constructor and `with_*` methods, so fields can be added later without breaking callers.
//!
//! # Examples
//!
//! ```
//! # use phase::{ContainerSpec, ContainerState, ContainerStatus, PodSpec, RestartPolicy, Millis};
//! let spec = PodSpec::new(RestartPolicy::Always)
//!     .with_init_container(ContainerSpec::new("proxy").with_restart_policy(RestartPolicy::Always))
//!     .with_container(ContainerSpec::new("app"));
//! let status = ContainerStatus::new("app", ContainerState::running(Millis::from_secs(3)));
//! assert!(status.state.is_running());
//! assert_eq!(spec.containers[0].name, "app");
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::time::Millis;

// ---------------------------------------------------------------------------------------------
// Policies and rules
// ---------------------------------------------------------------------------------------------

/// A restart policy: the pod's `restartPolicy`, or a container's own `restartPolicy`
/// (Kubernetes' `ContainerRestartPolicy`, gate `ContainerRestartRules`; for an init container
/// `Always` makes it a restartable init container, a "sidecar").
///
/// The set is closed by the Kubernetes API, so the enum is exhaustive: match on it without a
/// wildcard. Mapping an empty or unknown wire value is the caller's choice; Kubernetes treats an
/// empty pod policy as `Always` (spec/kubernetes.md section 2.2), which is [`Default`].
///
/// # Examples
///
/// ```
/// # use phase::RestartPolicy;
/// assert_eq!(RestartPolicy::default(), RestartPolicy::Always);
/// assert_eq!(RestartPolicy::OnFailure.as_str(), "OnFailure");
/// assert!(RestartPolicy::OnFailure.restarts_after(1));
/// assert!(!RestartPolicy::OnFailure.restarts_after(0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RestartPolicy {
    /// Restart after every exit.
    #[default]
    Always,
    /// Restart after a non-zero exit.
    OnFailure,
    /// Never restart.
    Never,
}

/// The container-level restart policy; the same three values as the pod's.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerRestartPolicy, RestartPolicy};
/// let p: ContainerRestartPolicy = RestartPolicy::Never;
/// assert_eq!(p.as_str(), "Never");
/// ```
pub type ContainerRestartPolicy = RestartPolicy;

impl RestartPolicy {
    /// Every policy, in declaration order (for exhaustive tests).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::RestartPolicy;
    /// assert_eq!(RestartPolicy::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Always, Self::OnFailure, Self::Never];

    /// The Kubernetes wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::RestartPolicy;
    /// assert_eq!(RestartPolicy::Always.as_str(), "Always");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Always => "Always",
            Self::OnFailure => "OnFailure",
            Self::Never => "Never",
        }
    }

    /// Parses the Kubernetes wire spelling (exact, case-sensitive). `None` for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::RestartPolicy;
    /// assert_eq!(RestartPolicy::from_wire("Never"), Some(RestartPolicy::Never));
    /// assert_eq!(RestartPolicy::from_wire("never"), None);
    /// ```
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "Always" => Some(Self::Always),
            "OnFailure" => Some(Self::OnFailure),
            "Never" => Some(Self::Never),
            _ => None,
        }
    }

    /// Whether this policy alone asks for a restart after an exit with `exit_code`:
    /// `Always` yes, `OnFailure` iff the code is not 0, `Never` no.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::RestartPolicy;
    /// assert!(RestartPolicy::Always.restarts_after(0));
    /// assert!(!RestartPolicy::Never.restarts_after(137));
    /// ```
    #[must_use]
    pub const fn restarts_after(self, exit_code: i32) -> bool {
        match self {
            Self::Always => true,
            Self::OnFailure => exit_code != 0,
            Self::Never => false,
        }
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a matching `restartPolicyRules` entry asks for.
///
/// `#[non_exhaustive]`: Kubernetes 1.35 has an alpha action `RestartAllContainers` (gate
/// `RestartAllContainersOnContainerExits`, off by default) that this crate does not model yet.
///
/// # Examples
///
/// ```
/// # use phase::RestartRuleAction;
/// assert_eq!(RestartRuleAction::Restart.as_str(), "Restart");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum RestartRuleAction {
    /// Restart this container.
    Restart,
}

impl RestartRuleAction {
    /// The Kubernetes wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::RestartRuleAction;
    /// assert_eq!(RestartRuleAction::from_wire("Restart"), Some(RestartRuleAction::Restart));
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Restart => "Restart",
        }
    }

    /// Parses the Kubernetes wire spelling. `None` for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::RestartRuleAction;
    /// assert_eq!(RestartRuleAction::from_wire("Explode"), None);
    /// ```
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "Restart" => Some(Self::Restart),
            _ => None,
        }
    }
}

/// How an [`ExitCodes`] requirement compares an exit code with its values.
///
/// # Examples
///
/// ```
/// # use phase::ExitCodeOperator;
/// assert_eq!(ExitCodeOperator::NotIn.as_str(), "NotIn");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitCodeOperator {
    /// The exit code is one of the values.
    In,
    /// The exit code is none of the values.
    NotIn,
}

impl ExitCodeOperator {
    /// The Kubernetes wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ExitCodeOperator;
    /// assert_eq!(ExitCodeOperator::In.as_str(), "In");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::In => "In",
            Self::NotIn => "NotIn",
        }
    }

    /// Parses the Kubernetes wire spelling. `None` for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ExitCodeOperator;
    /// assert_eq!(ExitCodeOperator::from_wire("NotIn"), Some(ExitCodeOperator::NotIn));
    /// ```
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "In" => Some(Self::In),
            "NotIn" => Some(Self::NotIn),
            _ => None,
        }
    }
}

/// The `exitCodes` requirement of a restart rule: an operator and a set of values.
///
/// # Examples
///
/// ```
/// # use phase::{ExitCodeOperator, ExitCodes};
/// let codes = ExitCodes::new(ExitCodeOperator::In, [42, 43]);
/// assert!(codes.matches(42));
/// assert!(!codes.matches(0));
/// assert!(ExitCodes::new(ExitCodeOperator::NotIn, [0]).matches(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ExitCodes {
    /// `In` or `NotIn`.
    pub operator: ExitCodeOperator,
    /// The values compared with the exit code.
    pub values: Vec<i32>,
}

impl ExitCodes {
    /// A requirement from an operator and its values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ExitCodeOperator, ExitCodes};
    /// assert_eq!(ExitCodes::new(ExitCodeOperator::In, [1]).values, vec![1]);
    /// ```
    #[must_use]
    pub fn new(operator: ExitCodeOperator, values: impl IntoIterator<Item = i32>) -> Self {
        Self {
            operator,
            values: values.into_iter().collect(),
        }
    }

    /// Whether `exit_code` satisfies the requirement.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ExitCodeOperator, ExitCodes};
    /// assert!(!ExitCodes::new(ExitCodeOperator::NotIn, [0, 1]).matches(1));
    /// ```
    #[must_use]
    pub fn matches(&self, exit_code: i32) -> bool {
        let found = self.values.contains(&exit_code);
        match self.operator {
            ExitCodeOperator::In => found,
            ExitCodeOperator::NotIn => !found,
        }
    }
}

/// One entry of a container's `restartPolicyRules`.
///
/// A rule without `exit_codes` never matches an exit (spec/kubernetes.md section 2.2).
///
/// # Examples
///
/// ```
/// # use phase::{ExitCodeOperator, ExitCodes, RestartRule, RestartRuleAction};
/// let rule = RestartRule::restart_on(ExitCodes::new(ExitCodeOperator::In, [42]));
/// assert_eq!(rule.action, RestartRuleAction::Restart);
/// assert!(rule.matches(42));
/// assert!(!RestartRule::new(RestartRuleAction::Restart, None).matches(42));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RestartRule {
    /// What a match asks for.
    pub action: RestartRuleAction,
    /// Which exit codes match; `None` matches nothing.
    pub exit_codes: Option<ExitCodes>,
}

impl RestartRule {
    /// A rule from its action and optional exit-code requirement.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{RestartRule, RestartRuleAction};
    /// assert!(RestartRule::new(RestartRuleAction::Restart, None).exit_codes.is_none());
    /// ```
    #[must_use]
    pub const fn new(action: RestartRuleAction, exit_codes: Option<ExitCodes>) -> Self {
        Self { action, exit_codes }
    }

    /// A `Restart` rule for the given exit codes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ExitCodeOperator, ExitCodes, RestartRule};
    /// assert!(RestartRule::restart_on(ExitCodes::new(ExitCodeOperator::NotIn, [0])).matches(3));
    /// ```
    #[must_use]
    pub const fn restart_on(exit_codes: ExitCodes) -> Self {
        Self::new(RestartRuleAction::Restart, Some(exit_codes))
    }

    /// Whether this rule matches an exit with `exit_code`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ExitCodeOperator, ExitCodes, RestartRule};
    /// assert!(!RestartRule::restart_on(ExitCodes::new(ExitCodeOperator::In, [1])).matches(2));
    /// ```
    #[must_use]
    pub fn matches(&self, exit_code: i32) -> bool {
        self.exit_codes
            .as_ref()
            .is_some_and(|c| c.matches(exit_code))
    }
}

// ---------------------------------------------------------------------------------------------
// Container identity and specs
// ---------------------------------------------------------------------------------------------

/// Which list of the pod spec a container is in.
///
/// # Examples
///
/// ```
/// # use phase::ContainerList;
/// assert_ne!(ContainerList::Init, ContainerList::Regular);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerList {
    /// `initContainers` (regular init containers and sidecars).
    Init,
    /// `containers`.
    Regular,
}

/// A container's identity inside one pod: its list and its index in that list.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerId, ContainerList};
/// let id = ContainerId::regular(1);
/// assert_eq!(id, ContainerId { list: ContainerList::Regular, index: 1 });
/// assert_eq!(id.to_string(), "containers[1]");
/// assert_eq!(ContainerId::init(0).to_string(), "initContainers[0]");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerId {
    /// The spec list.
    pub list: ContainerList,
    /// The index in that list.
    pub index: usize,
}

impl ContainerId {
    /// The `index`-th entry of `initContainers`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerList};
    /// assert_eq!(ContainerId::init(2).list, ContainerList::Init);
    /// ```
    #[must_use]
    pub const fn init(index: usize) -> Self {
        Self {
            list: ContainerList::Init,
            index,
        }
    }

    /// The `index`-th entry of `containers`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerId;
    /// assert_eq!(ContainerId::regular(2).index, 2);
    /// ```
    #[must_use]
    pub const fn regular(index: usize) -> Self {
        Self {
            list: ContainerList::Regular,
            index,
        }
    }
}

impl fmt::Display for ContainerId {
    /// Writes the Kubernetes field path of the container, e.g. `initContainers[0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.list {
            ContainerList::Init => write!(f, "initContainers[{}]", self.index),
            ContainerList::Regular => write!(f, "containers[{}]", self.index),
        }
    }
}

/// What kind of container this is; it decides how the container counts toward the phase.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerKind, ContainerList, ContainerSpec, RestartPolicy};
/// let sidecar = ContainerSpec::new("log").with_restart_policy(RestartPolicy::Always);
/// assert_eq!(sidecar.kind(ContainerList::Init), ContainerKind::Sidecar);
/// assert_eq!(ContainerSpec::new("setup").kind(ContainerList::Init), ContainerKind::Init);
/// assert_eq!(sidecar.kind(ContainerList::Regular), ContainerKind::Regular);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    /// A regular init container: runs to completion before the regular containers start.
    Init,
    /// A restartable init container (`restartPolicy: Always` in `initContainers`): starts in init
    /// order and keeps running beside the regular containers.
    Sidecar,
    /// A regular container (`containers`).
    Regular,
}

impl ContainerKind {
    /// Every kind, in declaration order (for exhaustive tests).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerKind;
    /// assert_eq!(ContainerKind::ALL[1], ContainerKind::Sidecar);
    /// ```
    pub const ALL: [Self; 3] = [Self::Init, Self::Sidecar, Self::Regular];
}

/// The part of one container's spec that the phase and restart rules read.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, ExitCodeOperator, ExitCodes, RestartPolicy, RestartRule};
/// let c = ContainerSpec::new("app")
///     .with_restart_policy(RestartPolicy::Never)
///     .with_restart_rule(RestartRule::restart_on(ExitCodes::new(ExitCodeOperator::In, [42])));
/// assert!(c.should_restart(RestartPolicy::Always, 42));
/// assert!(!c.should_restart(RestartPolicy::Always, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ContainerSpec {
    /// The container name; statuses are matched to specs by it.
    pub name: String,
    /// The container's own `restartPolicy`, if set.
    pub restart_policy: Option<ContainerRestartPolicy>,
    /// `restartPolicyRules`, in order. Ignored while `restart_policy` is `None`.
    pub restart_policy_rules: Vec<RestartRule>,
}

impl ContainerSpec {
    /// A container with no policy of its own and no rules.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerSpec;
    /// assert!(ContainerSpec::new("a").restart_policy.is_none());
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            restart_policy: None,
            restart_policy_rules: Vec::new(),
        }
    }

    /// Sets the container's own restart policy.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, RestartPolicy};
    /// let c = ContainerSpec::new("a").with_restart_policy(RestartPolicy::OnFailure);
    /// assert_eq!(c.restart_policy, Some(RestartPolicy::OnFailure));
    /// ```
    #[must_use]
    pub fn with_restart_policy(mut self, policy: ContainerRestartPolicy) -> Self {
        self.restart_policy = Some(policy);
        self
    }

    /// Appends a restart rule.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, RestartRule, RestartRuleAction};
    /// let c = ContainerSpec::new("a").with_restart_rule(RestartRule::new(RestartRuleAction::Restart, None));
    /// assert_eq!(c.restart_policy_rules.len(), 1);
    /// ```
    #[must_use]
    pub fn with_restart_rule(mut self, rule: RestartRule) -> Self {
        self.restart_policy_rules.push(rule);
        self
    }

    /// The kind of this container when it sits in `list`: an init container whose own policy is
    /// `Always` is a sidecar (Kubernetes' `IsRestartableInitContainer`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerKind, ContainerList, ContainerSpec, RestartPolicy};
    /// let c = ContainerSpec::new("x").with_restart_policy(RestartPolicy::OnFailure);
    /// assert_eq!(c.kind(ContainerList::Init), ContainerKind::Init);
    /// ```
    #[must_use]
    pub fn kind(&self, list: ContainerList) -> ContainerKind {
        match (list, self.restart_policy) {
            (ContainerList::Init, Some(RestartPolicy::Always)) => ContainerKind::Sidecar,
            (ContainerList::Init, _) => ContainerKind::Init,
            (ContainerList::Regular, _) => ContainerKind::Regular,
        }
    }

    /// Kubernetes' `ContainerShouldRestart` (spec/kubernetes.md section 2.2): whether this
    /// container should restart after exiting with `exit_code`, under pod policy `pod`.
    ///
    /// With its own policy set, the first rule whose exit codes match decides (`Restart`: yes);
    /// without a match, its own policy decides. Without its own policy the rules are ignored
    /// and the pod policy decides.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, RestartPolicy};
    /// let plain = ContainerSpec::new("a");
    /// assert!(plain.should_restart(RestartPolicy::OnFailure, 1));
    /// assert!(!plain.should_restart(RestartPolicy::OnFailure, 0));
    /// let own = ContainerSpec::new("b").with_restart_policy(RestartPolicy::Always);
    /// assert!(own.should_restart(RestartPolicy::Never, 0));
    /// ```
    #[must_use]
    pub fn should_restart(&self, pod: RestartPolicy, exit_code: i32) -> bool {
        match self.restart_policy {
            Some(own) => {
                match self
                    .restart_policy_rules
                    .iter()
                    .find(|r| r.matches(exit_code))
                {
                    Some(rule) => match rule.action {
                        RestartRuleAction::Restart => true,
                    },
                    None => own.restarts_after(exit_code),
                }
            }
            None => pod.restarts_after(exit_code),
        }
    }

    /// Kubernetes' `IsContainerRestartable`: can this container ever restart, whatever its exit
    /// code? With its own policy: any `Restart` rule, or a policy other than `Never`. Without: the
    /// pod policy is not `Never`. Unlike [`should_restart`](Self::should_restart) it ignores the
    /// rules' exit codes, so a rule without `exitCodes` still counts here.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, RestartPolicy, RestartRule, RestartRuleAction};
    /// let c = ContainerSpec::new("a")
    ///     .with_restart_policy(RestartPolicy::Never)
    ///     .with_restart_rule(RestartRule::new(RestartRuleAction::Restart, None));
    /// assert!(c.is_restartable(RestartPolicy::Never));
    /// assert!(!c.should_restart(RestartPolicy::Never, 1));
    /// ```
    #[must_use]
    pub fn is_restartable(&self, pod: RestartPolicy) -> bool {
        match self.restart_policy {
            Some(own) => {
                self.restart_policy_rules
                    .iter()
                    .any(|r| r.action == RestartRuleAction::Restart)
                    || own != RestartPolicy::Never
            }
            None => pod != RestartPolicy::Never,
        }
    }
}

/// The part of a pod's spec that the phase and restart rules read.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerId, ContainerKind, ContainerSpec, PodSpec, RestartPolicy};
/// let pod = PodSpec::new(RestartPolicy::OnFailure)
///     .with_init_container(ContainerSpec::new("setup"))
///     .with_container(ContainerSpec::new("app"));
/// let ids: Vec<_> = pod.iter().map(|(id, kind, c)| (id, kind, c.name.as_str())).collect();
/// assert_eq!(ids, [
///     (ContainerId::init(0), ContainerKind::Init, "setup"),
///     (ContainerId::regular(0), ContainerKind::Regular, "app"),
/// ]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PodSpec {
    /// The pod's `restartPolicy`.
    pub restart_policy: RestartPolicy,
    /// `initContainers`, in order (regular init containers and sidecars).
    pub init_containers: Vec<ContainerSpec>,
    /// `containers`, in order.
    pub containers: Vec<ContainerSpec>,
}

impl PodSpec {
    /// An empty pod with the given policy.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// assert!(PodSpec::new(RestartPolicy::Never).containers.is_empty());
    /// ```
    #[must_use]
    pub const fn new(restart_policy: RestartPolicy) -> Self {
        Self {
            restart_policy,
            init_containers: Vec::new(),
            containers: Vec::new(),
        }
    }

    /// Appends an init container (a sidecar if its own policy is `Always`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// let p = PodSpec::new(RestartPolicy::Never).with_init_container(ContainerSpec::new("i"));
    /// assert_eq!(p.init_containers.len(), 1);
    /// ```
    #[must_use]
    pub fn with_init_container(mut self, container: ContainerSpec) -> Self {
        self.init_containers.push(container);
        self
    }

    /// Appends a regular container.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// let p = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("c"));
    /// assert_eq!(p.containers.len(), 1);
    /// ```
    #[must_use]
    pub fn with_container(mut self, container: ContainerSpec) -> Self {
        self.containers.push(container);
        self
    }

    /// The container with this id, if it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// let p = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("c"));
    /// assert_eq!(p.container(ContainerId::regular(0)).map(|c| c.name.as_str()), Some("c"));
    /// assert!(p.container(ContainerId::init(0)).is_none());
    /// ```
    #[must_use]
    pub fn container(&self, id: ContainerId) -> Option<&ContainerSpec> {
        match id.list {
            ContainerList::Init => self.init_containers.get(id.index),
            ContainerList::Regular => self.containers.get(id.index),
        }
    }

    /// The kind of the container with this id, if it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerKind, ContainerSpec, PodSpec, RestartPolicy};
    /// let p = PodSpec::new(RestartPolicy::Never)
    ///     .with_init_container(ContainerSpec::new("s").with_restart_policy(RestartPolicy::Always));
    /// assert_eq!(p.kind(ContainerId::init(0)), Some(ContainerKind::Sidecar));
    /// ```
    #[must_use]
    pub fn kind(&self, id: ContainerId) -> Option<ContainerKind> {
        self.container(id).map(|c| c.kind(id.list))
    }

    /// Every container with its id and kind: init containers first, then regular ones, each in
    /// spec order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// let p = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("c"));
    /// assert_eq!(p.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (ContainerId, ContainerKind, &ContainerSpec)> + '_ {
        let init = self
            .init_containers
            .iter()
            .enumerate()
            .map(|(i, c)| (ContainerId::init(i), c.kind(ContainerList::Init), c));
        let regular = self
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| (ContainerId::regular(i), ContainerKind::Regular, c));
        init.chain(regular)
    }
}

// ---------------------------------------------------------------------------------------------
// Container states
// ---------------------------------------------------------------------------------------------

/// Why a container is waiting (v1 `state.waiting.reason`). Known kubelet reasons get a variant;
/// anything else is kept in [`Other`](Self::Other).
///
/// # Examples
///
/// ```
/// # use phase::WaitingReason;
/// assert_eq!(WaitingReason::from("CrashLoopBackOff"), WaitingReason::CrashLoopBackOff);
/// assert_eq!(WaitingReason::from("Napping").as_str(), "Napping");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitingReason {
    /// The runtime is creating the container.
    ContainerCreating,
    /// Waiting for init containers.
    PodInitializing,
    /// Waiting out a restart back-off.
    CrashLoopBackOff,
    /// The image pull failed.
    ErrImagePull,
    /// Waiting out an image-pull back-off.
    ImagePullBackOff,
    /// The container's configuration could not be generated.
    CreateContainerConfigError,
    /// The runtime failed to create the container.
    CreateContainerError,
    /// The runtime failed to start the container.
    RunContainerError,
    /// The postStart hook failed.
    PostStartHookError,
    /// Any other reason, verbatim.
    Other(String),
}

impl WaitingReason {
    /// The wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::WaitingReason;
    /// assert_eq!(WaitingReason::PodInitializing.as_str(), "PodInitializing");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::ContainerCreating => "ContainerCreating",
            Self::PodInitializing => "PodInitializing",
            Self::CrashLoopBackOff => "CrashLoopBackOff",
            Self::ErrImagePull => "ErrImagePull",
            Self::ImagePullBackOff => "ImagePullBackOff",
            Self::CreateContainerConfigError => "CreateContainerConfigError",
            Self::CreateContainerError => "CreateContainerError",
            Self::RunContainerError => "RunContainerError",
            Self::PostStartHookError => "PostStartHookError",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for WaitingReason {
    fn from(s: &str) -> Self {
        match s {
            "ContainerCreating" => Self::ContainerCreating,
            "PodInitializing" => Self::PodInitializing,
            "CrashLoopBackOff" => Self::CrashLoopBackOff,
            "ErrImagePull" => Self::ErrImagePull,
            "ImagePullBackOff" => Self::ImagePullBackOff,
            "CreateContainerConfigError" => Self::CreateContainerConfigError,
            "CreateContainerError" => Self::CreateContainerError,
            "RunContainerError" => Self::RunContainerError,
            "PostStartHookError" => Self::PostStartHookError,
            other => Self::Other(other.into()),
        }
    }
}

impl fmt::Display for WaitingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a container terminated (v1 `state.terminated.reason`). Known reasons get a variant;
/// anything else is kept in [`Other`](Self::Other).
///
/// # Examples
///
/// ```
/// # use phase::TerminatedReason;
/// assert_eq!(TerminatedReason::from("OOMKilled"), TerminatedReason::OomKilled);
/// assert_eq!(TerminatedReason::OomKilled.as_str(), "OOMKilled");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TerminatedReason {
    /// Exited with code 0.
    Completed,
    /// Exited with a non-zero code.
    Error,
    /// Killed by the out-of-memory killer.
    OomKilled,
    /// The runtime could not run the container.
    ContainerCannotRun,
    /// The container could not be started.
    StartError,
    /// The pod's `activeDeadlineSeconds` passed.
    DeadlineExceeded,
    /// Any other reason, verbatim.
    Other(String),
}

impl TerminatedReason {
    /// The wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::TerminatedReason;
    /// assert_eq!(TerminatedReason::Completed.as_str(), "Completed");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Completed => "Completed",
            Self::Error => "Error",
            Self::OomKilled => "OOMKilled",
            Self::ContainerCannotRun => "ContainerCannotRun",
            Self::StartError => "StartError",
            Self::DeadlineExceeded => "DeadlineExceeded",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for TerminatedReason {
    fn from(s: &str) -> Self {
        match s {
            "Completed" => Self::Completed,
            "Error" => Self::Error,
            "OOMKilled" => Self::OomKilled,
            "ContainerCannotRun" => Self::ContainerCannotRun,
            "StartError" => Self::StartError,
            "DeadlineExceeded" => Self::DeadlineExceeded,
            other => Self::Other(other.into()),
        }
    }
}

impl fmt::Display for TerminatedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finished run of a container: v1 `state.terminated`, also used for `lastState.terminated`.
///
/// # Examples
///
/// ```
/// # use phase::{Millis, TerminatedReason, Termination};
/// let t = Termination::new(137, Millis::from_secs(9))
///     .with_signal(9)
///     .with_reason(TerminatedReason::Error)
///     .with_started_at(Millis::from_secs(1));
/// assert_eq!(t.exit_code, 137);
/// assert_eq!(t.signal, Some(9));
/// assert!(!t.is_success());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Termination {
    /// The exit code (128 + n for a process killed by signal n, as the agent reports it).
    pub exit_code: i32,
    /// The signal that ended it, if the runtime knows.
    pub signal: Option<i32>,
    /// The reason, if any.
    pub reason: Option<TerminatedReason>,
    /// When that run started, if known.
    pub started_at: Option<Millis>,
    /// When it finished.
    pub finished_at: Millis,
}

impl Termination {
    /// A termination with an exit code and a finish time; no signal, reason or start time.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, Termination};
    /// assert!(Termination::new(0, Millis::ZERO).is_success());
    /// ```
    #[must_use]
    pub const fn new(exit_code: i32, finished_at: Millis) -> Self {
        Self {
            exit_code,
            signal: None,
            reason: None,
            started_at: None,
            finished_at,
        }
    }

    /// Sets the signal.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, Termination};
    /// assert_eq!(Termination::new(143, Millis::ZERO).with_signal(15).signal, Some(15));
    /// ```
    #[must_use]
    pub const fn with_signal(mut self, signal: i32) -> Self {
        self.signal = Some(signal);
        self
    }

    /// Sets the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, TerminatedReason, Termination};
    /// let t = Termination::new(0, Millis::ZERO).with_reason(TerminatedReason::Completed);
    /// assert_eq!(t.reason, Some(TerminatedReason::Completed));
    /// ```
    #[must_use]
    pub fn with_reason(mut self, reason: TerminatedReason) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Sets the start time of the run.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, Termination};
    /// let t = Termination::new(0, Millis(5)).with_started_at(Millis(1));
    /// assert_eq!(t.started_at, Some(Millis(1)));
    /// ```
    #[must_use]
    pub const fn with_started_at(mut self, started_at: Millis) -> Self {
        self.started_at = Some(started_at);
        self
    }

    /// Whether the exit code is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, Termination};
    /// assert!(!Termination::new(1, Millis::ZERO).is_success());
    /// ```
    #[must_use]
    pub const fn is_success(&self) -> bool {
        self.exit_code == 0
    }
}

/// A container's current state (v1 `ContainerState`): exactly one of waiting, running or
/// terminated, or none of them.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerState, Millis, Termination, WaitingReason};
/// let waiting = ContainerState::waiting(WaitingReason::ContainerCreating);
/// let running = ContainerState::Running { started_at: Millis(10), started: false };
/// let done = ContainerState::Terminated(Termination::new(0, Millis(20)));
/// assert!(waiting.is_waiting() && running.is_running() && done.is_terminated());
/// assert_eq!(done.kind(), phase::StateKind::Terminated);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ContainerState {
    /// A status exists but none of waiting/running/terminated is set. The kubelet counts this as
    /// "unknown" (spec/kubernetes.md section 1, "empty state").
    #[default]
    Unset,
    /// Not running yet, or waiting to be restarted.
    Waiting {
        /// Why, if known.
        reason: Option<WaitingReason>,
    },
    /// Running.
    Running {
        /// When this run started.
        started_at: Millis,
        /// v1 `started`: the startup probe has succeeded, or there is none. The kubelet's `started`
        /// is false whenever the container is not running, so it lives here.
        started: bool,
    },
    /// Finished.
    Terminated(Termination),
}

impl ContainerState {
    /// A waiting state with a reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, WaitingReason};
    /// assert!(ContainerState::waiting(WaitingReason::PodInitializing).is_waiting());
    /// ```
    #[must_use]
    pub const fn waiting(reason: WaitingReason) -> Self {
        Self::Waiting {
            reason: Some(reason),
        }
    }

    /// A running state that has passed its startup probe (or has none): `started` is true.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, Millis};
    /// assert_eq!(
    ///     ContainerState::running(Millis(1)),
    ///     ContainerState::Running { started_at: Millis(1), started: true },
    /// );
    /// ```
    #[must_use]
    pub const fn running(started_at: Millis) -> Self {
        Self::Running {
            started_at,
            started: true,
        }
    }

    /// A terminated state.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, Millis};
    /// assert!(ContainerState::terminated(1, Millis(3)).is_terminated());
    /// ```
    #[must_use]
    pub const fn terminated(exit_code: i32, finished_at: Millis) -> Self {
        Self::Terminated(Termination::new(exit_code, finished_at))
    }

    /// The variant, without its data.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, StateKind};
    /// assert_eq!(ContainerState::Unset.kind(), StateKind::Unset);
    /// ```
    #[must_use]
    pub const fn kind(&self) -> StateKind {
        match self {
            Self::Unset => StateKind::Unset,
            Self::Waiting { .. } => StateKind::Waiting,
            Self::Running { .. } => StateKind::Running,
            Self::Terminated(_) => StateKind::Terminated,
        }
    }

    /// Whether this is `Waiting`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerState;
    /// assert!(ContainerState::Waiting { reason: None }.is_waiting());
    /// ```
    #[must_use]
    pub const fn is_waiting(&self) -> bool {
        matches!(self, Self::Waiting { .. })
    }

    /// Whether this is `Running`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerState;
    /// assert!(!ContainerState::Unset.is_running());
    /// ```
    #[must_use]
    pub const fn is_running(&self) -> bool {
        matches!(self, Self::Running { .. })
    }

    /// Whether this is `Terminated`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, Millis};
    /// assert!(ContainerState::terminated(0, Millis::ZERO).is_terminated());
    /// ```
    #[must_use]
    pub const fn is_terminated(&self) -> bool {
        matches!(self, Self::Terminated(_))
    }
}

/// The variant of a [`ContainerState`], without data.
///
/// # Examples
///
/// ```
/// # use phase::StateKind;
/// assert_eq!(StateKind::ALL.len(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKind {
    /// No state set.
    Unset,
    /// Waiting.
    Waiting,
    /// Running.
    Running,
    /// Terminated.
    Terminated,
}

impl StateKind {
    /// Every kind, in declaration order (for exhaustive tests).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::StateKind;
    /// assert_eq!(StateKind::ALL[0], StateKind::Unset);
    /// ```
    pub const ALL: [Self; 4] = [Self::Unset, Self::Waiting, Self::Running, Self::Terminated];
}

/// One container's status (v1 `ContainerStatus`): its current state, its last termination, its
/// restart count and readiness.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerState, ContainerStatus, Millis, Termination, WaitingReason};
/// let s = ContainerStatus::new("app", ContainerState::waiting(WaitingReason::CrashLoopBackOff))
///     .with_last_termination(Termination::new(1, Millis::from_secs(4)))
///     .with_restart_count(3);
/// assert_eq!(s.restart_count, 3);
/// assert_eq!(s.last_termination.as_ref().map(|t| t.exit_code), Some(1));
/// assert!(!s.ready);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ContainerStatus {
    /// The container name (matches [`ContainerSpec::name`]).
    pub name: String,
    /// The current state.
    pub state: ContainerState,
    /// v1 `lastState.terminated`: the previous run's termination, if any.
    pub last_termination: Option<Termination>,
    /// How many times the container has been restarted.
    pub restart_count: u32,
    /// v1 `ready`: the container passes its readiness probe (or has none) and is running.
    pub ready: bool,
}

impl ContainerStatus {
    /// A status with no last termination, no restarts, not ready.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus};
    /// assert_eq!(ContainerStatus::new("a", ContainerState::Unset).restart_count, 0);
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, state: ContainerState) -> Self {
        Self {
            name: name.into(),
            state,
            last_termination: None,
            restart_count: 0,
            ready: false,
        }
    }

    /// Sets the last termination.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus, Millis, Termination};
    /// let s = ContainerStatus::new("a", ContainerState::Unset)
    ///     .with_last_termination(Termination::new(0, Millis::ZERO));
    /// assert!(s.last_termination.is_some());
    /// ```
    #[must_use]
    pub fn with_last_termination(mut self, last: Termination) -> Self {
        self.last_termination = Some(last);
        self
    }

    /// Sets the restart count.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus};
    /// assert_eq!(ContainerStatus::new("a", ContainerState::Unset).with_restart_count(2).restart_count, 2);
    /// ```
    #[must_use]
    pub fn with_restart_count(mut self, restart_count: u32) -> Self {
        self.restart_count = restart_count;
        self
    }

    /// Sets readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus, Millis};
    /// assert!(ContainerStatus::new("a", ContainerState::running(Millis::ZERO)).with_ready(true).ready);
    /// ```
    #[must_use]
    pub fn with_ready(mut self, ready: bool) -> Self {
        self.ready = ready;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Pod phase
// ---------------------------------------------------------------------------------------------

/// The pod phase as the kubelet computes it. There is no `Unknown`: `getPhase` never returns it.
///
/// Exhaustive on purpose: the four values are the kubelet's whole answer set.
///
/// # Examples
///
/// ```
/// # use phase::PodPhase;
/// assert!(PodPhase::Failed.is_terminal());
/// assert!(!PodPhase::Running.is_terminal());
/// assert_eq!(PodPhase::Succeeded.as_str(), "Succeeded");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodPhase {
    /// Accepted, but some container is not running yet (or has no status).
    Pending,
    /// Bound and running, or something will still be restarted.
    Running,
    /// Every container finished with exit 0 and nothing will restart.
    Succeeded,
    /// Every container finished, at least one did not succeed, and nothing will restart.
    Failed,
}

impl PodPhase {
    /// Every phase, in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PodPhase;
    /// assert_eq!(PodPhase::ALL.len(), 4);
    /// ```
    pub const ALL: [Self; 4] = [Self::Pending, Self::Running, Self::Succeeded, Self::Failed];

    /// Whether the phase is `Succeeded` or `Failed` (terminal, and sticky).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PodPhase;
    /// assert!(PodPhase::Succeeded.is_terminal());
    /// ```
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }

    /// The Kubernetes wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PodPhase;
    /// assert_eq!(PodPhase::Pending.as_str(), "Pending");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
        }
    }

    /// Parses the Kubernetes wire spelling. `None` for anything else, including `Unknown`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PodPhase;
    /// assert_eq!(PodPhase::from_wire("Failed"), Some(PodPhase::Failed));
    /// assert_eq!(PodPhase::from_wire("Unknown"), None);
    /// ```
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "Pending" => Some(Self::Pending),
            "Running" => Some(Self::Running),
            "Succeeded" => Some(Self::Succeeded),
            "Failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for PodPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(op: ExitCodeOperator, values: &[i32]) -> RestartRule {
        RestartRule::restart_on(ExitCodes::new(op, values.iter().copied()))
    }

    #[test]
    fn should_restart_falls_back_to_pod_policy_without_own_policy() {
        let c = ContainerSpec::new("a");
        for pod in RestartPolicy::ALL {
            for code in [0, 1, 137] {
                assert_eq!(c.should_restart(pod, code), pod.restarts_after(code));
            }
        }
    }

    #[test]
    fn rules_are_ignored_without_own_policy() {
        let c = ContainerSpec::new("a").with_restart_rule(rule(ExitCodeOperator::In, &[1]));
        assert!(!c.should_restart(RestartPolicy::Never, 1));
    }

    #[test]
    fn first_matching_rule_wins_over_own_policy() {
        let c = ContainerSpec::new("a")
            .with_restart_policy(RestartPolicy::Never)
            .with_restart_rule(rule(ExitCodeOperator::In, &[42]));
        assert!(c.should_restart(RestartPolicy::Never, 42));
        assert!(!c.should_restart(RestartPolicy::Always, 0));
    }

    #[test]
    fn not_in_rule_matches_codes_outside_the_set() {
        let c = ContainerSpec::new("a")
            .with_restart_policy(RestartPolicy::Never)
            .with_restart_rule(rule(ExitCodeOperator::NotIn, &[0]));
        assert!(c.should_restart(RestartPolicy::Never, 137));
        assert!(!c.should_restart(RestartPolicy::Never, 0));
    }

    #[test]
    fn own_policy_overrides_pod_policy_when_no_rule_matches() {
        let c = ContainerSpec::new("a").with_restart_policy(RestartPolicy::OnFailure);
        assert!(!c.should_restart(RestartPolicy::Always, 0));
        assert!(c.should_restart(RestartPolicy::Never, 1));
    }

    #[test]
    fn rule_without_exit_codes_never_matches() {
        let c = ContainerSpec::new("a")
            .with_restart_policy(RestartPolicy::Never)
            .with_restart_rule(RestartRule::new(RestartRuleAction::Restart, None));
        assert!(!c.should_restart(RestartPolicy::Always, 1));
    }

    #[test]
    fn is_restartable_disagrees_with_should_restart_for_rule_without_codes() {
        let c = ContainerSpec::new("a")
            .with_restart_policy(RestartPolicy::Never)
            .with_restart_rule(RestartRule::new(RestartRuleAction::Restart, None));
        assert!(c.is_restartable(RestartPolicy::Never));
        assert!(!ContainerSpec::new("b").is_restartable(RestartPolicy::Never));
        assert!(ContainerSpec::new("b").is_restartable(RestartPolicy::OnFailure));
    }

    #[test]
    fn only_init_with_always_is_a_sidecar() {
        for p in [
            None,
            Some(RestartPolicy::OnFailure),
            Some(RestartPolicy::Never),
        ] {
            let mut c = ContainerSpec::new("x");
            c.restart_policy = p;
            assert_eq!(c.kind(ContainerList::Init), ContainerKind::Init);
        }
    }

    #[test]
    fn wire_spellings_round_trip() {
        for p in RestartPolicy::ALL {
            assert_eq!(RestartPolicy::from_wire(p.as_str()), Some(p));
        }
        for p in PodPhase::ALL {
            assert_eq!(PodPhase::from_wire(p.as_str()), Some(p));
        }
        for s in ["OOMKilled", "Completed", "Error", "whatever"] {
            assert_eq!(TerminatedReason::from(s).as_str(), s);
        }
        for s in ["CrashLoopBackOff", "ContainerCreating", "whatever"] {
            assert_eq!(WaitingReason::from(s).as_str(), s);
        }
    }
}
