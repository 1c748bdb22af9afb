//! `vmm-ref image`: the local image store (import, ls, rm).
//!
//! Exit codes: 0 done; 1 the image or the source is not usable (the message says why); 2 the
//! command line is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use vmm_ref::image::{Reference, Store};

/// Manage the local image store.
#[derive(Debug, Parser)]
#[command(after_help = "\
Examples:
  vmm-ref image import busybox ./rootfs            a directory holding a root filesystem
  vmm-ref image import alpine:3.20 alpine-oci/     an OCI image layout (directory or tar)
  vmm-ref image import nginx:1.27 nginx.tar        a `docker save` archive (gzip allowed)
  vmm-ref image ls
  vmm-ref image rm nginx:1.27

The store is $VMM_REF_HOME, else ~/.local/share/vmm-ref. `cargo xtask busybox` builds the
busybox image the examples use from Debian's busybox-static package.")]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import a root filesystem directory, an OCI image layout or a `docker save` archive.
    Import {
        /// NAME[:TAG] (tag `latest` if none).
        reference: String,
        /// The directory or archive.
        path: PathBuf,
    },
    /// List the images.
    #[command(alias = "list")]
    Ls {
        /// Output format.
        #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Remove an image.
    #[command(alias = "remove")]
    Rm {
        /// NAME[:TAG].
        reference: String,
    },
}

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    /// A table.
    Text,
    /// One JSON object per image, one per line.
    Json,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("vmm-ref image: {message}");
    ExitCode::from(1)
}

/// Runs `vmm-ref image`.
pub(crate) fn run(args: Args) -> ExitCode {
    let store = Store::default_location();
    match args.command {
        Command::Import { reference, path } => {
            let r = match Reference::parse(&reference) {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            match store.import(&r, &path) {
                Ok(info) => {
                    println!(
                        "imported {r} from {} ({}, {})",
                        path.display(),
                        info.source.as_str(),
                        size(info.size)
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Ls { output } => match store.list() {
            Ok(list) => {
                match output {
                    Output::Text => {
                        println!("{:<32} {:<16} {:>10}  SOURCE", "NAME", "TAG", "SIZE");
                        for i in &list {
                            println!(
                                "{:<32} {:<16} {:>10}  {}",
                                i.name,
                                i.tag,
                                size(i.size),
                                i.source.as_str()
                            );
                        }
                    }
                    Output::Json => {
                        for i in &list {
                            let line = json!({
                                "name": i.name, "tag": i.tag, "size": i.size,
                                "source": i.source.as_str(),
                                "entrypoint": i.config.entrypoint, "cmd": i.config.cmd,
                            });
                            println!("{line}");
                        }
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Rm { reference } => {
            let r = match Reference::parse(&reference) {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            match store.remove(&r) {
                Ok(()) => {
                    println!("removed {r}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

/// `1.2 MiB`.
fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
