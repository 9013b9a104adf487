//! Services shared by diglot's examples, tests and benchmarks.

pub mod auth;
pub mod bearer;
pub mod calc;
