//! Scalar text of XML-RPC values. Surrounding whitespace is allowed in
//! numbers, booleans and dates (pretty-printers add it); string content is
//! never touched.

/// The text without XML whitespace around it.
fn trimmed(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

pub(crate) fn int(text: &str) -> Option<i32> {
    trimmed(text).parse().ok()
}

pub(crate) fn i8(text: &str) -> Option<i64> {
    trimmed(text).parse().ok()
}

/// The specification says `0` or `1`; some clients write `true` or `false`.
pub(crate) fn boolean(text: &str) -> Option<bool> {
    match trimmed(text) {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// Decimal or exponent form (Python writes `1e+300`).
pub(crate) fn double(text: &str) -> Option<f64> {
    trimmed(text).parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn scalars_tolerate_whitespace() {
        assert_eq!(super::int(" +42\n"), Some(42));
        assert_eq!(super::int("2147483648"), None);
        assert_eq!(super::i8("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(super::boolean("\t1 "), Some(true));
        assert_eq!(super::boolean("yes"), None);
        assert_eq!(super::double("-1.5e-3"), Some(-0.0015));
        assert_eq!(super::double("1.2.3"), None);
    }
}
