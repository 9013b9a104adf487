//! [`Bytes`]: binary data that travels as base64.

use std::ops::{Deref, DerefMut};

/// Binary data: XML-RPC `<base64>`, a base64 string in JSON.
///
/// Use it for parameters and results that hold raw bytes. A plain `Vec<u8>`
/// is a sequence to serde and travels as an array of integers; `Bytes` (or any
/// type that serializes through `serialize_bytes`, such as `serde_bytes`) is
/// written as base64.
///
/// ```
/// use diglot::Bytes;
///
/// let b = Bytes::from(b"\x00\xffdiglot".to_vec());
/// assert_eq!(b.len(), 8);
/// assert_eq!(serde_json::to_string(&b).unwrap(), r#""AP9kaWdsb3Q=""#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// The bytes, by value.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl Deref for Bytes {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Self {
        b.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
