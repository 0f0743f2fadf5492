//! Criterion benches of the engine. Throughput is in agent-weeks (`Throughput::Elements`).
//! Run with `cargo bench`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokenmaxx::engine::Simulation;
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
                || Simulation::resume(&s, 0, state.clone()),
                |mut sim| sim.step(),
                criterion::BatchSize::LargeInput,
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

criterion_group!(benches, weekly_step, whole_run);
criterion_main!(benches);
