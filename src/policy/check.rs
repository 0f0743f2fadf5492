//! The checks a lever's settings pass on their way from a file to a [`super::PolicyChange`]:
//! ranges, words and group names, each error naming the dotted key, the value and what is
//! allowed. The scenario layer adds the file's name (`ScenarioError::from_check`); the
//! same rules check its other sections, so a range is worded in one place.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::GroupId;
use crate::names::nearest;

/// Why a value was refused, with its full dotted key (`timeline[2].target.share`).
#[derive(Debug, Clone, PartialEq)]
pub enum CheckError {
    OutOfRange {
        key: String,
        value: String,
        allowed: String,
    },
    Invalid {
        key: String,
        message: String,
    },
}

/// `value` in `[lo, hi]` and finite, else an error saying `allowed`.
pub fn range(key: &str, value: f64, lo: f64, hi: f64, allowed: &str) -> Result<(), CheckError> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(CheckError::OutOfRange {
            key: key.to_string(),
            value: value.to_string(),
            allowed: allowed.to_string(),
        })
    }
}

/// A share in [0, 1].
pub fn share(key: &str, v: f64) -> Result<(), CheckError> {
    range(key, v, 0.0, 1.0, "a share in [0, 1]")
}

/// A positive finite number.
pub fn positive(key: &str, v: f64) -> Result<(), CheckError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        range(key, v, f64::NAN, f64::NAN, "a positive finite number (> 0)")
    }
}

/// A finite number >= 0.
pub fn non_negative(key: &str, v: f64) -> Result<(), CheckError> {
    range(key, v, 0.0, f64::MAX, "a finite number >= 0")
}

/// A whole number in `[lo, hi]`.
pub fn int(key: &str, v: i64, lo: i64, hi: i64) -> Result<(), CheckError> {
    if v >= lo && v <= hi {
        Ok(())
    } else {
        Err(CheckError::OutOfRange {
            key: key.to_string(),
            value: v.to_string(),
            allowed: format!("a whole number in [{lo}, {hi}]"),
        })
    }
}

/// One of a named enum's words (`parse` and `names` of a [`crate::named_enum!`]), else an error
/// listing them with the nearest as a hint.
pub fn word<T>(
    key: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    names: &[&str],
) -> Result<T, CheckError> {
    parse(value).ok_or_else(|| {
        let hint = nearest(value, names.iter().copied())
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        CheckError::Invalid {
            key: key.to_string(),
            message: format!("`{value}` is not one of {}{hint}", quoted(names)),
        }
    })
}

/// "`a`, `b`, `c`".
pub fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a lever is being checked: its dotted key and what its checks may need to know of the
/// scenario (the group names, the token price, the longest horizon).
#[derive(Debug, Clone)]
pub struct Check<'a> {
    /// The dotted key of what is checked: a table of levers (`policy`, `timeline[2]`) or, for a
    /// lever's own checks, the lever (`policy.target`, `timeline[2].budget`).
    pub key: String,
    /// The scenario's groups, in order (a group's index is its [`GroupId`]).
    pub groups: &'a [&'a str],
    /// The token price, to turn dollars into tokens (None where no price is known: a stored change).
    pub price_usd_per_mtok: Option<f64>,
    /// The longest horizon a scenario may have, in weeks.
    pub max_weeks: i64,
}

impl Check<'_> {
    /// The dotted key of one of the lever's settings (`""`: the lever itself).
    pub fn key(&self, field: &str) -> String {
        if field.is_empty() {
            self.key.clone()
        } else {
            format!("{}.{field}", self.key)
        }
    }
    /// The same context for the lever `lever` of this table (`policy` -> `policy.target`).
    pub fn lever(&self, lever: &str) -> Self {
        Check {
            key: self.key(lever),
            ..self.clone()
        }
    }
    pub fn range(
        &self,
        field: &str,
        v: f64,
        lo: f64,
        hi: f64,
        allowed: &str,
    ) -> Result<(), CheckError> {
        range(&self.key(field), v, lo, hi, allowed)
    }
    pub fn share(&self, field: &str, v: f64) -> Result<(), CheckError> {
        share(&self.key(field), v)
    }
    pub fn positive(&self, field: &str, v: f64) -> Result<(), CheckError> {
        positive(&self.key(field), v)
    }
    pub fn non_negative(&self, field: &str, v: f64) -> Result<(), CheckError> {
        non_negative(&self.key(field), v)
    }
    /// A number of weeks in [1, the longest horizon].
    pub fn weeks(&self, field: &str, v: i64) -> Result<(), CheckError> {
        int(&self.key(field), v, 1, self.max_weeks)
    }
    pub fn word<T>(
        &self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Result<T, CheckError> {
        word(&self.key(field), value, parse, names)
    }
    pub fn invalid(&self, field: &str, message: impl Into<String>) -> CheckError {
        CheckError::Invalid {
            key: self.key(field),
            message: message.into(),
        }
    }
    /// The index of the group named `g`, or an error naming the groups (with the nearest as a hint).
    pub fn group(&self, field: &str, g: &str) -> Result<GroupId, CheckError> {
        let idx = self.groups.iter().position(|n| *n == g).ok_or_else(|| {
            let hint = nearest(g, self.groups.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            self.invalid(
                field,
                format!(
                    "unknown group `{g}`: the groups are {}{hint}",
                    quoted(self.groups)
                ),
            )
        })?;
        Ok(idx as GroupId)
    }
}

/// The field names of a struct as serde reads them (its `#[derive(Deserialize)]` list), so a
/// list of settings is never written by hand. Empty for anything that is not a struct.
pub fn fields_of<'de, T: Deserialize<'de>>() -> Vec<&'static str> {
    struct Fields<'a>(&'a mut Vec<&'static str>);
    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend_from_slice(fields);
            Err(de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut out = Vec::new();
    let _ = T::deserialize(Fields(&mut out));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Two {
        a: f64,
        #[serde(default)]
        b_c: Option<f64>,
    }

    #[test]
    fn fields_are_read_from_the_derive() {
        assert_eq!(fields_of::<Two>(), ["a", "b_c"]);
        assert!(fields_of::<bool>().is_empty());
    }

    #[test]
    fn keys_name_the_setting_or_the_lever() {
        let c = Check {
            key: "timeline[2].target".into(),
            groups: &["developers", "others"],
            price_usd_per_mtok: None,
            max_weeks: 520,
        };
        assert_eq!(c.key(""), "timeline[2].target");
        assert_eq!(c.group("applies_to", "others"), Ok(1));
        let CheckError::Invalid { key, message } = c.group("applies_to", "developer").unwrap_err()
        else {
            panic!()
        };
        assert_eq!(key, "timeline[2].target.applies_to");
        assert!(message.ends_with("did you mean `developers`?"), "{message}");
    }
}
