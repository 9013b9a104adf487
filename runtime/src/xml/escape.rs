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

/// Eight copies of `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// Whether any byte of `w` may need a look: a control character (tab and
/// line feed included), `&`, `<`, `>`, or 0xEF, which starts U+FFFE/U+FFFF.
fn maybe_special(w: u64) -> bool {
    let zero = |v: u64| v.wrapping_sub(splat(1)) & !v;
    let below_space = w.wrapping_sub(splat(0x20)) & !w;
    let flags = below_space
        | zero(w ^ splat(b'&'))
        | zero(w ^ splat(b'<'))
        | zero(w ^ splat(b'>'))
        | zero(w ^ splat(0xEF));
    flags & splat(0x80) != 0
}

/// Appends `text` with `&`, `<`, `>` and `\r` escaped, so that any XML
/// parser gives back exactly `text` (a raw `\r` would be normalised to `\n`).
///
/// Fails on the C0 control characters other than tab, line feed and carriage
/// return, and on U+FFFE and U+FFFF, which XML 1.0 forbids.
pub(crate) fn text(out: &mut Vec<u8>, text: &str) -> Result<(), Fault> {
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Runs of plain text go eight bytes at a time.
        if let Some(word) = bytes.get(i..i + 8)
            && !maybe_special(u64::from_le_bytes(word.try_into().expect("eight bytes")))
        {
            i += 8;
            continue;
        }
        let (at, b) = (i, bytes[i]);
        i += 1;
        let class = CLASS[b as usize];
        let nonchar = b == 0xEF && matches!(bytes.get(i..i + 2), Some([0xBF, 0xBE | 0xBF]));
        if class == 0 && !nonchar {
            continue;
        }
        if class == 2 || nonchar {
            return Err(Fault::internal_error(
                "a string holds a character XML 1.0 cannot carry (a control character or U+FFFE/U+FFFF)",
            ));
        }
        out.extend_from_slice(&bytes[copied..at]);
        out.extend_from_slice(match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            _ => b"&#13;",
        });
        copied = i;
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
        let long = "plain text, long enough for whole words <&> of it\r\n☃ 12345678";
        let mut out = Vec::new();
        super::text(&mut out, long).unwrap();
        assert_eq!(
            out,
            "plain text, long enough for whole words &lt;&amp;&gt; of it&#13;\n☃ 12345678"
                .as_bytes()
        );
        assert!(super::text(&mut out, "0123456789abcdef\u{FFFF}").is_err());
        assert!(super::text(&mut out, "0123456789abcdef\u{0}").is_err());
    }
}
