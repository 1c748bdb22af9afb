//! The agent's settings: from the kernel command line (PID 1) and from its own arguments.

/// Settings read from the kernel command line (`/proc/cmdline`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KernelSettings {
    /// `vmmref.hostname=NAME`: the guest's hostname (default `vmm-ref`).
    pub(crate) hostname: String,
    /// `vmmref.channel=PATH`: the agent channel (default `/dev/ttyS1`).
    pub(crate) channel: String,
    /// `vmmref.debug`: log each step on the console.
    pub(crate) debug: bool,
}

impl Default for KernelSettings {
    fn default() -> Self {
        Self {
            hostname: "vmm-ref".to_owned(),
            channel: "/dev/ttyS1".to_owned(),
            debug: false,
        }
    }
}

/// Splits a kernel command line into words, honouring double quotes as the kernel does
/// (`a="b c"` is one word `a=b c`).
pub(crate) fn words(cmdline: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in cmdline.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Reads the agent's settings from a kernel command line. Unknown words are ignored; the last
/// occurrence of a setting wins, as for kernel parameters.
pub(crate) fn parse_kernel(cmdline: &str) -> KernelSettings {
    let mut s = KernelSettings::default();
    for w in words(cmdline) {
        if let Some(v) = w.strip_prefix("vmmref.hostname=") {
            if is_valid_hostname(v) {
                s.hostname = v.to_owned();
            }
        } else if let Some(v) = w.strip_prefix("vmmref.channel=") {
            if v.starts_with('/') {
                s.channel = v.to_owned();
            }
        } else if w == "vmmref.debug" || w == "vmmref.debug=1" {
            s.debug = true;
        }
    }
    s
}

/// A hostname the kernel accepts: 1 to 64 bytes, no NUL, no `/`, no whitespace.
fn is_valid_hostname(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && !s
            .bytes()
            .any(|b| b == 0 || b == b'/' || b.is_ascii_whitespace())
}

/// Where the agent talks to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Channel {
    /// The path from the kernel command line (PID 1 default: `/dev/ttyS1`).
    FromKernel,
    /// A tty or file path.
    Path(String),
    /// Standard input and output (for tests on the host).
    Stdio,
}

/// How the agent was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Args {
    /// The channel.
    pub(crate) channel: Channel,
    /// Whether to act as the guest's init (mounts, hostname, power off). Default: when PID 1.
    pub(crate) init: Option<bool>,
}

/// The usage text.
pub(crate) const USAGE: &str =
    "usage: vmm-ref-agent [--stdio | --channel PATH] [--init | --no-init]
  As PID 1 (the default inside a vmm-ref guest) it mounts /proc, /sys, /dev, /dev/pts, /dev/shm,
  /tmp and /run, sets the hostname (vmmref.hostname= on the kernel command line), talks to the
  host over /dev/ttyS1 (vmmref.channel=) and resets the guest when done.
  --stdio         talk over standard input and output (testing on the host)
  --channel PATH  talk over PATH
  --init          act as init even when not PID 1; --no-init: never";

/// Parses the agent's own arguments (without the program name).
pub(crate) fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Args, String> {
    let mut out = Args {
        channel: Channel::FromKernel,
        init: None,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--stdio" => out.channel = Channel::Stdio,
            "--channel" => match it.next() {
                Some(p) => out.channel = Channel::Path(p),
                None => return Err("--channel needs a path".to_owned()),
            },
            "--init" => out.init = Some(true),
            "--no-init" => out.init = Some(false),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_without_our_parameters() {
        assert_eq!(
            parse_kernel("console=ttyS0 reboot=k panic=1"),
            KernelSettings::default()
        );
    }

    #[test]
    fn hostname_channel_and_debug_are_read() {
        let s = parse_kernel("quiet vmmref.hostname=web-0 vmmref.channel=/dev/ttyS2 vmmref.debug");
        assert_eq!(s.hostname, "web-0");
        assert_eq!(s.channel, "/dev/ttyS2");
        assert!(s.debug);
    }

    #[test]
    fn the_last_occurrence_wins_and_invalid_values_are_ignored() {
        let s =
            parse_kernel("vmmref.hostname=a vmmref.hostname=b vmmref.hostname= vmmref.channel=rel");
        assert_eq!(s.hostname, "b");
        assert_eq!(s.channel, "/dev/ttyS1");
        let long = format!("vmmref.hostname={}", "x".repeat(65));
        assert_eq!(parse_kernel(&long).hostname, "vmm-ref");
    }

    #[test]
    fn quotes_group_words_like_the_kernel() {
        assert_eq!(words(" a  \"b c\"=d e=\"f g\"\n"), ["a", "b c=d", "e=f g"]);
        assert_eq!(words("x=\"\""), ["x="]);
    }

    #[test]
    fn args_select_the_channel_and_init_mode() {
        let a = parse_args(["--stdio".to_owned(), "--no-init".to_owned()]).unwrap();
        assert_eq!(a.channel, Channel::Stdio);
        assert_eq!(a.init, Some(false));
        let a = parse_args(["--channel".to_owned(), "/dev/pts/3".to_owned()]).unwrap();
        assert_eq!(a.channel, Channel::Path("/dev/pts/3".to_owned()));
        assert_eq!(a.init, None);
    }

    #[test]
    fn bad_args_are_errors() {
        assert!(parse_args(["--channel".to_owned()]).is_err());
        assert!(parse_args(["--frob".to_owned()]).is_err());
    }
}
