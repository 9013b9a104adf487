//! Shared helpers for diglot's integration tests.
