//! Writing JSON-RPC 2.0 responses and requests, and reading responses.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::request::{Id, redact};
use crate::{Fault, Limits, Value};

/// Appends an id as JSON.
pub(crate) fn write_id(out: &mut Vec<u8>, id: &Id<'_>) {
    match id {
        Id::Null => out.extend_from_slice(b"null"),
        Id::Number(n) => out.extend_from_slice(n.as_bytes()),
        Id::String(s) => {
            super::write::write_str(out, s);
        }
    }
}

/// What a success response holds before its result.
pub(crate) const RESULT_HEAD: &[u8] = br#"{"jsonrpc":"2.0","result":"#;

/// Appends what a success response holds after its result.
pub(crate) fn write_result_tail(out: &mut Vec<u8>, id: &Id<'_>) {
    out.extend_from_slice(br#","id":"#);
    write_id(out, id);
    out.push(b'}');
}

/// Appends `{"jsonrpc":"2.0","result":…,"id":…}`.
///
/// If `result` fails to serialize, `out` is left as it was and the fault
/// (-32603) is returned, for the caller to answer with [`write_error`].
pub fn write_result<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    id: &Id<'_>,
    result: &T,
) -> Result<(), Fault> {
    let start = out.len();
    out.extend_from_slice(RESULT_HEAD);
    if let Err(e) = super::write::to_vec(out, result) {
        out.truncate(start);
        return Err(Fault::internal_error(format_args!(
            "the result could not be encoded: {}",
            redact(&e)
        )));
    }
    write_result_tail(out, id);
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct ErrorObject<'m> {
    code: i32,
    #[serde(borrow)]
    message: std::borrow::Cow<'m, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
}

/// Appends `{"jsonrpc":"2.0","error":{"code":…,"message":…,"data":…},"id":…}`.
///
/// `data` is written when present; one that cannot be encoded as JSON (a
/// non-finite float inside, say) is left out rather than losing the error.
pub fn write_error(out: &mut Vec<u8>, id: &Id<'_>, fault: &Fault) {
    let start = out.len();
    out.extend_from_slice(br#"{"jsonrpc":"2.0","error":"#);
    let object = ErrorObject {
        code: fault.code,
        message: fault.message.as_str().into(),
        data: fault.data.as_deref().cloned(),
    };
    if serde_json::to_writer(&mut *out, &object).is_err() {
        out.truncate(start);
        return write_error(out, id, &Fault::new(fault.code, fault.message.clone()));
    }
    out.extend_from_slice(br#","id":"#);
    write_id(out, id);
    out.push(b'}');
}

/// Collects the responses of a batch into one JSON array.
///
/// Notifications add nothing; if nothing was added the body stays empty,
/// since the specification says a batch of notifications gets no response.
///
/// ```
/// use diglot::json::{BatchWriter, Id};
/// use diglot::Fault;
///
/// let mut out = Vec::new();
/// let mut batch = BatchWriter::new(&mut out);
/// batch.result(&Id::from(1), &19)?;
/// batch.error(&Id::Null, &Fault::invalid_request("not an object"));
/// batch.finish();
/// assert!(out.starts_with(br#"[{"jsonrpc":"2.0","result":19,"id":1},"#));
///
/// let mut empty = Vec::new();
/// BatchWriter::new(&mut empty).finish();
/// assert!(empty.is_empty());
/// # Ok::<(), Fault>(())
/// ```
#[derive(Debug)]
pub struct BatchWriter<'o> {
    out: &'o mut Vec<u8>,
    count: usize,
}

impl<'o> BatchWriter<'o> {
    /// Starts a batch response at the end of `out`.
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        BatchWriter { out, count: 0 }
    }

    fn separator(&mut self) {
        self.out.push(if self.count == 0 { b'[' } else { b',' });
        self.count += 1;
    }

    /// Adds a result; on an encoding failure adds nothing and returns the fault.
    pub fn result<T: Serialize + ?Sized>(&mut self, id: &Id<'_>, result: &T) -> Result<(), Fault> {
        let mark = self.out.len();
        self.separator();
        write_result(self.out, id, result).inspect_err(|_| {
            self.out.truncate(mark);
            self.count -= 1;
        })
    }

    /// Adds an error.
    pub fn error(&mut self, id: &Id<'_>, fault: &Fault) {
        self.separator();
        write_error(self.out, id, fault);
    }

    /// How many responses were added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no response was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Closes the array, if one was opened.
    pub fn finish(self) {
        if self.count > 0 {
            self.out.push(b']');
        }
    }
}

/// Appends a request. `params` serializes as an array (a tuple, a `Vec`) or
/// an object (a struct, a map); `()` omits `params`. With no `id` the request
/// is a notification.
pub fn write_request<P: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    method: &str,
    params: &P,
    id: Option<&Id<'_>>,
) -> Result<(), Fault> {
    let start = out.len();
    out.extend_from_slice(br#"{"jsonrpc":"2.0","method":"#);
    super::write::write_str(out, method);
    let params_at = out.len();
    out.extend_from_slice(br#","params":"#);
    let value_at = out.len();
    if let Err(e) = super::write::to_vec(out, params) {
        out.truncate(start);
        return Err(Fault::internal_error(format_args!(
            "the parameters could not be encoded: {}",
            redact(&e)
        )));
    }
    match out[value_at..].first() {
        Some(b'[' | b'{') => {}
        _ if &out[value_at..] == b"null" => out.truncate(params_at),
        _ => {
            out.truncate(start);
            return Err(Fault::internal_error(
                "JSON-RPC parameters must be an array or an object",
            ));
        }
    }
    if let Some(id) = id {
        out.extend_from_slice(br#","id":"#);
        write_id(out, id);
    }
    out.push(b'}');
    Ok(())
}

/// Reads a response: its id, and the decoded result or the server's error.
///
/// The outer `Err` means the body is not a JSON-RPC 2.0 response: a parse
/// error (-32700) when it is not JSON, an invalid-request fault (-32600) when
/// it is JSON but not a response object.
pub fn decode_response<'a, T: Deserialize<'a>>(
    body: &'a [u8],
    limits: &Limits,
) -> Result<(Id<'a>, Result<T, Fault>), Fault> {
    #[derive(Deserialize)]
    struct ResponseObject<'a> {
        #[serde(borrow)]
        jsonrpc: &'a str,
        #[serde(borrow, default)]
        result: Option<&'a RawValue>,
        #[serde(borrow, default)]
        error: Option<ErrorObject<'a>>,
        #[serde(borrow)]
        id: &'a RawValue,
    }

    limits.check_body_size(body.len() as u64)?;
    // Not JSON is a parse error; JSON that is not a response object is
    // invalid. (serde would also read the struct from an array.)
    let classify = |e: serde_json::Error| {
        if e.is_data() {
            Fault::invalid_request(redact(&e))
        } else {
            Fault::parse_error(redact(&e))
        }
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(classify)?;
        return Err(Fault::invalid_request("not a response object"));
    }
    let response: ResponseObject<'a> = serde_json::from_slice(body).map_err(classify)?;
    if response.jsonrpc != "2.0" {
        return Err(Fault::invalid_request("not a JSON-RPC 2.0 response"));
    }
    let id =
        Id::from_json(response.id.get()).ok_or_else(|| Fault::invalid_request("invalid `id`"))?;
    let outcome = match (response.result, response.error) {
        (_, Some(error)) => Err(Fault {
            code: error.code,
            message: error.message.into_owned(),
            data: error.data.map(Box::new),
        }),
        (Some(raw), None) => {
            if super::scan::depth(raw.get()).is_none_or(|depth| depth > limits.depth()) {
                return Err(limits.too_deep());
            }
            Ok(serde_json::from_str(raw.get()).map_err(|e| Fault::invalid_params(redact(&e)))?)
        }
        // `"result": null` reads as absent through `Option`.
        (None, None) => Ok(T::deserialize(
            serde::de::value::UnitDeserializer::<Fault>::new(),
        )?),
    };
    Ok((id, outcome))
}

/// The integer id of a JSON-RPC answer, to match it to its call; `None` for
/// anything else (an XML-RPC answer, a null or string id).
pub fn answer_id(body: &[u8]) -> Option<i64> {
    if let Some(id) = trailing_id(body) {
        return Some(id);
    }
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow, default)]
        id: Option<&'a RawValue>,
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let parsed: IdOnly<'_> = serde_json::from_slice(body).ok()?;
    parsed.id?.get().parse().ok()
}

/// The id of an answer whose object ends with an integer `"id"` member, as
/// diglot and most servers write it, read without parsing the rest. Only
/// the outermost object can end the body with `"id":N}`: a nested one
/// would leave another `}` after it, and inside a string the quotes would
/// be escaped.
fn trailing_id(body: &[u8]) -> Option<i64> {
    let body = body.trim_ascii_end().strip_suffix(b"}")?.trim_ascii_end();
    let digits = body
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit() || **b == b'-')
        .count();
    let (head, number) = body.split_at(body.len() - digits);
    let head = head.trim_ascii_end().strip_suffix(b":")?.trim_ascii_end();
    let head = head.strip_suffix(b"\"id\"")?;
    // `"id"` must be a key of this object, not the end of a longer string.
    if !matches!(head.trim_ascii_end().last(), Some(b',' | b'{')) {
        return None;
    }
    std::str::from_utf8(number).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::answer_id;

    #[test]
    fn answer_ids_with_and_without_the_trailing_shortcut() {
        let cases: [(&str, Option<i64>); 10] = [
            (r#"{"jsonrpc":"2.0","result":3,"id":1}"#, Some(1)),
            (
                "{\"jsonrpc\":\"2.0\",\"result\":3, \"id\" : -42 }\n",
                Some(-42),
            ),
            (r#"{"id":7,"jsonrpc":"2.0","result":{"id":5}}"#, Some(7)),
            (r#"{"jsonrpc":"2.0","result":{"id":5}}"#, None),
            (r#"{"jsonrpc":"2.0","result":"a\"id\":5}"}"#, None),
            (r#"{"jsonrpc":"2.0","result":[{"id":5}],"id":"5"}"#, None),
            (r#"{"jsonrpc":"2.0","result":null,"id":null}"#, None),
            (
                r#"{"jsonrpc":"2.0","error":{"code":1,"message":"m"},"id":9}"#,
                Some(9),
            ),
            (r#"{"jsonrpc":"2.0","result":1,"xid":9}"#, None),
            ("<methodResponse/>", None),
        ];
        for (body, id) in cases {
            assert_eq!(answer_id(body.as_bytes()), id, "{body}");
        }
    }
}
