//! (being written)

/// Whether `s` is a valid PMS version (placeholder until the parser lands).
pub fn is_valid_version(s: &str) -> bool {
    !s.is_empty() && s.as_bytes()[0].is_ascii_digit()
}
