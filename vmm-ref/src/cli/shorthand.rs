//! `vmm-ref run --image IMAGE [-- COMMAND [ARG...]]`: Hyper's container-only shorthand
//! (`hyper run -t ubuntu`, spec/hyper.md section 1.9). The flags become a one-container Hyper
//! pod (`convert::run_line`), which then goes through the same checks as a pod file.

use clap::Args;
use convert::run_line::{self, RunLine};
use podspec::wire::Document;

/// The shorthand's flags (every one needs `--image`; `run` says so when one comes with a file).
#[derive(Debug, Args)]
#[command(next_help_heading = "Without a pod file (Hyper's `hyper run IMAGE [COMMAND]`)")]
pub(crate) struct Shorthand {
    /// Run a one-container pod of this image instead of a pod file; the command comes after
    /// `--`.
    #[arg(long, value_name = "IMAGE", conflicts_with = "file")]
    pub(crate) image: Option<String>,
    /// The pod's and the container's name (default: the image's name, its tag, and ten digits
    /// derived from the command line).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Replace the image's ENTRYPOINT (one string).
    #[arg(long, value_name = "CMD")]
    entrypoint: Option<String>,
    /// The working directory (default: the image's).
    #[arg(long, value_name = "DIR")]
    workdir: Option<String>,
    /// Give the container a terminal.
    #[arg(short = 't', long)]
    tty: bool,
    /// vCPUs of the pod's VM (default 1).
    #[arg(long, value_name = "N")]
    cpu: Option<i32>,
    /// Memory of the pod's VM in MiB (default 128).
    #[arg(long, value_name = "MIB")]
    memory: Option<i32>,
    /// An environment variable, NAME=VALUE (repeatable; entries without a name are skipped,
    /// with a warning).
    #[arg(short = 'e', long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// A pod label, k=v (repeatable).
    #[arg(short = 'l', long = "label", value_name = "K=V")]
    labels: Vec<String>,
    /// The restart policy: never (default), onFailure or always.
    #[arg(long, value_name = "POLICY")]
    restart: Option<String>,
    /// The command and its arguments, after `--` (default: the image's).
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

impl Shorthand {
    /// The shorthand flags given (without `--image`), by their long names: they describe a pod
    /// and make no sense beside a pod file.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        let flags = [
            ("--name", self.name.is_some()),
            ("--entrypoint", self.entrypoint.is_some()),
            ("--workdir", self.workdir.is_some()),
            ("--tty", self.tty),
            ("--cpu", self.cpu.is_some()),
            ("--memory", self.memory.is_some()),
            ("--env", !self.env.is_empty()),
            ("--label", !self.labels.is_empty()),
            ("--restart", self.restart.is_some()),
            ("a command after --", !self.command.is_empty()),
        ];
        flags.into_iter().filter(|f| f.1).map(|f| f.0).collect()
    }

    /// The pod document these flags describe and the name to use in messages, or a complete
    /// error message. Left-out `--env` entries are reported on standard error.
    pub(crate) fn document(&self, image: &str) -> Result<(String, Document), String> {
        let line = RunLine {
            image: image.to_owned(),
            command: self.command.clone(),
            name: self.name.clone(),
            entrypoint: self.entrypoint.clone(),
            workdir: self.workdir.clone(),
            tty: self.tty,
            cpu: self.cpu,
            memory: self.memory,
            env: self.env.clone(),
            labels: self.labels.clone(),
            restart: self.restart.clone(),
        };
        let built = run_line::hyper_pod(&line).map_err(|e| e.to_string())?;
        for s in &built.skipped {
            eprintln!(
                "vmm-ref run: warning: --env {:?} left out: {}",
                s.entry, s.reason
            );
        }
        Ok((format!("--image {image}"), Document::Hyper(built.pod)))
    }
}

/// The flag that sets a field of the pod [`Shorthand::document`] builds, by the field's path.
pub(crate) fn flag_for(path: &str) -> Option<&'static str> {
    let flag = match path {
        "id" | "name" | "hostname" | "containers[0].name" => "--name",
        "restartPolicy" => "--restart",
        "resource.vcpu" => "--cpu",
        "resource.memory" => "--memory",
        "containers[0].image" => "--image",
        "containers[0].workdir" | "containers[0].workingDir" => "--workdir",
        "containers[0].entrypoint" => "--entrypoint",
        "containers[0].command" => "the command after --",
        p if p.starts_with("labels") => "--label",
        p if p.starts_with("containers[0].envs") || p.starts_with("containers[0].env") => "--env",
        _ => return None,
    };
    Some(flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every flag that can make the pod invalid is named by its field's path, as the
    /// validators of the Hyper format and the domain model write them.
    #[test]
    fn invalid_flags_are_traced_to_their_fields() {
        let line = RunLine {
            name: Some("a b".into()),
            cpu: Some(-1),
            memory: Some(-5),
            restart: Some("sometimes".into()),
            workdir: Some("relative".into()),
            ..RunLine::new("busybox")
        };
        let doc = Document::Hyper(run_line::hyper_pod(&line).unwrap().pod);
        let mut errors = podspec::validate(&doc);
        if let Ok(c) = convert::to_domain(&doc, &convert::Options::default()) {
            errors.extend(c.value.validate());
        }
        let mut flags: Vec<&str> = errors
            .iter()
            .filter_map(|e| flag_for(&e.field.to_string()))
            .collect();
        flags.sort_unstable();
        flags.dedup();
        assert_eq!(
            flags,
            ["--cpu", "--memory", "--name", "--restart"],
            "{errors:?}"
        );
    }
}
