//! The domain model: newtype rules, quantities, port ranges and signals, as properties; and a
//! full pod built by hand that validates.

use std::time::Duration;

use podspec::model::*;
use podspec::{ErrorType, Format};
use proptest::prelude::*;

proptest! {
    /// `<n>Mi` is n × 2^20 bytes and `<n>Ki` n × 1024, for any n that fits.
    #[test]
    fn binary_quantities_scale_exactly(n in 0_u64..(1 << 40)) {
        prop_assert_eq!(Memory::from_quantity(&format!("{n}Mi")).unwrap().bytes(), n << 20);
        prop_assert_eq!(Memory::from_quantity(&format!("{n}Ki")).unwrap().bytes(), n << 10);
    }

    /// `<n>m` CPU is n millicores, and a plain number n is n × 1000.
    #[test]
    fn cpu_quantities_scale_exactly(n in 0_u64..(1 << 50)) {
        prop_assert_eq!(MilliCpu::from_quantity(&format!("{n}m")).unwrap().millis(), n);
        prop_assert_eq!(MilliCpu::from_quantity(&n.to_string()).unwrap().millis(), n * 1000);
    }

    /// Rounding is up: the parsed amount is never below the written one.
    #[test]
    fn fractional_memory_rounds_up(whole in 0_u64..1000, frac in 1_u64..1000) {
        let m = Memory::from_quantity(&format!("{whole}.{frac:03}")).unwrap();
        prop_assert_eq!(m.bytes(), whole + 1);
    }

    /// Display of a quantity parses back to the same amount.
    #[test]
    fn memory_and_cpu_display_round_trip(b in any::<u64>(), m in any::<u64>()) {
        let mem = Memory::from_bytes(b);
        prop_assert_eq!(Memory::from_quantity(&mem.to_string()).unwrap(), mem);
        let cpu = MilliCpu::from_millis(m);
        prop_assert_eq!(MilliCpu::from_quantity(&cpu.to_string()).unwrap(), cpu);
    }

    /// Quantity parsing never panics.
    #[test]
    fn quantity_parsing_never_panics(s in "\\PC{0,24}") {
        let _ = Memory::from_quantity(&s);
        let _ = MilliCpu::from_quantity(&s);
    }

    /// A port range prints as it parses, and `len` counts its ports.
    #[test]
    fn port_range_round_trips(a in 1_u16.., b in 1_u16..) {
        let (lo, hi) = (a.min(b), a.max(b));
        let r: PortRange = format!("{lo}-{hi}").parse().unwrap();
        prop_assert_eq!(r.len(), u32::from(hi) - u32::from(lo) + 1);
        prop_assert_eq!(r.to_string().parse::<PortRange>().unwrap(), r);
        if lo != hi {
            let reversed = format!("{hi}-{lo}");
            prop_assert!(reversed.parse::<PortRange>().is_err());
        }
    }

    /// Every signal number prints as a name that parses back to it.
    #[test]
    fn signal_names_round_trip(n in 1_u8..=64) {
        let s = Signal::try_from(n.to_string().as_str()).unwrap();
        prop_assert_eq!(Signal::try_from(s.to_string().as_str()).unwrap(), s);
        prop_assert_eq!(s.number(), n);
    }

    /// A mapping whose container side is a range needs a host range of the same size.
    #[test]
    fn port_mapping_range_sizes(c_len in 1_u16..20, h_len in 1_u16..20) {
        let c: PortRange = format!("1000-{}", 999 + c_len).parse().unwrap();
        let h: PortRange = format!("2000-{}", 1999 + h_len).parse().unwrap();
        let ok = PortMapping::new(Protocol::Tcp, c, h).is_ok();
        prop_assert_eq!(ok, c_len == 1 || c_len == h_len);
    }

    /// Newtype constructors never panic, and what they accept is what they store.
    #[test]
    fn name_constructors_never_panic(s in "\\PC{0,80}") {
        if let Ok(n) = ContainerName::try_from(s.as_str()) { prop_assert_eq!(n.as_str(), s.as_str()); }
        if let Ok(n) = PodName::try_from(s.as_str()) { prop_assert_eq!(n.as_str(), s.as_str()); }
        if let Ok(n) = Hostname::try_from(s.as_str()) { prop_assert!(n.as_str().len() <= 63); }
        let _ = ImageRef::try_from(s.as_str());
        let _ = FileMode::try_from(s.as_str());
        let _ = Signal::try_from(s.as_str());
        let _ = s.parse::<PodField>();
        let _ = s.parse::<PortRange>();
    }
}

/// Every DNS-1123 label is a container name, a hostname and a pod name (the model's rules are
/// a union of the formats').
#[test]
fn dns_labels_are_valid_everywhere() {
    for s in ["a", "web-1", "0", &"x".repeat(63)] {
        assert!(ContainerName::try_from(s).is_ok(), "{s}");
        assert!(Hostname::try_from(s).is_ok(), "{s}");
        assert!(PodName::try_from(s).is_ok(), "{s}");
        assert!(VolumeName::try_from(s).is_ok(), "{s}");
    }
}

/// A Hyper-flavoured pod with files, services, port mappings and a sidecar, built by hand,
/// is valid; breaking one reference at a time gives exactly that error.
#[test]
fn hand_built_pod_validates_and_each_broken_reference_is_reported() {
    let mut pod = Pod::new(
        PodName::try_from("pod-AbCdEfGhIj").unwrap(),
        Source::new(Format::Hyper),
    );
    pod.hostname = Some(Hostname::try_from("web.local").unwrap());
    pod.resources = VmResources {
        vcpus: Vcpus::try_from(2).unwrap(),
        memory: MemoryMib::try_from(512).unwrap(),
    };
    pod.volumes.push(Volume::new(
        VolumeName::try_from("data").unwrap(),
        VolumeSource::BlockImage {
            path: "/var/lib/data.qcow2".into(),
            format: ImageFormat::Qcow2,
            fstype: None,
        },
    ));
    pod.files.push(PodFile {
        name: FileName::try_from("conf").unwrap(),
        source: FileSource::Inline {
            encoding: Encoding::Base64,
            content: "aGVsbG8=".into(),
        },
    });
    pod.services.push(Service {
        ip: "10.254.0.1".parse().unwrap(),
        port: Port::try_from(80).unwrap(),
        protocol: Protocol::Tcp,
        hosts: vec![ServiceHost {
            ip: "127.0.0.1".parse().unwrap(),
            port: Port::try_from(8080).unwrap(),
        }],
    });
    pod.port_mappings.push(
        PortMapping::new(
            Protocol::Tcp,
            "8080".parse().unwrap(),
            "80".parse().unwrap(),
        )
        .unwrap(),
    );
    pod.dns = Dns {
        policy: DnsPolicy::None,
        servers: vec!["8.8.8.8".parse().unwrap()],
        ..Dns::default()
    };

    let mut web = Container::new(
        ContainerName::try_from("web").unwrap(),
        Image::Reference(ImageRef::try_from("nginx").unwrap()),
    );
    web.volume_mounts.push(VolumeMount {
        volume: VolumeName::try_from("data").unwrap(),
        path: "/data".into(),
        mode: MountMode::ReadWrite,
        sub_path: Some("www".into()),
    });
    web.files.push(FileMount {
        file: FileName::try_from("conf").unwrap(),
        path: "/etc/nginx/".into(),
        mode: FileMode::try_from("0644").unwrap(),
        uid: Some(0),
        gid: Some(0),
    });
    web.env.push(EnvVar {
        name: "POD".into(),
        value: EnvValue::Field(PodField::Name),
    });
    web.lifecycle.stop_signal = Some(Signal::try_from("QUIT").unwrap());
    web.lifecycle.pre_stop = Some(HookHandler::Sleep(Duration::from_secs(3)));
    web.restart = Some(ContainerRestart {
        policy: RestartPolicy::Never,
        rules: vec![RestartRule {
            action: RestartRuleAction::Restart,
            operator: ExitCodeOperator::In,
            exit_codes: [42].into(),
        }],
    });
    let mut sidecar = Container::new(ContainerName::try_from("log").unwrap(), Image::Host);
    sidecar.restart = Some(ContainerRestart {
        policy: RestartPolicy::Always,
        rules: vec![],
    });
    sidecar.readiness_probe = Some(Probe::new(ProbeHandler::TcpSocket {
        host: None,
        port: PortRef::Number(Port::try_from(24224).unwrap()),
    }));
    pod.init_containers.push(sidecar);
    pod.containers.push(web);

    assert_eq!(pod.validate(), vec![]);
    assert!(pod.container("log").unwrap().is_restartable_init());

    let mut broken = pod.clone();
    broken.volumes.clear();
    let errs = broken.validate();
    assert_eq!(errs.len(), 1);
    assert_eq!(
        errs[0].field.to_string(),
        "containers[0].volumeMounts[0].volume"
    );
    assert_eq!(errs[0].kind, ErrorType::NotFound);

    let mut broken = pod.clone();
    broken.files.clear();
    let errs = broken.validate();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field.to_string(), "containers[0].files[0].file");

    let mut broken = pod;
    broken.termination_grace_period = Duration::from_secs(2);
    let errs = broken.validate();
    assert_eq!(errs.len(), 1);
    assert_eq!(
        errs[0].field.to_string(),
        "containers[0].lifecycle.preStop.sleep"
    );
}
