//! "Did you mean": the known name closest to a mistyped one.

/// The name in `names` closest to `wrong`, if one is close enough to be a typo.
pub(crate) fn closest<'a>(wrong: &str, names: &[&'a str]) -> Option<&'a str> {
    names.iter().map(|k| (strsim::damerau_levenshtein(wrong, k), *k)).min().filter(|(d, _)| *d <= 3).map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_find_their_name_and_others_none() {
        assert_eq!(closest("titel", &["title", "theme"]), Some("title"));
        assert_eq!(closest("zzzzzzzz", &["title", "theme"]), None);
    }
}
