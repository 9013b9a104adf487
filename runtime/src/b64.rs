//! Base64 as both protocols carry it: standard alphabet, padded on output,
//! line breaks and missing padding tolerated on input (Python and xmlrpc-c
//! break long payloads into lines).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const WRITE: GeneralPurpose = base64::engine::general_purpose::STANDARD;

const READ: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Appends the base64 form of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(
        start + base64::encoded_len(bytes.len(), true).unwrap_or(0),
        0,
    );
    let written = WRITE
        .encode_slice(bytes, &mut out[start..])
        .expect("buffer sized by encoded_len");
    out.truncate(start + written);
}

/// The base64 text of `bytes`, for Display-based writers.
pub(crate) fn display(bytes: &[u8]) -> base64::display::Base64Display<'_, 'static, GeneralPurpose> {
    base64::display::Base64Display::new(bytes, &WRITE)
}

/// Decodes base64 text, skipping ASCII whitespace anywhere in it.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, &'static str> {
    let text = text.as_bytes();
    let result = if text.iter().any(u8::is_ascii_whitespace) {
        let compact: Vec<u8> = text
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        READ.decode(compact)
    } else {
        READ.decode(text)
    };
    result.map_err(|_| "invalid base64")
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
    }
}
