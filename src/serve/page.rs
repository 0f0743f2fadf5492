//! The page: HTML, CSS and JavaScript embedded in the binary (src/serve/page/). It loads nothing
//! from the network (its Content-Security-Policy forbids it) and prints cleanly: the controls
//! are left out of print, the headline, figures and charts stay.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const HTML: &str = include_str!("page/page.html");
const SCRIPT: &str = include_str!("page/page.js");
const STYLE: &str = include_str!("page/page.css");

/// Only this server's own script, style and API; charts are data: images.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    r
}

pub fn page() -> Response {
    asset(HTML, "text/html; charset=utf-8")
}

pub fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

pub fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}
