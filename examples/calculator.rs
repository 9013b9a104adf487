//! The calculator: diglot's running example.
//!
//! Until the transports land, it serves one request read from standard input
//! and writes the response to standard output, in whichever protocol the
//! request used:
//!
//! ```text
//! echo '{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}' | cargo run --example calculator
//! ```

use std::io::{Read, Write};

use diglot::json::{self, BatchWriter, Incoming, Request};
use diglot::xml::{self, Dialect, MethodCall};
use diglot::{Fault, Limits, Value};

// ANCHOR: methods
/// Adds two integers, failing on overflow instead of wrapping.
fn add(a: i32, b: i32) -> Result<i32, Fault> {
    a.checked_add(b)
        .ok_or_else(|| Fault::new(1, "integer overflow"))
}

/// Divides; dividing by zero is a fault.
fn div(a: f64, b: f64) -> Result<f64, Fault> {
    if b == 0.0 {
        return Err(Fault::new(2, "division by zero"));
    }
    Ok(a / b)
}
// ANCHOR_END: methods

fn main() -> std::io::Result<()> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let limits = Limits::default();
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let out = if first == Some(&b'<') {
        serve_xml(&body, &limits)
    } else {
        serve_json(&body, &limits)
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.write_all(b"\n")
}

// ANCHOR: xml
fn serve_xml(body: &[u8], limits: &Limits) -> Vec<u8> {
    let mut out = Vec::new();
    let outcome = MethodCall::parse(body, limits).and_then(|mut call| {
        let result = match call.method_name() {
            "calc.add" => Value::from(add(required(&mut call)?, required(&mut call)?)?),
            "calc.div" => Value::from(div(required(&mut call)?, required(&mut call)?)?),
            "calc.echo" => required::<Value>(&mut call)?,
            "calc.sumAll" => Value::from(required::<Vec<f64>>(&mut call)?.iter().sum::<f64>()),
            other => return Err(Fault::method_not_found(other)),
        };
        call.finish()?;
        Ok(result)
    });
    let written =
        outcome.and_then(|value| xml::write_response(&mut out, &value, Dialect::Standard));
    if let Err(fault) = written {
        xml::write_fault(&mut out, &fault, Dialect::Standard);
    }
    out
}

fn required<'a, T: serde::Deserialize<'a>>(call: &mut MethodCall<'a>) -> Result<T, Fault> {
    call.next_param()?
        .ok_or_else(|| Fault::invalid_params("too few parameters"))
}
// ANCHOR_END: xml

// ANCHOR: json
fn serve_json(body: &[u8], limits: &Limits) -> Vec<u8> {
    let mut out = Vec::new();
    match json::parse(body, limits) {
        Err(fault) => json::write_error(&mut out, &json::Id::Null, &fault),
        Ok(Incoming::Single(entry)) => {
            let mut batch = BatchWriter::new(&mut out);
            answer(&mut batch, entry);
            // A single response is the batch's only element, without brackets.
            let single = !batch.is_empty();
            batch.finish();
            if single {
                out.remove(0);
                out.pop();
            }
        }
        Ok(Incoming::Batch(entries)) => {
            let mut batch = BatchWriter::new(&mut out);
            for entry in entries {
                answer(&mut batch, entry);
            }
            batch.finish();
        }
    }
    out
}

fn answer(batch: &mut BatchWriter<'_>, entry: json::Entry<'_>) {
    let request = match entry {
        Ok(request) => request,
        Err(rejected) => return batch.error(&rejected.id, &rejected.fault),
    };
    let outcome = call_json(&request);
    let Some(id) = &request.id else { return };
    if let Err(fault) = outcome.and_then(|value| batch.result(id, &value)) {
        batch.error(id, &fault);
    }
}

fn call_json(request: &Request<'_>) -> Result<Value, Fault> {
    let params = &request.params;
    match request.method.as_ref() {
        "calc.add" => {
            let (a, b): (i32, i32) = params.decode()?;
            add(a, b).map(Value::from)
        }
        "calc.div" => {
            let (a, b): (f64, f64) = params.decode()?;
            div(a, b).map(Value::from)
        }
        "calc.echo" => params.decode::<(Value,)>().map(|(v,)| v),
        "calc.sumAll" => params
            .decode::<(Vec<f64>,)>()
            .map(|(values,)| Value::from(values.iter().sum::<f64>())),
        other => Err(Fault::method_not_found(other)),
    }
}
// ANCHOR_END: json
