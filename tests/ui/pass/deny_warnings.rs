//! A crate that denies warnings and documents everything: the generated
//! code must add no warning of its own.

#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused_qualifications,
    unused_import_braces,
    unused_lifetimes,
    unused_extern_crates,
    trivial_casts,
    trivial_numeric_casts,
    single_use_lifetimes,
    rust_2018_idioms,
    future_incompatible,
    nonstandard_style,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]

use diglot::{Dispatcher, Fault, InProcess, Protocol};
use serde::{Deserialize, Serialize};

/// A record kept by the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its key.
    pub key: String,
    /// How often it was seen.
    pub count: u32,
}

/// Everything that can go wrong.
#[derive(Debug)]
pub struct NotFound;

impl From<NotFound> for Fault {
    fn from(_: NotFound) -> Self {
        Self::new(404, "not found")
    }
}

/// A documented service.
#[diglot::rpc(namespace = "ledger")]
pub trait Ledger {
    /// Looks an entry up.
    ///
    /// # Errors
    ///
    /// [`NotFound`] when there is no such entry.
    fn get(&self, key: String) -> Result<Entry, NotFound>;

    /// Counts entries, waiting first.
    async fn count(&self, prefix: Option<String>) -> u32;

    /// Does nothing.
    fn noop(&self);

    /// Takes a borrowed key.
    #[rpc(name = "hasKey")]
    fn has_key(&self, #[rpc(name = "theKey")] key: &str) -> bool;

    /// Not listed.
    #[rpc(hidden)]
    async fn internal(&self) -> Vec<Entry>;

    /// Never compiled.
    #[cfg(any())]
    fn absent(&self) -> i32;
}

/// The implementation.
#[derive(Debug, Default)]
pub struct Books;

impl Ledger for Books {
    fn get(&self, key: String) -> Result<Entry, NotFound> {
        if key == "a" {
            Ok(Entry { key, count: 1 })
        } else {
            Err(NotFound)
        }
    }

    async fn count(&self, prefix: Option<String>) -> u32 {
        u32::from(prefix.is_some())
    }

    fn noop(&self) {}

    fn has_key(&self, key: &str) -> bool {
        key == "a"
    }

    async fn internal(&self) -> Vec<Entry> {
        Vec::new()
    }
}

fn main() {
    let dispatcher = Dispatcher::new(LedgerService::new(Books)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let client = LedgerClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    rt.block_on(async {
        assert_eq!(client.get("a".to_owned()).await.unwrap().count, 1);
        assert_eq!(
            client
                .get("b".to_owned())
                .await
                .unwrap_err()
                .fault()
                .unwrap()
                .code,
            404
        );
        assert_eq!(client.count(Some("x".to_owned())).await.unwrap(), 1);
        client.noop().await.unwrap();
        assert!(client.has_key("a").await.unwrap());
        assert!(client.internal().await.unwrap().is_empty());
    });
}
