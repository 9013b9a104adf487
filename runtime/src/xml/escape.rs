//! Escaping of text written into XML-RPC documents.

use crate::Fault;

/// What each byte needs: 0 copy, 1 escape, 2 refuse (a control character
/// XML 1.0 cannot carry, even as a reference).
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = 2;
        b += 1;
    }
    table[b'\t' as usize] = 0;
    table[b'\n' as usize] = 0;
    table[b'\r' as usize] = 1;
    table[b'&' as usize] = 1;
    table[b'<' as usize] = 1;
    table[b'>' as usize] = 1;
    table
};

/// Appends `text` with `&`, `<`, `>` and `\r` escaped, so that any XML
/// parser gives back exactly `text` (a raw `\r` would be normalised to `\n`).
///
/// Fails on the C0 control characters other than tab, line feed and carriage
/// return, and on U+FFFE and U+FFFF, which XML 1.0 forbids.
pub(crate) fn text(out: &mut Vec<u8>, text: &str) -> Result<(), Fault> {
    let bytes = text.as_bytes();
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASS[b as usize];
        let nonchar = b == 0xEF && matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF]));
        if class == 0 && !nonchar {
            continue;
        }
        if class == 2 || nonchar {
            return Err(Fault::internal_error(
                "a string holds a character XML 1.0 cannot carry (a control character or U+FFFE/U+FFFF)",
            ));
        }
        out.extend_from_slice(&bytes[copied..i]);
        out.extend_from_slice(match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            _ => b"&#13;",
        });
        copied = i + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_carriage_returns() {
        let mut out = Vec::new();
        super::text(&mut out, "a<b>&c\r\n\"'é").unwrap();
        assert_eq!(out, "a&lt;b&gt;&amp;c&#13;\n\"'é".as_bytes());
        assert!(super::text(&mut out, "bell\u{7}").is_err());
        assert!(super::text(&mut out, "\u{FFFE}").is_err());
        assert!(super::text(&mut Vec::new(), "\u{FFFD}\t").is_ok());
    }
}
