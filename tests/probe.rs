//! The `probe.*` service the transport tests call: slow answers and the
//! caller's identity.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The credentials `diglot::caller()` reported, as a method returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerInfo {
    /// Effective user id.
    pub uid: i64,
    /// Effective group id.
    pub gid: i64,
    /// Process id, where the platform reports it.
    pub pid: Option<i64>,
}

/// Methods for testing transports: slow answers and the caller's identity.
#[diglot::rpc(namespace = "probe")]
pub trait Probe {
    /// Sleeps `ms` milliseconds, then returns `n`.
    async fn delayed(&self, n: i64, ms: u64) -> i64;

    /// The credentials of the process on the other end of a Unix socket;
    /// nil on other transports.
    fn whoami(&self) -> Option<CallerInfo>;

    /// The calling process's id as the call's context reports it.
    fn process(&self, ctx: &diglot::Context) -> Option<u32>;
}

/// The probe service's implementation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProbeImpl;

impl Probe for ProbeImpl {
    async fn delayed(&self, n: i64, ms: u64) -> i64 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        n
    }

    fn whoami(&self) -> Option<CallerInfo> {
        diglot::caller().map(|peer| CallerInfo {
            uid: peer.uid.into(),
            gid: peer.gid.into(),
            pid: peer.pid.map(Into::into),
        })
    }

    fn process(&self, ctx: &diglot::Context) -> Option<u32> {
        ctx.process_id()
    }
}
