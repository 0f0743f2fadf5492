//! The Claude Code Analytics Admin API's daily per-user records, as returned by
//! `GET /v1/organizations/usage_report/claude_code` (API version header `2023-06-01`; fields as
//! documented in Anthropic's API reference, "Get Claude Code Usage Report", and the guide
//! "Claude Code Analytics API", platform.claude.com/docs, read in December 2026).
//!
//! A page is `{ "data": [record...], "has_more": bool, "next_page": string | null }`; a file
//! holds one page or several concatenated (one per line, as a paging loop would save them).
//! A record is one actor on one UTC day:
//! - `actor`: `{ "type": "user_actor", "email_address" }` or `{ "type": "api_actor",
//!   "api_key_name" }` (either is the person, pseudonymised at once);
//! - `date`: the UTC day, `YYYY-MM-DD` (the reference's example writes an RFC 3339 timestamp at
//!   midnight, `2025-08-08T00:00:00Z`; both are read);
//! - `core_metrics`: `num_sessions`, `lines_of_code.added` / `.removed`,
//!   `commits_by_claude_code`, `pull_requests_by_claude_code`;
//! - `model_breakdown[]`: `model`, `tokens.input` / `.output` / `.cache_read` /
//!   `.cache_creation`, `estimated_cost.amount` (minor currency units: cents for USD) and
//!   `.currency`;
//! - `customer_type` (`api` or `subscription`), `terminal_type`, `organization_id`,
//!   `subscription_type`, `tool_actions`: read only to tell records apart (customer and terminal
//!   type) or not at all.
//!
//! Tokens are the sum of the four token counts over models; cost the sum of estimated costs.
//! Records of one actor and day with different customer or terminal types are summed; two with
//! the same are a duplicate and refused.

use std::io::BufReader;
use std::path::Path;

use serde_json::Value;

use super::aggregate::{Accumulator, Place};
use super::privacy::Pseudonymiser;
use super::{ImportError, Usage, dates};

const DOC: &str = "a Claude Code Analytics page is {\"data\": [records], \"has_more\": bool, \"next_page\": string or null}, each record with actor, date, core_metrics and model_breakdown (see docs/guide/organisation.md)";

/// The value at a dotted key, or a message naming the key.
fn at<'v>(v: &'v Value, key: &str) -> Result<&'v Value, String> {
    key.split('.')
        .try_fold(v, |v, k| v.get(k))
        .ok_or_else(|| format!("key `{key}` is missing"))
}

/// A number from 0 to `max` at a dotted key (the value itself is never quoted).
fn count(v: &Value, key: &str, max: f64) -> Result<f64, String> {
    match at(v, key)?.as_f64() {
        Some(x) if x.is_finite() && (0.0..=max).contains(&x) => Ok(x),
        Some(x) if x < 0.0 => Err(format!(
            "key `{key}`: negative; counts and costs must be >= 0"
        )),
        Some(_) => Err(format!(
            "key `{key}`: too large; allowed 0 to {max:e} per record"
        )),
        None => Err(format!("key `{key}`: not a number")),
    }
}

fn text<'v>(v: &'v Value, key: &str) -> Result<&'v str, String> {
    at(v, key)?
        .as_str()
        .ok_or_else(|| format!("key `{key}`: not a string"))
}

/// The actor's id: the e-mail address of a user, the key name of an API actor.
fn actor(r: &Value) -> Result<&str, String> {
    let id = match text(r, "actor.type")? {
        "user_actor" => text(r, "actor.email_address")?,
        "api_actor" => text(r, "actor.api_key_name")?,
        _ => return Err("key `actor.type`: neither `user_actor` nor `api_actor`".into()),
    };
    if id.trim().is_empty() {
        return Err("key `actor`: the actor's e-mail address or key name is empty".into());
    }
    Ok(id)
}

/// Tokens and cost (USD) summed over the record's models.
fn models(r: &Value) -> Result<(f64, f64), String> {
    let list = at(r, "model_breakdown")?
        .as_array()
        .ok_or("key `model_breakdown`: not an array")?;
    let (mut tokens, mut cents) = (0.0, 0.0);
    for (k, m) in list.iter().enumerate() {
        let key = |f: &str| format!("model_breakdown[{k}].{f}");
        for part in ["input", "output", "cache_read", "cache_creation"] {
            tokens += count(m, &format!("tokens.{part}"), super::MAX_TOKENS)
                .map_err(|e| format!("{}: {e}", key("tokens")))?;
        }
        if m.get("estimated_cost").is_some_and(|c| !c.is_null()) {
            let currency =
                text(m, "estimated_cost.currency").map_err(|e| format!("{}: {e}", key("")))?;
            if currency != "USD" {
                return Err(format!(
                    "key `{}`: only USD costs are read",
                    key("estimated_cost.currency")
                ));
            }
            cents += count(m, "estimated_cost.amount", super::MAX_COST_USD * 100.0)
                .map_err(|e| format!("{}: {e}", key("")))?;
        }
    }
    Ok((tokens, cents / 100.0))
}

fn record<'v>(
    r: &'v Value,
    ps: &Pseudonymiser,
    variant: &'v mut String,
) -> Result<Usage<'v>, String> {
    if !r.is_object() {
        return Err("not an object".into());
    }
    let id = actor(r)?;
    let day =
        dates::parse_date(text(r, "date")?).ok_or("key `date`: not a UTC date (YYYY-MM-DD)")?;
    let (tokens, cost_usd) = models(r)?;
    let outcomes = [
        count(r, "core_metrics.lines_of_code.added", super::MAX_OUTCOME)?,
        count(r, "core_metrics.commits_by_claude_code", super::MAX_OUTCOME)?,
        count(
            r,
            "core_metrics.pull_requests_by_claude_code",
            super::MAX_OUTCOME,
        )?,
    ];
    count(r, "core_metrics.num_sessions", super::MAX_OUTCOME)?;
    variant.clear();
    for k in ["customer_type", "terminal_type"] {
        variant.push_str(r.get(k).and_then(Value::as_str).unwrap_or(""));
        variant.push('\u{1f}');
    }
    Ok(Usage {
        person: ps.pseudonym(id),
        day,
        weekly: false,
        variant,
        tokens,
        cost_usd,
        group: None,
        team: None,
        outcomes,
    })
}

/// Check a page's envelope and return its records.
fn records(page: &Value) -> Result<&[Value], String> {
    if page.is_array() {
        return Err(format!("a JSON array, not a page; {DOC}"));
    }
    let data = page
        .get("data")
        .ok_or_else(|| format!("key `data` is missing; {DOC}"))?
        .as_array()
        .ok_or_else(|| format!("key `data`: not an array; {DOC}"))?;
    if !page.get("has_more").is_some_and(Value::is_boolean) {
        return Err(format!(
            "key `has_more` is missing or not true/false; {DOC}"
        ));
    }
    Ok(data)
}

/// Read every page of a file into `acc`.
pub fn read(path: &Path, ps: &Pseudonymiser, acc: &mut Accumulator) -> Result<(), ImportError> {
    let file = super::open_regular(path, super::Input::Export)?;
    let pages = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file))
        .into_iter::<Value>();
    acc.has_cost = true;
    acc.has_outcome = [true; 3];
    let bad = |m: String| ImportError::bad(path, m);
    let mut variant = String::new();
    let mut n = 0;
    let mut read = 0;
    for (p, page) in pages.enumerate() {
        let page = page.map_err(|e| {
            bad(format!(
                "page {}: not JSON at line {}, column {} ({}); {DOC}",
                p + 1,
                e.line(),
                e.column(),
                match e.classify() {
                    serde_json::error::Category::Io => "a read error",
                    serde_json::error::Category::Syntax => "a syntax error",
                    serde_json::error::Category::Data => "a value of the wrong type",
                    serde_json::error::Category::Eof => "the file ends inside a page",
                }
            ))
        })?;
        let data = records(&page).map_err(|m| bad(format!("page {}: {m}", p + 1)))?;
        for (k, r) in data.iter().enumerate() {
            let at = || format!("page {}, record {}", p + 1, k + 1);
            let u = record(r, ps, &mut variant).map_err(|m| bad(format!("{}: {m}", at())))?;
            read += 1;
            acc.add(&u, Place::new("record", read))
                .map_err(|m| bad(format!("{}: {m}", at())))?;
        }
        n += 1;
    }
    if n == 0 {
        return Err(bad(format!("the file is empty; {DOC}")));
    }
    Ok(())
}
