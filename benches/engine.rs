//! Criterion benches of the engine, the event store, the projections and the sweep runner.
//! Throughput is in agent-weeks (`Throughput::Elements`). Run with `cargo bench`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tokenmaxx::engine::Simulation;
use tokenmaxx::events::store::EventWriter;
use tokenmaxx::fold::EventSink;
use tokenmaxx::projections::Projector;
use tokenmaxx::scenario::{Overrides, Scenario, Source};

fn scenario(employees: i64, weeks: i64) -> Scenario {
    let o = Overrides {
        employees: Some(employees),
        weeks: Some(weeks),
        ..Overrides::default()
    };
    Scenario::load_with(&Source::Builtin("amazon-2026".into()), &o)
        .expect("built-in loads")
        .0
}

/// One weekly step in the leaderboard phase (week 8 of amazon-2026), from a state run up to it.
fn weekly_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("weekly_step");
    g.sample_size(10);
    for employees in [10_000i64, 1_000_000] {
        let s = scenario(employees, 9);
        let mut warm = Simulation::new(&s, 0);
        for _ in 0..8 {
            warm.step();
        }
        let state = warm.into_state();
        g.throughput(Throughput::Elements(employees as u64));
        g.bench_function(format!("{employees}"), |b| {
            b.iter_batched(
                || {
                    // A clone shares last week's columns (copy on write); a running engine's
                    // state is their only holder, so the step writes into them without a copy.
                    let mut st = state.clone();
                    for c in [
                        &mut st.last_genuine,
                        &mut st.last_padding,
                        &mut st.last_bot,
                        &mut st.last_output,
                    ] {
                        *c = c.to_vec().into();
                    }
                    Simulation::resume(&s, 0, st)
                },
                |mut sim| sim.step(),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// A whole 52-week run with projections at 10,000 employees.
fn whole_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("run_52_weeks");
    g.sample_size(10);
    let s = scenario(10_000, 52);
    g.throughput(Throughput::Elements(10_000 * 52));
    g.bench_function("10000", |b| b.iter(|| tokenmaxx::simulate(&s, 0)));
    g.finish();
}

/// Writing the event log of a 10,000 x 12 run to events.parquet.
fn event_log_write(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_log_write");
    g.sample_size(10);
    let s = scenario(10_000, 12);
    let (_, log) = tokenmaxx::simulate_with_log(&s, 0);
    let mut state = tokenmaxx::fold::State::new(&s);
    for b in &log.weeks {
        state.apply_week(&s, b);
    }
    let path = std::env::temp_dir().join(format!("tokenmaxx-bench-{}.parquet", std::process::id()));
    g.throughput(Throughput::Elements(10_000 * 12));
    g.bench_function("10000x12", |b| {
        b.iter(|| {
            let mut w = EventWriter::create(&path, &s, 0).expect("writable temp file");
            for batch in &log.weeks {
                w.week(&s, batch, &state);
            }
            w.finish().expect("written")
        })
    });
    let _ = std::fs::remove_file(&path);
    g.finish();
}

/// Folding a stored 10,000 x 52 log into the projections (replay without the engine).
fn projections(c: &mut Criterion) {
    let mut g = c.benchmark_group("projections");
    g.sample_size(10);
    let s = scenario(10_000, 52);
    let (_, log) = tokenmaxx::simulate_with_log(&s, 0);
    g.throughput(Throughput::Elements(10_000 * 52));
    g.bench_function("replay_10000x52", |b| {
        b.iter(|| {
            let mut p = Projector::new(0);
            tokenmaxx::replay::replay_state(&s, &log, &mut [&mut p]).unwrap();
            p.finish(&s)
        })
    });
    g.finish();
}

/// The sweep runner on 50 small runs (25 points x 2 replications, 500 employees x 26 weeks).
fn sweep_runner(c: &mut Criterion) {
    let mut g = c.benchmark_group("sweep_runner");
    g.sample_size(10);
    let dir = std::env::temp_dir().join(format!("tokenmaxx-bench-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("small.toml"), "extends = \"target-only\"\nemployees = 500\nweeks = 26\n[[timeline]]\nweek = 4\nleaderboard = { scope = \"org\", visibility = \"public\" }\n").expect("write");
    let text = "base = \"small.toml\"\nreplications = 2\nmethod = \"lhs\"\nsamples = 25\n[parameters]\n\"behaviour.status_weight\" = { low = 0.0, high = 4.0 }\n";
    let sweep =
        tokenmaxx::sweep::Sweep::parse(text, &dir.join("sweep.toml")).expect("a valid sweep");
    let ids: Vec<u64> = (0..sweep.runs()).collect();
    g.throughput(Throughput::Elements(50 * 500 * 26));
    g.bench_function("50_runs", |b| {
        b.iter(|| {
            let n = std::sync::atomic::AtomicU64::new(0);
            tokenmaxx::sweep::run_many(&sweep, &ids, &|_| {
                n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            });
            n.into_inner()
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
}

criterion_group!(
    benches,
    weekly_step,
    whole_run,
    event_log_write,
    projections,
    sweep_runner
);
criterion_main!(benches);
