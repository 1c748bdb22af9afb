//! `cargo xtask bench [--quick] [FILTER]`: the criterion benchmarks of `benches/`, as one table.
//!
//! Runs `cargo bench -p benches`, then reads what criterion wrote in this run
//! (`target/criterion/**/new/{benchmark,estimates}.json`) and prints each figure with, where a
//! peer was measured in the same run (k8s-openapi for the Kubernetes documents), the ratio
//! against it, and the goals of DESIGN.md ("Performance"). Every benchmark of
//! `benches/benches/pure.rs` is a row, the conversion of each example file (`convert/...`)
//! included. `--quick` is criterion's quick mode, for iteration.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use crate::cmd::{Failed, Result, cargo, step, workspace_root};

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Criterion's quick mode: fewer samples, for iteration.
    #[arg(long)]
    quick: bool,
    /// Only the benchmarks whose id contains this (criterion's filter).
    filter: Option<String>,
}

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    group: String,
    function: String,
    value: String,
    /// Nanoseconds per iteration (criterion's slope, else its mean).
    ns: f64,
    /// Bytes per iteration, if the benchmark declared a throughput.
    bytes: Option<u64>,
}

impl Row {
    fn id(&self) -> String {
        [&self.group, &self.function, &self.value]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// `cargo xtask bench`.
pub(crate) fn run(args: &Args) -> Result {
    let started = SystemTime::now();
    let home = criterion_home();
    let mut c = cargo();
    c.args(["bench", "-p", "benches", "--bench", "pure", "--"])
        .env("CRITERION_HOME", &home);
    if args.quick {
        c.arg("--quick");
    }
    if let Some(f) = &args.filter {
        c.arg(f);
    }
    step("cargo bench -p benches", &mut c)?;
    let mut rows = Vec::new();
    collect(&home, started, &mut rows)?;
    rows.sort_by_key(Row::id);
    println!("{}", table(&rows));
    Ok(())
}

fn criterion_home() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
        .join("criterion")
}

/// Every `new/` result under `dir` written since `since`.
fn collect(dir: &Path, since: SystemTime, rows: &mut Vec<Row>) -> Result {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failed(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let estimates = path.join("estimates.json");
            let fresh = std::fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if fresh && let Some(row) = read_row(&path)? {
                rows.push(row);
            }
        } else if path
            .file_name()
            .is_none_or(|n| n != "base" && n != "report")
        {
            collect(&path, since, rows)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failed(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| Failed(format!("{}: {e}", path.display())))
}

fn read_row(new: &Path) -> Result<Option<Row>> {
    let bench = read_json(&new.join("benchmark.json"))?;
    let est = read_json(&new.join("estimates.json"))?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let point = |k: &str| {
        est.get(k)
            .and_then(|e| e.get("point_estimate"))
            .and_then(Value::as_f64)
    };
    let Some(ns) = point("slope").or_else(|| point("mean")) else {
        return Ok(None);
    };
    let bytes = bench
        .get("throughput")
        .and_then(|t| t.get("Bytes"))
        .and_then(Value::as_u64);
    Ok(Some(Row {
        group: text(&bench, "group_id"),
        function: text(&bench, "function_id"),
        value: text(&bench, "value_str"),
        ns,
        bytes,
    }))
}

fn human(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// The goal of DESIGN.md / issue 8 a row is held to, and whether it is met.
fn goal(row: &Row, rows: &[Row]) -> Option<(String, bool)> {
    match (
        row.group.as_str(),
        row.function.as_str(),
        row.value.as_str(),
    ) {
        ("phase", "aggregate", "4-containers") => Some(("< 50 ns".into(), row.ns < 50.0)),
        ("restart", _, _) => Some(("< 20 ns".into(), row.ns < 20.0)),
        ("parse", "podspec", v) => {
            peer(row, rows).map(|p| (format!("<= k8s-openapi ({v})"), row.ns <= p.ns))
        }
        _ => None,
    }
}

/// The row measured for the same input by the peer implementation.
fn peer<'a>(row: &Row, rows: &'a [Row]) -> Option<&'a Row> {
    (row.function == "podspec").then_some(())?;
    rows.iter()
        .find(|r| r.group == row.group && r.function == "k8s-openapi" && r.value == row.value)
}

/// The markdown table of the results.
fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| benchmark | time | throughput | vs peer (same run) | goal |\n|---|---:|---:|---|---|\n",
    );
    for r in rows {
        let tput = r.bytes.map_or(String::new(), |b| {
            format!("{:.0} MiB/s", b as f64 / (r.ns / 1e9) / f64::from(1 << 20))
        });
        let vs = peer(r, rows).map_or(String::new(), |p| {
            format!("{:.2}x k8s-openapi ({})", r.ns / p.ns, human(p.ns))
        });
        let g = goal(r, rows).map_or(String::new(), |(g, ok)| {
            format!("{g}: {}", if ok { "met" } else { "NOT met" })
        });
        out.push_str(&format!(
            "| {} | {} | {tput} | {vs} | {g} |\n",
            r.id(),
            human(r.ns)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, function: &str, value: &str, ns: f64) -> Row {
        Row {
            group: group.into(),
            function: function.into(),
            value: value.into(),
            ns,
            bytes: None,
        }
    }

    #[test]
    fn pairs_podspec_with_its_peer_and_checks_goals() {
        let rows = vec![
            row("parse", "podspec", "k8s-json/small", 500.0),
            row("parse", "k8s-openapi", "k8s-json/small", 1_000.0),
            row("parse", "podspec", "hyper/small", 400.0),
            row("phase", "aggregate", "4-containers", 60.0),
            row("restart", "decide/exited-1", "", 12.0),
            row("convert", "to_domain", "k8s-web.yaml", 2_500.0),
        ];
        let t = table(&rows);
        assert!(t.contains("| parse/podspec/k8s-json/small | 500.0 ns |  | 0.50x k8s-openapi (1.00 µs) | <= k8s-openapi (k8s-json/small): met |"), "{t}");
        assert!(
            t.contains("| parse/podspec/hyper/small | 400.0 ns |  |  |  |"),
            "{t}"
        );
        assert!(t.contains("< 50 ns: NOT met"), "{t}");
        assert!(
            t.contains("| restart/decide/exited-1 | 12.0 ns |  |  | < 20 ns: met |"),
            "{t}"
        );
        // The conversion benchmarks (each example file to the domain) are rows of the table.
        assert!(
            t.contains("| convert/to_domain/k8s-web.yaml | 2.50 µs |  |  |  |"),
            "{t}"
        );
    }

    #[test]
    fn human_units() {
        assert_eq!(human(12.34), "12.3 ns");
        assert_eq!(human(1_500.0), "1.50 µs");
        assert_eq!(human(2_500_000.0), "2.50 ms");
    }
}
