//! Introspection from the types themselves: `rpc.discover`'s OpenRPC
//! document carries real schemas for user structs and enums (components and
//! `$ref`s) and validates against the OpenRPC meta-schema;
//! `system.methodSignature` names the XML-RPC type each type maps to,
//! through aliases.

use std::collections::BTreeMap;

use diglot::{Bytes, DateTime, Dispatcher, InProcess, Protocol, Value};
use diglot_examples::calc::{Calc, CalculatorService};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

/// A point on a grid.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// Across.
    pub x: i32,
    /// Up.
    pub y: i32,
    /// A label, if any.
    pub label: Option<String>,
}

/// A route: points, and where it goes next.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Route {
    /// The points in order.
    pub stops: Vec<Point>,
    /// How to get there.
    pub mode: Mode,
}

/// How to travel.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// On foot.
    Walk,
    /// By bicycle.
    Cycle,
}

/// A number, whole or not.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Number {
    /// Whole.
    Int(i64),
    /// With a fraction.
    Float(f64),
}

/// Not described: judged by its spelling.
#[derive(Debug, Serialize, Deserialize)]
pub struct Opaque {
    /// Something.
    pub inner: i32,
}

/// A count, by another name.
pub type Count = u32;

/// Methods over every kind of type.
#[diglot::rpc(namespace = "geo")]
pub trait Geo {
    /// Plans a route.
    fn plan(&self, from: Point, to: Option<Point>, mode: Mode) -> Route;
    /// Counts things.
    fn count(&self, limit: Count, small: u16) -> u32;
    /// Adds numbers of either kind.
    fn total(&self, #[rpc(rest)] numbers: Vec<Number>) -> Number;
    /// Stamps data.
    fn stamp(&self, at: DateTime, data: Bytes, extra: Value) -> BTreeMap<String, i64>;
    /// Passes an opaque value.
    fn opaque(&self, value: Opaque) -> Opaque;
}

struct Impl;

impl Geo for Impl {
    fn plan(&self, from: Point, _: Option<Point>, mode: Mode) -> Route {
        Route {
            stops: vec![from],
            mode,
        }
    }
    fn count(&self, limit: Count, small: u16) -> u32 {
        limit + u32::from(small)
    }
    fn total(&self, numbers: Vec<Number>) -> Number {
        Number::Float(
            numbers
                .iter()
                .map(|n| match n {
                    Number::Int(i) => *i as f64,
                    Number::Float(f) => *f,
                })
                .sum(),
        )
    }
    fn stamp(&self, _: DateTime, data: Bytes, _: Value) -> BTreeMap<String, i64> {
        BTreeMap::from([("len".to_owned(), data.len() as i64)])
    }
    fn opaque(&self, value: Opaque) -> Opaque {
        value
    }
}

fn dispatcher() -> Dispatcher {
    Dispatcher::builder()
        .service(GeoService::new(Impl))
        .service(CalculatorService::new(Calc))
        .info("Geography", "2.1.0")
        .build()
        .unwrap()
}

fn call(d: &Dispatcher, protocol: Protocol, method: &str, params: Json) -> Json {
    let client = diglot::Client::new(InProcess::new(d.clone(), protocol));
    diglot::block_on(client.call::<_, Json>(method, &params)).unwrap()
}

/// The meta-schema, joined into one file (see tests/data/openrpc/README.md).
fn meta_schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/openrpc/openrpc-meta-schema.json"
    );
    let schema: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .expect("the meta-schema compiles")
}

fn errors(validator: &jsonschema::Validator, document: &Json) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn rpc_discover_validates_against_the_openrpc_meta_schema() {
    let validator = meta_schema();
    let document = call(&dispatcher(), Protocol::JsonRpc, "rpc.discover", json!([]));
    assert_eq!(errors(&validator, &document), Vec::<String>::new());
    assert_eq!(
        document["info"],
        json!({"title": "Geography", "version": "2.1.0"})
    );

    // The validator does find mistakes: a method without a name, a
    // parameter schema that is not a schema.
    let mut broken = document.clone();
    broken["methods"][0].as_object_mut().unwrap().remove("name");
    assert!(!errors(&validator, &broken).is_empty());
    let mut broken = document.clone();
    broken["methods"][0]["params"][0]["schema"] = json!({"type": 7});
    assert!(!errors(&validator, &broken).is_empty());

    // A dispatcher with only an undescribed service, and the default info.
    let plain = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    let document = call(&plain, Protocol::JsonRpc, "rpc.discover", json!([]));
    assert_eq!(errors(&validator, &document), Vec::<String>::new());
    assert_eq!(
        document["info"],
        json!({"title": "Calculator", "version": "unspecified"})
    );
}

#[test]
fn structs_and_enums_are_components_referred_to_by_ref() {
    let document = call(&dispatcher(), Protocol::JsonRpc, "rpc.discover", json!([]));
    let method = |name: &str| -> Json {
        let methods = document["methods"].as_array().unwrap();
        methods.iter().find(|m| m["name"] == name).unwrap().clone()
    };
    let components = &document["components"]["schemas"];

    let plan = method("geo.plan");
    assert_eq!(
        plan["params"][0]["schema"],
        json!({"$ref": "#/components/schemas/Point"})
    );
    assert_eq!(plan["params"][1]["required"], json!(false));
    assert_eq!(
        plan["result"]["schema"],
        json!({"$ref": "#/components/schemas/Route"})
    );
    let point = &components["Point"];
    assert_eq!(point["type"], "object");
    assert_eq!(point["required"], json!(["x", "y"]));
    assert_eq!(point["properties"]["x"]["type"], "integer");
    assert_eq!(point["properties"]["x"]["description"], "Across.");
    let route = &components["Route"];
    assert_eq!(
        route["properties"]["stops"]["items"],
        json!({"$ref": "#/components/schemas/Point"})
    );
    assert_eq!(
        route["properties"]["mode"]["$ref"],
        "#/components/schemas/Mode"
    );
    let variants: Vec<&Json> = (components["Mode"]["oneOf"].as_array().unwrap().iter())
        .map(|variant| &variant["const"])
        .collect();
    assert_eq!(
        variants,
        [&json!("walk"), &json!("cycle")],
        "the names serde uses"
    );

    // A rest parameter: an array of the element's schema.
    let total = method("geo.total");
    assert_eq!(
        total["params"][0]["schema"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Number"}})
    );
    // Undescribed: the spelling's judgement.
    assert_eq!(
        method("geo.opaque")["params"][0]["schema"],
        json!({"type": "object"})
    );
    assert!(components.get("Opaque").is_none());
}

#[test]
fn method_signatures_name_the_xml_rpc_type_of_each_type() {
    let d = dispatcher();
    let signature = |method: &str| -> Vec<String> {
        let answer = call(
            &d,
            Protocol::XmlRpc,
            "system.methodSignature",
            json!([method]),
        );
        serde_json::from_value::<Vec<Vec<String>>>(answer)
            .unwrap()
            .remove(0)
    };
    // u32 values past 2^31 need <i8>; u16 always fits <int>; an alias is
    // the type it names.
    assert_eq!(signature("geo.count"), ["i8", "i8", "int"]);
    // Structs (also inside an Option) and an enum of names.
    assert_eq!(
        signature("geo.plan"),
        ["struct", "struct", "struct", "string"]
    );
    // An untagged whole-or-fraction number is a double; a rest parameter
    // shows its element once.
    assert_eq!(signature("geo.total"), ["double", "double"]);
    assert_eq!(
        signature("geo.stamp"),
        ["struct", "dateTime.iso8601", "base64", "any"]
    );
    assert_eq!(signature("geo.opaque"), ["struct", "struct"]);
    assert_eq!(signature("calc.add"), ["int", "int", "int"]);
}
