//! Nesting depth of raw JSON, measured before serde sees it.

use crate::{Fault, Limits};

/// Checks that arrays and objects in `json` nest no deeper than `max`.
///
/// A linear scan over bytes that skips strings, so a hostile document is
/// refused before any recursive parse begins.
pub(super) fn check(json: &str, max: usize, limits: &Limits) -> Result<(), Fault> {
    // Every level takes at least one byte: short text cannot nest too deep.
    if json.len() <= max {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut bytes = json.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(limits.too_deep());
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' => {
                // Skip the string, escapes included.
                while let Some(c) = bytes.next() {
                    match c {
                        b'\\' => {
                            bytes.next();
                        }
                        b'"' => break,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::Limits;

    #[test]
    fn counts_brackets_outside_strings() {
        let l = Limits::default();
        assert!(check("[[1]]", 2, &l).is_ok());
        assert!(check("[[[1]]]", 2, &l).is_err());
        assert!(check(r#"["[[[[\"[[[", {"a":1}]"#, 2, &l).is_ok());
    }
}
