//! `rename_all = "…"`: the case rules serde names, applied to Rust's
//! snake_case identifiers.

/// A naming rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl Case {
    /// Every rule, by the name serde gives it.
    pub(crate) const NAMES: [(&'static str, Case); 8] = [
        ("lowercase", Case::Lower),
        ("UPPERCASE", Case::Upper),
        ("PascalCase", Case::Pascal),
        ("camelCase", Case::Camel),
        ("snake_case", Case::Snake),
        ("SCREAMING_SNAKE_CASE", Case::ScreamingSnake),
        ("kebab-case", Case::Kebab),
        ("SCREAMING-KEBAB-CASE", Case::ScreamingKebab),
    ];

    pub(crate) fn parse(name: &str) -> Option<Case> {
        Case::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, case)| *case)
    }

    /// `ident` (snake_case, as Rust spells methods and parameters) renamed.
    pub(crate) fn apply(self, ident: &str) -> String {
        let words: Vec<&str> = ident.split('_').filter(|w| !w.is_empty()).collect();
        let capitalized = |w: &str| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        };
        match self {
            Case::Lower => words.concat().to_lowercase(),
            Case::Upper => words.concat().to_uppercase(),
            Case::Pascal => words.iter().map(|w| capitalized(w)).collect(),
            Case::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_lowercase()
                    } else {
                        capitalized(w)
                    }
                })
                .collect(),
            Case::Snake => words.join("_").to_lowercase(),
            Case::ScreamingSnake => words.join("_").to_uppercase(),
            Case::Kebab => words.join("-").to_lowercase(),
            Case::ScreamingKebab => words.join("-").to_uppercase(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Case;

    #[test]
    fn each_rule_renames_as_serde_does() {
        let cases = [
            ("lowercase", "arrayofstructstest"),
            ("UPPERCASE", "ARRAYOFSTRUCTSTEST"),
            ("PascalCase", "ArrayOfStructsTest"),
            ("camelCase", "arrayOfStructsTest"),
            ("snake_case", "array_of_structs_test"),
            ("SCREAMING_SNAKE_CASE", "ARRAY_OF_STRUCTS_TEST"),
            ("kebab-case", "array-of-structs-test"),
            ("SCREAMING-KEBAB-CASE", "ARRAY-OF-STRUCTS-TEST"),
        ];
        for (name, renamed) in cases {
            let case = Case::parse(name).unwrap();
            assert_eq!(case.apply("array_of_structs_test"), renamed, "{name}");
        }
        assert_eq!(Case::Camel.apply("sum"), "sum");
        assert_eq!(Case::Camel.apply("easy_struct_test2"), "easyStructTest2");
        assert!(Case::parse("Camel").is_none());
    }
}
