//! Method metadata: what introspection (`system.*`, `rpc.discover`) reports.

/// A type as introspection describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInfo {
    /// The Rust type as written in the trait.
    pub rust: &'static str,
    /// The XML-RPC type name for `system.methodSignature` (`int`, `string`,
    /// `struct`, …).
    pub xml: &'static str,
    /// A JSON Schema for the type, as JSON text, for `rpc.discover`.
    pub schema: &'static str,
}

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
}
