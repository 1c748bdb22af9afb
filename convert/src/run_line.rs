//! The container-only shorthand: a one-container Hyper pod from a command line, as
//! `hyper run IMAGE [COMMAND] [ARG...]` built it (spec/hyper.md section 1.9, seed 004's
//! `hyper run -t ubuntu`).
//!
//! [`RunLine`] holds the flags; [`hyper_pod`] builds the Hyper 1.x pod file the client would have
//! sent, which then goes through the ordinary pipeline (`podspec::validate`, [`crate::to_domain`]),
//! so a shorthand pod is checked exactly like a file.
//!
//! What follows Hyper 1.x (`JsonFromCmdline`):
//! - the pod id and the container name are one name: `--name`, else [`image_to_name`];
//! - `command` replaces the image's CMD, `--entrypoint` (one string) its ENTRYPOINT;
//! - `--env K=V`: entries without `=` or starting with `=` are skipped (reported by
//!   [`hyper_pod`] as [`Skipped`] entries, where Hyper said nothing);
//! - `--label k=v` must split into exactly two parts on `=`, else
//!   `Label '<label>' is not in 'k=v' format`;
//! - `--cpu` 1 and `--memory` 128 (MiB) unless given; `--restart` `never` unless given;
//!   `--workdir` absent (the image's); `-t` off.
//!
//! Decisions where Hyper was random: the ten digits that make the name unique are derived from
//! the run line's content (64-bit FNV-1a, as [`crate::names`] does for pods without an id), so
//! the same line always builds the same pod; and where the image's last path part does not make a
//! valid name, the name is `pod-<digits>` (Hyper picked a random Docker-style name). Not carried
//! over: `--publish`, `-v` (volumes), `--log-driver` and `--rm`/`-d`, which belong to a daemon
//! that keeps pods; callers say so.
//!
//! # Examples
//!
//! ```
//! use convert::run_line::{RunLine, hyper_pod};
//!
//! let line = RunLine {
//!     command: vec!["sh".into(), "-c".into(), "exit 17".into()],
//!     ..RunLine::new("busybox")
//! };
//! let built = hyper_pod(&line)?;
//! let doc = podspec::wire::Document::Hyper(built.pod);
//! assert!(podspec::validate(&doc).is_empty());
//! let pod = convert::to_domain(&doc, &convert::Options::default())?.value;
//! assert_eq!(pod.containers[0].command, ["sh", "-c", "exit 17"]);
//! assert!(pod.name.as_str().starts_with("busybox-"));
//! # Ok::<(), convert::Error>(())
//! ```

use std::collections::BTreeMap;

use podspec::wire::Str;
use podspec::wire::hyper::{Container, EnvVar, Pod, Resource};

use crate::Error;
use crate::names::fnv1a;

/// Default vCPUs of a shorthand pod (Hyper's `--cpu` default).
pub const DEFAULT_CPU: i32 = 1;
/// Default memory of a shorthand pod in MiB (Hyper's `--memory` default).
pub const DEFAULT_MEMORY_MIB: i32 = 128;

/// The flags of `hyper run IMAGE [COMMAND] [ARG...]` that describe a pod.
///
/// # Examples
///
/// ```
/// use convert::run_line::RunLine;
/// let line = RunLine { tty: true, ..RunLine::new("ubuntu") };
/// assert_eq!(line.image, "ubuntu");
/// assert!(line.command.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunLine {
    /// The image (`IMAGE`).
    pub image: String,
    /// `COMMAND [ARG...]`: replaces the image's CMD; empty keeps it.
    pub command: Vec<String>,
    /// `--name`: the pod id and the container name.
    pub name: Option<String>,
    /// `--entrypoint`: one string, replaces the image's ENTRYPOINT.
    pub entrypoint: Option<String>,
    /// `--workdir`.
    pub workdir: Option<String>,
    /// `-t` / `--tty`.
    pub tty: bool,
    /// `--cpu`.
    pub cpu: Option<i32>,
    /// `--memory`, in MiB.
    pub memory: Option<i32>,
    /// `--env K=V`, as given.
    pub env: Vec<String>,
    /// `--label k=v`, as given.
    pub labels: Vec<String>,
    /// `--restart`: `never`, `onFailure` or `always`.
    pub restart: Option<String>,
}

impl RunLine {
    /// A run line for `image` with every flag at its default.
    ///
    /// # Examples
    ///
    /// ```
    /// use convert::run_line::RunLine;
    /// assert_eq!(RunLine::new("busybox").name, None);
    /// ```
    #[must_use]
    pub fn new(image: impl Into<String>) -> Self {
        Self {
            image: image.into(),
            ..Self::default()
        }
    }
}

/// A `--env` entry that was left out, and why (Hyper skipped them silently).
///
/// # Examples
///
/// ```
/// use convert::run_line::{RunLine, hyper_pod};
/// let line = RunLine { env: vec!["NOVALUE".into()], ..RunLine::new("busybox") };
/// let built = hyper_pod(&line)?;
/// assert_eq!(built.skipped[0].entry, "NOVALUE");
/// # Ok::<(), convert::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The entry as given.
    pub entry: String,
    /// Why it was left out.
    pub reason: &'static str,
}

/// What [`hyper_pod`] built: the pod file and the `--env` entries it left out.
///
/// # Examples
///
/// ```
/// use convert::run_line::{RunLine, hyper_pod};
/// let built = hyper_pod(&RunLine::new("busybox"))?;
/// assert!(built.skipped.is_empty());
/// assert_eq!(built.pod.containers.as_ref().map(Vec::len), Some(1));
/// # Ok::<(), convert::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    /// The Hyper 1.x pod file.
    pub pod: Pod,
    /// Left-out `--env` entries.
    pub skipped: Vec<Skipped>,
}

/// The name stem Hyper took from an image (`imageToName`): the last path part, `name-tag` when a
/// tag is given, `name` otherwise; `None` when that is not `[a-zA-Z0-9][a-zA-Z0-9_.-]*` or is
/// empty. Only a `:` after the last `/` starts a tag, so a registry port stays out of the name.
///
/// # Examples
///
/// ```
/// use convert::run_line::image_to_name;
/// assert_eq!(image_to_name("busybox").as_deref(), Some("busybox"));
/// assert_eq!(image_to_name("docker.io/library/nginx:1.25").as_deref(), Some("nginx-1.25"));
/// assert_eq!(image_to_name("localhost:5000/app").as_deref(), Some("app"));
/// assert_eq!(image_to_name("x/_bad"), None);
/// ```
#[must_use]
pub fn image_to_name(image: &str) -> Option<String> {
    let last = image.rsplit('/').next().unwrap_or_default();
    let stem = match last.split_once(':') {
        Some((name, tag)) if !tag.is_empty() => format!("{name}-{tag}"),
        Some((name, _)) => name.into(),
        None => last.into(),
    };
    let mut chars = stem.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    valid.then_some(stem)
}

/// Ten digits derived from the run line (module docs: where Hyper used random ones).
fn digits(line: &RunLine) -> String {
    let mut h = 0_u64;
    for part in [&line.image]
        .into_iter()
        .chain(&line.command)
        .chain(&line.env)
        .chain(&line.labels)
        .chain(line.entrypoint.iter())
        .chain(line.workdir.iter())
        .chain(line.restart.iter())
    {
        h = fnv1a(&[h.to_le_bytes().as_slice(), part.as_bytes(), &[0]].concat());
    }
    format!("{:010}", h % 10_000_000_000)
}

/// The one-container Hyper pod of `line` (module docs for the rules).
///
/// # Errors
///
/// [`Error::RunLine`] for an empty image or a `--label` that is not `k=v`.
///
/// # Examples
///
/// ```
/// use convert::run_line::{RunLine, hyper_pod};
/// let line = RunLine {
///     name: Some("web".into()),
///     env: vec!["A=1".into(), "=x".into()],
///     labels: vec!["tier=front".into()],
///     ..RunLine::new("nginx")
/// };
/// let pod = hyper_pod(&line)?.pod;
/// assert_eq!(pod.id.as_deref(), Some("web"));
/// assert_eq!(pod.containers.unwrap()[0].envs.as_ref().unwrap().len(), 1);
///
/// let bad = RunLine { labels: vec!["a=b=c".into()], ..RunLine::new("nginx") };
/// assert_eq!(
///     hyper_pod(&bad).unwrap_err().to_string(),
///     "--label: Label 'a=b=c' is not in 'k=v' format",
/// );
/// # Ok::<(), convert::Error>(())
/// ```
pub fn hyper_pod(line: &RunLine) -> Result<Built, Error> {
    if line.image.trim().is_empty() {
        return Err(Error::RunLine {
            flag: "IMAGE",
            message: "an image is required (e.g. busybox)".into(),
        });
    }
    let mut labels = BTreeMap::new();
    for label in &line.labels {
        match label.split('=').collect::<Vec<_>>()[..] {
            [k, v] => {
                labels.insert(k.into(), v.into());
            }
            _ => {
                return Err(Error::RunLine {
                    flag: "--label",
                    message: format!("Label '{label}' is not in 'k=v' format"),
                });
            }
        }
    }
    let mut envs = Vec::new();
    let mut skipped = Vec::new();
    for entry in &line.env {
        match entry.split_once('=') {
            Some((name, value)) if !name.is_empty() => envs.push(EnvVar {
                env: Some(name.into()),
                value: Some(value.into()),
            }),
            Some(_) => skipped.push(Skipped {
                entry: entry.clone(),
                reason: "starts with `=`: no variable name",
            }),
            None => skipped.push(Skipped {
                entry: entry.clone(),
                reason: "no `=`: write NAME=VALUE",
            }),
        }
    }
    let name = line.name.clone().unwrap_or_else(|| {
        let stem = image_to_name(&line.image).unwrap_or_else(|| "pod".into());
        format!("{stem}-{}", digits(line))
    });
    let container = Container {
        name: Some(name.as_str().into()),
        image: Some(line.image.as_str().into()),
        workdir: line.workdir.as_deref().map(Str::from),
        command: (!line.command.is_empty())
            .then(|| line.command.iter().map(|s| Str::from(s.as_str())).collect()),
        entrypoint: line.entrypoint.as_deref().map(|e| vec![Str::from(e)]),
        tty: line.tty.then_some(true),
        envs: (!envs.is_empty()).then_some(envs),
        ..Container::default()
    };
    let pod = Pod {
        id: Some(name.into()),
        restart_policy: Some(
            line.restart
                .as_deref()
                .map_or_else(|| "never".into(), Str::from),
        ),
        labels: (!labels.is_empty()).then_some(labels),
        resource: Some(Resource {
            vcpu: Some(line.cpu.unwrap_or(DEFAULT_CPU)),
            memory: Some(line.memory.unwrap_or(DEFAULT_MEMORY_MIB)),
        }),
        containers: Some(vec![container]),
        ..Pod::default()
    };
    Ok(Built { pod, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_stable_for_a_line_and_differs_between_lines() {
        let a = hyper_pod(&RunLine::new("busybox")).unwrap().pod.id.unwrap();
        let again = hyper_pod(&RunLine::new("busybox")).unwrap().pod.id.unwrap();
        let other = RunLine {
            command: vec!["true".into()],
            ..RunLine::new("busybox")
        };
        let b = hyper_pod(&other).unwrap().pod.id.unwrap();
        assert_eq!(a, again);
        assert_ne!(a, b);
        assert_eq!(a.len(), "busybox-".len() + 10);
        assert!(a["busybox-".len()..].bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn an_image_without_a_usable_name_gives_a_pod_name() {
        let pod = hyper_pod(&RunLine::new("registry/_x")).unwrap().pod;
        assert!(pod.id.unwrap().starts_with("pod-"));
    }

    #[test]
    fn env_entries_without_a_name_are_skipped_and_said() {
        let line = RunLine {
            env: vec!["A=1".into(), "B".into(), "=2".into(), "C=".into()],
            ..RunLine::new("busybox")
        };
        let built = hyper_pod(&line).unwrap();
        let envs = built.pod.containers.unwrap()[0].envs.clone().unwrap();
        let names: Vec<_> = envs.iter().map(|e| e.env.clone().unwrap()).collect();
        assert_eq!(names, ["A", "C"]);
        let skipped: Vec<_> = built.skipped.iter().map(|s| s.entry.as_str()).collect();
        assert_eq!(skipped, ["B", "=2"]);
    }

    #[test]
    fn labels_must_be_exactly_k_eq_v() {
        for bad in ["a", "a=b=c"] {
            let line = RunLine {
                labels: vec![bad.into()],
                ..RunLine::new("busybox")
            };
            assert!(
                matches!(
                    hyper_pod(&line),
                    Err(Error::RunLine {
                        flag: "--label",
                        ..
                    })
                ),
                "{bad}"
            );
        }
        let ok = RunLine {
            labels: vec!["a=".into()],
            ..RunLine::new("busybox")
        };
        assert_eq!(
            hyper_pod(&ok).unwrap().pod.labels.unwrap()["a"],
            String::new()
        );
    }

    #[test]
    fn defaults_follow_hyper_1x() {
        let pod = hyper_pod(&RunLine::new("busybox")).unwrap().pod;
        assert_eq!(pod.restart_policy.as_deref(), Some("never"));
        assert_eq!(
            pod.resource,
            Some(Resource {
                vcpu: Some(1),
                memory: Some(128)
            })
        );
        let c = &pod.containers.unwrap()[0];
        assert_eq!(c.tty, None);
        assert_eq!(c.workdir, None);
        assert_eq!(c.command, None);
        assert_eq!(c.name, pod.id);
    }

    /// Whatever the image, the built pod passes the same checks as a pod file.
    #[test]
    fn built_pods_validate_and_convert() {
        for image in [
            "busybox:1.36",
            "localhost:5000/app",
            "Ubuntu",
            "registry/_x",
        ] {
            let line = RunLine {
                tty: true,
                entrypoint: Some("/bin/sh".into()),
                ..RunLine::new(image)
            };
            let doc = podspec::wire::Document::Hyper(hyper_pod(&line).unwrap().pod);
            assert_eq!(podspec::validate(&doc), Vec::new(), "{image}");
            let pod = crate::to_domain(&doc, &crate::Options::default())
                .unwrap()
                .value;
            assert_eq!(pod.validate(), Vec::new(), "{image}");
            assert!(pod.containers[0].tty, "{image}");
            assert_eq!(pod.containers[0].entrypoint, ["/bin/sh"], "{image}");
        }
    }

    #[test]
    fn an_empty_image_is_refused() {
        assert!(matches!(
            hyper_pod(&RunLine::new(" ")),
            Err(Error::RunLine { flag: "IMAGE", .. })
        ));
    }
}
