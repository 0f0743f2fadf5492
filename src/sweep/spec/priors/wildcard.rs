//! Prior paths with a `*`: `population.*.token_intensity.sigma` names the parameter in every
//! group of the scenario (every table under `population` that states `token_intensity`). A
//! group's name is one key whatever it holds (an imported group `eng.platform` is one group), so
//! the path is split around the `*` and the group is never joined into a dotted path.

use toml::{Table, Value};

use crate::sweep::SweepError;
use crate::sweep::spec::{check_path, set_path};

/// The parts of a path around its `*`: (`population`, `token_intensity.sigma`); None without one.
fn split(path: &str) -> Option<(&str, &str)> {
    let (head, tail) = path.split_once(".*.")?;
    Some((head, tail))
}

/// The table at a dotted path of `t` (no `*`).
fn table_at<'t>(t: &'t Table, path: &str) -> Option<&'t Table> {
    path.split('.')
        .try_fold(t, |t, k| t.get(k).and_then(Value::as_table))
}

/// Whether `tail`'s parent is a table of `group` (the group states the parameter's table).
fn holds(group: &Table, tail: &str) -> bool {
    match tail.rsplit_once('.') {
        Some((parent, _)) => table_at(group, parent).is_some(),
        None => true,
    }
}

/// Refuse a path that is not a scenario parameter; a `*` path is one when it names a parameter
/// of at least one table under its head in `base` (and holds one `*`, between two keys).
pub fn check(base: &Table, path: &str, file: &str) -> Result<(), SweepError> {
    let Some((head, tail)) = split(path) else {
        if path.contains('*') {
            return Err(SweepError::Invalid {
                file: file.to_string(),
                message: format!(
                    "`{path}`: a `*` stands for one whole key between two others (`population.*.token_intensity.sigma`)"
                ),
            });
        }
        return check_path(base, path, file);
    };
    let groups = table_at(base, head).map(|t| t.iter().collect::<Vec<_>>());
    let mut first_error = None;
    for (k, v) in groups.unwrap_or_default() {
        if k.contains('.') || tail.contains('*') || !v.is_table() {
            continue;
        }
        match check_path(base, &format!("{head}.{k}.{tail}"), file) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| SweepError::Invalid {
        file: file.to_string(),
        message: format!("`{path}`: `{head}` holds no table for the `*` to stand for"),
    }))
}

/// Set `value` at `path` of a resolved scenario table; with a `*`, in every table under its
/// head that holds the parameter's table.
pub fn set(table: &mut Table, path: &str, value: Value) {
    let Some((head, tail)) = split(path) else {
        return set_path(table, path, value);
    };
    let mut t = &mut *table;
    for k in head.split('.') {
        match t.get_mut(k).and_then(Value::as_table_mut) {
            Some(sub) => t = sub,
            None => return,
        }
    }
    for (_, group) in t.iter_mut() {
        let Some(group) = group.as_table_mut() else {
            continue;
        };
        if holds(group, tail) {
            set_path(group, tail, value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_sets_every_group_that_states_the_trait_whatever_its_name() {
        let mut t: Table = toml::from_str(
            "[population.\"eng.platform\"]\nskill = { dist = \"lognormal\", mu = 0.0, sigma = 0.5 }\n\
             [population.sales]\nshare = 0.5\n",
        )
        .unwrap();
        set(&mut t, "population.*.skill.sigma", toml::Value::Float(0.9));
        let eng = &t["population"]["eng.platform"]["skill"];
        assert_eq!(eng["sigma"].as_float(), Some(0.9));
        assert_eq!(eng["mu"].as_float(), Some(0.0));
        assert!(
            t["population"]["sales"].get("skill").is_none(),
            "a group without the trait's table is left alone"
        );
        // and a path without a star is set as before
        set(&mut t, "behaviour.uplift", toml::Value::Float(1.0));
        assert_eq!(t["behaviour"]["uplift"].as_float(), Some(1.0));
    }

    #[test]
    fn a_star_path_is_checked_against_the_groups_of_the_base() {
        let base =
            crate::scenario::load::resolve(&crate::scenario::Source::Builtin("baseline".into()))
                .unwrap()
                .table;
        assert!(check(&base, "population.*.token_intensity.sigma", "p").is_ok());
        let e = check(&base, "population.*.token_intensity.sigmaa", "p")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sigmaa") && e.contains("did you mean"), "{e}");
        let e = check(&base, "population.*", "p").unwrap_err().to_string();
        assert!(e.contains("a `*` stands for"), "{e}");
        let e = check(&base, "behaviour.*.x", "p").unwrap_err().to_string();
        assert!(e.contains("no table for the `*`"), "{e}");
    }
}
