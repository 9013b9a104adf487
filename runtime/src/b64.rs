//! Base64 as both protocols carry it: standard alphabet, padded on output,
//! line breaks and missing padding tolerated on input (Python and xmlrpc-c
//! break long payloads into lines).

use std::fmt;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64_simd::AsOut;

/// The tolerant reader, for what the SIMD one refuses: line breaks, missing
/// padding, trailing bits left set — and to tell bad input apart.
const READ: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Appends the base64 form of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    base64_simd::STANDARD.encode_append(bytes, out);
}

/// The base64 text of `bytes`, for Display-based writers.
pub(crate) fn display(bytes: &[u8]) -> Display<'_> {
    Display(bytes)
}

/// Writes base64 text a few kilobytes at a time.
pub(crate) struct Display<'b>(&'b [u8]);

impl fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 3 KiB of input is 4 KiB of text, a whole number of quanta.
        let mut text = [0u8; 4096];
        for chunk in self.0.chunks(3072) {
            let written = base64_simd::STANDARD.encode_as_str(chunk, text.as_mut_slice().as_out());
            f.write_str(written)?;
        }
        Ok(())
    }
}

/// Decodes base64 text, skipping ASCII whitespace anywhere in it.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, &'static str> {
    // Padded text without line breaks, as diglot and most peers write it,
    // decodes in one SIMD pass. The SIMD reader accepts nothing the
    // tolerant one refuses, and reads it the same.
    if let Ok(bytes) = base64_simd::STANDARD.decode_to_vec(text) {
        return Ok(bytes);
    }
    let text = text.as_bytes();
    if text.iter().any(u8::is_ascii_whitespace) {
        let compact: Vec<u8> = text
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        // Python and xmlrpc-c break lines every 76 characters.
        if let Ok(bytes) = base64_simd::STANDARD.decode_to_vec(&compact) {
            return Ok(bytes);
        }
        return READ.decode(compact).map_err(|_| "invalid base64");
    }
    READ.decode(text).map_err(|_| "invalid base64")
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_broken_lines_and_missing_padding() {
        assert_eq!(super::decode("ZGln\nbG90\r\n").unwrap(), b"diglot");
        assert_eq!(super::decode("ZGlnbG90IQ").unwrap(), b"diglot!");
        assert!(super::decode("ZGln*").is_err());
        let mut out = b"x".to_vec();
        super::encode_into(b"diglot!", &mut out);
        assert_eq!(out, b"xZGlnbG90IQ==");
        assert_eq!(
            super::display(&[0xfb; 7000]).to_string().as_bytes(),
            &out_of(&[0xfb; 7000])
        );
    }

    fn out_of(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        super::encode_into(bytes, &mut out);
        out
    }

    /// The reader before SIMD: whitespace dropped, then the tolerant engine.
    fn tolerant(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
        use base64::Engine;
        let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        super::READ.decode(compact)
    }

    proptest::proptest! {
        #[test]
        fn reads_as_the_tolerant_reader(text in "[A-Za-z0-9+/=\\n\\r \\t*-]{0,24}") {
            proptest::prop_assert_eq!(super::decode(&text).ok(), tolerant(&text).ok());
        }

        #[test]
        fn reads_canonical_text_as_the_tolerant_reader(text in "([A-Za-z0-9+/]{4}){0,6}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?") {
            proptest::prop_assert_eq!(super::decode(&text).ok(), tolerant(&text).ok());
        }

        #[test]
        fn writes_as_the_base64_crate(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..5000)) {
            use base64::Engine;
            let expected = base64::engine::general_purpose::STANDARD.encode(&bytes);
            proptest::prop_assert_eq!(&out_of(&bytes), expected.as_bytes());
            proptest::prop_assert_eq!(super::display(&bytes).to_string(), expected);
        }
    }
}
