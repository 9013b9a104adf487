//! Built-in methods: XML-RPC introspection (`system.listMethods`,
//! `system.methodSignature`, `system.methodHelp`), `system.getCapabilities`,
//! `system.multicall`, and JSON-RPC's `rpc.discover` (an OpenRPC document).

use serde_json::json;

use super::{Call, Dispatcher};
use crate::service::{
    MethodInfo, MethodKind, ParamInfo, ParamList, Schemas, TypeInfo, undescribed, xml_type,
};
use crate::transport::Protocol;
use crate::{Fault, Value, json, xml};

const STRING: TypeInfo = TypeInfo {
    rust: "String",
    xml: "string",
    describe: undescribed,
    schema: r#"{"type":"string"}"#,
};
const STRINGS: TypeInfo = TypeInfo {
    rust: "Vec<String>",
    xml: "array",
    describe: undescribed,
    schema: r#"{"type":"array","items":{"type":"string"}}"#,
};
const ARRAY: TypeInfo = TypeInfo {
    rust: "Vec<Value>",
    xml: "array",
    describe: undescribed,
    schema: r#"{"type":"array"}"#,
};
const STRUCT: TypeInfo = TypeInfo {
    rust: "Struct",
    xml: "struct",
    describe: undescribed,
    schema: r#"{"type":"object"}"#,
};
const METHOD_NAME: &[ParamInfo] = &[ParamInfo {
    name: "method",
    ty: STRING,
    optional: false,
    rest: false,
}];

/// The built-in methods, as introspection lists them.
pub(super) static BUILTINS: [MethodInfo; 6] = [
    MethodInfo {
        name: "system.listMethods",
        help: "Lists the names of the methods this server offers.",
        params: &[],
        result: STRINGS,
        hidden: false,
        kind: MethodKind::Call,
    },
    MethodInfo {
        name: "system.methodSignature",
        help: "Gives a method's signatures: arrays of XML-RPC type names, the return type first.",
        params: METHOD_NAME,
        result: ARRAY,
        hidden: false,
        kind: MethodKind::Call,
    },
    MethodInfo {
        name: "system.methodHelp",
        help: "Gives a method's documentation.",
        params: METHOD_NAME,
        result: STRING,
        hidden: false,
        kind: MethodKind::Call,
    },
    MethodInfo {
        name: "system.getCapabilities",
        help: "Names the specifications and extensions this server implements.",
        params: &[],
        result: STRUCT,
        hidden: false,
        kind: MethodKind::Call,
    },
    MethodInfo {
        name: MULTICALL_NAME,
        help: "Runs several calls in one request. Each element is a struct with `methodName` and \
               `params`; each answer is a one-element array holding the result, or a fault struct.",
        params: &[ParamInfo {
            name: "calls",
            ty: ARRAY,
            optional: false,
            rest: false,
        }],
        result: ARRAY,
        hidden: false,
        kind: MethodKind::Call,
    },
    MethodInfo {
        name: "rpc.discover",
        help: "Describes this server as an OpenRPC document.",
        params: &[],
        result: STRUCT,
        hidden: false,
        kind: MethodKind::Call,
    },
];

const LIST_METHODS: usize = 0;
const METHOD_SIGNATURE: usize = 1;
const METHOD_HELP: usize = 2;
const GET_CAPABILITIES: usize = 3;
const MULTICALL: usize = 4;
const DISCOVER: usize = 5;

/// The multicall method's name.
pub(super) const MULTICALL_NAME: &str = "system.multicall";

pub(super) fn is_builtin(name: &str) -> bool {
    name.starts_with("system.") || name == "rpc.discover"
}

/// Runs a built-in method.
pub(super) async fn call<'a>(
    dispatcher: &'a Dispatcher,
    name: &'a str,
    params: crate::service::ParamInput<'_, 'a>,
    call: Call<'_>,
    out: &mut Vec<u8>,
) -> Result<(), Fault> {
    let encoding = call.encoding;
    let Some(index) = BUILTINS.iter().position(|m| m.name == name) else {
        return Err(Fault::method_not_found(name));
    };
    let info = &BUILTINS[index];
    match index {
        LIST_METHODS => {
            <()>::decode(params, info)?;
            let names: Vec<&str> = visible(dispatcher).map(|m| m.name).collect();
            encoding.encode(&names, out)
        }
        METHOD_SIGNATURE => {
            let (method,): (String,) = ParamList::decode(params, info)?;
            let m = lookup(dispatcher, &method)?;
            let mut schemas = Schemas::new();
            let described: Vec<_> = std::iter::once(&m.result)
                .chain(m.params.iter().map(|p| &p.ty))
                .map(|ty| (ty, (ty.describe)(&mut schemas)))
                .collect();
            let components = schemas.components();
            let signature: Vec<&str> = (described.iter())
                .map(|(ty, schema)| match schema {
                    Some(schema) => xml_type(schema, &components),
                    None => ty.xml,
                })
                .collect();
            encoding.encode(&[signature], out)
        }
        METHOD_HELP => {
            let (method,): (String,) = ParamList::decode(params, info)?;
            encoding.encode(lookup(dispatcher, &method)?.help, out)
        }
        GET_CAPABILITIES => {
            <()>::decode(params, info)?;
            encoding.encode(&capabilities(), out)
        }
        MULTICALL => {
            let (calls,): (Vec<Value>,) = ParamList::decode(params, info)?;
            multicall(dispatcher, calls, call, out).await
        }
        DISCOVER => {
            <()>::decode(params, info)?;
            encoding.encode(&discover(dispatcher), out)
        }
        _ => Err(Fault::method_not_found(name)),
    }
}

/// Methods introspection shows.
fn visible(dispatcher: &Dispatcher) -> impl Iterator<Item = &'static MethodInfo> + '_ {
    dispatcher.methods().filter(|m| !m.hidden)
}

fn lookup(dispatcher: &Dispatcher, name: &str) -> Result<&'static MethodInfo, Fault> {
    visible(dispatcher)
        .find(|m| m.name == name)
        .ok_or_else(|| Fault::method_not_found(name))
}

fn capabilities() -> serde_json::Value {
    json!({
        "xmlrpc": {"specUrl": "http://www.xmlrpc.com/spec", "specVersion": 1},
        "faults_interop": {
            "specUrl": "http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php",
            "specVersion": 20010516
        },
        "introspection": {
            "specUrl": "http://xmlrpc-c.sourceforge.net/introspection.html",
            "specVersion": 1
        },
        "multicall": {
            "specUrl": "http://www.xmlrpc.com/discuss/msgReader$1208",
            "specVersion": 1
        },
        "nil": {"specUrl": "http://www.ontosys.com/xml-rpc/extensions.php", "specVersion": 20010518},
        "json-rpc": {"specUrl": "https://www.jsonrpc.org/specification", "specVersion": "2.0"}
    })
}

/// The OpenRPC document for `rpc.discover`.
pub(super) fn discover(dispatcher: &Dispatcher) -> serde_json::Value {
    let mut schemas = Schemas::new();
    // The type's own schema, or the one judged from its spelling.
    let mut schema = |ty: &TypeInfo| -> serde_json::Value {
        (ty.describe)(&mut schemas)
            .unwrap_or_else(|| serde_json::from_str(ty.schema).unwrap_or_else(|_| json!({})))
    };
    let methods: Vec<serde_json::Value> = visible(dispatcher)
        .map(|m| {
            let mut method = json!({
                "name": m.name,
                "description": m.help,
                "paramStructure": "either",
                "params": m.params.iter().map(|p| if p.rest {
                    // Any number of trailing parameters by position, one
                    // array by name: described as the array, marked.
                    json!({
                        "name": p.name,
                        "required": false,
                        "schema": {"type": "array", "items": schema(&p.ty)},
                        "x-rest": true,
                    })
                } else {
                    json!({
                        "name": p.name,
                        "required": !p.optional,
                        "schema": schema(&p.ty),
                    })
                }).collect::<Vec<_>>(),
                "result": {"name": "result", "schema": schema(&m.result)},
            });
            // OpenRPC has no subscriptions: an extension says which method
            // starts one, what its notifications carry and what ends it.
            match m.kind {
                MethodKind::Call => {}
                MethodKind::Subscribe { unsubscribe, item } => {
                    method["x-subscription"] = json!({
                        "notification": m.name,
                        "item": schema(&item),
                        "unsubscribe": unsubscribe,
                    });
                }
                MethodKind::Unsubscribe { subscribe } => {
                    method["x-unsubscribe"] = json!({"subscription": subscribe});
                }
            }
            method
        })
        .collect();
    let mut document = json!({
        "openrpc": "1.3.2",
        "info": {"title": dispatcher.inner.title, "version": dispatcher.inner.version},
        "methods": methods,
    });
    let components = schemas.components();
    if !components.is_empty() {
        document["components"] = json!({"schemas": components});
    }
    document
}

/// Runs each call in turn. Answers are `[result]` or a fault struct, as the
/// multicall convention has it. The list is bounded by the batch limit, its
/// calls count against the request's `max_calls` (a multicall that does not
/// fit is refused whole), and a multicall inside a multicall is refused, so
/// one request cannot fan out.
async fn multicall(
    dispatcher: &Dispatcher,
    calls: Vec<Value>,
    context: Call<'_>,
    out: &mut Vec<u8>,
) -> Result<(), Fault> {
    let encoding = context.encoding;
    dispatcher.limits().check_batch_len(calls.len())?;
    context.budget.check(calls.len())?;
    let (open, sep, close): (&[u8], &[u8], &[u8]) = match encoding.protocol {
        Protocol::XmlRpc => (b"<value><array><data>", b"", b"</data></array></value>"),
        Protocol::JsonRpc => (b"[", b",", b"]"),
    };
    out.extend_from_slice(open);
    let mut scratch = Vec::new();
    for (i, call) in calls.into_iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        scratch.clear();
        match sub_call(dispatcher, &call, context, &mut scratch).await {
            Ok(()) => {
                out.extend_from_slice(open);
                out.extend_from_slice(&scratch);
                out.extend_from_slice(close);
            }
            Err(fault) => {
                let answer = crate::Struct::from_iter([
                    ("faultCode", Value::I32(fault.code)),
                    ("faultString", Value::String(fault.message)),
                ]);
                encoding.encode(&answer, out)?;
            }
        }
    }
    out.extend_from_slice(close);
    Ok(())
}

async fn sub_call(
    dispatcher: &Dispatcher,
    call: &Value,
    context: Call<'_>,
    out: &mut Vec<u8>,
) -> Result<(), Fault> {
    let encoding = context.encoding;
    let malformed = || {
        Fault::invalid_params("a multicall entry must be a struct with `methodName` and `params`")
    };
    let method = call
        .get("methodName")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    let params = match call.get("params") {
        None => &[][..],
        Some(params) => params.as_array().ok_or_else(malformed)?,
    };
    if method == MULTICALL_NAME {
        return Err(Fault::invalid_request("system.multicall cannot be nested"));
    }
    // Re-encode the parameters in the call's protocol and decode them as a
    // call would: the method sees exactly what it would see on its own.
    match encoding.protocol {
        Protocol::XmlRpc => {
            let mut body = Vec::new();
            xml::write_call(&mut body, method, params, encoding.dialect)?;
            let mut sub = xml::MethodCall::parse(&body, dispatcher.limits())?;
            let params = crate::service::ParamInput::Xml(&mut sub);
            Box::pin(dispatcher.invoke(method, params, context, out)).await
        }
        Protocol::JsonRpc => {
            let text = serde_json::to_string(params).map_err(Fault::internal_error)?;
            let params = crate::service::ParamInput::Json(json::Params::from_json(&text));
            Box::pin(dispatcher.invoke(method, params, context, out)).await
        }
    }
}
