//! Method metadata: what introspection (`system.*`, `rpc.discover`) reports.

use super::schema::Describe;

/// A type as introspection describes it.
///
/// The type's own description ([`describe`](Self::describe), from its
/// `schemars::JsonSchema` implementation with the `schemars` feature) comes
/// first; [`xml`](Self::xml) and [`schema`](Self::schema), which the macro
/// judged from how the type is spelled, stand when it has none.
#[derive(Debug, Clone, Copy)]
pub struct TypeInfo {
    /// The Rust type as written in the trait.
    pub rust: &'static str,
    /// The XML-RPC type name for `system.methodSignature` (`int`, `string`,
    /// `struct`, …), judged from the spelling.
    pub xml: &'static str,
    /// A JSON Schema for the type, as JSON text, judged from the spelling.
    pub schema: &'static str,
    /// The type's own JSON Schema, when it has one.
    pub describe: Describe,
}

/// Compares what the types are called and judged to be; how they describe
/// themselves is code, not data.
impl PartialEq for TypeInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.rust, self.xml, self.schema) == (other.rust, other.xml, other.schema)
    }
}

impl Eq for TypeInfo {}

/// One parameter of a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// The name used when parameters are passed by name.
    pub name: &'static str,
    /// The parameter's type.
    pub ty: TypeInfo,
    /// Whether the parameter may be left out (an `Option`).
    pub optional: bool,
    /// Whether it is a rest parameter (`#[rpc(rest)]`, always the last):
    /// by position it collects every remaining parameter, by name it is
    /// one array. [`ty`](Self::ty) then describes one element.
    pub rest: bool,
}

/// One method of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// The name on the wire, namespace included (`calc.add`).
    pub name: &'static str,
    /// The doc comment, for `system.methodHelp`.
    pub help: &'static str,
    /// The parameters in order.
    pub params: &'static [ParamInfo],
    /// What the method returns on success.
    pub result: TypeInfo,
    /// Whether introspection leaves the method out.
    pub hidden: bool,
    /// Whether it answers once, starts a subscription or ends one.
    pub kind: MethodKind,
}

/// What calling a method does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// It answers with its result.
    Call,
    /// It answers with a subscription id, then sends `item`s as
    /// notifications named after the method (`#[rpc(subscription)]`).
    Subscribe {
        /// The method that ends the subscription.
        unsubscribe: &'static str,
        /// The type of each item.
        item: TypeInfo,
    },
    /// It ends a subscription of the method `subscribe`, given its id.
    Unsubscribe {
        /// The method that starts the subscriptions it ends.
        subscribe: &'static str,
    },
}
