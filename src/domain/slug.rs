//! Slugs as uData makes them: transliterated, lowercase, `-` separated, at most 255 characters,
//! made unique by appending `-1`, `-2`…

use deunicode::deunicode;

pub const MAX_LEN: usize = 255;

/// Lowercase ASCII transliteration, used for slugs and for case/accent-insensitive matching.
pub fn fold(s: &str) -> String {
    deunicode(s).to_lowercase()
}

/// The slug of a title or name.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in fold(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    truncate(&out, MAX_LEN).to_owned()
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        s
    } else {
        s[..max].trim_end_matches('-')
    }
}

/// The `n`-th candidate for a base slug: `base`, then `base-1`, `base-2`…, trimmed to fit.
pub fn candidate(base: &str, n: usize) -> String {
    let base = if base.is_empty() { "object" } else { base };
    if n == 0 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    format!("{}{suffix}", truncate(base, MAX_LEN - suffix.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_and_lowercases() {
        assert_eq!(
            slugify("Ministère de l'Intérieur — Données Œuvres"),
            "ministere-de-l-interieur-donnees-oeuvres"
        );
        assert_eq!(slugify("  --Hello__World--  "), "hello-world");
    }

    #[test]
    fn candidates_append_counters_within_max_length() {
        assert_eq!(candidate("org", 0), "org");
        assert_eq!(candidate("org", 2), "org-2");
        let long = "a".repeat(300);
        assert!(candidate(&slugify(&long), 12).len() <= MAX_LEN);
    }
}
