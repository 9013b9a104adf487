//! Descriptions that come from the types themselves: a type that implements
//! `schemars::JsonSchema` (feature `schemars`) is described by its own
//! schema, in `rpc.discover` and in `system.methodSignature`. Other types
//! keep what the macro judged from their spelling.

use serde_json::{Map, Value as Json};

/// The schemas `rpc.discover` collects while describing methods: every type
/// with a name of its own (a struct, an enum) is described once, in
/// `components.schemas`, and referred to with `$ref` elsewhere.
#[derive(Debug)]
pub struct Schemas {
    #[cfg(feature = "schemars")]
    generator: schemars::SchemaGenerator,
}

/// How a type describes itself: its JSON Schema, or `None` when it says
/// nothing (then the macro's judgement stands).
pub type Describe = fn(&mut Schemas) -> Option<Json>;

/// A [`Describe`] for types that say nothing.
pub fn undescribed(_: &mut Schemas) -> Option<Json> {
    None
}

/// Where shared schemas live in an OpenRPC document.
#[cfg(feature = "schemars")]
const COMPONENTS: &str = "/components/schemas";

impl Schemas {
    pub(crate) fn new() -> Self {
        Schemas {
            #[cfg(feature = "schemars")]
            generator: {
                let mut settings = schemars::generate::SchemaSettings::draft07();
                settings.definitions_path = COMPONENTS.into();
                settings.meta_schema = None;
                settings.into_generator()
            },
        }
    }

    /// The schema of `T`: itself, or a `$ref` to it among the components.
    #[cfg(feature = "schemars")]
    pub(crate) fn schema_of<T: ?Sized + schemars::JsonSchema>(&mut self) -> Json {
        self.generator.subschema_for::<T>().to_value()
    }

    /// The shared schemas collected so far, by name.
    pub(crate) fn components(&self) -> Map<String, Json> {
        #[cfg(feature = "schemars")]
        {
            self.generator.definitions().clone()
        }
        #[cfg(not(feature = "schemars"))]
        Map::new()
    }
}

/// The XML-RPC type name that fits values of `schema`: `int`, `i8`,
/// `double`, `boolean`, `string`, `dateTime.iso8601`, `base64`, `array`,
/// `struct`, `nil`, or `any` when the schema allows anything. `$ref`s are
/// followed into `components`.
pub(crate) fn xml_type(schema: &Json, components: &Map<String, Json>) -> &'static str {
    xml_type_within(schema, components, 0)
}

fn xml_type_within(schema: &Json, components: &Map<String, Json>, depth: usize) -> &'static str {
    // A recursive type refers to itself; its outer type is known long
    // before this depth.
    if depth > 16 {
        return "any";
    }
    let Some(object) = schema.as_object() else {
        return "any"; // `true`, or not a schema
    };
    if let Some(name) = object.get("x-xmlrpc").and_then(Json::as_str) {
        return match name {
            "dateTime.iso8601" => "dateTime.iso8601",
            "base64" => "base64",
            _ => "any",
        };
    }
    if let Some(target) = object.get("$ref").and_then(Json::as_str) {
        let name = target.rsplit('/').next().unwrap_or_default();
        return match components.get(name) {
            Some(schema) => xml_type_within(schema, components, depth + 1),
            None => "any",
        };
    }
    // `anyOf`/`oneOf`: what the alternatives other than null share.
    for key in ["anyOf", "oneOf"] {
        if let Some(alternatives) = object.get(key).and_then(Json::as_array) {
            let names = alternatives
                .iter()
                .map(|alt| xml_type_within(alt, components, depth + 1))
                .filter(|name| *name != "nil");
            return common(names);
        }
    }
    if object.contains_key("enum") || object.contains_key("const") {
        let values = object.get("enum").and_then(Json::as_array);
        let values = values.map_or_else(
            || object.get("const").into_iter().collect(),
            |v| v.iter().collect::<Vec<_>>(),
        );
        return common(values.into_iter().filter(|v| !v.is_null()).map(value_type));
    }
    match object.get("type") {
        Some(Json::String(ty)) => simple_type(ty, object),
        Some(Json::Array(types)) => common(
            (types.iter())
                .filter_map(Json::as_str)
                .filter(|ty| *ty != "null")
                .map(|ty| simple_type(ty, object)),
        ),
        _ if object.contains_key("properties") => "struct",
        _ => "any",
    }
}

/// The XML-RPC type of a JSON `type`, refined by `format`.
fn simple_type(ty: &str, object: &Map<String, Json>) -> &'static str {
    let format = object.get("format").and_then(Json::as_str);
    match ty {
        // Narrow integers always fit `<int>`; wider ones may need `<i8>`.
        "integer" => match format {
            Some("int8" | "int16" | "int32" | "uint8" | "uint16") => "int",
            _ => "i8",
        },
        "number" => "double",
        "boolean" => "boolean",
        "string" => "string",
        "array" => "array",
        "object" => "struct",
        "null" => "nil",
        _ => "any",
    }
}

fn value_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "nil",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_f64() => "double",
        Json::Number(_) => "i8",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "struct",
    }
}

/// One name for several: itself when they agree, `double` for a mix of
/// numbers, `any` otherwise.
fn common(names: impl Iterator<Item = &'static str>) -> &'static str {
    let mut found: Option<&'static str> = None;
    for name in names {
        found = Some(match found {
            None => name,
            Some(seen) if seen == name => seen,
            Some("int" | "i8") if name == "i8" || name == "int" => "i8",
            Some("int" | "i8" | "double") if matches!(name, "int" | "i8" | "double") => "double",
            Some(_) => return "any",
        });
    }
    found.unwrap_or("any")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn xml(schema: Json) -> &'static str {
        let components = Map::from_iter([(
            "Point".to_owned(),
            json!({"type": "object", "properties": {"x": {"type": "integer"}}}),
        )]);
        xml_type(&schema, &components)
    }

    #[test]
    fn schemas_name_their_xml_rpc_types() {
        assert_eq!(xml(json!({"type": "integer", "format": "int32"})), "int");
        assert_eq!(xml(json!({"type": "integer", "format": "uint32"})), "i8");
        assert_eq!(
            xml(json!({"type": ["integer", "null"], "format": "int16"})),
            "int"
        );
        assert_eq!(xml(json!({"type": "number", "format": "double"})), "double");
        assert_eq!(xml(json!({"$ref": "#/components/schemas/Point"})), "struct");
        assert_eq!(
            xml(json!({"anyOf": [{"$ref": "#/components/schemas/Point"}, {"type": "null"}]})),
            "struct"
        );
        assert_eq!(
            xml(json!({"type": "string", "enum": ["on", "off"]})),
            "string"
        );
        assert_eq!(xml(json!({"enum": ["on", "off"]})), "string");
        assert_eq!(
            xml(json!({"anyOf": [{"type": "integer"}, {"type": "number"}]})),
            "double",
            "an untagged int-or-float"
        );
        assert_eq!(
            xml(json!({"oneOf": [{"type": "string"}, {"type": "object"}]})),
            "any"
        );
        assert_eq!(
            xml(json!({"type": "string", "x-xmlrpc": "base64"})),
            "base64"
        );
        assert_eq!(xml(json!(true)), "any");
        assert_eq!(xml(json!({"$ref": "#/components/schemas/Missing"})), "any");
    }
}
