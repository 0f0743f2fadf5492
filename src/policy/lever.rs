//! What a policy lever is ([`Lever`]) and the [`levers!`](crate::levers) macro that turns the
//! list of levers (in `levers.rs`) into everything that handles "any lever": the
//! `PolicyChange` enum, the `[policy]`/`[[timeline]]` table (`RawPolicyChange`) and its checks,
//! the text form of a change, folding into `PolicyState`, a fork's differences, chart labels,
//! sweepable paths and plausible ranges. Nothing here names a particular lever.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::PolicyState;
use super::check::{Check, CheckError};

/// One policy lever: its form in a scenario file, its checked value, and what each part of
/// tokenmaxx needs of it. Implemented once per lever, beside its entry in `levers!`.
pub trait Lever {
    /// The lever as written under its key in `[policy]` or a `[[timeline]]` entry.
    type Raw: Serialize + DeserializeOwned + Clone + PartialEq + fmt::Debug;
    /// The checked lever: the payload of its `PolicyChange` variant.
    type Value: Copy + PartialEq + fmt::Debug;

    /// The settings under the lever's key, the paths a sweep may set (`policy.KEY.FIELD`): for
    /// a table, `check::fields_of::<RawTable>()`; none for a plain value.
    fn fields() -> Vec<&'static str>;
    /// Plausible ranges of settings (field, lowest, highest), checked on the merged scenario
    /// table before validation (see `scenario::ranges`).
    const RANGES: &'static [(&'static str, f64, f64)] = &[];
    /// The words a setting written as a word may take (field, allowed words), so a form (the
    /// `serve` page) can offer them as a choice.
    const CHOICES: &'static [(&'static str, &'static [&'static str])] = &[];

    /// Check the raw form (the error names the key, the value and what is allowed).
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError>;
    /// The raw form of a value, the inverse of `check` (`groups`: the scenario's group names).
    fn to_raw(value: &Self::Value, groups: &[&str]) -> Self::Raw;

    /// Fold the change into the policies in force.
    fn apply(value: &Self::Value, state: &mut PolicyState);
    /// The value in force, for a lever that stays in force (a fork emits it where the two
    /// timelines differ); `None` for a one-off (a statement: a fork repeats the other
    /// timeline's ones of the fork week).
    fn in_force(state: &PolicyState) -> Option<Self::Value>;

    /// A short label for charts (`target 80%`), given the policies before the change.
    fn label(value: &Self::Value, before: &PolicyState) -> String;
    /// The change in plain words, a sentence for the report's policy timeline.
    fn words(value: &Self::Value, before: &PolicyState) -> String;

    /// A value that differs from what is in force by default, for the tests every lever gets.
    fn example() -> Self::Value;
}

/// A policy that is either `"off"` or a table of settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Switch<T> {
    Off,
    On(T),
}

impl<T: Serialize> Serialize for Switch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Switch::Off => s.serialize_str("off"),
            Switch::On(t) => t.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Switch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SwitchVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SwitchVisitor<T> {
            type Value = Switch<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"off\" or a table of settings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v == "off" {
                    Ok(Switch::Off)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Switch::On)
            }
        }
        d.deserialize_any(SwitchVisitor(PhantomData))
    }
}

/// Declare the levers, in the order a `[policy]` table's changes are emitted in a week:
/// `/// doc` then `key: Variant => LeverType,` for each. Generates `PolicyChange`,
/// `RawPolicyChange`, `PolicyState::apply` and the lists (see the module docs).
#[macro_export]
macro_rules! levers {
    ($($(#[doc = $doc:literal])* $key:ident : $variant:ident => $lever:ty),+ $(,)?) => {
        /// One policy change: the payload of a `PolicyChanged` event.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum PolicyChange {
            $($(#[doc = $doc])* $variant(<$lever as $crate::policy::lever::Lever>::Value),)+
        }

        /// A policy change as written: the `[policy]` table (week 0) or one `[[timeline]]`
        /// entry. Each stated lever replaces that policy as a whole (unstated settings of its
        /// table take their defaults).
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct RawPolicyChange {
            /// A timeline entry's week (`[policy]` has none: it is week 0).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub week: Option<i64>,
            $(
                $(#[doc = $doc])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $key: Option<<$lever as $crate::policy::lever::Lever>::Raw>,
            )+
        }

        impl PolicyChange {
            /// Every lever's key, in declaration order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($key)),+];

            /// The lever's key as in a scenario file (`leaderboard`, `statement`, ...).
            pub fn key(&self) -> &'static str {
                match self {
                    $(PolicyChange::$variant(_) => stringify!($key),)+
                }
            }
            /// A short label for charts, given the policies before the change.
            pub fn label(&self, before: &PolicyState) -> String {
                use $crate::policy::lever::Lever;
                match self {
                    $(PolicyChange::$variant(v) => <$lever>::label(v, before),)+
                }
            }
            /// The change in plain words, given the policies before it.
            pub fn words(&self, before: &PolicyState) -> String {
                use $crate::policy::lever::Lever;
                match self {
                    $(PolicyChange::$variant(v) => <$lever>::words(v, before),)+
                }
            }
            /// The change as written in a file (only its lever stated).
            pub fn to_raw(&self, groups: &[&str]) -> RawPolicyChange {
                use $crate::policy::lever::Lever;
                let mut raw = RawPolicyChange::default();
                match self {
                    $(PolicyChange::$variant(v) => raw.$key = Some(<$lever>::to_raw(v, groups)),)+
                }
                raw
            }
            /// One example change per lever, in declaration order (for tests).
            pub fn examples() -> Vec<PolicyChange> {
                use $crate::policy::lever::Lever;
                vec![$(PolicyChange::$variant(<$lever>::example())),+]
            }
            /// What moves the policies `from` to `to`, lever by lever in declaration order:
            /// each lever that stays in force where the two differ, and each one-off lever's
            /// changes among `same_week`.
            pub fn differences(
                from: &PolicyState,
                to: &PolicyState,
                same_week: &[PolicyChange],
            ) -> Vec<PolicyChange> {
                use $crate::policy::lever::Lever;
                let mut out = Vec::new();
                $(
                    match (<$lever>::in_force(to), <$lever>::in_force(from)) {
                        (Some(t), Some(f)) => {
                            if t != f {
                                out.push(PolicyChange::$variant(t));
                            }
                        }
                        _ => out.extend(
                            same_week
                                .iter()
                                .filter(|c| matches!(c, PolicyChange::$variant(_)))
                                .copied(),
                        ),
                    }
                )+
                out
            }
        }

        impl RawPolicyChange {
            /// Every change this table states, checked, in declaration order; `table` says
            /// where it is (`policy`, `timeline[2]`) and what the checks need of the scenario.
            pub fn check(
                &self,
                table: &$crate::policy::check::Check,
            ) -> Result<Vec<PolicyChange>, $crate::policy::check::CheckError> {
                use $crate::policy::lever::Lever;
                let mut out = Vec::new();
                $(
                    if let Some(raw) = &self.$key {
                        let c = table.lever(stringify!($key));
                        out.push(PolicyChange::$variant(<$lever>::check(raw, &c)?));
                    }
                )+
                Ok(out)
            }
        }

        impl PolicyState {
            /// Fold one change into the policies in force.
            pub fn apply(&mut self, change: &PolicyChange) {
                use $crate::policy::lever::Lever;
                match change {
                    $(PolicyChange::$variant(v) => <$lever>::apply(v, self),)+
                }
            }
        }

        /// The change's label as if no policy were in force before it.
        impl std::fmt::Display for PolicyChange {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.label(&PolicyState::default()))
            }
        }

        /// Each lever's key and the settings a sweep may set under it, in declaration order.
        pub fn sweep_fields() -> Vec<(&'static str, Vec<&'static str>)> {
            use $crate::policy::lever::Lever;
            vec![$((stringify!($key), <$lever>::fields())),+]
        }

        /// Each lever's key and what it is, in words (its line in the list of levers).
        pub fn lever_docs() -> Vec<(&'static str, &'static str)> {
            vec![$((stringify!($key), concat!($($doc),*).trim_ascii())),+]
        }

        /// Each lever's key and the words its word settings may take, in declaration order.
        pub fn lever_choices(
        ) -> Vec<(&'static str, &'static [(&'static str, &'static [&'static str])])> {
            use $crate::policy::lever::Lever;
            vec![$((stringify!($key), <$lever>::CHOICES)),+]
        }

        /// Each lever's key and its settings' plausible ranges, in declaration order.
        pub fn lever_ranges() -> Vec<(&'static str, &'static [(&'static str, f64, f64)])> {
            use $crate::policy::lever::Lever;
            vec![$((stringify!($key), <$lever>::RANGES)),+]
        }
    };
}
