//! Enums whose values are written as words in files and tables: one declaration gives the
//! variants, their words (`as_str`), the list of words (`NAMES`, for error messages) and the
//! parser (`parse`), so a word is spelt in one place.

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
