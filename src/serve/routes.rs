//! The HTTP API and its safety layers: every request passes the Host/Origin guard, bodies are
//! capped at [`MAX_BODY`], posts must be JSON, and runs go through the bounded queue.
//!
//! - `GET /`, `/page.js`, `/page.css`: the page (embedded; nothing from the network).
//! - `GET /api/meta`: the bases (with their settings) and the levers' controls.
//! - `POST /api/run`: validate and queue a run -> `{ "job": id }` (400 with the error, 503 busy).
//! - `GET /api/job?id=N&seen=K`: a run's status, first figures, then all replications (`seen`:
//!   what the page already has, left out).
//! - `POST /api/scenario`: the scenario file `tokenmaxx run` reproduces the run from.
//! - `POST /api/report`: the report.html `tokenmaxx run` writes for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use tokenmaxx::projections::Projections;
use tokenmaxx::report::{charts, run_html};

use super::bases::Base;
use super::guard::Allowed;
use super::jobs::{Jobs, MAX_IN_FLIGHT, Work};
use super::request::{Composed, Refused, RunRequest};
use super::{levers, page};

/// Largest request body: a scenario's policy changes are a few KB.
pub const MAX_BODY: usize = 64 * 1024;

/// The server's state.
pub struct Served {
    bases: Vec<Base>,
    allowed: Allowed,
    jobs: Arc<Jobs>,
    meta: serde_json::Value,
    report_busy: AtomicBool,
    reports: AtomicU64,
    /// The calibrated priors a run draws from when asked, read and checked once at start.
    priors: Result<Option<tokenmaxx::compare::Priors>, String>,
}

impl Served {
    pub fn new(bases: Vec<Base>, allowed: Allowed) -> Served {
        let meta = json!({
            "bases": bases.iter().map(|b| &b.shown).collect::<Vec<_>>(),
            "levers": levers::controls(),
            "caps": {
                "employees": super::request::MAX_EMPLOYEES,
                "weeks": super::request::MAX_WEEKS,
                "replications": super::request::MAX_REPLICATIONS,
            },
        });
        Served {
            bases,
            allowed,
            jobs: Arc::new(Jobs::default()),
            meta,
            report_busy: AtomicBool::new(false),
            reports: AtomicU64::new(0),
            priors: tokenmaxx::compare::Priors::load("calibrated").map_err(|e| e.to_string()),
        }
    }
}

type Shared = Arc<Served>;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(|| async { page::page() }))
        .route("/page.js", get(|| async { page::script() }))
        .route("/page.css", get(|| async { page::style() }))
        .route("/api/meta", get(meta))
        .route("/api/run", post(run))
        .route("/api/job", get(job))
        .route("/api/scenario", post(scenario))
        .route("/api/report", post(report))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Refuse foreign Host/Origin, and posts that are not JSON (a form or plain-text post from
/// another page cannot reach the API even without an Origin header).
async fn guard(State(s): State<Shared>, req: Request, next: Next) -> Response {
    if let Some(why) = s.allowed.refusal(req.headers()) {
        return error(StatusCode::FORBIDDEN, why);
    }
    if req.method() == axum::http::Method::POST && !is_json(req.headers()) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a request body must be JSON (Content-Type: application/json)".into(),
        );
    }
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn is_json(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        })
}

fn error(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn refused(r: Refused) -> Response {
    error(StatusCode::BAD_REQUEST, r.0)
}

async fn meta(State(s): State<Shared>) -> Response {
    axum::Json(s.meta.clone()).into_response()
}

/// The request's scenario and baseline, composed and validated.
fn compose(s: &Served, body: &[u8]) -> Result<(RunRequest, Composed, Option<Composed>), Refused> {
    let req = RunRequest::parse(body)?;
    let scenario = req.compose(&req.scenario, &s.bases)?;
    let baseline = match &req.baseline {
        Some(b) => Some(
            req.compose(b, &s.bases)
                .map_err(|r| Refused(format!("baseline: {}", r.0)))?,
        ),
        None => None,
    };
    Ok((req, scenario, baseline))
}

async fn run(State(s): State<Shared>, body: Bytes) -> Response {
    let (req, scenario, baseline) = match compose(&s, &body) {
        Ok(c) => c,
        Err(r) => return refused(r),
    };
    let priors = match (req.priors, &s.priors) {
        (true, Ok(p)) => p.clone(),
        (true, Err(e)) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.clone()),
        (false, _) => None,
    };
    let work = Work {
        scenario,
        baseline,
        replications: req.replications as u32,
        seed: req.seed,
        priors,
    };
    match s.jobs.submit(work, req.tab) {
        Some(id) => (StatusCode::ACCEPTED, axum::Json(json!({ "job": id }))).into_response(),
        None => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("busy: {MAX_IN_FLIGHT} runs are already queued or running; try again shortly"),
        ),
    }
}

#[derive(Deserialize)]
struct JobQuery {
    id: u64,
    /// What the page already has: 1 the first figures, 2 all replications' (left out of the
    /// answer, so polling does not resend the charts).
    #[serde(default)]
    seen: u8,
}

async fn job(State(s): State<Shared>, Query(q): Query<JobQuery>) -> Response {
    match s.jobs.status(q.id) {
        Some(mut status) => {
            if q.seen >= 1 {
                status.first = None;
            }
            if q.seen >= 2 {
                status.all = None;
            }
            axum::Json(status).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "no such run (finished runs are kept a short while)".into(),
        ),
    }
}

/// The file name a scenario is downloaded as: its name, with anything but letters, digits, `-`,
/// `_` and `.` replaced.
pub fn file_name(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    format!("{}.toml", if stem.is_empty() { "scenario" } else { stem })
}

fn attachment(body: String, content_type: &'static str, file: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file}\"");
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn scenario(State(s): State<Shared>, body: Bytes) -> Response {
    match compose(&s, &body) {
        Ok((_, c, _)) => attachment(
            c.text,
            "application/toml; charset=utf-8",
            &file_name(&c.name),
        ),
        Err(r) => refused(r),
    }
}

async fn report(State(s): State<Shared>, body: Bytes) -> Response {
    let c = match compose(&s, &body) {
        Ok((_, c, _)) => c,
        Err(r) => return refused(r),
    };
    if s.report_busy.swap(true, Ordering::SeqCst) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy: a report is being written; try again shortly".into(),
        );
    }
    let n = s.reports.fetch_add(1, Ordering::SeqCst);
    let served = s.clone();
    let out = tokio::task::spawn_blocking(move || served.jobs.alone(|| report_html(&c, n))).await;
    s.report_busy.store(false, Ordering::SeqCst);
    match out {
        Ok(Ok(html)) => attachment(html, "text/html; charset=utf-8", "report.html"),
        Ok(Err(e)) => error(StatusCode::UNPROCESSABLE_ENTITY, e),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the report failed (a bug: please report it)".into(),
        ),
    }
}

/// The report.html `tokenmaxx run FILE` writes for the composed scenario (FILE: the name the
/// scenario downloads as), its PNG charts drawn in a private temporary folder.
fn report_html(c: &Composed, n: u64) -> Result<String, String> {
    let p: Projections = tokenmaxx::simulate(&c.scenario, 0);
    if let Some(what) = tokenmaxx::projections::finite::non_finite(&p) {
        return Err(format!(
            "the run produced a non-finite {what}: a parameter is too extreme for the model"
        ));
    }
    let dir = std::env::temp_dir().join(format!("tokenmaxx-serve-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let html = std::fs::create_dir(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| charts::write_all(&dir, &p).map_err(|e| e.to_string()))
        .and_then(|_| {
            let command = format!("tokenmaxx run {}", file_name(&c.name));
            run_html::build(&p, &c.scenario, Some(&dir), &command)
                .map(|r| r.render())
                .map_err(|e| e.to_string())
        });
    let _ = std::fs::remove_dir_all(&dir);
    html
}
