//! What a server says about its methods: `rpc.discover` (OpenRPC) where it
//! answers, else the XML-RPC `system.*` methods.

use std::fmt::Write as _;

use diglot::{ClientError, Fault, Protocol, Value};
use serde_json::Value as Json;

use crate::session::Session;
use crate::values::Params;

/// A method as the server describes it.
#[derive(Debug, Default)]
pub(crate) struct Method {
    pub(crate) name: String,
    pub(crate) help: String,
    /// Parameters with names and JSON schemas, from OpenRPC.
    pub(crate) params: Option<Vec<Param>>,
    /// XML-RPC signatures: the result type first, then the parameters'.
    pub(crate) signatures: Vec<Vec<String>>,
}

#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) required: bool,
    pub(crate) schema: Json,
}

fn one(value: &str) -> Params {
    Params::ByPosition(vec![Value::from(value)])
}

fn none() -> Params {
    Params::ByPosition(Vec::new())
}

/// Whether the server answered with a fault, such as "no such method"
/// (servers differ in its code: Python's uses 1), so that another way of
/// asking is worth a try.
fn is_missing(error: &ClientError) -> bool {
    matches!(error, ClientError::Fault(_))
}

/// A result as JSON, to look into.
fn json(value: &Value) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// The OpenRPC document, if the server answers `rpc.discover`.
async fn discover(session: &mut Session) -> Result<Option<Json>, ClientError> {
    match session.result("rpc.discover", &none()).await {
        Ok(document) => Ok(Some(json(&document))),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn from_openrpc(method: &Json) -> Method {
    let text = |key: &str| method.get(key).and_then(Json::as_str).unwrap_or_default();
    let params = method.get("params").and_then(Json::as_array).map(|params| {
        params
            .iter()
            .map(|p| Param {
                name: p
                    .get("name")
                    .and_then(Json::as_str)
                    .unwrap_or("?")
                    .to_owned(),
                required: p.get("required").and_then(Json::as_bool).unwrap_or(false),
                schema: p.get("schema").cloned().unwrap_or(Json::Null),
            })
            .collect()
    });
    let help = match text("description") {
        "" => text("summary"),
        description => description,
    };
    Method {
        name: text("name").to_owned(),
        help: help.to_owned(),
        params,
        signatures: Vec::new(),
    }
}

/// Every method the server lists, with its help.
pub(crate) async fn list(session: &mut Session) -> Result<Vec<Method>, ClientError> {
    if session.protocol() == Protocol::JsonRpc
        && let Some(document) = discover(session).await?
    {
        let methods = document.get("methods").and_then(Json::as_array);
        return Ok(methods.into_iter().flatten().map(from_openrpc).collect());
    }
    let names = session.result("system.listMethods", &none()).await?;
    let names: Vec<String> = serde_json::from_value(json(&names)).map_err(|e| {
        ClientError::InvalidResponse(Fault::invalid_request(format_args!(
            "system.listMethods: {e}"
        )))
    })?;
    let mut methods = Vec::with_capacity(names.len());
    for name in names {
        let help = match session.result("system.methodHelp", &one(&name)).await {
            Ok(Value::String(help)) => help,
            Ok(_) => String::new(),
            Err(e) if is_missing(&e) => String::new(),
            Err(e) => return Err(e),
        };
        methods.push(Method {
            name,
            help,
            ..Method::default()
        });
    }
    Ok(methods)
}

/// The XML-RPC signatures of `method`; none when the server cannot say.
pub(crate) async fn signatures(
    session: &mut Session,
    method: &str,
) -> Result<Vec<Vec<String>>, ClientError> {
    match session.result("system.methodSignature", &one(method)).await {
        // "undef" (a string) is the convention for "not known".
        Ok(Value::Array(list)) => Ok(list
            .iter()
            .filter_map(|s| serde_json::from_value::<Vec<String>>(json(s)).ok())
            .collect()),
        Ok(_) => Ok(Vec::new()),
        Err(ClientError::Fault(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// All the server says about `method`.
pub(crate) async fn describe(session: &mut Session, name: &str) -> Result<Method, ClientError> {
    let mut method = Method {
        name: name.to_owned(),
        ..Method::default()
    };
    if session.protocol() == Protocol::JsonRpc
        && let Some(document) = discover(session).await?
    {
        let found = document
            .get("methods")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|m| m.get("name").and_then(Json::as_str) == Some(name));
        match found {
            Some(found) => method = from_openrpc(found),
            None => return Err(ClientError::Fault(Fault::method_not_found(name))),
        }
    }
    method.signatures = signatures(session, name).await?;
    if method.help.is_empty() {
        match session.result("system.methodHelp", &one(name)).await {
            Ok(Value::String(help)) => method.help = help,
            Ok(_) => {}
            Err(ClientError::Fault(fault))
                if method.params.is_none() && method.signatures.is_empty() =>
            {
                return Err(ClientError::Fault(fault));
            }
            Err(ClientError::Fault(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(method)
}

/// `name  first line of help`, aligned.
pub(crate) fn render_list(methods: &[Method]) -> String {
    let width = methods.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for m in methods {
        let summary = m.help.lines().next().unwrap_or_default();
        let line = format!("{:width$}  {summary}", m.name);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The signatures, the help, then each parameter.
pub(crate) fn render_method(method: &Method) -> String {
    let mut out = String::new();
    let names: Vec<&str> = method
        .params
        .iter()
        .flatten()
        .map(|p| p.name.as_str())
        .collect();
    if method.signatures.is_empty() {
        let _ = writeln!(out, "{}({})", method.name, names.join(", "));
    }
    for signature in &method.signatures {
        let Some((result, params)) = signature.split_first() else {
            continue;
        };
        let params: Vec<String> = params
            .iter()
            .enumerate()
            .map(
                |(i, ty)| match names.get(i).filter(|_| names.len() == params.len()) {
                    Some(name) => format!("{name}: {ty}"),
                    None => ty.clone(),
                },
            )
            .collect();
        let _ = writeln!(out, "{}({}) -> {result}", method.name, params.join(", "));
    }
    if !method.help.is_empty() {
        out.push('\n');
        for line in method.help.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    if let Some(params) = method.params.as_ref().filter(|p| !p.is_empty()) {
        out.push_str("\nparameters, by position or by name:\n");
        let width = params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in params {
            let need = if p.required { "required" } else { "optional" };
            let _ = writeln!(out, "    {:width$}  {need}  {}", p.name, p.schema);
        }
    }
    out
}
