//! `tokenmaxx bench`: a fixed set of sizes at 1 thread and at all threads, each in its own
//! process (so peak memory is that run's), printed as a table (or JSON).

use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Serialize};
use tokenmaxx::engine::{NoProgress, Simulation};
use tokenmaxx::projections::Projector;
use tokenmaxx::scenario::{Overrides, Scenario, Source};

use super::bench_log::{self, LogFigures};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Employee counts to run (52 weeks of amazon-2026 each).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<i64>,
    /// Weeks per run.
    #[arg(long, default_value_t = 52)]
    weeks: i64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also print where each run's time went, phase by phase of the weekly step.
    #[arg(long)]
    phases: bool,
    /// Also measure, at all threads, each size with its event log written (as `run --events`
    /// does, to a scratch folder removed afterwards) and the replay of that log.
    #[arg(long)]
    events: bool,
    /// Internal: run one configuration in this process and print its measurement.
    #[arg(long, hide = true)]
    child: bool,
    /// Internal: the thread count of a child run (at least 1: the pool is every command's,
    /// `super::thread_pool`).
    #[arg(long, hide = true, default_value_t = 1)]
    threads: usize,
}

/// One measured configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    pub employees: i64,
    pub weeks: i64,
    pub threads: usize,
    pub seconds: f64,
    pub agent_weeks_per_second: f64,
    pub peak_bytes: u64,
    pub bytes_per_agent: f64,
    /// Speed over the 1-thread run of the same size.
    pub speedup: Option<f64>,
    /// Per phase of the weekly step: wall seconds, and cores kept busy on average (see
    /// `tokenmaxx::engine::PhaseTimes`).
    pub phases: Vec<(String, f64, f64)>,
    /// With `--events`, on the all-threads row: the run with its log, and the log's replay.
    pub log: Option<LogFigures>,
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.child {
        return child(&args);
    }
    let all = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut threads = vec![1];
    if all > 1 {
        threads.push(all);
    }
    let exe = std::env::current_exe().context("locating the tokenmaxx binary")?;
    let mut results: Vec<Measurement> = Vec::new();
    if !args.json {
        println!(
            "amazon-2026, {} weeks, no event log, no reports; each row is its own process",
            args.weeks
        );
        println!(
            "{:>10} {:>7} {:>9} {:>16} {:>8} {:>11} {:>12}",
            "employees",
            "threads",
            "seconds",
            "agent-weeks/s",
            "speed-up",
            "peak MB",
            "bytes/agent"
        );
    }
    for &n in &args.sizes {
        for &t in &threads {
            let mut m: Measurement = child_result(&exe, &args, n, t, false)?;
            if args.events && t == all {
                let mut f: LogFigures = child_result(&exe, &args, n, t, true)?;
                f.over_run = Some(f.seconds / m.seconds);
                m.log = Some(f);
            }
            m.speedup = results
                .iter()
                .find(|r| r.employees == n && r.threads == 1)
                .map(|r| m.agent_weeks_per_second / r.agent_weeks_per_second);
            if !args.json {
                println!(
                    "{:>10} {:>7} {:>9.2} {:>16} {:>8} {:>11.0} {:>12.0}",
                    m.employees,
                    m.threads,
                    m.seconds,
                    format!("{:.2}M", m.agent_weeks_per_second / 1e6),
                    m.speedup
                        .map(|s| format!("{s:.2}x"))
                        .unwrap_or_else(|| "-".into()),
                    m.peak_bytes as f64 / 1e6,
                    m.bytes_per_agent
                );
            }
            if args.phases && !args.json {
                print_phases(&m);
            }
            results.push(m);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else if args.events {
        bench_log::print_header();
        for m in &results {
            if let Some(f) = &m.log {
                bench_log::print_row(m.employees, f);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Run one configuration in a child process of its own and read its JSON result: a
/// [`Measurement`], or with `events` a [`LogFigures`].
fn child_result<T: serde::de::DeserializeOwned>(
    exe: &std::path::Path,
    args: &BenchArgs,
    employees: i64,
    threads: usize,
    events: bool,
) -> anyhow::Result<T> {
    let mut command = Command::new(exe);
    command.args([
        "bench",
        "--child",
        "--sizes",
        &employees.to_string(),
        "--weeks",
        &args.weeks.to_string(),
        "--threads",
        &threads.to_string(),
    ]);
    if events {
        command.arg("--events");
    }
    let out = command.output().context("running a bench child")?;
    anyhow::ensure!(
        out.status.success(),
        "bench child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).context("reading a bench child's result")
}

fn child(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let n = *args.sizes.first().context("a size")?;
    let o = Overrides {
        employees: Some(n),
        weeks: Some(args.weeks),
        ..Overrides::default()
    };
    let (s, _) = Scenario::load_with(&Source::Builtin("amazon-2026".into()), &o)?;
    let pool = super::thread_pool(Some(args.threads))?;
    if args.events {
        let f = bench_log::measure(&s, &pool)?;
        println!("{}", serde_json::to_string(&f)?);
        return Ok(ExitCode::SUCCESS);
    }
    let start = Instant::now();
    let (p, times) = pool.install(|| {
        let mut projector = Projector::new(0);
        let mut sim = Simulation::new(&s, 0);
        sim.run(&mut [&mut projector], &NoProgress);
        let times = sim.times();
        drop(sim); // as `simulate` does: the state is gone before the projections finish
        (projector.finish(&s), times)
    });
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(&p);
    let peak_bytes = vm_hwm_bytes().unwrap_or(0);
    let m = Measurement {
        employees: n,
        weeks: args.weeks,
        threads: args.threads,
        seconds,
        agent_weeks_per_second: (n * args.weeks) as f64 / seconds,
        peak_bytes,
        bytes_per_agent: peak_bytes as f64 / n as f64,
        speedup: None,
        phases: times
            .named()
            .iter()
            .map(|(name, d)| (name.to_string(), d.wall.as_secs_f64(), d.cores()))
            .collect(),
        log: None,
    };
    println!("{}", serde_json::to_string(&m)?);
    Ok(ExitCode::SUCCESS)
}

/// One indented line of phase times (and cores kept busy) under a measurement's row.
fn print_phases(m: &Measurement) {
    let parts: Vec<String> = m
        .phases
        .iter()
        .map(|(name, secs, cores)| format!("{name} {secs:.2} s ({cores:.1} cores)"))
        .collect();
    println!("{:>18}{}", "", parts.join(", "));
}

/// Peak resident memory of this process (VmHWM), in bytes.
pub(super) fn vm_hwm_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}
