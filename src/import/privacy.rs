//! Pseudonymisation: a person's id or e-mail address is replaced by a keyed hash (BLAKE3 in
//! keyed mode, a pseudorandom function) before anything else sees it. The key is derived from
//! `--salt`, or drawn at random from the operating system and kept only in memory, so the
//! pseudonyms cannot be recomputed from the export alone.
//!
//! Ids are compared after trimming and lower-casing (e-mail addresses are case-insensitive in
//! practice), so `Ana@X.com` in the export and `ana@x.com` in the roster are one person.

/// A person's pseudonym: the first 16 bytes of the keyed hash.
pub type Pseudonym = [u8; 16];

/// Turns raw ids into pseudonyms. Holds the key, never an id.
pub struct Pseudonymiser {
    key: [u8; 32],
}

/// The context string of the key derivation (fixed: changing it changes every pseudonym).
const CONTEXT: &str = "tokenmaxx 2026 import: person pseudonyms";

impl Pseudonymiser {
    /// From a salt the user chose (the same salt gives the same pseudonyms across imports).
    pub fn from_salt(salt: &str) -> Pseudonymiser {
        Pseudonymiser {
            key: blake3::derive_key(CONTEXT, salt.as_bytes()),
        }
    }

    /// From a random key drawn from the operating system's generator and written nowhere.
    pub fn random() -> Pseudonymiser {
        let mut key = [0u8; 32];
        rand::fill(&mut key[..]);
        Pseudonymiser { key }
    }

    /// The pseudonym of a raw id (trimmed, lower-cased).
    pub fn pseudonym(&self, raw: &str) -> Pseudonym {
        let normal = raw.trim().to_lowercase();
        let hash = blake3::keyed_hash(&self.key, normal.as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&hash.as_bytes()[..16]);
        out
    }
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymiser { key: <hidden> }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_case_insensitive() {
        let a = Pseudonymiser::from_salt("s1");
        let b = Pseudonymiser::from_salt("s2");
        assert_eq!(a.pseudonym("Ana@X.com "), a.pseudonym("ana@x.com"));
        assert_ne!(a.pseudonym("ana@x.com"), b.pseudonym("ana@x.com"));
        assert_ne!(a.pseudonym("ana@x.com"), a.pseudonym("bob@x.com"));
        let r1 = Pseudonymiser::random();
        let r2 = Pseudonymiser::random();
        assert_ne!(
            r1.pseudonym("ana"),
            r2.pseudonym("ana"),
            "random keys differ"
        );
        assert!(!format!("{a:?}").contains("s1"));
    }
}
