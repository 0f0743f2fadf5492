//! Reading scenario files: built-ins and paths, `extends` chains, and layer merging.
//!
//! Every file is first parsed on its own into a [`RawScenario`] so malformed TOML, unknown keys and
//! wrong types are reported with the file's own line and column. Then the chain of layers
//! (defaults, the base named by `extends`, ..., the file) is merged as TOML tables: tables merge
//! key by key, anything else (numbers, strings, arrays such as `timeline`) is replaced whole.

use std::path::{Path, PathBuf};

use super::builtin;
use super::error::{ScenarioError, nearest};
use super::raw::RawScenario;

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A scenario embedded in the binary, by name.
    Builtin(String),
    /// A file on disk.
    Path(PathBuf),
    /// Scenario text held in memory under a name, e.g. a resolved scenario stored with a
    /// comparison so it can be rerun or merged without the original files.
    Text { name: String, text: String },
}

impl Source {
    /// A path if `spec` looks like one (has a separator or ends in `.toml`) or exists on disk,
    /// otherwise a built-in name.
    pub fn parse(spec: &str) -> Source {
        let p = Path::new(spec);
        if spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\') || p.is_file() {
            Source::Path(p.to_path_buf())
        } else {
            Source::Builtin(spec.to_string())
        }
    }

    fn label(&self) -> String {
        match self {
            Source::Builtin(n) => format!("<built-in {n}>"),
            Source::Path(p) => p.display().to_string(),
            Source::Text { name, .. } => format!("<stored {name}>"),
        }
    }

    /// The source in words: a path, `built-in NAME` or `stored NAME`.
    pub fn describe(&self) -> String {
        match self {
            Source::Builtin(n) => format!("built-in {n}"),
            Source::Path(p) => p.display().to_string(),
            Source::Text { name, .. } => format!("stored {name}"),
        }
    }

    /// The file this source reads, if any (an output folder must not hold it).
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Path(p) => Some(p),
            _ => None,
        }
    }

    /// The name a scenario from this source takes when its file states none.
    pub fn default_name(&self) -> String {
        match self {
            Source::Builtin(n) | Source::Text { name: n, .. } => n.clone(),
            Source::Path(p) => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".to_string()),
        }
    }
}

/// The merged layers of a scenario, before validation.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The merged table (defaults filled in), without `extends`.
    pub table: toml::Table,
    /// Label of the top file, for error messages.
    pub file: String,
    /// Sources from the top file down to the root of its `extends` chain.
    pub chain: Vec<String>,
    /// The files read (the top file and every `extends` layer on disk), as given or joined to
    /// the extending file's folder: what an output folder must not hold.
    pub files: Vec<PathBuf>,
}

/// Load a source with its `extends` chain and merge it onto the defaults.
pub fn resolve(source: &Source) -> Result<Resolved, ScenarioError> {
    let mut chain = Vec::new();
    let mut files = Vec::new();
    let table = load_layer(source, &mut chain, &mut files)?;
    Ok(Resolved {
        table,
        file: source.label(),
        chain,
        files,
    })
}

/// Read a source's text.
pub fn read_source(source: &Source) -> Result<String, ScenarioError> {
    match source {
        Source::Builtin(name) => {
            builtin::text(name)
                .map(str::to_string)
                .ok_or_else(|| ScenarioError::UnknownBuiltin {
                    name: name.clone(),
                    valid: builtin::names().map(str::to_string).collect(),
                })
        }
        Source::Path(p) => read_text(p).map_err(|source| ScenarioError::Io {
            path: p.clone(),
            source,
        }),
        Source::Text { text, .. } => Ok(text.clone()),
    }
}

/// Largest file read as a scenario or spec, in bytes (these files are a few KB of TOML).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Read a regular text file of at most [`MAX_FILE_BYTES`]: a FIFO, a device (`extends =
/// "/dev/zero"`), a folder or a huge file is an error, not a read that blocks or never ends.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let not_regular = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or folder); scenario and spec files must be regular files",
        )
    };
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    // Opened without blocking, in case it was swapped for a FIFO since the check.
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, the most a scenario or spec file may be",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(text)
}

fn load_layer(
    source: &Source,
    chain: &mut Vec<String>,
    files: &mut Vec<PathBuf>,
) -> Result<toml::Table, ScenarioError> {
    let id = match source {
        Source::Builtin(n) => format!("builtin:{n}"),
        Source::Text { name, .. } => format!("stored:{name}"),
        Source::Path(p) => {
            format!(
                "{}",
                std::fs::canonicalize(p)
                    .unwrap_or_else(|_| p.clone())
                    .display()
            )
        }
    };
    if chain.contains(&id) {
        let mut names = chain.clone();
        names.push(id);
        return Err(ScenarioError::ExtendsCycle { chain: names });
    }
    chain.push(id);
    if let Source::Path(p) = source {
        files.push(p.clone());
    }

    let text = read_source(source)?;
    let label = source.label();
    check_shape(&text, &label)?;
    let mut table: toml::Table = text.parse().map_err(|e| parse_error(&label, &text, &e))?;

    let base = match table.remove("extends") {
        Some(toml::Value::String(parent)) => {
            let parent_source = match (source, Source::parse(&parent)) {
                // Relative paths are relative to the extending file.
                (Source::Path(p), Source::Path(pp)) if pp.is_relative() => {
                    Source::Path(p.parent().map(|d| d.join(&pp)).unwrap_or(pp))
                }
                (_, other) => other,
            };
            load_layer(&parent_source, chain, files)?
        }
        Some(_) => unreachable!("check_shape accepted a non-string `extends`"),
        None => defaults_table(),
    };
    let stated_name = table.contains_key("name");
    let stated_description = table.contains_key("description");
    let base_name = base
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let base_description = base
        .get("description")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let mut merged = base;
    merge(&mut merged, table);
    if !stated_name {
        merged.insert("name".into(), toml::Value::String(source.default_name()));
    }
    if !stated_description && !base_name.is_empty() {
        merged.insert(
            "description".into(),
            toml::Value::String(format!("{base_name} with changes: {base_description}")),
        );
    }
    Ok(merged)
}

/// The defaults as a TOML table: the root every chain merges onto.
pub fn defaults_table() -> toml::Table {
    toml::Table::try_from(RawScenario::default()).expect("defaults serialise to TOML")
}

/// Merge `over` into `base`: tables key by key, everything else replaced. A distribution that
/// names another `dist` than the one it overrides replaces it whole (the old kind's parameters
/// mean nothing to the new one: a Beta's `a` under a uniform).
pub fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o))
                if o.contains_key("dist") && o.get("dist") != b.get("dist") =>
            {
                *b = o;
            }
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Parse a file on its own to report syntax, unknown keys and types at their line and column.
fn check_shape(text: &str, label: &str) -> Result<(), ScenarioError> {
    toml::from_str::<RawScenario>(text)
        .map(|_| ())
        .map_err(|e| parse_error(label, text, &e))
}

fn parse_error(label: &str, text: &str, e: &toml::de::Error) -> ScenarioError {
    let (line, column) = match e.span() {
        Some(span) => line_col(text, span.start),
        None => (1, 1),
    };
    ScenarioError::Parse {
        file: label.to_string(),
        line,
        column,
        message: explain(e.message()),
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// Add a "did you mean" to serde's unknown-field messages.
fn explain(message: &str) -> String {
    let message = message.trim().to_string();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let words: Vec<&str> = rest.split('`').step_by(2).collect();
        if let Some((unknown, expected)) = words.split_first()
            && let Some(best) = nearest(unknown, expected.iter().copied())
        {
            return format!("{message}; did you mean `{best}`?");
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolved_scenario_stored_as_text_resolves_to_itself() {
        // given every built-in resolved and written back as TOML text, when resolved again from
        // that text alone, then the table is the same (defaults, extends and names included)
        for name in builtin::names() {
            let table = resolve(&Source::Builtin(name.into())).unwrap().table;
            let text = toml::to_string(&table).unwrap();
            let again = resolve(&Source::Text {
                name: name.into(),
                text,
            })
            .unwrap();
            assert_eq!(again.table, table, "{name}");
            assert_eq!(again.file, format!("<stored {name}>"));
        }
    }

    #[test]
    fn merge_replaces_arrays_and_merges_tables() {
        let mut base: toml::Table = "a = 1\n[t]\nx = 1\ny = 2\n[[l]]\nv = 1\n".parse().unwrap();
        let over: toml::Table = "[t]\ny = 3\n[[l]]\nv = 9\n".parse().unwrap();
        merge(&mut base, over);
        assert_eq!(base["a"].as_integer(), Some(1));
        assert_eq!(base["t"]["x"].as_integer(), Some(1));
        assert_eq!(base["t"]["y"].as_integer(), Some(3));
        assert_eq!(base["l"].as_array().unwrap().len(), 1);
        assert_eq!(base["l"][0]["v"].as_integer(), Some(9));
    }

    #[test]
    fn a_distribution_of_another_kind_replaces_the_old_one_whole() {
        let mut base: toml::Table =
            "[d]\ndist = \"beta\"\na = 3.0\nb = 4.0\n[e]\ndist = \"beta\"\na = 3.0\nb = 4.0\n"
                .parse()
                .unwrap();
        let over: toml::Table =
            "[d]\ndist = \"uniform\"\nlow = 0.1\nhigh = 0.9\n[e]\ndist = \"beta\"\na = 5.0\n"
                .parse()
                .unwrap();
        merge(&mut base, over);
        assert_eq!(base["d"].as_table().unwrap().len(), 3, "{:?}", base["d"]);
        assert_eq!(base["d"].get("a"), None);
        // The same kind still merges parameter by parameter.
        assert_eq!(base["e"]["a"].as_float(), Some(5.0));
        assert_eq!(base["e"]["b"].as_float(), Some(4.0));
    }

    #[test]
    fn unknown_key_gets_a_suggestion_and_position() {
        let text = "seed = 1\n[behaviour]\ntokn_scale = 3\n";
        let err = check_shape(text, "x.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("x.toml:3:1:"), "{msg}");
        assert!(msg.contains("did you mean `token_scale`?"), "{msg}");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
