//! [`Batch`]: several calls in one request — a JSON-RPC batch, or in
//! XML-RPC a `system.multicall` — each answered on its own.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;

use super::{Client, ClientError, Connection, Outgoing};
use crate::json::{self, Id};
use crate::transport::Protocol;
use crate::{Fault, Limits, Value, xml};

/// Calls gathered to go in one request, made with [`Client::batch`].
///
/// Over JSON-RPC the calls go as one batch array; over XML-RPC as one
/// `system.multicall`, which the server must offer (diglot's does). The
/// server runs them and answers each on its own: one call's fault does not
/// fail the others.
///
/// ```
/// # async fn demo(client: diglot::Client<impl diglot::Connection>) -> Result<(), diglot::ClientError> {
/// let mut batch = client.batch();
/// let sum = batch.call::<_, i32>("calc.add", &(1, 2));
/// let quotient = batch.call::<_, f64>("calc.div", &(1.0, 0.0));
/// let answers = batch.send().await?;
/// assert_eq!(answers.get(sum)?, 3);
/// assert!(answers.get(quotient).is_err()); // division by zero: a fault
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Batch<'c, C> {
    client: &'c Client<C>,
    /// Tells this batch's slots from another's.
    tag: u64,
    calls: Vec<Call>,
    /// The first encoding error: the batch is not sent.
    failed: Option<ClientError>,
}

#[derive(Debug)]
struct Call {
    method: String,
    /// JSON-RPC: the whole request object. XML-RPC: the parameters as one
    /// `<value>` array.
    encoded: Vec<u8>,
    id: i64,
}

/// Where a call's answer is in the [`Answers`], typed by its result.
#[derive(Debug)]
pub struct Slot<R> {
    tag: u64,
    index: usize,
    result: PhantomData<fn() -> R>,
}

impl<R> Clone for Slot<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Slot<R> {}

/// The answers to a [`Batch`], one per call.
#[derive(Debug)]
pub struct Answers {
    tag: u64,
    answers: Vec<Answer>,
    limits: Limits,
}

#[derive(Debug)]
enum Answer {
    /// A JSON-RPC response object, decoded when asked for.
    Json(Box<RawValue>),
    /// A multicall entry's result.
    Xml(Value),
    Fault(Fault),
}

impl<C: Connection> Client<C> {
    /// Starts a [`Batch`]: calls gathered now and sent in one request.
    pub fn batch(&self) -> Batch<'_, C> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Batch {
            client: self,
            tag: NEXT.fetch_add(1, Ordering::Relaxed),
            calls: Vec::new(),
            failed: None,
        }
    }
}

impl<C: Connection> Batch<'_, C> {
    /// Adds a call; its result will decode as `R`. Parameters go as in
    /// [`Client::call`] (by name only over JSON-RPC).
    pub fn call<P, R>(&mut self, method: &str, params: &P) -> Slot<R>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let connection = self.client.connection();
        let id = connection
            .next_id()
            .unwrap_or_else(|| self.client.take_id());
        let mut encoded = Vec::with_capacity(96);
        let written = match connection.protocol() {
            Protocol::JsonRpc => {
                json::write_request(&mut encoded, method, params, Some(&Id::from(id)))
            }
            Protocol::XmlRpc => xml_params(&mut encoded, params, connection.dialect()),
        };
        if let Err(fault) = written
            && self.failed.is_none()
        {
            self.failed = Some(ClientError::Encode(fault));
        }
        self.calls.push(Call {
            method: method.to_owned(),
            encoded,
            id,
        });
        Slot {
            tag: self.tag,
            index: self.calls.len() - 1,
            result: PhantomData,
        }
    }

    /// How many calls are in the batch.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call was added.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Sends every call in one request and reads the answers. The `Err` is
    /// for the request as a whole: a transport failure, an answer that is
    /// not one, or a fault for the whole batch (a batch too long for the
    /// server). An empty batch sends nothing.
    pub async fn send(self) -> Result<Answers, ClientError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let connection = self.client.connection();
        let limits = connection.limits();
        if self.calls.is_empty() {
            return Ok(Answers {
                tag: self.tag,
                answers: Vec::new(),
                limits,
            });
        }
        let protocol = connection.protocol();
        let body = match protocol {
            Protocol::JsonRpc => {
                let mut body = vec![b'['];
                for (i, call) in self.calls.iter().enumerate() {
                    if i > 0 {
                        body.push(b',');
                    }
                    body.extend_from_slice(&call.encoded);
                }
                body.push(b']');
                body
            }
            Protocol::XmlRpc => {
                let calls: Vec<(&str, &[u8])> = self
                    .calls
                    .iter()
                    .map(|c| (c.method.as_str(), c.encoded.as_slice()))
                    .collect();
                let mut body = Vec::new();
                xml::write_multicall(&mut body, &calls, connection.dialect())
                    .map_err(ClientError::Encode)?;
                body
            }
        };
        let request = Outgoing {
            body,
            id: None,
            expects_answer: true,
        };
        let response = self.client.exchange(request).await?;
        let answers = match protocol {
            Protocol::JsonRpc => json_answers(&self.calls, &response, &limits)?,
            Protocol::XmlRpc => xml_answers(self.calls.len(), &response, &limits)?,
        };
        Ok(Answers {
            tag: self.tag,
            answers,
            limits,
        })
    }
}

/// Writes parameters as the `<value>` array a multicall entry holds.
fn xml_params<P: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    params: &P,
    dialect: xml::Dialect,
) -> Result<(), Fault> {
    xml::write_value(out, params, dialect)?;
    if out.as_slice() == b"<value><nil/></value>" || out.as_slice() == b"<value><ex:nil/></value>" {
        // `()`: no parameters.
        out.clear();
        out.extend_from_slice(b"<value><array><data></data></array></value>");
    } else if !out.starts_with(b"<value><array>") {
        return Err(Fault::invalid_params(
            "a multicall's parameters go by position: a tuple or a sequence",
        ));
    }
    Ok(())
}

fn invalid(why: &str) -> ClientError {
    ClientError::InvalidResponse(Fault::invalid_request(why))
}

fn json_answers(calls: &[Call], body: &[u8], limits: &Limits) -> Result<Vec<Answer>, ClientError> {
    let Ok(items) = serde_json::from_slice::<Vec<Box<RawValue>>>(body) else {
        // One error object for the whole batch.
        return match json::decode_response::<IgnoredAny>(body, limits) {
            Ok((_, Err(fault))) => Err(ClientError::Fault(fault)),
            Ok((_, Ok(_))) => Err(invalid("a batch was answered with one result")),
            Err(fault) => Err(ClientError::InvalidResponse(fault)),
        };
    };
    let mut answers: Vec<Option<Answer>> = calls.iter().map(|_| None).collect();
    for item in items {
        let (id, _) = json::decode_response::<IgnoredAny>(item.get().as_bytes(), limits)
            .map_err(ClientError::InvalidResponse)?;
        let slot = calls
            .iter()
            .position(|c| id.as_i64() == Some(c.id))
            .ok_or_else(|| invalid("an answer in the batch carries an id no call had"))?;
        answers[slot] = Some(Answer::Json(item));
    }
    Ok(answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| {
                Answer::Fault(Fault::invalid_request(
                    "the server sent no answer to this call",
                ))
            })
        })
        .collect())
}

fn xml_answers(count: usize, body: &[u8], limits: &Limits) -> Result<Vec<Answer>, ClientError> {
    let entries = match xml::decode_response::<Vec<Value>>(body, limits) {
        Ok(Ok(entries)) => entries,
        Ok(Err(fault)) => return Err(ClientError::Fault(fault)),
        Err(fault) => return Err(ClientError::InvalidResponse(fault)),
    };
    if entries.len() != count {
        return Err(invalid(
            "system.multicall answered a different number of calls",
        ));
    }
    Ok(entries
        .into_iter()
        .map(|entry| match entry {
            Value::Array(mut one) if one.len() == 1 => Answer::Xml(one.remove(0)),
            Value::Struct(fault) => Answer::Fault(Fault::new(
                match fault.get("faultCode") {
                    Some(Value::I32(code)) => *code,
                    _ => Fault::INTERNAL_ERROR,
                },
                match fault.get("faultString") {
                    Some(Value::String(text)) => text.as_str(),
                    _ => "",
                },
            )),
            _ => Answer::Fault(Fault::invalid_request(
                "a multicall entry is neither [result] nor a fault",
            )),
        })
        .collect())
}

impl Answers {
    /// The answer to one call: its result decoded as `R`, or
    /// [`ClientError::Fault`] when the server answered it with a fault.
    /// A slot of another batch is [`ClientError::InvalidOption`].
    pub fn get<R: DeserializeOwned>(&self, slot: Slot<R>) -> Result<R, ClientError> {
        let answer = self
            .answers
            .get(slot.index)
            .filter(|_| slot.tag == self.tag);
        let Some(answer) = answer else {
            return Err(ClientError::InvalidOption(
                "this slot belongs to another batch".to_owned(),
            ));
        };
        match answer {
            Answer::Fault(fault) => Err(ClientError::Fault(fault.clone())),
            Answer::Json(raw) => {
                match json::decode_response::<R>(raw.get().as_bytes(), &self.limits) {
                    Ok((_, Ok(value))) => Ok(value),
                    Ok((_, Err(fault))) => Err(ClientError::Fault(fault)),
                    Err(fault) => Err(ClientError::InvalidResponse(fault)),
                }
            }
            // A multicall's entries arrive as values; they reach `R` through
            // their serde form, as a JSON answer would.
            Answer::Xml(value) => serde_json::to_value(value)
                .and_then(serde_json::from_value::<R>)
                .map_err(|e| ClientError::InvalidResponse(Fault::invalid_params(json::redact(&e)))),
        }
    }

    /// How many answers there are: one per call.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether the batch was empty.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}
