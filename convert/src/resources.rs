//! The VM's size from the containers' Kubernetes quantities.
//!
//! A Kubernetes pod says how much CPU and memory each container may use; a VM-based runtime
//! needs one size for the whole VM. We size the VM to what the pod may use at once:
//!
//! | rule | source |
//! |---|---|
//! | a container's amount is its limit, else its request | the VM must fit what each container may use |
//! | regular containers and sidecars (restartable init containers) run together: their amounts add up | Kubernetes' effective pod resources |
//! | a plain init container runs alone, beside the sidecars declared before it | Kubernetes' effective pod resources (`max(init)`) |
//! | the pod's amount is the larger of the two | same |
//! | vCPUs: millicores rounded up to whole CPUs, at least 1 (`1500m` is 2 vCPUs) | a VM has whole vCPUs |
//! | memory: bytes rounded up to MiB; none stated: 128 MiB | Hyper's default (spec/hyper.md section 1.2) |
//!
//! Sums saturate instead of overflowing.

use podspec::model::{Container, Memory, MemoryMib, MilliCpu, Vcpus, VmResources};

/// What one container may use: (millicores, bytes), each 0 when not stated.
fn amount(c: &Container) -> (u64, u64) {
    let r = &c.resources;
    let cpu = r.limits.cpu.or(r.requests.cpu).map_or(0, MilliCpu::millis);
    let mem = r
        .limits
        .memory
        .or(r.requests.memory)
        .map_or(0, Memory::bytes);
    (cpu, mem)
}

fn add((a, b): (u64, u64), (c, d): (u64, u64)) -> (u64, u64) {
    (a.saturating_add(c), b.saturating_add(d))
}

fn max((a, b): (u64, u64), (c, d): (u64, u64)) -> (u64, u64) {
    (a.max(c), b.max(d))
}

/// The VM's size for these containers (module doc: the rules, as a table).
///
/// # Examples
///
/// ```
/// use podspec::model::*;
/// let mut c = Container::new(ContainerName::try_from("a").unwrap(), Image::Host);
/// c.resources.limits.cpu = Some(MilliCpu::from_quantity("1500m").unwrap());
/// c.resources.limits.memory = Some(Memory::from_quantity("256Mi").unwrap());
/// let vm = convert::vm_resources(&[], &[c.clone(), c]);
/// assert_eq!((vm.vcpus.get(), vm.memory.get()), (3, 512));
///
/// let none = convert::vm_resources(&[], &[]);
/// assert_eq!((none.vcpus.get(), none.memory.get()), (1, 128));
/// ```
pub fn vm_resources(init_containers: &[Container], containers: &[Container]) -> VmResources {
    let mut sidecars = (0, 0);
    let mut init_peak = (0, 0);
    for c in init_containers {
        if c.is_restartable_init() {
            sidecars = add(sidecars, amount(c));
        } else {
            init_peak = max(init_peak, add(amount(c), sidecars));
        }
    }
    let running = containers.iter().map(amount).fold(sidecars, add);
    let (millis, bytes) = max(init_peak, running);
    let vcpus = if millis == 0 {
        Vcpus::ONE
    } else {
        MilliCpu::from_millis(millis).vcpus_ceil()
    };
    let memory = if bytes == 0 {
        MemoryMib::DEFAULT
    } else {
        MemoryMib::from_memory_ceil(Memory::from_bytes(bytes)).unwrap_or(MemoryMib::DEFAULT)
    };
    VmResources { vcpus, memory }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podspec::model::{ContainerName, ContainerRestart, Image, RestartPolicy};

    fn c(cpu: Option<&str>, mem: Option<&str>) -> Container {
        let mut c = Container::new(ContainerName::try_from("c").unwrap(), Image::Host);
        c.resources.limits.cpu = cpu.map(|q| MilliCpu::from_quantity(q).unwrap());
        c.resources.limits.memory = mem.map(|q| Memory::from_quantity(q).unwrap());
        c
    }

    fn sidecar(cpu: &str, mem: &str) -> Container {
        let mut s = c(Some(cpu), Some(mem));
        s.restart = Some(ContainerRestart {
            policy: RestartPolicy::Always,
            rules: vec![],
        });
        s
    }

    fn size(init: &[Container], regular: &[Container]) -> (u32, u32) {
        let vm = vm_resources(init, regular);
        (vm.vcpus.get(), vm.memory.get())
    }

    /// A rule, its init and regular containers, and the (vCPUs, MiB) it gives.
    type Case = (&'static str, Vec<Container>, Vec<Container>, (u32, u32));

    /// The module doc's table, one row per case.
    #[test]
    fn table() {
        let cases: Vec<Case> = vec![
            (
                "nothing stated: 1 vCPU, 128 MiB",
                vec![],
                vec![c(None, None)],
                (1, 128),
            ),
            (
                "1500m is 2 vCPUs",
                vec![],
                vec![c(Some("1500m"), None)],
                (2, 128),
            ),
            (
                "256Mi is 256 MiB",
                vec![],
                vec![c(None, Some("256Mi"))],
                (1, 256),
            ),
            (
                "bytes round up to MiB",
                vec![],
                vec![c(None, Some("1"))],
                (1, 1),
            ),
            (
                "regular containers add up",
                vec![],
                vec![c(Some("500m"), Some("64Mi")), c(Some("600m"), Some("64Mi"))],
                (2, 128),
            ),
            (
                "a plain init container alone can be the peak",
                vec![c(Some("3"), Some("1Gi"))],
                vec![c(Some("1"), Some("64Mi"))],
                (3, 1024),
            ),
            (
                "sidecars run beside the regular containers",
                vec![sidecar("1", "100Mi")],
                vec![c(Some("1"), Some("100Mi"))],
                (2, 200),
            ),
            (
                "a plain init container runs beside earlier sidecars only",
                vec![
                    sidecar("1", "100Mi"),
                    c(Some("2"), Some("100Mi")),
                    sidecar("1", "1Mi"),
                ],
                vec![],
                (3, 200),
            ),
        ];
        for (rule, init, regular, want) in cases {
            assert_eq!(size(&init, &regular), want, "{rule}");
        }
    }

    #[test]
    fn limit_wins_over_request() {
        let mut x = c(None, None);
        x.resources.requests.cpu = Some(MilliCpu::from_millis(500));
        x.resources.limits.cpu = Some(MilliCpu::from_millis(3000));
        x.resources.requests.memory = Some(Memory::from_quantity("64Mi").unwrap());
        assert_eq!(size(&[], &[x]), (3, 64)); // memory: only the request is stated
    }

    #[test]
    fn huge_amounts_saturate() {
        let big = c(Some("1e15"), Some("8Ei"));
        let vm = vm_resources(&[], &[big.clone(), big]);
        assert_eq!(vm.vcpus.get(), u32::MAX);
        assert_eq!(vm.memory, MemoryMib::DEFAULT); // more MiB than a u32 holds: the default
    }
}
