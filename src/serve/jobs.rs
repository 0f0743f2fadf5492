//! Runs on the server: a bounded queue (at most [`MAX_IN_FLIGHT`] runs queued or running, one
//! running at a time), cancellation of stale runs (a newer run of the same page sets the older
//! one's flag, checked before every week), and what a run leaves for the page: first the
//! figures of replication 0 (what `tokenmaxx run` prints), then the replications' bands and the
//! paired difference against the pinned baseline (common random numbers, as `compare`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokenmaxx::compare::{Compare, Compared, Comparison, RunOut, run_out};
use tokenmaxx::engine::Progress;
use tokenmaxx::projections::Projections;
use tokenmaxx::report::charts::{Bands, svg_all};
use tokenmaxx::report::html::{figure_label, figure_text, interval_text};
use tokenmaxx::scenario::{Scenario, Source};

use super::request::Composed;

/// Most runs queued or running at once; more are refused (the page retries on its next change).
pub const MAX_IN_FLIGHT: usize = 4;
/// Finished runs kept for the page to read.
const KEPT: usize = 16;

/// A cancellation flag, read by the engine before each week.
#[derive(Debug, Default)]
pub struct Cancel(AtomicBool);

impl Progress for Cancel {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the page reads of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: &'static str,
    pub replications: u32,
    pub replications_done: u32,
    /// Replication 0: headline, charts, figures.
    pub first: Option<First>,
    /// All replications: charts with bands, figures with intervals and against the baseline.
    pub all: Option<All>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct First {
    pub headline: Vec<String>,
    pub charts: Vec<String>,
    pub net_value_per_employee_year_usd: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct All {
    pub charts: Vec<String>,
    pub figures: Vec<FigureRow>,
    pub baseline: bool,
}

/// One figure over the replications, and against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRow {
    pub name: &'static str,
    pub label: String,
    pub mean: String,
    pub interval: String,
    pub diff: Option<String>,
    pub diff_interval: Option<String>,
    pub diff_mean: Option<f64>,
    pub share_better: Option<f64>,
}

struct Job {
    cancel: Arc<Cancel>,
    status: Mutex<Status>,
}

/// The server's runs.
#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    in_flight: AtomicUsize,
    /// One run at a time: the engine uses every core.
    runner: Mutex<()>,
    kept: Mutex<VecDeque<(u64, Arc<Job>)>>,
    /// Each page's latest run's flag.
    lanes: Mutex<HashMap<String, Arc<Cancel>>>,
}

/// What a run needs: the scenario, the baseline if pinned, and the replications.
pub struct Work {
    pub scenario: Composed,
    pub baseline: Option<Composed>,
    pub replications: u32,
    pub seed: u64,
    /// Priors over the unanchored parameters (replication `r` of every scenario draws the same).
    pub priors: Option<tokenmaxx::compare::Priors>,
}

impl Jobs {
    /// Queue a run and return its id; `None` when [`MAX_IN_FLIGHT`] runs are already in flight.
    /// A run of the same `tab` still queued or running is cancelled either way.
    pub fn submit(self: &Arc<Self>, work: Work, tab: Option<String>) -> Option<u64> {
        // The page's older run is stale whether or not this one finds room.
        let cancel = Arc::new(Cancel::default());
        if let Some(tab) = tab {
            let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
            if lanes.len() >= 256 {
                lanes.clear();
            }
            if let Some(old) = lanes.insert(tab, cancel.clone()) {
                old.0.store(true, Ordering::Relaxed);
            }
        }
        let n = self.in_flight.fetch_add(1, Ordering::SeqCst);
        if n >= MAX_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let job = Arc::new(Job {
            cancel,
            status: Mutex::new(Status {
                state: "queued",
                replications: work.replications,
                ..Status::default()
            }),
        });
        {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.push_back((id, job.clone()));
            while kept.len() > KEPT {
                kept.pop_front();
            }
        }
        let jobs = self.clone();
        tokio::task::spawn_blocking(move || {
            jobs.execute(&job, &work);
            jobs.in_flight.fetch_sub(1, Ordering::SeqCst);
        });
        Some(id)
    }

    /// A run's status, if it is still kept.
    pub fn status(&self, id: u64) -> Option<Status> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, j)| j.status.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Run `f` alone (the report's run takes the same turn as the page's runs).
    pub fn alone<T>(&self, f: impl FnOnce() -> T) -> T {
        let _turn = self.runner.lock().unwrap_or_else(|e| e.into_inner());
        f()
    }

    fn execute(&self, job: &Job, work: &Work) {
        let set =
            |f: &dyn Fn(&mut Status)| f(&mut job.status.lock().unwrap_or_else(|e| e.into_inner()));
        let outcome = self.alone(|| {
            if job.cancel.cancelled() {
                return Err(None);
            }
            set(&|s| s.state = "running");
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run(work, &job.cancel, &|status| {
                    set(&|s| merge(s, status.clone()))
                })
            }));
            run.unwrap_or_else(|_| Err(Some("the run panicked (a bug: please report it)".into())))
        });
        set(&|s| match &outcome {
            Ok(()) => s.state = "done",
            Err(None) => s.state = "cancelled",
            Err(Some(e)) => {
                s.state = "failed";
                s.error = Some(e.clone());
            }
        });
    }
}

fn merge(s: &mut Status, new: Status) {
    s.replications_done = new.replications_done;
    if new.first.is_some() {
        s.first = new.first;
    }
    if new.all.is_some() {
        s.all = new.all;
    }
}

/// `Err(None)`: cancelled; `Err(Some(message))`: failed.
type Outcome = Result<(), Option<String>>;

/// Run replication 0 of the scenario (reported at once: what `tokenmaxx run` gives), then the
/// other replications of it and of the baseline, in replication order (with priors, every
/// replication draws its parameters, the scenario's replication 0 included).
fn run(work: &Work, cancel: &Cancel, report: &dyn Fn(&Status)) -> Outcome {
    let first = simulate(&work.scenario.scenario, 0, cancel)?;
    let charts = svg_all(&first, &Bands::default()).map_err(|e| Some(e.to_string()))?;
    report(&Status {
        first: Some(First {
            headline: first.summary.headline(),
            charts: charts.clone(),
            net_value_per_employee_year_usd: first.summary.net_value_per_employee_year_usd,
        }),
        ..Status::default()
    });
    let compare = comparison(work)?;
    let current = compare.scenarios.len() - 1;
    let mut runs: Vec<RunOut> = Vec::new();
    for r in 0..work.replications {
        for i in 0..compare.scenarios.len() {
            // Replication 0 of the scenario is the first run, unless priors redraw it.
            let p = if i == current && r == 0 && work.priors.is_none() {
                None
            } else {
                let s = compare.scenario(i, r).map_err(|e| Some(e.to_string()))?;
                Some(simulate(&s, r, cancel)?)
            };
            runs.push(run_out(i, r, p.as_ref().unwrap_or(&first)));
        }
        report(&Status {
            replications_done: r + 1,
            ..Status::default()
        });
    }
    let all = summarise(&compare, &runs, &first, charts, work.baseline.is_some())?;
    report(&Status {
        replications_done: work.replications,
        all: Some(all),
        ..Status::default()
    });
    Ok(())
}

fn simulate(s: &Scenario, r: u32, cancel: &Cancel) -> Result<Projections, Option<String>> {
    let p = tokenmaxx::simulate_cancellable(s, r, cancel).ok_or(None)?;
    match tokenmaxx::projections::finite::non_finite(&p) {
        None => Ok(p),
        Some(what) => Err(Some(format!(
            "the run produced a non-finite {what}: a parameter is too extreme for the model"
        ))),
    }
}

/// The comparison `compare` would run: the baseline first (if pinned), then the scenario, from
/// their composed texts, at the request's seed.
fn comparison(work: &Work) -> Result<Compare, Option<String>> {
    let source = |c: &Composed| {
        Compared::new(
            c.name.clone(),
            Source::Text {
                name: c.name.clone(),
                text: c.text.clone(),
            },
        )
        .map_err(|e| Some(e.to_string()))
    };
    let mut scenarios = work
        .baseline
        .iter()
        .map(source)
        .collect::<Result<Vec<_>, _>>()?;
    scenarios.push(source(&work.scenario)?);
    Ok(Compare {
        name: "serve".into(),
        scenarios,
        baseline: 0,
        replications: work.replications,
        seed: work.seed,
        employees: None,
        weeks: None,
        priors: work.priors.clone(),
        horizons: None,
    })
}

/// A 95% interval of a difference, signed ("-$3 to +$5"), or why there is none.
fn change_interval(name: &str, low: f64, high: f64) -> String {
    if low.is_finite() && high.is_finite() {
        format!(
            "{} to {}",
            figure_text(name, low, true),
            figure_text(name, high, true)
        )
    } else {
        "none (fewer than two replications)".into()
    }
}

/// The figures over replications and against the baseline, and the charts with bands (those of
/// the first figures when there are none).
fn summarise(
    compare: &Compare,
    runs: &[RunOut],
    first: &Projections,
    first_charts: Vec<String>,
    has_baseline: bool,
) -> Result<All, Option<String>> {
    let current = compare.scenarios.len() - 1;
    let mine: Vec<&RunOut> = runs.iter().filter(|r| r.scenario == current).collect();
    let band = |f: fn(&RunOut) -> &Vec<f64>| {
        let series: Vec<&[f64]> = mine.iter().map(|r| f(r).as_slice()).collect();
        Bands::spread(&series)
    };
    let bands = Bands {
        genuine_active: band(|r| &r.genuine_active),
        cost_usd: band(|r| &r.cost_usd),
        net_value_usd: band(|r| &r.net_value_usd),
    };
    // One replication has no bands: its charts are the first ones.
    let charts = match bands == Bands::default() {
        true => first_charts,
        false => svg_all(first, &bands).map_err(|e| Some(e.to_string()))?,
    };
    let cmp = Comparison::of(compare, runs);
    let figures = cmp
        .rows
        .iter()
        .filter(|row| row.scenario == current)
        .map(|row| FigureRow {
            name: row.figure,
            label: figure_label(row.figure),
            mean: figure_text(row.figure, row.stat.mean, false),
            interval: interval_text(row.figure, row.stat.ci_low, row.stat.ci_high),
            diff: row.diff.map(|d| figure_text(row.figure, d.mean, true)),
            diff_interval: row
                .diff
                .map(|d| change_interval(row.figure, d.ci_low, d.ci_high)),
            diff_mean: row.diff.map(|d| d.mean).filter(|v| v.is_finite()),
            share_better: row.share_better,
        })
        .collect();
    Ok(All {
        charts,
        figures,
        baseline: has_baseline,
    })
}
