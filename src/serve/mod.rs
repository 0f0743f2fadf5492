//! `tokenmaxx serve`: a local web server with one page on which the people who set an
//! AI-adoption policy move its levers and see the consequences (docs/guide/serve.md).
//!
//! The server is a front end like the CLI: it composes a scenario from a base and the page's
//! settings, validates it exactly as a file is validated, runs it with the library and draws the
//! run's charts with the library's chart code (as SVG). Submodules: [`bases`] (what the page may
//! start from, read once at start-up), [`request`] (a request to a scenario, with the server's
//! caps), [`jobs`] (the bounded queue, cancellation of stale runs, the results), [`guard`]
//! (Host/Origin checks), [`routes`] (the HTTP API) and [`page`] (the embedded page).

mod bases;
mod guard;
mod jobs;
mod levers;
mod page;
mod request;
mod routes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use crate::user_error::UserError;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario files (or built-in names) the page may start from, besides the built-ins; a
    /// fitted org.toml from `tokenmaxx fit` included. Read once, at start-up.
    scenarios: Vec<String>,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0). There is no authentication:
    /// anyone who can reach the address can run simulations.
    #[arg(long)]
    host: Option<IpAddr>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let bases = bases::load(&args.scenarios)?;
    let ip = args.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, args.port))
            .await
            .map_err(|e| UserError(format!("cannot listen on {ip} port {}: {e}", args.port)))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        if !ip.is_loopback() {
            eprintln!(
                "warning: listening on {ip}, not loopback: there is no authentication, so anyone who can reach this address can run simulations on this machine"
            );
        }
        let state = Arc::new(routes::Served::new(bases, guard::Allowed::new(addr)));
        println!("tokenmaxx serve: open http://{} (Ctrl-C stops)", guard::shown(addr));
        axum::serve(listener, routes::router(state))
            .await
            .context("serving")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
