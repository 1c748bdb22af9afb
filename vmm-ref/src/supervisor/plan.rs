//! From the domain [`Pod`] to the inputs of `phase` and `restart`: the pod spec with its
//! restart policies and rules, hooks with their timeouts, probe timings, stop signals.
//!
//! Decisions made here (the sources leave them open):
//! - a hook's timeout is [`restart::DEFAULT_HOOK_TIMEOUT`] (30 s); a `sleep` handler longer than
//!   that gets its own length plus one second, so that the sleep itself never times out;
//! - the stop signal is the container's `lifecycle.stopSignal`, else SIGTERM (15): images carry
//!   no `StopSignal` in our store;
//! - restart rules whose action is not `Restart` (the alpha `RestartAllContainers`) are dropped,
//!   as the `restart` crate leaves that action out of scope;
//! - a pod whose [`Lifetime`] is [`Lifetime::RemoveWhenFinished`] (a Kubernetes file) has the
//!   origin [`PodOrigin::Kubernetes`]: it is deleted when finished (in pod scope, a pod whose
//!   policy says so is still re-created first: `restart`'s pod table).

use std::time::Duration;

use phase::{ContainerId, ExitCodeOperator, ExitCodes, ProbeConfig, ProbeSpecs};
use podspec::model::{self, Container, HookHandler, Lifetime, Pod, Probe};
use restart::{
    BackoffConfig, DEFAULT_HOOK_TIMEOUT, Hook, Hooks, PodConfig, PodOrigin, RestartScope,
};

/// SIGTERM, the default stop signal.
pub const SIGTERM: i32 = 15;

/// SIGKILL.
pub const SIGKILL: i32 = 9;

/// How the supervisor runs a pod, beyond what the pod file says (user intent, plain data).
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::Options;
/// # use restart::RestartScope;
/// let o = Options::default();
/// assert_eq!(o.scope, RestartScope::Container);
/// assert_eq!(o.backoff, restart::BackoffConfig::default());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Per container (the kubelet's) or per pod (Hyper's `--restart-scope pod`).
    pub scope: RestartScope,
    /// CrashLoopBackOff parameters (the kubelet's 10 s doubling to 300 s by default).
    pub backoff: BackoffConfig,
}

impl Options {
    /// Sets the restart scope.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::supervisor::Options;
    /// # use restart::RestartScope;
    /// assert_eq!(Options::default().with_scope(RestartScope::Pod).scope, RestartScope::Pod);
    /// ```
    #[must_use]
    pub const fn with_scope(mut self, scope: RestartScope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets the backoff parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use vmm_ref::supervisor::Options;
    /// let b = restart::BackoffConfig::new(Duration::from_secs(1), Duration::from_secs(4));
    /// assert_eq!(Options::default().with_backoff(b).backoff, b);
    /// ```
    #[must_use]
    pub const fn with_backoff(mut self, backoff: BackoffConfig) -> Self {
        self.backoff = backoff;
        self
    }
}

/// The `phase` restart policy of a `podspec` one.
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::plan::restart_policy;
/// assert_eq!(restart_policy(podspec::model::RestartPolicy::Never), phase::RestartPolicy::Never);
/// ```
#[must_use]
pub fn restart_policy(p: model::RestartPolicy) -> phase::RestartPolicy {
    match p {
        model::RestartPolicy::Never => phase::RestartPolicy::Never,
        model::RestartPolicy::OnFailure => phase::RestartPolicy::OnFailure,
        _ => phase::RestartPolicy::Always,
    }
}

/// The `phase` container spec of a container: its name, own policy and restart rules.
///
/// # Examples
///
/// ```
/// # use podspec::model::{Container, ContainerName, ContainerRestart, Image, RestartPolicy};
/// # use vmm_ref::supervisor::plan::container_spec;
/// let mut c = Container::new(ContainerName::try_from("log").unwrap(), Image::Host);
/// c.restart = Some(ContainerRestart { policy: RestartPolicy::Always, rules: vec![] });
/// assert_eq!(container_spec(&c).restart_policy, Some(phase::RestartPolicy::Always));
/// ```
#[must_use]
pub fn container_spec(c: &Container) -> phase::ContainerSpec {
    let mut spec = phase::ContainerSpec::new(c.name.to_string());
    if let Some(r) = &c.restart {
        spec = spec.with_restart_policy(restart_policy(r.policy));
        for rule in &r.rules {
            if rule.action != model::RestartRuleAction::Restart {
                continue;
            }
            let op = match rule.operator {
                model::ExitCodeOperator::NotIn => ExitCodeOperator::NotIn,
                _ => ExitCodeOperator::In,
            };
            let codes = ExitCodes::new(op, rule.exit_codes.iter().copied());
            spec = spec.with_restart_rule(phase::RestartRule::restart_on(codes));
        }
    }
    spec
}

/// The `phase` pod spec of a pod.
///
/// # Examples
///
/// ```
/// # use podspec::{Format, model::*};
/// # use vmm_ref::supervisor::plan::pod_spec;
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
/// let spec = pod_spec(&pod);
/// assert_eq!(spec.restart_policy, phase::RestartPolicy::Always);
/// assert_eq!(spec.containers.len(), 1);
/// ```
#[must_use]
pub fn pod_spec(pod: &Pod) -> phase::PodSpec {
    let mut spec = phase::PodSpec::new(restart_policy(pod.restart_policy));
    for c in &pod.init_containers {
        spec = spec.with_init_container(container_spec(c));
    }
    for c in &pod.containers {
        spec = spec.with_container(container_spec(c));
    }
    spec
}

/// How long a hook with this handler may run (module docs).
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// # use podspec::model::HookHandler;
/// # use vmm_ref::supervisor::plan::hook_timeout;
/// assert_eq!(hook_timeout(&HookHandler::Sleep(Duration::from_secs(1))), Duration::from_secs(30));
/// assert_eq!(hook_timeout(&HookHandler::Sleep(Duration::from_secs(60))), Duration::from_secs(61));
/// ```
#[must_use]
pub fn hook_timeout(h: &HookHandler) -> Duration {
    match h {
        HookHandler::Sleep(d) if *d >= DEFAULT_HOOK_TIMEOUT => *d + Duration::from_secs(1),
        _ => DEFAULT_HOOK_TIMEOUT,
    }
}

/// The handler of one hook of a container, if it has that hook.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// # use podspec::model::{Container, ContainerName, HookHandler, Image};
/// # use restart::Hook;
/// # use vmm_ref::supervisor::plan::hook_handler;
/// let mut c = Container::new(ContainerName::try_from("a").unwrap(), Image::Host);
/// c.lifecycle.pre_stop = Some(HookHandler::Sleep(Duration::from_secs(1)));
/// assert!(hook_handler(&c, Hook::PreStop).is_some());
/// assert!(hook_handler(&c, Hook::PostStart).is_none());
/// ```
#[must_use]
pub fn hook_handler(c: &Container, hook: Hook) -> Option<&HookHandler> {
    let l = &c.lifecycle;
    match hook {
        Hook::PreStart => l.pre_start.as_ref(),
        Hook::PostStart => l.post_start.as_ref(),
        Hook::PostRestart => l.post_restart.as_ref(),
        Hook::PreStop => l.pre_stop.as_ref(),
    }
}

/// A container's hooks for the tracker.
///
/// # Examples
///
/// ```
/// # use podspec::model::{Container, ContainerName, HookHandler, Image};
/// # use restart::Hook;
/// # use vmm_ref::supervisor::plan::hooks;
/// let mut c = Container::new(ContainerName::try_from("a").unwrap(), Image::Host);
/// c.lifecycle.post_start = Some(HookHandler::Exec { command: vec!["true".into()] });
/// assert!(hooks(&c).has(Hook::PostStart));
/// assert!(!hooks(&c).has(Hook::PreStop));
/// ```
#[must_use]
pub fn hooks(c: &Container) -> Hooks {
    Hook::ALL
        .into_iter()
        .fold(Hooks::none(), |hooks, hook| match hook_handler(c, hook) {
            Some(h) => hooks.with(hook, hook_timeout(h)),
            None => hooks,
        })
}

/// A probe's timing for `phase`.
///
/// # Examples
///
/// ```
/// # use podspec::model::{Probe, ProbeHandler};
/// # use vmm_ref::supervisor::plan::probe_config;
/// let c = probe_config(&Probe::new(ProbeHandler::AlwaysSucceeds));
/// assert_eq!(c, phase::ProbeConfig::KUBERNETES);
/// ```
#[must_use]
pub fn probe_config(p: &Probe) -> ProbeConfig {
    ProbeConfig {
        initial_delay: p.initial_delay,
        period: p.period,
        timeout: p.timeout,
        success_threshold: p.success_threshold,
        failure_threshold: p.failure_threshold,
    }
}

/// A container's probes for `phase`.
///
/// # Examples
///
/// ```
/// # use podspec::model::{Container, ContainerName, Image, Probe, ProbeHandler};
/// # use vmm_ref::supervisor::plan::probe_specs;
/// let mut c = Container::new(ContainerName::try_from("a").unwrap(), Image::Host);
/// c.liveness_probe = Some(Probe::new(ProbeHandler::AlwaysSucceeds));
/// let s = probe_specs(&c);
/// assert!(s.liveness.is_some() && s.readiness.is_none());
/// ```
#[must_use]
pub fn probe_specs(c: &Container) -> ProbeSpecs {
    ProbeSpecs {
        liveness: c.liveness_probe.as_ref().map(probe_config),
        readiness: c.readiness_probe.as_ref().map(probe_config),
        startup: c.startup_probe.as_ref().map(probe_config),
    }
}

/// A container's stop signal number (module docs).
///
/// # Examples
///
/// ```
/// # use podspec::model::{Container, ContainerName, Image, Signal};
/// # use vmm_ref::supervisor::plan::stop_signal;
/// let mut c = Container::new(ContainerName::try_from("a").unwrap(), Image::Host);
/// assert_eq!(stop_signal(&c), 15);
/// c.lifecycle.stop_signal = Some(Signal::try_from("QUIT").unwrap());
/// assert_eq!(stop_signal(&c), 3);
/// ```
#[must_use]
pub fn stop_signal(c: &Container) -> i32 {
    c.lifecycle
        .stop_signal
        .map_or(SIGTERM, |s| i32::from(s.number()))
}

/// The tracker's configuration for a pod.
///
/// # Examples
///
/// ```
/// # use podspec::{Format, model::*};
/// # use restart::{PodOrigin, RestartScope};
/// # use vmm_ref::supervisor::{plan::pod_config, Options};
/// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// let cfg = pod_config(&pod, Options::default().with_scope(RestartScope::Pod));
/// assert_eq!(cfg.origin, PodOrigin::Kubernetes);
/// assert_eq!(cfg.scope, RestartScope::Pod);
/// ```
#[must_use]
pub fn pod_config(pod: &Pod, options: Options) -> PodConfig {
    let origin = if pod.source.lifetime == Lifetime::RemoveWhenFinished {
        PodOrigin::Kubernetes
    } else {
        PodOrigin::Native
    };
    let mut cfg = PodConfig::new(pod_spec(pod))
        .with_scope(options.scope)
        .with_origin(origin)
        .with_grace_period(pod.termination_grace_period)
        .with_backoff(options.backoff);
    for (id, c) in containers(pod) {
        cfg = cfg.with_hooks(id, hooks(c));
        let grace = [&c.liveness_probe, &c.startup_probe]
            .into_iter()
            .flatten()
            .find_map(|p| p.termination_grace_period);
        if let Some(g) = grace {
            cfg = cfg.with_probe_grace_period(id, g);
        }
    }
    cfg
}

/// Every container with its id, init containers first.
///
/// # Examples
///
/// ```
/// # use podspec::{Format, model::*};
/// # use phase::ContainerId;
/// # use vmm_ref::supervisor::plan::containers;
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// pod.init_containers.push(Container::new(ContainerName::try_from("i").unwrap(), Image::Host));
/// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
/// let ids: Vec<_> = containers(&pod).map(|(id, _)| id).collect();
/// assert_eq!(ids, [ContainerId::init(0), ContainerId::regular(0)]);
/// ```
pub fn containers(pod: &Pod) -> impl Iterator<Item = (ContainerId, &Container)> {
    let init = pod
        .init_containers
        .iter()
        .enumerate()
        .map(|(i, c)| (ContainerId::init(i), c));
    let regular = pod
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (ContainerId::regular(i), c));
    init.chain(regular)
}

/// Looks a container up by id.
///
/// # Examples
///
/// ```
/// # use podspec::{Format, model::*};
/// # use phase::ContainerId;
/// # use vmm_ref::supervisor::plan::container;
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
/// assert_eq!(container(&pod, ContainerId::regular(0)).unwrap().name, "a");
/// assert!(container(&pod, ContainerId::init(0)).is_none());
/// ```
#[must_use]
pub fn container(pod: &Pod, id: ContainerId) -> Option<&Container> {
    match id.list {
        phase::ContainerList::Init => pod.init_containers.get(id.index),
        phase::ContainerList::Regular => pod.containers.get(id.index),
    }
}
