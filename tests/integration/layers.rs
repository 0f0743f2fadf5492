//! The data flows one way (docs/architecture.md, "Layers"): every module under src/ has a layer,
//! and a module's code (its tests aside) names only itself and modules of lower layers. Modules
//! that share a layer are independent: neither names the other.
//!
//! A module is named by `use crate::X`, a grouped `use crate::{X, ..}`, a path in code
//! (`crate::X::f()`, `crate::simulate(..)`), `super::super::X` climbing out of its own module, an
//! exported macro (`crate::levers!`) and, in the binary, `tokenmaxx::X`. Comments, strings and
//! `#[cfg(test)]` items (and the files of `#[cfg(test)] mod X;`) are not code. The depth a
//! `super` climbs from is the file's; a `super` inside an inline `mod x { .. }` is counted one
//! level short, which can raise a false alarm but never misses an arrow. `use crate as alias`
//! is not followed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. `lib` is the crate root's own items (`crate::simulate`, ...);
/// `main` is the binary's root, and the layers from `user_error` up are the binary's modules.
const LAYERS: &[&[&str]] = &[
    &["decision", "hash", "names", "panics", "paths"],
    &["policy"],
    &["scenario"],
    &["model"],
    &["events"],
    &["fold"],
    &["engine", "projections"],
    &["lib", "replay"],
    &["import", "sweep"],
    &["compare", "facts"],
    &["explore"],
    &["fit"],
    &["report"],
    &["user_error"],
    &["serve"],
    &["cli"],
    &["main"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// A module's name for a path: what a use of `crate::NAME` resolves to.
struct Ctx {
    /// Top-level modules (folders and files under src/).
    modules: BTreeSet<String>,
    /// Exported macros and the module that defines each.
    macros: BTreeMap<String, String>,
    /// Modules of the binary (declared by src/main.rs).
    binary: BTreeSet<String>,
}

impl Ctx {
    fn resolve(&self, name: &str, root: &str) -> String {
        if self.modules.contains(name) {
            name.to_string()
        } else if let Some(m) = self.macros.get(name) {
            m.clone()
        } else {
            root.to_string()
        }
    }
}

/// One name of another module in a file's code.
#[derive(Debug, Clone, PartialEq)]
struct Arrow {
    line: usize,
    to: String,
    how: &'static str,
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn blank(b: &mut [u8], from: usize, to: usize) {
    let to = to.min(b.len());
    for c in &mut b[from..to] {
        if *c != b'\n' {
            *c = b' ';
        }
    }
}

/// The end (exclusive) of a raw string starting at `i` (`r"`, `r#"`, `br#"`), if one starts.
fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + usize::from(b[i] == b'b');
    if b.get(j) != Some(&b'r') || (i > 0 && is_ident(b[i - 1])) {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    j += hashes;
    if b.get(j) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"').chain(vec![b'#'; hashes]).collect();
    let k = b[j + 1..].windows(close.len()).position(|w| w == close)?;
    Some(j + 1 + k + close.len())
}

/// The end (exclusive) of a char literal starting at the `'` at `i`; None for a lifetime.
fn char_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i + 1) == Some(&b'\\') {
        return b[i + 2..]
            .iter()
            .position(|&c| c == b'\'')
            .map(|k| i + 3 + k);
    }
    let len = std::str::from_utf8(&b[i + 1..(i + 5).min(b.len())])
        .or_else(|e| std::str::from_utf8(&b[i + 1..i + 1 + e.valid_up_to()]))
        .ok()?
        .chars()
        .next()?
        .len_utf8();
    (b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 2 + len)
}

/// The text with comments and the insides of string and char literals blanked (offsets and
/// line breaks kept), so braces and paths in them are not read as code.
fn sanitize(text: &str) -> String {
    let src = text.as_bytes();
    let mut b = src.to_vec();
    let mut i = 0;
    while i < src.len() {
        if src[i..].starts_with(b"//") {
            let end = src[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(src.len(), |k| i + k);
            blank(&mut b, i, end);
            i = end;
        } else if src[i..].starts_with(b"/*") {
            let (mut depth, mut j) = (0, i);
            loop {
                if src[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if src[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut b, i, j);
            i = j;
        } else if let Some(end) = raw_string_end(src, i) {
            blank(&mut b, i + 1, end - 1);
            i = end;
        } else if src[i] == b'"' {
            let mut j = i + 1;
            while src[j] != b'"' {
                j += if src[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut b, i + 1, j);
            i = j + 1;
        } else if src[i] == b'\'' {
            match char_end(src, i) {
                Some(end) => {
                    blank(&mut b, i + 1, end - 1);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(b).expect("only whole characters are blanked")
}

/// The index of the `}` closing the `{` at `open`.
fn closing(b: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (k, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces")
}

/// Sanitized code with every `#[cfg(test)]` item blanked, and the names of the test modules
/// declared as files (`#[cfg(test)] mod tests;`).
fn strip_tests(code: &str) -> (String, Vec<String>) {
    const CFG: &[u8] = b"#[cfg(test)]";
    let mut b = code.as_bytes().to_vec();
    let mut files = Vec::new();
    let mut from = 0;
    while let Some(k) = b[from..].windows(CFG.len()).position(|w| w == CFG) {
        let start = from + k;
        let (mut j, mut depth) = (start + CFG.len(), 0);
        let end = loop {
            match b[j] {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b';' if depth == 0 => break j + 1,
                b'{' if depth == 0 => break closing(&b, j) + 1,
                _ => {}
            }
            j += 1;
        };
        let item = String::from_utf8_lossy(&b[start + CFG.len()..end]).to_string();
        let words: Vec<&str> = item.split_whitespace().collect();
        if item.ends_with(';')
            && let Some(p) = words.iter().position(|w| *w == "mod")
            && let Some(name) = words.get(p + 1)
        {
            files.push(name.trim_end_matches(';').to_string());
        }
        blank(&mut b, start, end);
        from = end;
    }
    (String::from_utf8(b).unwrap(), files)
}

/// A file's module path from its path under src/ (`model/decide.rs` -> [model, decide]).
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The top-level module of a file under src/ (`lib` and `main` for the two roots).
fn top_module(rel: &str) -> String {
    match rel {
        "lib.rs" => "lib".into(),
        "main.rs" => "main".into(),
        _ => module_path(rel)[0].clone(),
    }
}

/// The identifier starting at `i`.
fn ident_at(b: &[u8], i: usize) -> &str {
    let n = b[i..].iter().take_while(|&&c| is_ident(c)).count();
    std::str::from_utf8(&b[i..i + n]).unwrap()
}

/// The first identifier of each entry of the group `{..}` opening at `open`, with its offset.
fn group_heads(b: &[u8], open: usize) -> Vec<(usize, String)> {
    let close = closing(b, open);
    let (mut heads, mut depth, mut entry) = (Vec::new(), 0, true);
    for k in open + 1..close {
        match b[k] {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b',' if depth == 0 => entry = true,
            c if entry && is_ident(c) => {
                heads.push((k, ident_at(b, k).to_string()));
                entry = false;
            }
            _ => {}
        }
    }
    heads
}

/// Every name a file's code (`rel`, under src/) gives another top-level module.
fn arrows(rel: &str, text: &str, ctx: &Ctx) -> Vec<Arrow> {
    let (code, _) = strip_tests(&sanitize(text));
    let b = code.as_bytes();
    let me = top_module(rel);
    let root = if me == "main" || ctx.binary.contains(&me) {
        "main"
    } else {
        "lib"
    };
    let depth = module_path(rel).len();
    let line = |k: usize| 1 + b[..k].iter().filter(|&&c| c == b'\n').count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_ident(b[i]) || (i > 0 && (is_ident(b[i - 1]) || b[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let word = ident_at(b, i);
        let mut j = i + word.len();
        let (crate_root, how) = match word {
            "crate" => (root, "path"),
            "tokenmaxx" => ("lib", "path"),
            "super" => {
                let mut ups = 1;
                while b[j..].starts_with(b"::super") {
                    ups += 1;
                    j += "::super".len();
                }
                if ups < depth || depth == 0 {
                    i = j;
                    continue;
                }
                (root, "super")
            }
            _ => {
                i = j;
                continue;
            }
        };
        if !b[j..].starts_with(b"::") {
            i = j;
            continue;
        }
        j += 2;
        let names = if b.get(j) == Some(&b'{') {
            group_heads(b, j)
                .into_iter()
                .map(|(k, n)| (k, n, "grouped"))
                .collect()
        } else if b.get(j).is_some_and(|&c| is_ident(c)) {
            vec![(j, ident_at(b, j).to_string(), how)]
        } else {
            vec![]
        };
        for (k, name, how) in names {
            let to = ctx.resolve(&name, crate_root);
            if to != me {
                out.push(Arrow {
                    line: line(k),
                    to,
                    how,
                });
            }
        }
        i = j;
    }
    out
}

/// The arrows of a file that break the layers, as messages.
fn violations(rel: &str, text: &str, ctx: &Ctx) -> Vec<String> {
    let me = top_module(rel);
    let mine = layer_of(&me);
    arrows(rel, text, ctx)
        .into_iter()
        .filter(|a| match (mine, layer_of(&a.to)) {
            (Some(m), Some(t)) => t >= m,
            _ => true,
        })
        .map(|a| {
            let layer = |m: &str| layer_of(m).map_or("no layer".into(), |l| format!("layer {l}"));
            let (m, t) = (layer(&me), layer(&a.to));
            format!(
                "src/{rel}:{}: {me} ({m}) names {} ({t}) [{}]",
                a.line, a.to, a.how
            )
        })
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every .rs file under `dir`, as paths relative to src/.
fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(src()).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The crate's files (test-only files left out) with their text, and the names they resolve by.
fn crate_files() -> (Vec<(String, String)>, Ctx) {
    let mut rels = Vec::new();
    rust_files(&src(), &mut rels);
    rels.sort();
    let files: Vec<(String, String)> = rels
        .into_iter()
        .map(|r| {
            let text = std::fs::read_to_string(src().join(&r)).unwrap();
            (r, text)
        })
        .collect();
    let mut test_dirs = Vec::new();
    let mut macros = BTreeMap::new();
    for (rel, text) in &files {
        let code = sanitize(text);
        let dir = match rel.rsplit_once('/') {
            Some((d, "mod.rs")) => format!("{d}/"),
            None if matches!(rel.as_str(), "lib.rs" | "main.rs") => String::new(),
            _ => format!("{}/", rel.trim_end_matches(".rs")),
        };
        test_dirs.extend(
            strip_tests(&code)
                .1
                .into_iter()
                .map(|m| format!("{dir}{m}")),
        );
        for part in code.split("#[macro_export]").skip(1) {
            let name = part
                .trim_start()
                .trim_start_matches("macro_rules!")
                .trim_start();
            macros.insert(ident_at(name.as_bytes(), 0).to_string(), top_module(rel));
        }
    }
    let main = strip_tests(&sanitize(
        &files.iter().find(|f| f.0 == "main.rs").unwrap().1,
    ))
    .0;
    let words: Vec<&str> = main.split_whitespace().collect();
    let binary = words
        .windows(2)
        .filter(|w| w[0] == "mod" && w[1].ends_with(';'))
        .map(|w| w[1].trim_end_matches(';').to_string())
        .collect();
    let modules = files.iter().map(|(r, _)| top_module(r)).collect();
    let files = files
        .into_iter()
        .filter(|(r, _)| {
            !test_dirs
                .iter()
                .any(|t| r == &format!("{t}.rs") || r.starts_with(&format!("{t}/")))
        })
        .collect();
    (
        files,
        Ctx {
            modules,
            macros,
            binary,
        },
    )
}

#[test]
fn every_module_has_a_layer_and_the_table_names_no_other() {
    let (files, ctx) = crate_files();
    assert!(files.len() > 100, "{} files", files.len());
    let missing: Vec<&String> = ctx
        .modules
        .iter()
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
    let stale: Vec<&&str> = LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .filter(|m| !ctx.modules.contains(**m))
        .collect();
    assert!(
        stale.is_empty(),
        "layers name modules that do not exist: {stale:?}"
    );
    assert_eq!(ctx.macros.get("levers").map(String::as_str), Some("policy"));
    assert!(
        ctx.binary.contains("cli") && ctx.binary.contains("serve"),
        "{:?}",
        ctx.binary
    );
}

#[test]
fn no_module_names_one_of_its_own_layer_or_above() {
    let (files, ctx) = crate_files();
    let mut seen = 0;
    let mut bad = Vec::new();
    for (rel, text) in &files {
        seen += arrows(rel, text, &ctx).len();
        bad.extend(violations(rel, text, &ctx));
    }
    assert!(
        seen > 300,
        "only {seen} names of other modules found: is the matcher blind?"
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn docs_architecture_lists_the_same_layers() {
    let doc = std::fs::read_to_string(src().join("../docs/architecture.md")).unwrap();
    let section = doc
        .split("### The layers")
        .nth(1)
        .expect("a `### The layers` section");
    let rows: Vec<Vec<String>> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let cell = l.split('|').nth(2).unwrap();
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect()
        })
        .collect();
    let table: Vec<Vec<String>> = LAYERS
        .iter()
        .map(|l| l.iter().map(|m| m.to_string()).collect())
        .collect();
    assert_eq!(
        rows, table,
        "docs/architecture.md's layers differ from this test's"
    );
}

fn fixture_ctx() -> Ctx {
    crate_files().1
}

/// The (line, module, how) of each violation of a fixture.
fn caught(rel: &str, text: &str) -> Vec<(usize, String, String)> {
    let ctx = fixture_ctx();
    let me = layer_of(&top_module(rel)).unwrap();
    arrows(rel, text, &ctx)
        .into_iter()
        .filter(|a| layer_of(&a.to).is_none_or(|t| t >= me))
        .map(|a| (a.line, a.to, a.how.to_string()))
        .collect()
}

fn one(line: usize, to: &str, how: &str) -> Vec<(usize, String, String)> {
    vec![(line, to.to_string(), how.to_string())]
}

#[test]
fn the_matcher_catches_each_form_of_naming_a_higher_layer() {
    // Plain, and after a test module (the old check stopped reading at the first cfg(test)).
    let plain =
        "#[cfg(test)]\nmod tests { use crate::engine::X; }\nuse crate::engine::Simulation;\n";
    assert_eq!(caught("projections/x.rs", plain), one(3, "engine", "path"));
    // Grouped, nested groups included: only the higher entries.
    let grouped = "use crate::{\n    fold::State,\n    engine::{Simulation, run},\n};\n";
    assert_eq!(
        caught("projections/x.rs", grouped),
        one(3, "engine", "grouped")
    );
    // Path-qualified in code, a module and a root item.
    let path = "fn f(s: &S) {\n    let p = crate::simulate(s, 0);\n}\n";
    assert_eq!(caught("model/x.rs", path), one(2, "lib", "path"));
    let code = "fn f() { let r = crate::replay::replay(&s, &log); }\n";
    assert_eq!(caught("fold/x.rs", code), one(1, "replay", "path"));
    // super::super climbing out of the module; climbing inside it is not an arrow.
    let up = "use super::super::engine::Simulation;\n";
    assert_eq!(caught("model/decide.rs", up), one(1, "engine", "super"));
    assert_eq!(caught("model/a/b.rs", up), vec![]);
    // The binary: crate:: names its modules, tokenmaxx:: the library's.
    let bin = "use tokenmaxx::report::html;\nuse crate::cli::Args;\n";
    assert_eq!(caught("serve/x.rs", bin), one(2, "cli", "path"));
    // An exported macro belongs to its module; a module of the same layer is refused.
    let mac = "crate::named_enum!(Kind { A => \"a\" });\n";
    assert_eq!(caught("hash.rs", mac), one(1, "names", "path"));
    let sibling = "use crate::projections::Projector;\n";
    assert_eq!(
        caught("engine/x.rs", sibling),
        one(1, "projections", "path")
    );
}

#[test]
fn the_matcher_passes_clean_code_and_ignores_comments_strings_and_tests() {
    let clean = r####"//! See crate::engine::Simulation for the run.
use crate::fold::State;
use crate::{events::WeekBatch, model::traits};
/* crate::report::x /* nested */ crate::cli::y */
const S: &str = "crate::engine::X \" crate::report::Y";
const R: &str = r#"crate::cli::Y "quoted" {"#;
const C: char = '{';
fn f<'a>(x: &'a str) -> &'a str { super::week::x(); x }
#[cfg(test)]
fn helper() { crate::engine::run(); }
#[cfg(test)]
mod tests {
    use crate::engine::Simulation;
    fn g() { let _ = '}'; crate::report::z(); }
}
#[cfg(test)]
mod more_tests;
use crate::scenario::Scenario;
"####;
    let ctx = fixture_ctx();
    let found: Vec<(usize, String)> = arrows("projections/x.rs", clean, &ctx)
        .into_iter()
        .map(|a| (a.line, a.to))
        .collect();
    let want = [(2, "fold"), (3, "events"), (3, "model"), (18, "scenario")];
    assert_eq!(found, want.map(|(l, m)| (l, m.to_string())));
    assert!(violations("projections/x.rs", clean, &ctx).is_empty());
    let (_, test_files) = strip_tests(&sanitize(clean));
    assert_eq!(test_files, ["more_tests"]);
}
