//! Enums whose values are written as words in files and tables: one declaration gives the
//! variants, their words (`as_str`), the list of words (`NAMES`, for error messages) and the
//! parser (`parse`), so a word is spelt in one place. Also the one "did you mean" rule
//! ([`nearest`]) every message about an unknown word uses.

/// Declare `pub enum $name { $variant => "word", ... }` with `as_str`, `NAMES`, `ALL` and `parse`.
#[macro_export]
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every variant's word, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($word),+];

            /// The word of this variant.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The variant of a word.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    crate::named_enum!(
        /// A test enum.
        Colour { Red => "red", DarkBlue => "dark_blue" }
    );

    #[test]
    fn words_round_trip_and_unknown_words_are_none() {
        for (c, w) in Colour::ALL.iter().zip(Colour::NAMES) {
            assert_eq!(c.as_str(), *w);
            assert_eq!(Colour::parse(w), Some(*c));
        }
        assert_eq!(Colour::parse("green"), None);
    }
}
