//! Who may talk to the server: a request whose `Host` is not one of the server's own names, or
//! whose `Origin` (sent by browsers with every cross-site request and every POST) is not the
//! server's own page, is refused. This closes DNS rebinding (a foreign site whose name resolves
//! to 127.0.0.1 sends its own name as Host) and cross-site requests from other pages.

use std::net::SocketAddr;

use axum::http::{HeaderMap, header};

/// The `Host` values this server answers to, and the origins of its own page.
#[derive(Debug, Clone)]
pub struct Allowed {
    hosts: Vec<String>,
}

impl Allowed {
    /// A loopback server answers to 127.0.0.1, localhost and [::1] at its port; one listening
    /// elsewhere also to its address (an unspecified 0.0.0.0 only to the loopback names: name
    /// the address with `--host`).
    pub fn new(addr: SocketAddr) -> Allowed {
        let port = addr.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
            hosts.push(shown(addr));
        }
        Allowed { hosts }
    }

    /// `None` if the request may pass, else why it may not (naming the header, not its value).
    pub fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let Some(host) = host else {
            return Some("refused: the request has no Host header".into());
        };
        if !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return Some(format!(
                "refused: the Host header is not this server's own ({}); open the page at http://{}/",
                self.hosts.join(", "),
                self.hosts[0]
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let ok = origin.to_str().ok().is_some_and(|o| {
                self.hosts
                    .iter()
                    .any(|h| o.eq_ignore_ascii_case(&format!("http://{h}")))
            });
            if !ok {
                return Some(
                    "refused: the request comes from another site's page (its Origin header is not this server's)".into(),
                );
            }
        }
        None
    }
}

/// An address as written in a URL (`[::1]:8080` for IPv6).
pub fn shown(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.to_string(),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: Option<&'static str>, origin: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = host {
            h.insert(header::HOST, HeaderValue::from_static(v));
        }
        if let Some(v) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_the_servers_own_host_and_origin_pass() {
        let a = Allowed::new("127.0.0.1:8080".parse().unwrap());
        assert_eq!(a.refusal(&headers(Some("127.0.0.1:8080"), None)), None);
        assert_eq!(
            a.refusal(&headers(
                Some("localhost:8080"),
                Some("http://localhost:8080")
            )),
            None
        );
        assert!(
            a.refusal(&headers(Some("evil.example:8080"), None))
                .is_some()
        );
        assert!(a.refusal(&headers(Some("127.0.0.1:9999"), None)).is_some());
        assert!(a.refusal(&headers(None, None)).is_some());
        let foreign = a.refusal(&headers(
            Some("127.0.0.1:8080"),
            Some("http://evil.example"),
        ));
        assert!(foreign.is_some_and(|m| !m.contains("evil")));
    }
}
