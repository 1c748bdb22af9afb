//! The container environment against Kubernetes' rules: its own tests transcribed (named after
//! their source: `pkg/kubelet/envvars/envvars_test.go`, `third_party/forked/golang/expansion/
//! expand_test.go`, `pkg/kubelet/kubelet_pods_test.go`), then ours for what we decided.

use std::collections::BTreeMap;

use convert::env::{expand, service_variables};
use convert::{EnvEntry, Service, environment};
use podspec::Format;
use podspec::model::*;

fn port(n: i64) -> Port {
    Port::try_from(n).unwrap()
}

fn svc(name: &str, ns: &str, ip: &str, proto: Protocol, p: i64) -> Service {
    Service::new(name, ns, ip).with_port(None, port(p), proto)
}

fn pairs(vars: &[EnvEntry]) -> Vec<(String, String)> {
    vars.iter()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect()
}

fn owned(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

// ---- envvars_test.go: TestFromServices ----

#[test]
fn envvars_test_from_services() {
    let named = |n: &str, p: i64, proto| (Some(n.to_owned()), port(p), proto);
    let with = |s: Service, ports: Vec<(Option<String>, Port, Protocol)>| {
        ports
            .into_iter()
            .fold(s, |s, (n, p, pr)| s.with_port(n, p, pr))
    };
    let services = [
        svc("foo-bar", "default", "1.2.3.4", Protocol::Tcp, 8080),
        with(
            Service::new("abc-123", "default", "5.6.7.8"),
            vec![
                named("u-d-p", 8081, Protocol::Udp),
                named("t-c-p", 8081, Protocol::Tcp),
            ],
        ),
        with(
            Service::new("q-u-u-x", "default", "9.8.7.6"),
            vec![
                (None, port(8082), Protocol::Tcp),
                named("8083", 8083, Protocol::Tcp),
            ],
        ),
        svc(
            "svrc-clusterip-none",
            "default",
            "None",
            Protocol::Tcp,
            8082,
        ),
        svc("svrc-clusterip-empty", "default", "", Protocol::Tcp, 8082),
        with(
            Service::new("super-ipv6", "default", "2001:DB8::"),
            vec![
                named("u-d-p", 8084, Protocol::Udp),
                named("t-c-p", 8084, Protocol::Tcp),
            ],
        ),
        svc("sctp-1", "default", "1.2.3.4", Protocol::Sctp, 777),
    ];
    let expected = owned(&[
        ("FOO_BAR_SERVICE_HOST", "1.2.3.4"),
        ("FOO_BAR_SERVICE_PORT", "8080"),
        ("FOO_BAR_PORT", "tcp://1.2.3.4:8080"),
        ("FOO_BAR_PORT_8080_TCP", "tcp://1.2.3.4:8080"),
        ("FOO_BAR_PORT_8080_TCP_PROTO", "tcp"),
        ("FOO_BAR_PORT_8080_TCP_PORT", "8080"),
        ("FOO_BAR_PORT_8080_TCP_ADDR", "1.2.3.4"),
        ("ABC_123_SERVICE_HOST", "5.6.7.8"),
        ("ABC_123_SERVICE_PORT", "8081"),
        ("ABC_123_SERVICE_PORT_U_D_P", "8081"),
        ("ABC_123_SERVICE_PORT_T_C_P", "8081"),
        ("ABC_123_PORT", "udp://5.6.7.8:8081"),
        ("ABC_123_PORT_8081_UDP", "udp://5.6.7.8:8081"),
        ("ABC_123_PORT_8081_UDP_PROTO", "udp"),
        ("ABC_123_PORT_8081_UDP_PORT", "8081"),
        ("ABC_123_PORT_8081_UDP_ADDR", "5.6.7.8"),
        ("ABC_123_PORT_8081_TCP", "tcp://5.6.7.8:8081"),
        ("ABC_123_PORT_8081_TCP_PROTO", "tcp"),
        ("ABC_123_PORT_8081_TCP_PORT", "8081"),
        ("ABC_123_PORT_8081_TCP_ADDR", "5.6.7.8"),
        ("Q_U_U_X_SERVICE_HOST", "9.8.7.6"),
        ("Q_U_U_X_SERVICE_PORT", "8082"),
        ("Q_U_U_X_SERVICE_PORT_8083", "8083"),
        ("Q_U_U_X_PORT", "tcp://9.8.7.6:8082"),
        ("Q_U_U_X_PORT_8082_TCP", "tcp://9.8.7.6:8082"),
        ("Q_U_U_X_PORT_8082_TCP_PROTO", "tcp"),
        ("Q_U_U_X_PORT_8082_TCP_PORT", "8082"),
        ("Q_U_U_X_PORT_8082_TCP_ADDR", "9.8.7.6"),
        ("Q_U_U_X_PORT_8083_TCP", "tcp://9.8.7.6:8083"),
        ("Q_U_U_X_PORT_8083_TCP_PROTO", "tcp"),
        ("Q_U_U_X_PORT_8083_TCP_PORT", "8083"),
        ("Q_U_U_X_PORT_8083_TCP_ADDR", "9.8.7.6"),
        ("SUPER_IPV6_SERVICE_HOST", "2001:DB8::"),
        ("SUPER_IPV6_SERVICE_PORT", "8084"),
        ("SUPER_IPV6_SERVICE_PORT_U_D_P", "8084"),
        ("SUPER_IPV6_SERVICE_PORT_T_C_P", "8084"),
        ("SUPER_IPV6_PORT", "udp://[2001:DB8::]:8084"),
        ("SUPER_IPV6_PORT_8084_UDP", "udp://[2001:DB8::]:8084"),
        ("SUPER_IPV6_PORT_8084_UDP_PROTO", "udp"),
        ("SUPER_IPV6_PORT_8084_UDP_PORT", "8084"),
        ("SUPER_IPV6_PORT_8084_UDP_ADDR", "2001:DB8::"),
        ("SUPER_IPV6_PORT_8084_TCP", "tcp://[2001:DB8::]:8084"),
        ("SUPER_IPV6_PORT_8084_TCP_PROTO", "tcp"),
        ("SUPER_IPV6_PORT_8084_TCP_PORT", "8084"),
        ("SUPER_IPV6_PORT_8084_TCP_ADDR", "2001:DB8::"),
        ("SCTP_1_SERVICE_HOST", "1.2.3.4"),
        ("SCTP_1_SERVICE_PORT", "777"),
        ("SCTP_1_PORT", "sctp://1.2.3.4:777"),
        ("SCTP_1_PORT_777_SCTP", "sctp://1.2.3.4:777"),
        ("SCTP_1_PORT_777_SCTP_PROTO", "sctp"),
        ("SCTP_1_PORT_777_SCTP_PORT", "777"),
        ("SCTP_1_PORT_777_SCTP_ADDR", "1.2.3.4"),
    ]);
    assert_eq!(pairs(&service_variables(&services)), expected);
}

// ---- expand_test.go ----

/// `doExpansionTest`: (name, input, expected), against a context with VAR_A=A, VAR_B=B,
/// VAR_C=C, VAR_REF=$(VAR_A), VAR_EMPTY="".
const EXPANSION_CASES: &[(&str, &str, &str)] = &[
    ("whole string", "$(VAR_A)", "A"),
    ("repeat", "$(VAR_A)-$(VAR_A)", "A-A"),
    ("beginning", "$(VAR_A)-1", "A-1"),
    ("middle", "___$(VAR_B)___", "___B___"),
    ("end", "___$(VAR_C)", "___C"),
    ("compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"),
    ("escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
    (
        "compound escape",
        "$$(VAR_A)_$$(VAR_B)",
        "$(VAR_A)_$(VAR_B)",
    ),
    ("mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A"),
    ("backslash escape ignored", "foo\\$(VAR_C)bar", "foo\\Cbar"),
    (
        "backslash escape ignored",
        "foo\\\\$(VAR_C)bar",
        "foo\\\\Cbar",
    ),
    (
        "lots of backslashes",
        "foo\\\\\\\\$(VAR_A)bar",
        "foo\\\\\\\\Abar",
    ),
    (
        "nested var references",
        "$(VAR_A$(VAR_B))",
        "$(VAR_A$(VAR_B))",
    ),
    (
        "nested var references second type",
        "$(VAR_A$(VAR_B)",
        "$(VAR_A$(VAR_B)",
    ),
    ("value is a reference", "$(VAR_REF)", "$(VAR_A)"),
    (
        "value is a reference x 2",
        "%%$(VAR_REF)--$(VAR_REF)%%",
        "%%$(VAR_A)--$(VAR_A)%%",
    ),
    ("empty var", "foo$(VAR_EMPTY)bar", "foobar"),
    (
        "unterminated expression",
        "foo$(VAR_Awhoops!",
        "foo$(VAR_Awhoops!",
    ),
    (
        "expression without operator",
        "f00__(VAR_A)__",
        "f00__(VAR_A)__",
    ),
    ("shell special vars pass through", "$?_boo_$!", "$?_boo_$!"),
    ("bare operators are ignored", "$VAR_A", "$VAR_A"),
    (
        "undefined vars are passed through",
        "$(VAR_DNE)",
        "$(VAR_DNE)",
    ),
    (
        "multiple (even) operators, var undefined",
        "$$$$$$(BIG_MONEY)",
        "$$$(BIG_MONEY)",
    ),
    (
        "multiple (even) operators, var defined",
        "$$$$$$(VAR_A)",
        "$$$(VAR_A)",
    ),
    (
        "multiple (odd) operators, var undefined",
        "$$$$$$$(GOOD_ODDS)",
        "$$$$(GOOD_ODDS)",
    ),
    (
        "multiple (odd) operators, var defined",
        "$$$$$$$(VAR_A)",
        "$$$A",
    ),
    ("missing open expression", "$VAR_A)", "$VAR_A)"),
    ("shell syntax ignored", "${VAR_A}", "${VAR_A}"),
    (
        "trailing incomplete expression not consumed",
        "$(VAR_B)_______$(A",
        "B_______$(A",
    ),
    (
        "trailing incomplete expression, no content, is not consumed",
        "$(VAR_C)_______$(",
        "C_______$(",
    ),
    (
        "operator at end of input string is preserved",
        "$(VAR_A)foobarzab$",
        "Afoobarzab$",
    ),
    (
        "shell escaped incomplete expr",
        "foo-\\$(VAR_A",
        "foo-\\$(VAR_A",
    ),
    ("lots of $( in middle", "--$($($($($--", "--$($($($($--"),
    (
        "lots of $( in beginning",
        "$($($($($--foo$(",
        "$($($($($--foo$(",
    ),
    ("lots of $( at end", "foo0--$($($($(", "foo0--$($($($("),
    (
        "escaped operators in variable names are not escaped",
        "$(foo$$var)",
        "$(foo$$var)",
    ),
    ("newline not expanded", "\n", "\n"),
];

fn expansion_test(contexts: &[BTreeMap<&str, &str>]) {
    for (name, input, expected) in EXPANSION_CASES {
        let got = expand(input, |n| contexts.iter().find_map(|c| c.get(n).copied()));
        assert_eq!(&got, expected, "{name}");
    }
}

#[test]
fn expand_test_mapping() {
    let context = BTreeMap::from([
        ("VAR_A", "A"),
        ("VAR_B", "B"),
        ("VAR_C", "C"),
        ("VAR_REF", "$(VAR_A)"),
        ("VAR_EMPTY", ""),
    ]);
    expansion_test(&[context]);
}

#[test]
fn expand_test_mapping_dual() {
    let context = BTreeMap::from([("VAR_A", "A"), ("VAR_EMPTY", "")]);
    let context2 = BTreeMap::from([("VAR_B", "B"), ("VAR_C", "C"), ("VAR_REF", "$(VAR_A)")]);
    expansion_test(&[context, context2]);
}

/// `TestMapReference`: each variable expanded against the ones declared before it.
#[test]
fn expand_test_map_reference() {
    let pod = k8s_pod(
        "test",
        &[("FOO", "bar"), ("ZOO", "$(FOO)-1"), ("BLU", "$(ZOO)-2")],
    );
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(
        pairs(&env.vars[1..]),
        owned(&[("FOO", "bar"), ("ZOO", "bar-1"), ("BLU", "bar-1-2")])
    );
}

// ---- kubelet_pods_test.go: TestMakeEnvironmentVariables ----

fn k8s_pod(ns: &str, env: &[(&str, &str)]) -> Pod {
    let mut pod = Pod::new(
        PodName::try_from("dapi-test-pod-name").unwrap(),
        Source::new(Format::K8s),
    );
    pod.namespace = ns.to_owned();
    let mut c = Container::new(ContainerName::try_from("c").unwrap(), Image::Host);
    c.env = env.iter().map(|(n, v)| EnvVar::literal(*n, *v)).collect();
    pod.containers.push(c);
    pod
}

/// The test's services (`buildService(name, namespace, clusterIP, "TCP", port)`).
fn kubelet_services() -> Vec<Service> {
    vec![
        svc("kubernetes", "default", "1.2.3.1", Protocol::Tcp, 8081),
        svc("test", "test1", "1.2.3.3", Protocol::Tcp, 8083),
        svc("kubernetes", "test2", "1.2.3.4", Protocol::Tcp, 8084),
        svc("test", "test2", "1.2.3.5", Protocol::Tcp, 8085),
        svc("test", "test2", "None", Protocol::Tcp, 8085),
        svc("test", "test2", "", Protocol::Tcp, 8085),
        svc("kubernetes", "kubernetes", "1.2.3.6", Protocol::Tcp, 8086),
        svc("not-special", "kubernetes", "1.2.3.8", Protocol::Tcp, 8088),
        svc("not-special", "kubernetes", "None", Protocol::Tcp, 8088),
        svc("not-special", "kubernetes", "", Protocol::Tcp, 8088),
    ]
}

fn link_vars(prefix: &str, ip: &str, p: u16) -> Vec<(String, String)> {
    let url = format!("tcp://{ip}:{p}");
    vec![
        (format!("{prefix}_SERVICE_HOST"), ip.to_owned()),
        (format!("{prefix}_SERVICE_PORT"), p.to_string()),
        (format!("{prefix}_PORT"), url.clone()),
        (format!("{prefix}_PORT_{p}_TCP"), url),
        (format!("{prefix}_PORT_{p}_TCP_PROTO"), "tcp".to_owned()),
        (format!("{prefix}_PORT_{p}_TCP_PORT"), p.to_string()),
        (format!("{prefix}_PORT_{p}_TCP_ADDR"), ip.to_owned()),
    ]
}

/// Kubernetes compares these as sets (its list comes from a map); we check our order too.
fn env_of(pod: &Pod, services: &[Service]) -> Vec<(String, String)> {
    let env = environment(pod, "c", services).unwrap();
    assert_eq!(env.vars[0].name, "HOSTNAME");
    pairs(&env.vars[1..])
}

#[test]
fn kubelet_pods_test_api_server_y_kubelet_y() {
    // The user set the test service's variables themselves: theirs are kept, not repeated.
    let mut user = vec![("FOO".to_owned(), "BAR".to_owned())];
    user.extend(link_vars("TEST", "1.2.3.3", 8083));
    let env: Vec<(&str, &str)> = user.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let pod = k8s_pod("test1", &env);
    let mut expected = user.clone();
    expected.extend(link_vars("KUBERNETES", "1.2.3.1", 8081));
    assert_eq!(env_of(&pod, &kubelet_services()), expected);
}

#[test]
fn kubelet_pods_test_api_server_y_kubelet_n() {
    // No service lister: no service variables at all; the user's are kept.
    let mut user = vec![("FOO".to_owned(), "BAR".to_owned())];
    user.extend(link_vars("TEST", "1.2.3.3", 8083));
    let env: Vec<(&str, &str)> = user.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let pod = k8s_pod("test1", &env);
    assert_eq!(env_of(&pod, &[]), user);
}

#[test]
fn kubelet_pods_test_api_server_n_kubelet_y() {
    let pod = k8s_pod("test1", &[("FOO", "BAZ")]);
    let mut expected = owned(&[("FOO", "BAZ")]);
    expected.extend(link_vars("KUBERNETES", "1.2.3.1", 8081));
    expected.extend(link_vars("TEST", "1.2.3.3", 8083));
    assert_eq!(env_of(&pod, &kubelet_services()), expected);
}

#[test]
fn kubelet_pods_test_master_service_in_pod_ns() {
    let pod = k8s_pod("test2", &[("FOO", "ZAP")]);
    let mut expected = owned(&[("FOO", "ZAP")]);
    expected.extend(link_vars("KUBERNETES", "1.2.3.4", 8084));
    expected.extend(link_vars("TEST", "1.2.3.5", 8085));
    assert_eq!(env_of(&pod, &kubelet_services()), expected);
}

#[test]
fn kubelet_pods_test_pod_in_master_service_ns() {
    let pod = k8s_pod("kubernetes", &[]);
    let mut expected = link_vars("KUBERNETES", "1.2.3.6", 8086);
    expected.extend(link_vars("NOT_SPECIAL", "1.2.3.8", 8088));
    assert_eq!(env_of(&pod, &kubelet_services()), expected);
}

#[test]
fn kubelet_pods_test_downward_api_pod() {
    // Kubernetes resolves all five; the pod itself knows only its name and namespace. The rest
    // are left out and reported.
    let mut pod = k8s_pod("downward-api", &[]);
    let fields = [
        ("POD_NAME", PodField::Name),
        ("POD_NAMESPACE", PodField::Namespace),
        ("POD_NODE_NAME", PodField::NodeName),
        ("POD_SERVICE_ACCOUNT_NAME", PodField::ServiceAccountName),
        ("POD_IP", PodField::PodIp),
    ];
    pod.containers[0].env = fields
        .iter()
        .map(|(n, f)| EnvVar {
            name: (*n).to_owned(),
            value: EnvValue::Field(f.clone()),
        })
        .collect();
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(
        pairs(&env.vars[1..]),
        owned(&[
            ("POD_NAME", "dapi-test-pod-name"),
            ("POD_NAMESPACE", "downward-api")
        ])
    );
    let unresolved: Vec<String> = env.unresolved.iter().map(|u| u.name.clone()).collect();
    assert_eq!(
        unresolved,
        ["POD_NODE_NAME", "POD_SERVICE_ACCOUNT_NAME", "POD_IP"]
    );
    assert_eq!(env.unresolved[2].field.to_string(), "containers[0].env[4]");
}

#[test]
fn kubelet_pods_test_env_expansion() {
    // Kubernetes' case uses a master-service namespace with no services ("nothing"), so the
    // API server's variables are absent: we leave default/kubernetes out of the list.
    let services: Vec<Service> = kubelet_services()
        .into_iter()
        .filter(|s| !(s.namespace == "default" && s.name == "kubernetes"))
        .collect();
    let mut pod = k8s_pod(
        "test1",
        &[
            ("TEST_LITERAL", "test-test-test"),
            ("POD_NAME", ""),
            ("OUT_OF_ORDER_TEST", "$(OUT_OF_ORDER_TARGET)"),
            ("OUT_OF_ORDER_TARGET", "FOO"),
            ("EMPTY_VAR", ""),
            ("EMPTY_TEST", "foo-$(EMPTY_VAR)"),
            ("POD_NAME_TEST2", "test2-$(POD_NAME)"),
            ("POD_NAME_TEST3", "$(POD_NAME_TEST2)-3"),
            ("LITERAL_TEST", "literal-$(TEST_LITERAL)"),
            (
                "SERVICE_VAR_TEST",
                "$(TEST_SERVICE_HOST):$(TEST_SERVICE_PORT)",
            ),
            ("TEST_UNDEFINED", "$(UNDEFINED_VAR)"),
        ],
    );
    pod.containers[0].env[1].value = EnvValue::Field(PodField::Name);
    let got: BTreeMap<String, String> = env_of(&pod, &services).into_iter().collect();
    let mut expected: BTreeMap<String, String> = owned(&[
        ("TEST_LITERAL", "test-test-test"),
        ("POD_NAME", "dapi-test-pod-name"),
        ("POD_NAME_TEST2", "test2-dapi-test-pod-name"),
        ("POD_NAME_TEST3", "test2-dapi-test-pod-name-3"),
        ("LITERAL_TEST", "literal-test-test-test"),
        ("SERVICE_VAR_TEST", "1.2.3.3:8083"),
        ("OUT_OF_ORDER_TEST", "$(OUT_OF_ORDER_TARGET)"),
        ("OUT_OF_ORDER_TARGET", "FOO"),
        ("TEST_UNDEFINED", "$(UNDEFINED_VAR)"),
        ("EMPTY_VAR", ""),
        ("EMPTY_TEST", "foo-"),
    ])
    .into_iter()
    .collect();
    expected.extend(link_vars("TEST", "1.2.3.3", 8083));
    assert_eq!(got, expected);
}

#[test]
fn kubelet_pods_test_service_links_off() {
    // enableServiceLinks: false keeps only the API server's variables.
    let mut pod = k8s_pod("test1", &[("FOO", "BAR")]);
    pod.service_links = ServiceLinks::Disabled;
    let mut expected = owned(&[("FOO", "BAR")]);
    expected.extend(link_vars("KUBERNETES", "1.2.3.1", 8081));
    assert_eq!(env_of(&pod, &kubelet_services()), expected);
}

// ---- our decisions ----

#[test]
fn hostname_comes_first_and_is_not_a_variable_for_expansion() {
    let mut pod = k8s_pod("default", &[("H", "$(HOSTNAME)")]);
    pod.hostname = Some(Hostname::try_from("front").unwrap());
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(
        pairs(&env.vars),
        owned(&[("HOSTNAME", "front"), ("H", "$(HOSTNAME)")])
    );
}

#[test]
fn a_user_hostname_replaces_the_pods_in_place() {
    let pod = k8s_pod("default", &[("A", "1"), ("HOSTNAME", "mine")]);
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(pairs(&env.vars), owned(&[("HOSTNAME", "mine"), ("A", "1")]));
}

#[test]
fn a_repeated_name_keeps_its_place_and_takes_the_later_value() {
    let pod = k8s_pod(
        "default",
        &[("A", "1"), ("B", "$(A)"), ("A", "2"), ("C", "$(A)")],
    );
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(
        pairs(&env.vars[1..]),
        owned(&[("A", "2"), ("B", "1"), ("C", "2")])
    );
}

#[test]
fn a_user_variable_wins_over_a_service_variable_and_expansion_sees_the_service_one_first() {
    // The user's TEST_SERVICE_PORT comes after EARLY, which sees the service's value.
    let pod = k8s_pod(
        "test1",
        &[
            ("EARLY", "$(TEST_SERVICE_PORT)"),
            ("TEST_SERVICE_PORT", "9999"),
        ],
    );
    let env = environment(&pod, "c", &kubelet_services()).unwrap();
    assert_eq!(env.get("EARLY"), Some("8083"));
    assert_eq!(env.get("TEST_SERVICE_PORT"), Some("9999"));
    assert_eq!(
        env.vars
            .iter()
            .filter(|e| e.name == "TEST_SERVICE_PORT")
            .count(),
        1
    );
}

#[test]
fn hyper_and_pod_controller_values_are_not_expanded() {
    for format in [Format::Hyper, Format::PodController] {
        let mut pod = k8s_pod("default", &[("A", "x"), ("B", "$(A) $$")]);
        pod.source = Source::new(format);
        let env = environment(&pod, "c", &[]).unwrap();
        assert_eq!(env.get("B"), Some("$(A) $$"), "{format}");
    }
}

#[test]
fn hyper_pod_services_are_named_by_index() {
    let mut pod = k8s_pod("default", &[]);
    pod.source = Source::new(Format::Hyper);
    pod.services.push(podspec::model::Service {
        ip: "10.254.0.24".parse().unwrap(),
        port: port(2834),
        protocol: Protocol::Tcp,
        hosts: vec![],
    });
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(
        pairs(&env.vars[1..]),
        link_vars("SERVICE_0", "10.254.0.24", 2834)
    );
}

#[test]
fn labels_and_annotations_resolve_missing_keys_to_empty() {
    let mut pod = k8s_pod("default", &[]);
    pod.labels.insert("app".into(), "web".into());
    pod.annotations.insert("note".into(), "hi".into());
    pod.containers[0].env = [
        ("APP", PodField::Label("app".into())),
        ("NONE", PodField::Label("missing".into())),
        ("NOTE", PodField::Annotation("note".into())),
    ]
    .into_iter()
    .map(|(n, f)| EnvVar {
        name: n.into(),
        value: EnvValue::Field(f),
    })
    .collect();
    let env = environment(&pod, "c", &[]).unwrap();
    assert_eq!(
        pairs(&env.vars[1..]),
        owned(&[("APP", "web"), ("NONE", ""), ("NOTE", "hi")])
    );
}

#[test]
fn a_service_without_ports_gives_only_its_host() {
    let s = Service::new("bare", "default", "10.0.0.9");
    assert_eq!(
        pairs(&service_variables(&[s])),
        owned(&[("BARE_SERVICE_HOST", "10.0.0.9")])
    );
}

#[test]
fn init_containers_have_an_environment_and_unknown_names_are_errors() {
    let mut pod = k8s_pod("default", &[]);
    pod.init_containers.push(Container::new(
        ContainerName::try_from("init").unwrap(),
        Image::Host,
    ));
    assert!(environment(&pod, "init", &[]).is_ok());
    let err = environment(&pod, "nope", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "pod \"dapi-test-pod-name\" has no container named \"nope\""
    );
}
