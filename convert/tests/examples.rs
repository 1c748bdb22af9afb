//! Every file of `examples/` converted to the domain model and on to each target, checked field
//! by field, with the exact list of dropped fields.

use std::time::Duration;

use convert::{Converted, Error, Options, Target};
use podspec::Format;
use podspec::model::*;
use podspec::wire::{Document, IntOrString, hyper, k8s};

const HYPER_BUSYBOX: &str = include_str!("../../examples/hyper-busybox.json");
const HYPER_UBUNTU: &str = include_str!("../../examples/hyper-ubuntu.yml");
const K8S_ONFAILURE: &str = include_str!("../../examples/k8s-onfailure.yaml");
const K8S_WEB: &str = include_str!("../../examples/k8s-web.yaml");
const V1BETA1_2014: &str = include_str!("../../examples/k8s-v1beta1-2014.json");
const V1BETA1_FAILS: &str = include_str!("../../examples/k8s-v1beta1-restart-fails.json");
const V1BETA1_SUCCEEDS: &str = include_str!("../../examples/k8s-v1beta1-restart-succeeds.json");
const POD_CONTROLLER: &str = include_str!("../../examples/pod-controller.json");

const ALL: [(&str, &str); 8] = [
    ("hyper-busybox.json", HYPER_BUSYBOX),
    ("hyper-ubuntu.yml", HYPER_UBUNTU),
    ("k8s-onfailure.yaml", K8S_ONFAILURE),
    ("k8s-web.yaml", K8S_WEB),
    ("k8s-v1beta1-2014.json", V1BETA1_2014),
    ("k8s-v1beta1-restart-fails.json", V1BETA1_FAILS),
    ("k8s-v1beta1-restart-succeeds.json", V1BETA1_SUCCEEDS),
    ("pod-controller.json", POD_CONTROLLER),
];

fn domain(text: &str) -> Converted<Pod> {
    let doc = podspec::parse(text, None).expect("parses").document;
    convert::to_domain(&doc, &Options::default()).expect("converts")
}

fn dropped(c: &[convert::Dropped]) -> Vec<String> {
    c.iter().map(|d| d.field.to_string()).collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

fn image(r: &str) -> Image {
    Image::Reference(ImageRef::try_from(r).unwrap())
}

fn port(n: i64) -> Port {
    Port::try_from(n).unwrap()
}

#[test]
fn every_example_converts_to_a_valid_domain_pod() {
    for (file, text) in ALL {
        let doc = podspec::parse(text, None).unwrap().document;
        assert!(
            podspec::validate(&doc).is_empty(),
            "{file}: the example itself"
        );
        let pod = domain(text).value;
        assert!(pod.validate().is_empty(), "{file}: {:?}", pod.validate());
        assert!(!pod.containers.is_empty(), "{file}");
    }
}

#[test]
fn every_example_converts_back_to_the_domain_unchanged_through_each_target_it_can_reach() {
    // Converting the domain pod to a target and reading the written document back gives a pod
    // that converts to the same document again (a fixed point after one trip).
    for (file, text) in ALL {
        let pod = domain(text).value;
        for target in [Target::Hyper, Target::K8s] {
            let Ok(first) = convert::to_document(&pod, target) else {
                continue;
            };
            let errs = podspec::validate(&first.value);
            assert!(errs.is_empty(), "{file} -> {target}: {errs:?}");
            let json = podspec::to_json(&first.value).unwrap();
            let again = domain(&json).value;
            let second = convert::to_document(&again, target).unwrap();
            assert_eq!(first.value, second.value, "{file} -> {target}");
        }
    }
}

#[test]
fn hyper_busybox() {
    let c = domain(HYPER_BUSYBOX);
    assert!(c.dropped.is_empty(), "{:?}", c.dropped);
    let pod = c.value;
    assert_eq!(pod.name, "busybox-pod");
    assert_eq!(pod.hostname.as_ref().unwrap().as_str(), "busybox-pod");
    assert_eq!(pod.labels["app"], "demo");
    assert_eq!(pod.restart_policy, RestartPolicy::Never);
    assert_eq!(pod.source, Source::new(Format::Hyper));
    assert_eq!(
        (pod.resources.vcpus.get(), pod.resources.memory.get()),
        (1, 128)
    );
    assert_eq!(pod.dns.policy, DnsPolicy::None);
    assert_eq!(
        pod.dns.servers,
        ["8.8.8.8".parse::<std::net::IpAddr>().unwrap()]
    );
    let web = &pod.containers[0];
    assert_eq!(web.name, "web");
    assert_eq!(web.image, image("busybox"));
    assert_eq!(web.working_dir.as_deref(), Some("/"));
    assert!(web.entrypoint.is_empty());
    assert_eq!(
        web.command,
        s(&["/bin/sh", "-c", "echo hello from $HOSTNAME; sleep 2"])
    );
    assert_eq!(web.env, [EnvVar::literal("GREETING", "hello")]);
    assert_eq!(web.files.len(), 1);
    assert_eq!(web.files[0].file, "motd");
    assert_eq!(web.files[0].path, "/etc/motd");
    assert_eq!(web.files[0].mode.bits(), 0o644);
    assert_eq!(
        pod.files[0].source,
        FileSource::Inline {
            encoding: Encoding::Raw,
            content: "welcome to the pod\n".into()
        }
    );
    let svc = &pod.services[0];
    assert_eq!(svc.ip.to_string(), "10.254.0.24");
    assert_eq!((svc.port.get(), svc.protocol), (2834, Protocol::Tcp));
    assert_eq!(svc.hosts[0].ip.to_string(), "127.0.0.1");
    assert_eq!(svc.hosts[0].port.get(), 2345);
    let m = &pod.port_mappings[0];
    assert_eq!(
        (m.container().to_string(), m.host().to_string()),
        ("80".into(), "8080".into())
    );

    // To Hyper: everything is kept; the protocol is written in Hyper's lower case.
    let h = convert::to_hyper(&pod).unwrap();
    assert!(h.dropped.is_empty(), "{:?}", h.dropped);
    let h = h.value;
    assert_eq!(h.id.as_deref(), Some("busybox-pod"));
    assert_eq!(h.hostname.as_deref(), Some("busybox-pod"));
    assert_eq!(h.restart_policy.as_deref(), Some("never"));
    assert_eq!(
        h.resource,
        Some(hyper::Resource {
            vcpu: Some(1),
            memory: Some(128)
        })
    );
    assert_eq!(h.dns.as_deref(), Some(&["8.8.8.8".into()][..]));
    assert_eq!(h.r#type, None);
    let hc = &h.containers.as_ref().unwrap()[0];
    assert_eq!(hc.workdir.as_deref(), Some("/"));
    assert_eq!(
        hc.envs.as_ref().unwrap()[0].env.as_deref(),
        Some("GREETING")
    );
    let hf = &hc.files.as_ref().unwrap()[0];
    assert_eq!(
        (hf.filename.as_deref(), hf.perm.as_deref()),
        (Some("motd"), Some("0644"))
    );
    let hs = &h.services.as_ref().unwrap()[0];
    assert_eq!(
        (hs.service_ip.as_deref(), hs.protocol.as_deref()),
        (Some("10.254.0.24"), Some("tcp"))
    );
    let pm = &h.portmappings.as_ref().unwrap()[0];
    assert_eq!(
        (
            pm.container_port.as_deref(),
            pm.host_port.as_deref(),
            pm.protocol.as_deref()
        ),
        (Some("80"), Some("8080"), Some("tcp"))
    );

    // To Kubernetes: files, services, port mappings and DNS are Hyper's alone.
    let k = convert::to_k8s(&pod).unwrap();
    assert_eq!(
        dropped(&k.dropped),
        [
            "containers[0].files",
            "dns.policy",
            "dns.servers",
            "files",
            "services",
            "portMappings"
        ]
    );
    let spec = k.value.spec.unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
    assert_eq!(spec.hostname.as_deref(), Some("busybox-pod"));
    assert_eq!(spec.dns_policy, None);
    let kc = &spec.containers.unwrap()[0];
    assert_eq!(kc.command, None);
    assert_eq!(kc.args.as_deref().unwrap()[0], "/bin/sh");
    assert_eq!(kc.env.as_ref().unwrap()[0].value.as_deref(), Some("hello"));
}

#[test]
fn hyper_ubuntu_legacy_yaml() {
    let c = domain(HYPER_UBUNTU);
    assert!(c.dropped.is_empty(), "{:?}", c.dropped);
    let pod = c.value;
    assert_eq!(pod.name, "process-yaml-file-ubuntu"); // the legacy `name:` key
    assert_eq!(pod.hostname, None);
    assert_eq!(convert::hostname(&pod), "process-yaml-file-ubuntu");
    assert_eq!(pod.dns.policy, DnsPolicy::Default);
    let u = &pod.containers[0];
    assert_eq!(u.name, "ubuntu");
    assert_eq!(u.image, image("ubuntu:latest"));
    assert_eq!(u.command, ["/bin/bash"]);
    assert!(u.tty, "the pod's tty: true reaches every container");

    let h = convert::to_hyper(&pod).unwrap();
    assert!(h.dropped.is_empty());
    assert_eq!(h.value.id.as_deref(), Some("process-yaml-file-ubuntu"));
    assert_eq!(h.value.containers.unwrap()[0].tty, Some(true));

    let k = convert::to_k8s(&pod).unwrap();
    assert!(k.dropped.is_empty(), "{:?}", k.dropped);
    let spec = k.value.spec.unwrap();
    assert_eq!(spec.dns_policy.as_deref(), Some("Default")); // Hyper without dns: the host's
    assert_eq!(spec.containers.unwrap()[0].tty, Some(true));
}

#[test]
fn k8s_onfailure() {
    let c = domain(K8S_ONFAILURE);
    assert!(c.dropped.is_empty());
    let pod = c.value;
    assert_eq!(pod.name, "example-pod");
    assert_eq!(pod.namespace, "default");
    assert_eq!(pod.restart_policy, RestartPolicy::OnFailure);
    assert_eq!(pod.source.lifetime, Lifetime::RemoveWhenFinished);
    let c = &pod.containers[0];
    assert_eq!(
        c.entrypoint,
        s(&["sh", "-c", "echo Hello Kubernetes! && sleep 3"])
    );
    assert!(c.command.is_empty());

    let h = convert::to_hyper(&pod).unwrap();
    assert!(h.dropped.is_empty());
    assert_eq!(h.value.r#type.as_deref(), Some("kubernetes"));
    assert_eq!(h.value.restart_policy.as_deref(), Some("onFailure"));
    let hc = &h.value.containers.unwrap()[0];
    assert_eq!(hc.entrypoint.as_ref().unwrap()[0], "sh");
    assert_eq!(hc.command, None);

    let k = convert::to_k8s(&pod).unwrap();
    assert!(k.dropped.is_empty());
    let doc = podspec::parse(K8S_ONFAILURE, None).unwrap().document;
    let Document::K8s(original) = doc else {
        panic!()
    };
    assert_eq!(
        k.value.spec.unwrap().containers,
        original.spec.unwrap().containers
    );
}

#[test]
fn k8s_web() {
    let c = domain(K8S_WEB);
    assert!(c.dropped.is_empty(), "{:?}", c.dropped);
    let pod = c.value;
    assert_eq!(pod.name, "web");
    assert_eq!(pod.labels.len(), 2);
    assert_eq!(pod.restart_policy, RestartPolicy::Always);
    assert_eq!(pod.termination_grace_period, Duration::from_secs(10));
    assert_eq!(
        pod.volumes,
        [Volume::new(
            VolumeName::try_from("data").unwrap(),
            VolumeSource::EmptyDir {
                medium: StorageMedium::Disk,
                size_limit: None
            }
        )]
    );
    let [setup, logger] = &pod.init_containers[..] else {
        panic!()
    };
    assert_eq!(setup.name, "setup");
    assert!(!setup.is_restartable_init());
    assert!(
        logger.is_restartable_init(),
        "restartPolicy: Always makes a sidecar"
    );
    let server = &pod.containers[0];
    assert_eq!(server.working_dir.as_deref(), Some("/data"));
    assert_eq!(server.ports[0].name.as_ref().unwrap().as_str(), "http");
    assert_eq!(server.ports[0].container_port.get(), 8080);
    assert_eq!(server.env[0].value, EnvValue::Field(PodField::Name));
    assert_eq!(
        server.env[1],
        EnvVar::literal("GREETING", "hello from $(POD_NAME)")
    );
    assert_eq!(
        server.resources.requests.cpu,
        Some(MilliCpu::from_millis(500))
    );
    assert_eq!(server.resources.limits.memory, Memory::from_mib(128));
    // The VM fits the limits: 1 CPU, 128 MiB (the logger sidecar states nothing).
    assert_eq!(
        (pod.resources.vcpus.get(), pod.resources.memory.get()),
        (1, 128)
    );
    let startup = server.startup_probe.as_ref().unwrap();
    let ProbeHandler::HttpGet(g) = &startup.handler else {
        panic!()
    };
    assert_eq!(
        (g.path.as_str(), &g.port),
        ("/index.html", &PortRef::Number(port(8080)))
    );
    assert_eq!(g.success, HttpSuccess::Below400);
    assert_eq!(
        (startup.period, startup.failure_threshold),
        (Duration::from_secs(1), 30)
    );
    assert_eq!(startup.timeout, Duration::from_secs(1)); // Kubernetes' default
    let live = server.liveness_probe.as_ref().unwrap();
    assert_eq!(
        (live.period, live.failure_threshold),
        (Duration::from_secs(5), 3)
    );
    let ready = server.readiness_probe.as_ref().unwrap();
    assert_eq!(
        ready.handler,
        ProbeHandler::TcpSocket {
            host: None,
            port: PortRef::Name(PortName::try_from("http").unwrap())
        }
    );
    assert_eq!(ready.period, Duration::from_secs(10));
    assert!(matches!(
        server.lifecycle.post_start,
        Some(HookHandler::Exec { .. })
    ));
    assert_eq!(
        server.lifecycle.pre_stop,
        Some(HookHandler::Sleep(Duration::from_secs(1)))
    );

    // The container environment: the downward API and the expansion that follows it.
    let env = convert::environment(&pod, "server", &[]).unwrap();
    assert_eq!(env.get("POD_NAME"), Some("web"));
    assert_eq!(env.get("GREETING"), Some("hello from web"));

    let h = convert::to_hyper(&pod).unwrap();
    assert_eq!(
        dropped(&h.dropped),
        [
            "initContainers[0]",
            "initContainers[1]",
            "containers[0].env[0]",
            "containers[0].env[1].value",
            "containers[0].ports[0].name",
            "containers[0].resources",
            "containers[0].livenessProbe",
            "containers[0].readinessProbe",
            "containers[0].startupProbe",
            "containers[0].lifecycle.postStart",
            "containers[0].lifecycle.preStop",
            "terminationGracePeriod",
        ]
    );
    let hc = &h.value.containers.as_ref().unwrap()[0];
    assert_eq!(hc.envs.as_ref().unwrap().len(), 1); // GREETING only
    assert_eq!(
        hc.volumes.as_ref().unwrap()[0].volume.as_deref(),
        Some("data")
    );
    let hv = &h.value.volumes.as_ref().unwrap()[0];
    assert_eq!(
        (
            hv.name.as_deref(),
            hv.source.as_deref(),
            hv.format.as_deref()
        ),
        (Some("data"), None, None)
    );

    // To Kubernetes: everything is kept.
    let k = convert::to_k8s(&pod).unwrap();
    assert!(k.dropped.is_empty(), "{:?}", k.dropped);
    let spec = k.value.spec.unwrap();
    assert_eq!(spec.termination_grace_period_seconds, Some(10));
    let init = spec.init_containers.unwrap();
    assert_eq!(init[1].restart_policy.as_deref(), Some("Always"));
    let kc = &spec.containers.unwrap()[0];
    let r = kc.resources.as_ref().unwrap();
    assert_eq!(r.limits.as_ref().unwrap()["cpu"].as_str(), "1");
    assert_eq!(r.requests.as_ref().unwrap()["cpu"].as_str(), "500m");
    assert_eq!(r.requests.as_ref().unwrap()["memory"].as_str(), "64Mi");
    let ready = kc.readiness_probe.as_ref().unwrap();
    assert_eq!(
        ready.tcp_socket.as_ref().unwrap().port,
        Some(IntOrString::String("http".into()))
    );
    let f = &kc.env.as_ref().unwrap()[0];
    assert_eq!(
        f.value_from
            .as_ref()
            .unwrap()
            .field_ref
            .as_ref()
            .unwrap()
            .field_path
            .as_deref(),
        Some("metadata.name")
    );
    assert_eq!(
        kc.lifecycle
            .as_ref()
            .unwrap()
            .pre_stop
            .as_ref()
            .unwrap()
            .sleep,
        Some(k8s::SleepAction { seconds: Some(1) })
    );
}

#[test]
fn v1beta1_2014() {
    let c = domain(V1BETA1_2014);
    assert!(c.dropped.is_empty(), "{:?}", c.dropped);
    let pod = c.value;
    assert_eq!(pod.name, "redis-master-2");
    assert_eq!(pod.labels["name"], "redis-master");
    assert_eq!(pod.restart_policy, RestartPolicy::OnFailure); // {"onFailure": {}}
    assert_eq!(pod.source, Source::new(Format::K8sV1beta1));
    let m = &pod.containers[0];
    assert_eq!(m.name, "master");
    assert_eq!(m.entrypoint, s(&["sh", "-c", "echo master up; sleep 3"]));
    assert_eq!(m.env, [EnvVar::literal("REDIS_PASSWORD", "secret")]);
    assert_eq!(m.ports[0].container_port.get(), 6379);
    assert_eq!(m.ports[0].host_port, Some(port(6379)));

    let h = convert::to_hyper(&pod).unwrap();
    assert!(h.dropped.is_empty(), "{:?}", h.dropped);
    let hc = &h.value.containers.as_ref().unwrap()[0];
    let hp = &hc.ports.as_ref().unwrap()[0];
    assert_eq!(
        (hp.container_port, hp.host_port, hp.protocol.as_deref()),
        (Some(6379), Some(6379), Some("tcp"))
    );
    assert_eq!(h.value.restart_policy.as_deref(), Some("onFailure"));

    let k = convert::to_k8s(&pod).unwrap();
    assert!(k.dropped.is_empty());
    assert_eq!(
        k.value.metadata.unwrap().name.as_deref(),
        Some("redis-master-2")
    );
}

/// The founding documents' "V1beta1" pods (seeds/000): `Ubuntu-1`, `args` only, `Never`.
#[test]
fn v1beta1_founding_pods() {
    for (text, args) in [
        (V1BETA1_SUCCEEDS, s(&["sleep", "3"])),
        (V1BETA1_FAILS, s(&["sleep 3"])),
    ] {
        let c = domain(text);
        assert_eq!(dropped(&c.dropped), ["spec.id"]);
        let pod = c.value;
        assert_eq!(pod.name, "test-k8s-restartPolicy");
        assert_eq!(pod.labels["name"], "ubuntu");
        assert_eq!(pod.restart_policy, RestartPolicy::Never);
        assert_eq!(pod.source.lifetime, Lifetime::RemoveWhenFinished);
        let u = &pod.containers[0];
        assert_eq!(u.name, "Ubuntu-1");
        assert!(u.entrypoint.is_empty());
        assert_eq!(u.command, args, "args replace the image's CMD");
        let busybox = convert::ImageConfig {
            entrypoint: vec![],
            cmd: s(&["sh"]),
        };
        assert_eq!(convert::command_line(u, &busybox), args);

        let h = convert::to_hyper(&pod).unwrap();
        assert!(h.dropped.is_empty());
        assert_eq!(h.value.id.as_deref(), Some("test-k8s-restartPolicy"));
        assert_eq!(h.value.r#type.as_deref(), Some("kubernetes"));
        let hc = &h.value.containers.as_ref().unwrap()[0];
        assert_eq!(
            (hc.name.as_deref(), hc.command.as_ref()),
            (
                Some("Ubuntu-1"),
                Some(&args.iter().map(|a| a.as_str().into()).collect())
            )
        );

        // Kubernetes v1 names are DNS names: neither the pod's nor the container's is one.
        let err = convert::to_k8s(&pod).unwrap_err();
        let Error::NotRepresentable { field, target, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!((field.to_string(), *target), ("name".into(), Target::K8s));
    }
}

#[test]
fn pod_controller_readme() {
    let c = domain(POD_CONTROLLER);
    assert!(c.dropped.is_empty());
    let pod = c.value;
    assert!(pod.name.as_str().starts_with("pod-"));
    assert_eq!(
        pod.name,
        domain(POD_CONTROLLER).value.name,
        "the derived name is stable"
    );
    assert_eq!(pod.restart_policy, RestartPolicy::Never);
    assert_eq!(pod.source, Source::new(Format::PodController));
    let init = &pod.init_containers[0];
    assert_eq!(init.name, "init-0");
    assert_eq!(init.image, Image::Host);
    assert_eq!(init.entrypoint, s(&["sleep", "10"]));
    let names: Vec<&str> = pod.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["main", "sidecar"]);
    for (c, failures) in pod.containers.iter().zip([30, 1]) {
        let p = c.liveness_probe.as_ref().unwrap();
        assert_eq!(
            p.handler,
            ProbeHandler::Exec {
                command: s(&["/bin/sh", "-c", "sleep 1 && cat /tmp/health"])
            }
        );
        assert_eq!(p.initial_delay, Duration::from_secs(1));
        assert_eq!(p.period, Duration::from_secs(2));
        assert_eq!(p.timeout, Duration::from_secs(2));
        assert_eq!((p.success_threshold, p.failure_threshold), (1, failures));
    }

    // Neither target can run a container without an image.
    let named = |e: Error| match e {
        Error::NotRepresentable { field, .. } => field.to_string(),
        other => panic!("{other}"),
    };
    assert_eq!(
        named(convert::to_hyper(&pod).unwrap_err()),
        "containers[0].image"
    );
    assert_eq!(
        named(convert::to_k8s(&pod).unwrap_err()),
        "initContainers[0].image"
    );
}
