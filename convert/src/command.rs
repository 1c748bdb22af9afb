//! The process a container runs: its entrypoint and command over the image's.
//!
//! The domain model names the two lists as Docker does: [`Container::entrypoint`] is
//! Kubernetes' `command` and Hyper's `entrypoint`, [`Container::command`] is Kubernetes' `args`
//! and Hyper's `command`. Kubernetes (and Docker, which Hyper used) combine them with the image's
//! `ENTRYPOINT` and `CMD` like this:
//!
//! | entrypoint | command | runs | source |
//! |---|---|---|---|
//! | empty | empty | image ENTRYPOINT + image CMD | Kubernetes "Define a command and arguments" |
//! | set | empty | entrypoint (the image's CMD is **not** used) | same; Docker's `--entrypoint` resets CMD |
//! | empty | set | image ENTRYPOINT + command | same |
//! | set | set | entrypoint + command | same |

use podspec::model::Container;

/// An image's `ENTRYPOINT` and `CMD` (its OCI config's `Entrypoint` and `Cmd`).
///
/// # Examples
///
/// ```
/// let image = convert::ImageConfig { entrypoint: vec![], cmd: vec!["sh".into()] };
/// assert_eq!(image.cmd, ["sh"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageConfig {
    /// `ENTRYPOINT`.
    pub entrypoint: Vec<String>,
    /// `CMD`.
    pub cmd: Vec<String>,
}

/// The argument vector the container runs (module doc: the table). Empty when neither the
/// container nor the image says anything.
///
/// # Examples
///
/// The founding notes' pod: `args` only, over busybox (no ENTRYPOINT, CMD `sh`):
///
/// ```
/// use podspec::model::*;
/// let mut c = Container::new(ContainerName::try_from("Ubuntu-1").unwrap(), Image::Host);
/// c.command = vec!["sleep".into(), "3".into()];
/// let busybox = convert::ImageConfig { entrypoint: vec![], cmd: vec!["sh".into()] };
/// assert_eq!(convert::command_line(&c, &busybox), ["sleep", "3"]);
/// ```
pub fn command_line(container: &Container, image: &ImageConfig) -> Vec<String> {
    let (entrypoint, command) = match (
        container.entrypoint.is_empty(),
        container.command.is_empty(),
    ) {
        (true, true) => (&image.entrypoint, &image.cmd),
        (false, true) => (&container.entrypoint, &container.command),
        (true, false) => (&image.entrypoint, &container.command),
        (false, false) => (&container.entrypoint, &container.command),
    };
    entrypoint.iter().chain(command).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use podspec::model::{ContainerName, Image};

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    /// Kubernetes' table ("Define a Command and Arguments for a Container"), row by row:
    /// image ENTRYPOINT `[/ep-1]`, CMD `[foo bar]`.
    #[test]
    fn kubernetes_table() {
        let image = ImageConfig {
            entrypoint: v(&["/ep-1"]),
            cmd: v(&["foo", "bar"]),
        };
        let rows: [(&[&str], &[&str], &[&str]); 4] = [
            (&[], &[], &["/ep-1", "foo", "bar"]),
            (&["/ep-2"], &[], &["/ep-2"]),
            (&[], &["zoo", "boo"], &["/ep-1", "zoo", "boo"]),
            (&["/ep-2"], &["zoo", "boo"], &["/ep-2", "zoo", "boo"]),
        ];
        for (entrypoint, command, want) in rows {
            let mut c = Container::new(ContainerName::try_from("c").unwrap(), Image::Host);
            c.entrypoint = v(entrypoint);
            c.command = v(command);
            assert_eq!(
                command_line(&c, &image),
                v(want),
                "{entrypoint:?} {command:?}"
            );
        }
    }

    #[test]
    fn nothing_anywhere_is_empty() {
        let c = Container::new(ContainerName::try_from("c").unwrap(), Image::Host);
        assert!(command_line(&c, &ImageConfig::default()).is_empty());
    }
}
