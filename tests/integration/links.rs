//! The documentation's links (docs/guide/tests.md, "Links"): every relative link in README.md and
//! docs/**/*.md points at a file that exists, and every `#anchor` at a heading of its target,
//! with anchors made as GitHub makes them. External links are not fetched.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::util::scratch;

/// The Markdown files checked: README.md and every `.md` under docs/, in a stable order.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                files.push(path);
            }
        }
    }
    files
}

/// The lines of a Markdown text outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push((i + 1, line));
        }
    }
    out
}

/// A line without its inline code spans (`...`), which hold text, not links.
fn without_code(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// The targets of the inline links and images of one line: `[text](target "title")`.
fn link_targets(line: &str) -> Vec<String> {
    let line = without_code(line);
    let mut targets = Vec::new();
    let mut rest = line.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        let target = after[..end].split_whitespace().next().unwrap_or("");
        targets.push(target.trim_matches(|c| c == '<' || c == '>').to_string());
        rest = &after[end..];
    }
    targets
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped (hyphens and underscores
/// kept), spaces as hyphens; a link inside the heading counts by its text.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        rest = rest[at..].find(')').map_or("", |end| &rest[at + end + 1..]);
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every anchor a Markdown text defines: its headings' slugs (a repeated one gets `-1`, `-2`, ...
/// as on GitHub) and explicit `<a id="...">` or `<a name="...">`.
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for (_, line) in prose_lines(text) {
        if let Some(heading) = line.strip_prefix('#') {
            let heading = heading.trim_start_matches('#');
            if heading.starts_with(' ') {
                let base = slug(heading);
                let mut anchor = base.clone();
                let mut n = 0;
                while !seen.insert(anchor.clone()) {
                    n += 1;
                    anchor = format!("{base}-{n}");
                }
            }
        }
        for key in ["<a id=\"", "<a name=\""] {
            let mut rest = line;
            while let Some(at) = rest.find(key) {
                let after = &rest[at + key.len()..];
                let end = after.find('"').unwrap_or(after.len());
                seen.insert(after[..end].to_string());
                rest = &after[end..];
            }
        }
    }
    seen
}

/// The broken relative links of the given files, as "file:line: target (why)".
fn broken_links(root: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut broken = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (number, line) in prose_lines(&text) {
            for target in link_targets(line) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
                let resolved = if path.is_empty() {
                    file.clone()
                } else {
                    file.parent().unwrap().join(path)
                };
                let why = if target.is_empty() {
                    Some("empty link".to_string())
                } else if !resolved.exists() {
                    Some(format!("no file {}", resolved.display()))
                } else if !anchor.is_empty() && resolved.extension().is_some_and(|x| x == "md") {
                    let target_text = std::fs::read_to_string(&resolved).unwrap();
                    (!anchors(&target_text).contains(anchor))
                        .then(|| format!("no heading makes #{anchor}"))
                } else {
                    None
                };
                if let Some(why) = why {
                    broken.push(format!("{name}:{number}: {target} ({why})"));
                }
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_and_anchor_of_the_docs_resolves() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = documents(&root);
    assert!(files.len() > 5, "found only {files:?}");
    assert!(files.iter().any(|f| f.ends_with("docs/guide/README.md")));
    let broken = broken_links(&root, &files);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_checker_finds_missing_files_and_anchors() {
    let dir = scratch("links_fixture");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(
        dir.join("docs/b.md"),
        "# The event store (`src/events/store.rs`)\n## Notes\n## Notes\n<a id=\"raw\"></a>\n",
    )
    .unwrap();
    let a = "# A\n\
        [ok](docs/b.md#the-event-store-srceventsstorers) [ok](docs/b.md#notes-1) \
        [ok](docs/b.md#raw) [ok](#a) [web](https://example.com/x#y)\n\
        [gone](docs/c.md) `[code](nowhere.md)`\n\
        ```\n[fenced](nowhere.md)\n```\n\
        ![img](docs/b.md#notes-2) [self](#b)\n";
    std::fs::write(dir.join("README.md"), a).unwrap();
    let broken = broken_links(&dir, &documents(&dir));
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(
        broken[0].starts_with("README.md:3: docs/c.md (no file"),
        "{}",
        broken[0]
    );
    assert_eq!(
        broken[1],
        "README.md:7: docs/b.md#notes-2 (no heading makes #notes-2)"
    );
    assert_eq!(broken[2], "README.md:7: #b (no heading makes #b)");
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    assert_eq!(
        slug(" `tokenmaxx calibrate SPEC.toml`"),
        "tokenmaxx-calibrate-spectoml"
    );
    assert_eq!(
        slug(" Does the mandate pay? (model v2)"),
        "does-the-mandate-pay-model-v2"
    );
    assert_eq!(slug(" 7.4 Utility and choice"), "74-utility-and-choice");
    assert_eq!(slug(" See [model.md](model.md) here"), "see-modelmd-here");
}
