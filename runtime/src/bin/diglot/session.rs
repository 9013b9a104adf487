//! One conversation with a server: requests written in the protocol it
//! speaks — JSON-RPC unless told, or shown by its first answer, otherwise —
//! and answers read back as JSON.

use diglot::{
    ClientError, Connection, Fault, Limits, Outgoing, Protocol, Struct, Value, json, xml,
};
use serde_json::value::RawValue;

use crate::target::{AnyConnection, ConnectOptions, Target, connect};
use crate::values::Params;

/// What a server answered: the body as sent, and the result or fault.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) body: Vec<u8>,
    pub(crate) outcome: Result<Value, Fault>,
}

/// The answers to a batch or multicall, in the order the calls were given.
#[derive(Debug)]
pub(crate) struct Answers {
    pub(crate) body: Vec<u8>,
    pub(crate) outcomes: Vec<Result<Value, Fault>>,
}

pub(crate) struct Session {
    target: Target,
    options: ConnectOptions,
    connection: AnyConnection,
    /// Neither forced nor settled by an answer yet: a server that does not
    /// read JSON-RPC is then asked again in XML-RPC.
    probing: bool,
    verbose: bool,
    next_id: i64,
    limits: Limits,
}

impl Session {
    /// Connects; `forced` fixes the protocol, else JSON-RPC is tried first.
    pub(crate) async fn open(
        target: Target,
        options: ConnectOptions,
        forced: Option<Protocol>,
        verbose: bool,
    ) -> Result<Session, ClientError> {
        let protocol = forced.unwrap_or(Protocol::JsonRpc);
        let connection = connect(&target, protocol, &options).await?;
        Ok(Session {
            target,
            options,
            connection,
            probing: forced.is_none(),
            verbose,
            next_id: 1,
            limits: Limits::default(),
        })
    }

    pub(crate) fn protocol(&self) -> Protocol {
        self.connection.protocol()
    }

    /// Calls `method`.
    pub(crate) async fn call(
        &mut self,
        method: &str,
        params: &Params,
    ) -> Result<Answer, ClientError> {
        loop {
            let answer = self.call_once(method, params).await;
            if !self.switch_after(&answer).await? {
                return answer;
            }
        }
    }

    /// Calls `method` and insists on a result: a fault is an error.
    pub(crate) async fn result(
        &mut self,
        method: &str,
        params: &Params,
    ) -> Result<Value, ClientError> {
        self.call(method, params)
            .await?
            .outcome
            .map_err(ClientError::Fault)
    }

    /// Sends a JSON-RPC notification: no id, no answer.
    pub(crate) async fn notify(
        &mut self,
        method: &str,
        params: &Params,
    ) -> Result<(), ClientError> {
        let mut body = Vec::new();
        json::write_request(&mut body, method, params, None).map_err(ClientError::Encode)?;
        self.exchange(body, None, false).await?;
        Ok(())
    }

    /// Sends several calls at once: a JSON-RPC batch, or in XML-RPC a
    /// `system.multicall`.
    pub(crate) async fn batch(
        &mut self,
        calls: &[(String, Params)],
    ) -> Result<Answers, ClientError> {
        loop {
            let answers = match self.protocol() {
                Protocol::JsonRpc => self.json_batch(calls).await,
                Protocol::XmlRpc => self.multicall(calls).await,
            };
            if !self.switch_after(&answers).await? {
                return answers;
            }
        }
    }

    /// After the first exchange: whether the server showed that it does
    /// not speak JSON-RPC, in which case the session now speaks XML-RPC.
    async fn switch_after<T>(
        &mut self,
        outcome: &Result<T, ClientError>,
    ) -> Result<bool, ClientError> {
        let probing = std::mem::replace(&mut self.probing, false);
        let not_json = matches!(
            outcome,
            Err(ClientError::InvalidResponse(_)
                | ClientError::HttpStatus(_)
                | ClientError::Closed(_)
                | ClientError::Protocol(_))
        );
        if !(probing && not_json) {
            return Ok(false);
        }
        if self.verbose {
            eprintln!("* no JSON-RPC answer; asking again in XML-RPC");
        }
        self.connection = connect(&self.target, Protocol::XmlRpc, &self.options).await?;
        Ok(true)
    }

    async fn call_once(&mut self, method: &str, params: &Params) -> Result<Answer, ClientError> {
        let mut body = Vec::with_capacity(128);
        match self.protocol() {
            Protocol::JsonRpc => {
                let id = self.take_id();
                json::write_request(&mut body, method, params, Some(&id.into()))
                    .map_err(ClientError::Encode)?;
                let body = self.exchange(body, Some(id), true).await?;
                let outcome = match json::decode_response::<Value>(&body, &self.limits) {
                    Ok((got, _)) if got.as_i64() != Some(id) => {
                        return Err(ClientError::InvalidResponse(Fault::invalid_request(
                            "the response's id does not match the request's",
                        )));
                    }
                    Ok((_, outcome)) => outcome,
                    Err(fault) => return Err(ClientError::InvalidResponse(fault)),
                };
                Ok(Answer { body, outcome })
            }
            Protocol::XmlRpc => {
                let Params::ByPosition(values) = params else {
                    return Err(named_in_xml());
                };
                xml::write_call(&mut body, method, values, Default::default())
                    .map_err(ClientError::Encode)?;
                let body = self.exchange(body, None, true).await?;
                let outcome = xml::decode_response::<Value>(&body, &self.limits)
                    .map_err(ClientError::InvalidResponse)?;
                Ok(Answer { body, outcome })
            }
        }
    }

    async fn json_batch(&mut self, calls: &[(String, Params)]) -> Result<Answers, ClientError> {
        let first = self.next_id;
        let mut body = vec![b'['];
        for (i, (method, params)) in calls.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            let id = self.take_id();
            json::write_request(&mut body, method, params, Some(&id.into()))
                .map_err(ClientError::Encode)?;
        }
        body.push(b']');
        let body = self.exchange(body, None, true).await?;
        let Ok(items) = serde_json::from_slice::<Vec<&RawValue>>(&body) else {
            // One error for the whole batch (too long, unreadable).
            let (_, outcome) = json::decode_response::<Value>(&body, &self.limits)
                .map_err(ClientError::InvalidResponse)?;
            return Err(ClientError::Fault(outcome.err().unwrap_or_else(|| {
                Fault::invalid_request("a batch was answered with a single result")
            })));
        };
        let mut outcomes: Vec<Option<Result<Value, Fault>>> = vec![None; calls.len()];
        for item in items {
            let (id, outcome) = json::decode_response::<Value>(item.get().as_bytes(), &self.limits)
                .map_err(ClientError::InvalidResponse)?;
            let slot = id
                .as_i64()
                .and_then(|id| usize::try_from(id - first).ok())
                .and_then(|i| outcomes.get_mut(i))
                .ok_or_else(|| {
                    ClientError::InvalidResponse(Fault::invalid_request(
                        "an answer in the batch carries an id no call had",
                    ))
                })?;
            *slot = Some(outcome);
        }
        let outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Fault::invalid_request("the server sent no answer"))))
            .collect();
        Ok(Answers { body, outcomes })
    }

    async fn multicall(&mut self, calls: &[(String, Params)]) -> Result<Answers, ClientError> {
        let mut list = Vec::with_capacity(calls.len());
        for (method, params) in calls {
            let Params::ByPosition(values) = params else {
                return Err(named_in_xml());
            };
            let mut call = Struct::new();
            call.insert("methodName", method.as_str());
            call.insert("params", values.clone());
            list.push(Value::Struct(call));
        }
        let answer = self
            .call_once(
                "system.multicall",
                &Params::ByPosition(vec![Value::Array(list)]),
            )
            .await?;
        let results = match answer.outcome {
            Ok(Value::Array(results)) if results.len() == calls.len() => results,
            Ok(_) => {
                return Err(ClientError::InvalidResponse(Fault::invalid_request(
                    "system.multicall answered something other than one entry per call",
                )));
            }
            Err(fault) => return Err(ClientError::Fault(fault)),
        };
        let outcomes = results
            .into_iter()
            .map(|entry| match entry {
                Value::Array(mut one) if one.len() == 1 => Ok(one.remove(0)),
                Value::Struct(fault) => Err(Fault::new(
                    match fault.get("faultCode") {
                        Some(Value::I32(code)) => *code,
                        _ => Fault::INTERNAL_ERROR,
                    },
                    match fault.get("faultString") {
                        Some(Value::String(text)) => text.as_str(),
                        _ => "",
                    },
                )),
                _ => Err(Fault::invalid_request(
                    "a multicall entry is neither [result] nor a fault",
                )),
            })
            .collect();
        Ok(Answers {
            body: answer.body,
            outcomes,
        })
    }

    fn take_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id - 1
    }

    /// Sends a body and waits for the answer, within the timeout, showing
    /// both with `--verbose`.
    async fn exchange(
        &mut self,
        body: Vec<u8>,
        id: Option<i64>,
        expects_answer: bool,
    ) -> Result<Vec<u8>, ClientError> {
        if self.verbose {
            eprintln!("> {}", String::from_utf8_lossy(&body).trim_end());
        }
        let request = Outgoing {
            body,
            id,
            expects_answer,
        };
        let exchanging = self.connection.exchange(request);
        let answer = match self.options.timeout {
            None => exchanging.await,
            Some(after) => tokio::time::timeout(after, exchanging)
                .await
                .map_err(|_| ClientError::TimedOut { after })?,
        }?;
        if self.verbose && expects_answer {
            eprintln!("< {}", String::from_utf8_lossy(&answer).trim_end());
        }
        Ok(answer)
    }
}

fn named_in_xml() -> ClientError {
    ClientError::Encode(Fault::invalid_params(
        "XML-RPC has no parameters by name: give them by position, or use --json",
    ))
}
