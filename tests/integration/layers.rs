//! The data flows one way (docs/architecture.md): scenario -> model -> engine -> events -> fold
//! -> projections -> report, with replay and fork above the engine. A lower layer's code (its
//! tests aside) never names a higher one.

use std::path::Path;

/// Each layer (a folder under src/) and the modules its code must not name.
const RULES: &[(&str, &[&str])] = &[
    (
        "policy",
        &[
            "scenario",
            "engine",
            "fold",
            "replay",
            "projections",
            "report",
            "cli",
        ],
    ),
    (
        "model",
        &[
            "engine",
            "fold",
            "replay",
            "projections",
            "report",
            "events",
        ],
    ),
    (
        "events",
        &["engine", "fold", "replay", "projections", "report"],
    ),
    ("fold", &["engine", "replay", "projections", "report"]),
    ("engine", &["replay", "projections", "report"]),
    ("projections", &["engine", "replay", "report"]),
    // Decision analysis is numbers in, numbers out: the comparison builds its inputs.
    (
        "decision",
        &[
            "scenario",
            "model",
            "engine",
            "events",
            "fold",
            "replay",
            "projections",
            "report",
            "compare",
            "sweep",
            "explore",
        ],
    ),
];

/// The code of a file before its unit tests.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(k) => text[..k].to_string(),
        None => text,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_layer_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (layer, above) in RULES {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer} has no files");
        for f in files {
            let code = code(&f);
            for module in *above {
                for pattern in [format!("crate::{module}::"), format!("crate::{module}::{{")] {
                    if code.contains(&pattern) || code.contains(&format!("crate::{module};")) {
                        violations.push(format!("{} names {module}", f.display()));
                        break;
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_rule_sees_a_violation() {
    // The check itself can fail: a projection naming the engine is caught.
    let dir = std::env::temp_dir().join(format!("tmx-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.rs");
    std::fs::write(
        &f,
        "use crate::engine::Simulation;\n#[cfg(test)]\nmod tests {}\n",
    )
    .unwrap();
    assert!(code(&f).contains("crate::engine::"));
    std::fs::write(
        &f,
        "fn f() {}\n#[cfg(test)]\nmod tests { use crate::engine::X; }\n",
    )
    .unwrap();
    assert!(!code(&f).contains("crate::engine::"));
    std::fs::remove_dir_all(&dir).unwrap();
}
