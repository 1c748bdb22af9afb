//! `vmm-ref run --runtime process` on the host: the founding scenarios, restart policies, init
//! order, a failing liveness probe, hooks, what containers of one pod share, pod scope, and bad
//! input. Each test uses its own image store (VMM_REF_HOME in a temp dir) with the busybox image
//! that `cargo xtask busybox` / `cargo xtask test` build under `.work/busybox/rootfs`.
//!
//! Skipped (with the reason printed) when not root or when that root filesystem is missing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    dir: PathBuf,
}

fn busybox_rootfs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.work/busybox/rootfs")
}

/// A temp store with the busybox image, or `None` (printed) when the test cannot run here.
fn setup(name: &str) -> Option<Env> {
    // Safe because geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: the process runtime needs root (namespaces, mounts)");
        return None;
    }
    let rootfs = busybox_rootfs();
    if !rootfs.join("bin/busybox").is_file() {
        eprintln!(
            "skipped: no busybox root filesystem at {}; `cargo xtask busybox --no-import` builds it",
            rootfs.display()
        );
        return None;
    }
    let dir = std::env::temp_dir().join(format!("vmm-ref-cli-run-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let env = Env { dir };
    let out = env.vmm(&["image", "import", "busybox", rootfs.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    Some(env)
}

impl Env {
    fn vmm(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vmm-ref"))
            .args(args)
            .env("VMM_REF_HOME", self.dir.join("store"))
            .output()
            .unwrap()
    }

    fn file(&self, name: &str, content: &str) -> String {
        let p = self.dir.join(name);
        fs::write(&p, content).unwrap();
        p.to_str().unwrap().to_owned()
    }

    /// `vmm-ref run --runtime process ARGS... POD`.
    fn run(&self, pod: &str, extra: &[&str]) -> (i32, String, String) {
        let path = self.file("pod", pod);
        let mut args = vec!["run"];
        if !extra.contains(&"--runtime") {
            args.extend(["--runtime", "process"]);
        }
        args.extend_from_slice(extra);
        args.push(&path);
        let out = self.vmm(&args);
        (
            out.status.code().unwrap_or(-1),
            text(&out.stdout),
            text(&out.stderr),
        )
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn example(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name),
    )
    .unwrap()
}

#[test]
fn founding_v1beta1_pod_that_succeeds_ends_succeeded() {
    let Some(env) = setup("succeeds") else { return };
    let (code, out, err) = env.run(&example("k8s-v1beta1-restart-succeeds.json"), &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("container Ubuntu-1 exited with code 0"),
        "{out}"
    );
    assert!(out.contains("pod phase Succeeded"), "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .contains("Succeeded; exit code 0"),
        "{out}"
    );
}

#[test]
fn founding_v1beta1_pod_with_one_invalid_command_ends_failed() {
    let Some(env) = setup("fails") else { return };
    let (code, out, err) = env.run(&example("k8s-v1beta1-restart-fails.json"), &[]);
    assert_eq!(code, 127, "{out}{err}");
    assert!(out.contains("pod phase Failed"), "{out}");
    assert!(
        out.contains("Ubuntu-1 | vmm-ref: cannot run container Ubuntu-1"),
        "{out}"
    );
}

#[test]
fn always_restarts_an_exiting_container_and_on_failure_only_a_failing_one() {
    let Some(env) = setup("policies") else { return };
    let always = r#"{"id": "always", "restartPolicy": "always",
        "containers": [{"name": "app", "image": "busybox", "command": ["sh", "-c", "echo run; exit 0"]}]}"#;
    let (code, out, _) = env.run(always, &["--timeout", "8s"]);
    assert_eq!(code, 124, "stopped by --timeout: {out}");
    assert!(out.contains("container app restarting after 0s"), "{out}");
    assert!(out.contains("container app started (restart 1)"), "{out}");
    assert!(
        out.contains("container app restarting after 10s"),
        "CrashLoopBackOff: {out}"
    );

    // Fails once (its root filesystem keeps /tmp/once across restarts), then succeeds.
    let on_failure = r#"{"id": "onfailure", "restartPolicy": "onFailure",
        "containers": [
          {"name": "flaky", "image": "busybox", "command": ["sh", "-c", "test -f /tmp/once || { touch /tmp/once; exit 3; }"]},
          {"name": "fine", "image": "busybox", "command": ["true"]}]}"#;
    let (code, out, _) = env.run(on_failure, &["--timeout", "20s"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("container flaky exited with code 3"), "{out}");
    assert!(out.contains("container flaky started (restart 1)"), "{out}");
    assert!(!out.contains("container fine started (restart 1)"), "{out}");
}

#[test]
fn init_containers_run_in_order_and_a_failing_one_fails_the_pod() {
    let Some(env) = setup("init") else { return };
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: init-order}
spec:
  restartPolicy: Never
  initContainers:
  - {name: first, image: busybox, command: [sh, -c, "sleep 0.3; echo first"]}
  - {name: second, image: busybox, command: [sh, -c, "echo second"]}
  containers:
  - {name: app, image: busybox, command: [sh, -c, "echo app"]}
"#;
    let (code, out, _) = env.run(pod, &[]);
    assert_eq!(code, 0, "{out}");
    let pos = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} missing: {out}"));
    assert!(pos("first | first") < pos("second | second"));
    assert!(pos("second | second") < pos("app | app"));

    let failing = pod.replace("echo second", "exit 4");
    let (code, out, _) = env.run(&failing, &[]);
    assert_eq!(code, 4, "{out}");
    assert!(!out.contains("container app started"), "{out}");
    assert!(out.contains("pod phase Failed"), "{out}");
}

#[test]
fn failing_liveness_probe_turns_health_false_and_restarts_under_always() {
    let Some(env) = setup("liveness") else { return };
    // pod-controller's example: the container removes /tmp/health after a while.
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  restartPolicy: Always
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "touch /tmp/health; sleep 1.5; rm /tmp/health; sleep 100"]
    livenessProbe:
      exec: {command: [cat, /tmp/health]}
      periodSeconds: 1
      failureThreshold: 2
"#;
    let (code, out, _) = env.run(pod, &["--timeout", "6s"]);
    assert_eq!(code, 124, "{out}");
    assert!(
        out.matches("container app: liveness probe failed").count() >= 2,
        "{out}"
    );
    let unhealthy = out.find("pod unhealthy").expect("health bit false");
    let kill = out
        .find("sending signal 15 (liveness probe failed)")
        .expect("killed");
    let restart = out
        .find("container app started (restart 1)")
        .expect("restarted");
    assert!(unhealthy < restart && kill < restart, "{out}");
}

#[test]
fn hooks_run_in_order_and_pre_stop_precedes_the_stop_signal_with_its_reason() {
    let Some(env) = setup("hooks") else { return };
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: hooks}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "trap 'cat /tmp/prestop; exit 0' TERM; cat /tmp/poststart; while true; do sleep 0.1; done"]
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo poststart-ran > /tmp/poststart"]}}
      preStop: {exec: {command: [sh, -c, "echo prestop reason=$PRESTOP_REASON > /tmp/prestop"]}}
"#;
    // Generous timeouts: the pod runs until --timeout stops it, and a loaded CI machine must
    // still get the postStart hook done well before that.
    let (code, out, _) = env.run(pod, &["--timeout", "6s"]);
    assert_eq!(code, 124, "{out}");
    let find = |s: &str| {
        out.find(s)
            .unwrap_or_else(|| panic!("{s:?} missing: {out}"))
    };
    let post = find("app: postStart hook succeeded");
    let pre = find("app: preStop hook (reason Delete) succeeded");
    let term = find("sending signal 15 (pod stopped)");
    assert!(post < pre && pre < term, "{out}");
    assert!(
        out.contains("app | prestop reason=Delete"),
        "the container saw preStop's file: {out}"
    );

    let failing = pod.replace("echo poststart-ran > /tmp/poststart", "exit 1");
    let (_, out, _) = env.run(&failing, &["--timeout", "6s"]);
    assert!(out.contains("app: postStart hook failed"), "{out}");
    assert!(
        out.contains("sending signal 15 (post-start hook failed)"),
        "{out}"
    );
    assert!(out.contains("container app started (restart 1)"), "{out}");
}

#[test]
fn containers_share_localhost_processes_and_hostname_but_not_root_filesystems() {
    let Some(env) = setup("share") else { return };
    let services = env.file(
        "services.json",
        r#"[{"metadata": {"name": "redis-master", "namespace": "default"},
             "spec": {"clusterIP": "10.0.0.11", "ports": [{"port": 6379, "protocol": "TCP"}]}}]"#,
    );
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: sharing-pod}
spec:
  restartPolicy: Never
  containers:
  - name: server
    image: busybox
    command: [sh, -c, "touch /tmp/server-only; echo hello-from-server | nc -l -p 9000; sleep 1"]
  - name: client
    image: busybox
    command: [sh, -c, "sleep 0.5; nc 127.0.0.1 9000; hostname; ps | grep -c 'nc -l' ; test -e /tmp/server-only && echo shared-root || echo own-root; echo redis=$REDIS_MASTER_SERVICE_HOST:$REDIS_MASTER_SERVICE_PORT"]
"#;
    let (code, out, err) = env.run(pod, &["--services", &services, "--timeout", "20s"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("client | hello-from-server"),
        "localhost is shared: {out}"
    );
    assert!(
        out.contains("client | sharing-pod"),
        "hostname is the pod name: {out}"
    );
    assert!(
        out.contains("client | own-root"),
        "root filesystems are separate: {out}"
    );
    assert!(
        out.contains("client | redis=10.0.0.11:6379"),
        "service variables: {out}"
    );
    let ps_count = out
        .lines()
        .find_map(|l| {
            l.strip_prefix("client | ")
                .and_then(|v| v.trim().parse::<u32>().ok())
        })
        .expect("ps output");
    assert!(
        ps_count >= 1,
        "the server's process is visible from the client: {out}"
    );
}

#[test]
fn pod_scope_recreates_the_pod() {
    let Some(env) = setup("scope") else { return };
    let pod = r#"{"id": "scoped", "restartPolicy": "always",
        "containers": [{"name": "a", "image": "busybox", "command": ["sh", "-c", "echo once"]}]}"#;
    let (code, out, _) = env.run(
        pod,
        &["--restart-scope", "pod", "--timeout", "8s", "-o", "json"],
    );
    assert_eq!(code, 124, "{out}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().any(|e| e["event"] == "recreating"), "{out}");
    let starts = events.iter().filter(|e| e["event"] == "started").count();
    assert!(starts >= 2, "{out}");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "output" && e["container"] == "a" && e["line"] == "once")
    );
}

#[test]
fn bad_input_fails_clearly_without_leftovers() {
    let Some(env) = setup("bad") else { return };
    let (code, _, err) = env.run(
        "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"spec\": {\"containers\": [{}]}}",
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("is not a valid pod") || err.contains("name"),
        "{err}"
    );

    let missing = r#"{"id": "m", "containers": [{"name": "web", "image": "nginx:1.27"}]}"#;
    let (code, out, err) = env.run(missing, &[]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "nothing starts: {out}");
    assert!(
        err.contains("image nginx:1.27 is not in the image store"),
        "{err}"
    );
    assert!(
        err.contains("vmm-ref image import nginx:1.27 PATH"),
        "{err}"
    );

    let (code, _, err) = env.run(
        missing,
        &["--runtime", "kvm", "--kernel", "/nonexistent/vmlinuz"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("nginx:1.27"),
        "images are checked first: {err}"
    );

    let ok =
        r#"{"id": "k", "containers": [{"name": "c", "image": "busybox", "command": ["true"]}]}"#;
    let (code, _, err) = env.run(
        ok,
        &["--runtime", "kvm", "--kernel", "/nonexistent/vmlinuz"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("--kernel /nonexistent/vmlinuz: no such file"),
        "{err}"
    );

    // A pod stopped by --timeout leaves no process behind.
    let marker = "sleep 4242";
    let long = format!(
        r#"{{"id": "long", "containers": [{{"name": "c", "image": "busybox", "command": ["sh", "-c", "{marker}"]}}]}}"#
    );
    let (code, _, _) = env.run(&long, &["--timeout", "1s"]);
    assert_eq!(code, 124);
    let ps = Command::new("ps").args(["-eo", "args"]).output().unwrap();
    assert!(
        !text(&ps.stdout).lines().any(|l| l.trim() == marker),
        "leftover process"
    );
    assert!(
        !env.dir
            .join("store/run")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some()),
        "leftover files"
    );
}

#[test]
fn ctrl_c_runs_pre_stop_then_the_stop_signal_and_exits_130() {
    let Some(env) = setup("ctrlc") else { return };
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: ctrlc}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "trap 'cat /tmp/why; exit 0' TERM; while true; do sleep 0.1; done"]
    lifecycle:
      preStop: {exec: {command: [sh, -c, "echo stopping because $PRESTOP_REASON > /tmp/why"]}}
"#;
    let path = env.file("pod.yaml", pod);
    let child = Command::new(env!("CARGO_BIN_EXE_vmm-ref"))
        .args(["run", "--runtime", "process", &path])
        .env("VMM_REF_HOME", env.dir.join("store"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pid = i32::try_from(child.id()).unwrap();
    // Safe because `pid` is our child, still running (not yet waited for).
    unsafe { libc::kill(pid, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let out_text = text(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{out_text}");
    let pre = out_text
        .find("preStop hook (reason Delete) succeeded")
        .expect("preStop ran");
    let term = out_text
        .find("sending signal 15 (pod stopped)")
        .expect("stop signal");
    assert!(pre < term, "{out_text}");
    assert!(
        out_text.contains("app | stopping because Delete"),
        "{out_text}"
    );
    assert!(out_text.contains("(stopped by Ctrl-C)"), "{out_text}");
}

#[test]
fn active_deadline_fails_the_pod_with_deadline_exceeded_after_pre_stop_and_exits_124() {
    let Some(env) = setup("deadline") else { return };
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: deadline}
spec:
  restartPolicy: Always
  activeDeadlineSeconds: 2
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "trap 'cat /tmp/why; exit 0' TERM; echo up; while true; do sleep 0.1; done"]
    lifecycle:
      preStop: {exec: {command: [sh, -c, "echo stopping because $PRESTOP_REASON > /tmp/why"]}}
"#;
    let started = std::time::Instant::now();
    // --timeout only as a safety net: the deadline (2 s) must end the pod long before it.
    let (code, out, err) = env.run(pod, &["--timeout", "60s"]);
    let took = started.elapsed();
    assert_eq!(code, 124, "{out}{err}");
    assert!(
        took >= std::time::Duration::from_secs(2),
        "ended before the deadline: {took:?}"
    );
    let find = |s: &str| {
        out.find(s)
            .unwrap_or_else(|| panic!("{s:?} missing: {out}"))
    };
    let deadline = find("pod DeadlineExceeded: active longer than its activeDeadlineSeconds (2s)");
    let pre = find("app: preStop hook (reason Delete) succeeded");
    let term = find("sending signal 15 (pod stopped)");
    assert!(deadline < pre && pre < term, "{out}");
    assert!(out.contains("app | stopping because Delete"), "{out}");
    assert!(out.contains("container app exited with code 0"), "{out}");
    assert!(!out.contains("restart 1"), "nothing restarts: {out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.contains("Failed (DeadlineExceeded: activeDeadlineSeconds ran out); exit code 124"),
        "{out}"
    );
    assert!(!last.contains("--timeout"), "{out}");

    let (code, out, _) = env.run(pod, &["--timeout", "60s", "-o", "json"]);
    assert_eq!(code, 124, "{out}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "deadlineExceeded" && e["afterMs"] == 2000),
        "{out}"
    );
    // Every event says when it was reported since the process started: never before the
    // supervision time it carries (supervision starts later), and in order.
    let process_ms: Vec<u64> = events
        .iter()
        .map(|e| {
            let p = e["processMs"].as_u64().expect("processMs on every event");
            assert!(p >= e["timeMs"].as_u64().unwrap(), "{e}");
            p
        })
        .collect();
    assert!(process_ms.windows(2).all(|w| w[0] <= w[1]), "{out}");
    let finished = events.iter().find(|e| e["event"] == "finished").unwrap();
    assert_eq!(finished["reason"], "DeadlineExceeded", "{out}");
    assert_eq!(finished["exitCode"], 124, "{out}");
    assert_eq!(finished["phase"], "Failed", "{out}");
}

#[test]
fn a_tty_container_sees_a_terminal_and_the_others_pipes() {
    let Some(env) = setup("tty") else { return };
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: tty}
spec:
  restartPolicy: Never
  containers:
  - name: term
    image: busybox
    tty: true
    command: [sh, -c, "for fd in 0 1 2; do if test -t $fd; then echo fd$fd=tty; else echo fd$fd=no; fi; done; echo to-stderr >&2"]
  - name: plain
    image: busybox
    command: [sh, -c, "if test -t 1; then echo plain=tty; else echo plain=no; fi"]
"#;
    let (code, out, err) = env.run(pod, &["--timeout", "60s"]);
    assert_eq!(code, 0, "{out}{err}");
    for fd in ["fd0", "fd1", "fd2"] {
        assert!(out.contains(&format!("term | {fd}=tty")), "{out}");
    }
    assert!(
        out.contains("term | to-stderr"),
        "a terminal's output is all one stream: {out}"
    );
    assert!(
        !out.contains('\r'),
        "line ends are cut, CR included: {out:?}"
    );
    assert!(out.contains("plain | plain=no"), "{out}");
}

#[test]
fn containers_of_one_image_share_it_as_an_overlay_and_never_see_each_others_writes() {
    let Some(env) = setup("overlay") else { return };
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: overlay}
spec:
  restartPolicy: Never
  containers:
  - name: writer
    image: busybox
    command: [sh, -c, "echo mine > /etc/written-by-writer; rm /bin/cat; echo writer-root=$(awk '$5 == \"/\" {print $9}' /proc/self/mountinfo | tail -n 1); test -e /bin/cat && echo cat-still-here || echo cat-gone; echo written; sleep 2"]
  - name: reader
    image: busybox
    command: [sh, -c, "sleep 1; test -e /etc/written-by-writer && echo sees-writer || echo own-etc; test -e /bin/cat && echo has-cat || echo lost-cat"]
"#;
    let (code, out, err) = env.run(pod, &["--timeout", "60s"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("writer | writer-root=overlay"),
        "the root is an overlay (the image's root shared below): {out}"
    );
    assert!(
        out.contains("writer | cat-gone"),
        "a delete in the container works: {out}"
    );
    assert!(
        out.contains("reader | own-etc"),
        "the writer's new file is invisible to the reader: {out}"
    );
    assert!(
        out.contains("reader | has-cat"),
        "the writer's delete is invisible to the reader: {out}"
    );
    // The image in the store (the lower layer) was not written.
    let image_root = env.dir.join("store");
    let found = walk_find(&image_root, "written-by-writer");
    assert!(found.is_none(), "the image was written: {found:?}");
    let cat = walk_find(&image_root, "cat");
    assert!(cat.is_some(), "the image lost /bin/cat");
}

/// The first path under `dir` whose file name is `name` (symbolic links not followed).
/// Hyper's `hyper run IMAGE COMMAND` shorthand: a one-container pod named after the image, the
/// command replacing the image's CMD, `--env` applied (a nameless entry left out with a
/// warning), the exit code the container's; a missing image is named with the import command.
#[test]
fn image_shorthand_runs_a_one_container_pod_and_exits_with_its_code() {
    let Some(env) = setup("shorthand") else {
        return;
    };
    let out = env.vmm(&[
        "run",
        "--runtime",
        "process",
        "--image",
        "busybox",
        "-e",
        "GREETING=hi",
        "-e",
        "NOPE",
        "--",
        "sh",
        "-c",
        "echo \"greeting=$GREETING\"; hostname; exit 17",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(17), "{stdout}\n{stderr}");
    assert!(stdout.contains("greeting=hi"), "{stdout}");
    let hostname = stdout
        .lines()
        .find_map(|l| l.split_once("| busybox-").map(|(_, rest)| rest.trim()))
        .unwrap_or_else(|| panic!("no hostname line named after the image: {stdout}"));
    assert!(
        hostname.len() == 10 && hostname.bytes().all(|b| b.is_ascii_digit()),
        "{stdout}"
    );
    assert!(stderr.contains("--env \"NOPE\" left out"), "{stderr}");

    let out = env.vmm(&[
        "run",
        "--runtime",
        "process",
        "--image",
        "nosuch",
        "--",
        "true",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("nosuch") && stderr.contains("vmm-ref image import"),
        "{stderr}"
    );
}

fn walk_find(dir: &Path, name: &str) -> Option<PathBuf> {
    for e in fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if e.file_name() == name {
            return Some(p);
        }
        if e.file_type().is_ok_and(|t| t.is_dir())
            && let Some(found) = walk_find(&p, name)
        {
            return Some(found);
        }
    }
    None
}
