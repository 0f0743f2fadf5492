//! `tokenmaxx serve`: the server started as a child on port 0, spoken to over loopback with a
//! plain TCP client (one request per connection).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{scratch, tokenmaxx};

/// A running server; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tokenmaxx serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// Send a request with extra headers; returns status, headers (lower-case names) and body.
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        // The server may answer (413) before reading a large body: a failed write is fine.
        let _ = s
            .write_all(head.as_bytes())
            .and_then(|()| s.write_all(body));
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        Reply::parse(&raw)
    }

    fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"")
    }

    fn post(&self, path: &str, body: &Value) -> Reply {
        let json = [("Content-Type", "application/json")];
        self.send("POST", path, &json, body.to_string().as_bytes())
    }

    /// Poll a run until it is over; its last status.
    fn wait(&self, job: u64) -> Value {
        let start = Instant::now();
        loop {
            let s = self.get(&format!("/api/job?id={job}")).json();
            if ["done", "failed", "cancelled"].contains(&s["state"].as_str().unwrap_or("")) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "run {job} never ended"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an HTTP response");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 4 + size..];
    }
}

/// A small run of amazon-2026 (base 1 among the built-ins) with a 90% target.
fn small_run(replications: u32, baseline: bool) -> Value {
    let target = json!({ "share": 0.9, "theta": 500000, "applies_to": ["developers"] });
    json!({
        "scenario": { "base": 1, "policy": { "target": target }, "timeline": [
            { "week": 6, "leaderboard": { "scope": "team", "visibility": "public" } }
        ] },
        "baseline": if baseline { json!({ "base": 1, "policy": {}, "timeline": [] }) } else { Value::Null },
        "seed": 7, "employees": 300, "weeks": 12, "replications": replications,
    })
}

#[test]
fn serve_shows_the_page_and_a_control_for_every_lever() {
    let server = Server::start(&[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Download as scenario"),
        "{}",
        page.text()
    );
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    assert!(!page.text().contains("http://") && !page.text().contains("https://"));
    let meta = server.get("/api/meta").json();
    let keys: Vec<&str> = meta["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, tokenmaxx::policy::PolicyChange::KEYS);
    assert_eq!(meta["bases"][1]["name"], "amazon-2026");
}

#[test]
fn serve_refuses_a_foreign_host_or_origin_and_what_is_not_json() {
    let server = Server::start(&[]);
    let rebinding = server.send(
        "GET",
        "/api/meta",
        &[("Host", "attacker.example:8080")],
        b"",
    );
    assert_eq!(rebinding.status, 403);
    assert!(
        !rebinding.text().contains("attacker"),
        "{}",
        rebinding.text()
    );
    let body = small_run(1, false).to_string();
    let cross_site = server.send(
        "POST",
        "/api/run",
        &[
            ("Origin", "http://attacker.example"),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    assert_eq!(cross_site.status, 403, "{}", cross_site.text());
    let form = server.send(
        "POST",
        "/api/run",
        &[("Content-Type", "text/plain")],
        body.as_bytes(),
    );
    assert_eq!(form.status, 415);
    let own = format!("http://{}", server.addr);
    let ok = server.send("GET", "/api/meta", &[("Origin", own.as_str())], b"");
    assert_eq!(ok.status, 200);
}

#[test]
fn serve_names_the_key_and_range_of_a_bad_value_and_caps_sizes() {
    let server = Server::start(&[]);
    let mut bad = small_run(1, false);
    bad["scenario"]["policy"]["target"]["share"] = json!(1.5);
    let r = server.post("/api/run", &bad);
    assert_eq!(r.status, 400);
    let e = r.json()["error"].as_str().unwrap().to_string();
    assert!(
        e.contains("policy.target.share") && e.contains("[0, 1]"),
        "{e}"
    );
    let mut big = small_run(1, false);
    big["employees"] = json!(300_000);
    let e = server.post("/api/run", &big).json()["error"].to_string();
    assert!(e.contains("employees") && e.contains("200000"), "{e}");
    let mut late = small_run(1, false);
    late["scenario"]["timeline"][0]["week"] = json!(40);
    let e = server.post("/api/run", &late).json()["error"].to_string();
    assert!(
        e.contains("timeline[0].week") && e.contains("[0, 11]"),
        "{e}"
    );
    let mut typed = small_run(1, false);
    typed["scenario"]["policy"]["target"]["theta"] = json!("someone@example.com");
    let e = server.post("/api/run", &typed).json()["error"].to_string();
    assert!(e.contains("policy.target.theta") && !e.contains('@'), "{e}");
    let mut week = small_run(1, false);
    week["scenario"]["timeline"][0]["week"] = json!("soon");
    let e = server.post("/api/run", &week).json()["error"].to_string();
    assert!(e.contains("timeline[0].week") && !e.contains("soon"), "{e}");
    // a lever set by one of its words takes only those words (never echoing another)
    let mut metric = small_run(1, false);
    metric["scenario"]["policy"]["outcome_metrics"] = json!("someone@example.com");
    let e = server.post("/api/run", &metric).json()["error"].to_string();
    assert!(
        e.contains("policy.outcome_metrics") && e.contains("cycle-time") && !e.contains('@'),
        "{e}"
    );
    metric["scenario"]["policy"]["outcome_metrics"] = json!("cycle-time");
    assert_eq!(server.post("/api/run", &metric).status, 202, "accepted");
    let mut foreign = small_run(1, false);
    foreign["scenario"]["base"] = json!(99);
    assert_eq!(server.post("/api/run", &foreign).status, 400);
    let huge = vec![b' '; 200 * 1024];
    let r = server.send(
        "POST",
        "/api/run",
        &[("Content-Type", "application/json")],
        &huge,
    );
    assert_eq!(r.status, 413);
    // The server keeps serving.
    assert_eq!(server.get("/api/meta").status, 200);
}

#[test]
fn serve_runs_first_figures_then_replications_against_the_baseline() {
    let server = Server::start(&[]);
    let r = server.post("/api/run", &small_run(3, true));
    assert_eq!(r.status, 202, "{}", r.text());
    let s = server.wait(r.json()["job"].as_u64().unwrap());
    assert_eq!(s["state"], "done", "{s}");
    assert_eq!(s["replications_done"], 3);
    let headline = s["first"]["headline"][0].as_str().unwrap();
    assert!(
        headline.starts_with("amazon-2026 (300 employees, 12 weeks, seed 7)"),
        "{headline}"
    );
    // The base's description named its own policies; the changed ones are described anew.
    let changed = "amazon-2026 with changes: target 90%; week 6: leaderboard team public";
    assert!(headline.ends_with(changed), "{headline}");
    let charts = s["all"]["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 5);
    assert!(
        charts
            .iter()
            .all(|c| c.as_str().unwrap().starts_with("<svg"))
    );
    let net = &s["all"]["figures"][0];
    assert_eq!(net["name"], "net_value_per_employee_year_usd");
    assert!(net["diff_mean"].as_f64().is_some_and(|d| d != 0.0), "{net}");
}

#[test]
fn serve_cancels_a_stale_run_and_bounds_its_queue() {
    let server = Server::start(&[]);
    let mut long = small_run(1, false);
    long["employees"] = json!(100_000);
    long["weeks"] = json!(104);
    long["tab"] = json!("page-1");
    let first = server.post("/api/run", &long).json()["job"]
        .as_u64()
        .unwrap();
    let mut newer = small_run(1, false);
    newer["tab"] = json!("page-1");
    let second = server.post("/api/run", &newer).json()["job"]
        .as_u64()
        .unwrap();
    assert_eq!(server.wait(first)["state"], "cancelled");
    assert_eq!(server.wait(second)["state"], "done");
    // Four in flight at most: of six long runs from different pages, some are refused.
    let statuses: Vec<u16> = (0..6)
        .map(|k| {
            let mut run = long.clone();
            run["tab"] = json!(format!("page-{k}-b"));
            server.post("/api/run", &run).status
        })
        .collect();
    assert!(
        statuses.contains(&503) && statuses.contains(&202),
        "{statuses:?}"
    );
}

#[test]
fn serve_downloads_a_scenario_that_run_reproduces_and_its_report() {
    let server = Server::start(&[]);
    let req = small_run(1, false);
    let toml = server.post("/api/scenario", &req);
    assert_eq!(toml.status, 200);
    assert!(
        toml.header("content-disposition")
            .unwrap()
            .contains("amazon-2026.toml")
    );
    let report = server.post("/api/report", &req);
    assert_eq!(report.status, 200, "{}", report.text());
    let job = server.post("/api/run", &req).json()["job"]
        .as_u64()
        .unwrap();
    let served = server.wait(job);

    let dir = scratch("serve-download");
    std::fs::write(dir.join("amazon-2026.toml"), &toml.body).unwrap();
    let out = tokenmaxx(&dir, &["run", "amazon-2026.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run_dir = dir.join("output/amazon-2026");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        summary["net_value_per_employee_year_usd"].as_f64(),
        served["first"]["net_value_per_employee_year_usd"].as_f64()
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    for line in served["first"]["headline"].as_array().unwrap() {
        assert!(
            printed.contains(line.as_str().unwrap()),
            "{line} not in {printed}"
        );
    }
    let written = std::fs::read(run_dir.join("report.html")).unwrap();
    assert!(written == report.body, "report.html differs from run's");
}

#[test]
fn serve_page_in_a_browser_shows_the_figures_run_prints() {
    use crate::html::{Mode, browse_url};
    let server = Server::start(&[]);
    let work = scratch("serve-browser");
    let url = format!("http://{}/", server.addr);
    let wait = ["--virtual-time-budget=90000"];
    let Some((dom, console)) = browse_url(&url, &work, &Mode::DumpDom, &wait) else {
        return;
    };
    assert!(console.is_empty(), "the page logged: {console:?}");
    assert!(dom.contains("data-state=\"done\""), "{dom}");
    let net: f64 = dom
        .split("data-net=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no headline figure in {dom}"));
    // The page starts from amazon-2026 as it is: the figure `tokenmaxx run amazon-2026` writes.
    let out = tokenmaxx(
        &work,
        &[
            "run",
            "amazon-2026",
            "--quiet",
            "--no-charts",
            "--out",
            "run",
        ],
    );
    assert!(out.status.success());
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("run/summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        summary["net_value_per_employee_year_usd"].as_f64(),
        Some(net)
    );
    assert_eq!(dom.matches("<img alt=").count(), 5, "five charts");
}

/// Resident memory of a process in MiB (Linux), if readable.
fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[test]
fn serve_stays_responsive_under_a_bounded_load() {
    // Six clients on loopback for four seconds, each asking for the page's data and a run in a
    // loop: every answer comes, the data within two seconds, and memory stays bounded.
    const CLIENTS: usize = 6;
    let server = Server::start(&[]);
    let pid = server.child.id();
    let stop = Instant::now() + Duration::from_secs(4);
    let results: Vec<(Duration, usize, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|k| {
                let server = &server;
                scope.spawn(move || {
                    let (mut worst, mut requests, mut busy) = (Duration::ZERO, 0, 0);
                    while Instant::now() < stop {
                        let t = Instant::now();
                        assert_eq!(server.get("/api/meta").status, 200);
                        worst = worst.max(t.elapsed());
                        let mut run = small_run(2, true);
                        run["tab"] = json!(format!("load-{k}"));
                        let r = server.post("/api/run", &run);
                        assert!(r.status == 202 || r.status == 503, "{}", r.text());
                        busy += usize::from(r.status == 503);
                        requests += 2;
                    }
                    (worst, requests, busy)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let worst = results.iter().map(|r| r.0).max().unwrap();
    let requests: usize = results.iter().map(|r| r.1).sum();
    let busy: usize = results.iter().map(|r| r.2).sum();
    let rss = rss_mib(pid);
    eprintln!(
        "load: {CLIENTS} clients x 4 s: {requests} requests, {busy} runs refused as busy, slowest page data {worst:?}, server memory {rss:?} MiB"
    );
    assert!(worst < Duration::from_secs(2), "slowest answer {worst:?}");
    assert!(rss.is_none_or(|m| m < 1024.0), "server memory {rss:?} MiB");
    assert_eq!(server.get("/api/meta").status, 200, "still serving");
}

#[test]
fn serve_draws_the_unanchored_parameters_from_priors_when_asked() {
    let server = Server::start(&[]);
    let mean_net = |priors: bool| {
        let mut run = small_run(3, true);
        run["priors"] = json!(priors);
        let job = server.post("/api/run", &run).json()["job"]
            .as_u64()
            .unwrap();
        let s = server.wait(job);
        assert_eq!(s["state"], "done", "{s}");
        (
            s["all"]["figures"][0]["mean"].as_str().unwrap().to_string(),
            s["first"]["net_value_per_employee_year_usd"]
                .as_f64()
                .unwrap(),
        )
    };
    let (plain, first_plain) = mean_net(false);
    let (drawn, first_drawn) = mean_net(true);
    assert_ne!(plain, drawn, "priors change the replications' parameters");
    assert_eq!(
        first_plain, first_drawn,
        "the first figures stay those of `run`"
    );
}

#[test]
fn serve_offers_the_files_named_at_start_up_and_refuses_a_bad_one() {
    let dir = scratch("serve-files");
    let org = dir.join("org.toml");
    std::fs::write(
        &org,
        "extends = \"amazon-2026\"\nname = \"our-org\"\nemployees = 400\n",
    )
    .unwrap();
    let server = Server::start(&[org.to_str().unwrap()]);
    let meta = server.get("/api/meta").json();
    let last = meta["bases"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["name"], "our-org");
    assert_eq!(last["employees"], 400);
    assert!(
        last["from"].as_str().unwrap().ends_with("org.toml"),
        "{last}"
    );
    drop(server);

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[behaviour]\nnorm_weight = 1.5\n").unwrap();
    let out = tokenmaxx(&dir, &["serve", "--port", "0", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("bad.toml") && e.contains("behaviour.norm_weight"),
        "{e}"
    );
}
