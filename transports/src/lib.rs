//! Listeners, framing and connectors for diglot (each transport arrives with its issue).
