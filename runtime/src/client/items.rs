//! [`Items`]: a subscription seen from the client, as a `Stream` of its
//! items; and how its notices are read.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::ClientError;
use crate::Fault;

/// How many notices a client holds for a subscription it has not read
/// yet; past them the subscription is dropped on the client's side.
pub(crate) const QUEUE: usize = 1024;

/// The items of a subscription, in order, as a [`Stream`]: each
/// `Ok(item)`, then the end — `None` when the server's items ran out, or
/// one `Err` first when the subscription ended otherwise (the client read
/// too slowly, an item could not be read, the connection ended).
///
/// Dropping it unsubscribes (the typed client's subscription methods, and
/// [`Client::subscribe`](crate::Client::subscribe), send the unsubscribe
/// call from a task on the current tokio runtime).
pub struct Items<T> {
    notices: mpsc::Receiver<Vec<u8>>,
    id: u64,
    ended: bool,
    on_drop: Option<Box<dyn FnOnce(u64) + Send>>,
    _item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("id", &self.id)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<T> Items<T> {
    pub(crate) fn new(
        notices: mpsc::Receiver<Vec<u8>>,
        id: u64,
        on_drop: Box<dyn FnOnce(u64) + Send>,
    ) -> Self {
        Items {
            notices,
            id,
            ended: false,
            on_drop: Some(on_drop),
            _item: PhantomData,
        }
    }

    /// The subscription's id, as the server gave it.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl<T> Drop for Items<T> {
    fn drop(&mut self) {
        if let Some(unsubscribe) = self.on_drop.take()
            && !self.ended
        {
            unsubscribe(self.id);
        }
    }
}

impl<T: DeserializeOwned> Stream for Items<T> {
    type Item = Result<T, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let notice = match self.notices.poll_recv(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(notice) => notice,
        };
        let next = match notice {
            None => {
                self.ended = true;
                Some(Err(ClientError::Closed(
                    "the subscription ended without its end notice: the connection ended, or \
                     its notices came faster than they were read"
                        .to_owned(),
                )))
            }
            Some(body) => match read(&body) {
                Ok(Notice::Item(item)) => Some(Ok(item)),
                Ok(Notice::Completed) => {
                    self.ended = true;
                    None
                }
                Err(error) => {
                    self.ended = true;
                    Some(Err(error))
                }
            },
        };
        Poll::Ready(next)
    }
}

enum Notice<T> {
    Item(T),
    Completed,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    params: Params<'a>,
}

#[derive(Deserialize)]
struct Params<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: i32,
    message: String,
}

/// Reads one notice: an item, the end, or why it ended.
fn read<T: DeserializeOwned>(body: &[u8]) -> Result<Notice<T>, ClientError> {
    let unreadable =
        |e: serde_json::Error| ClientError::InvalidResponse(Fault::parse_error(e.to_string()));
    let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(unreadable)?;
    let params = envelope.params;
    match (params.result, params.end.as_deref()) {
        (Some(item), None) => serde_json::from_str(item.get())
            .map(Notice::Item)
            .map_err(unreadable),
        (None, Some("completed")) => Ok(Notice::Completed),
        (None, Some(end)) => Err(ClientError::Fault(match params.error {
            Some(error) => Fault::new(error.code, error.message),
            None => Fault::new(
                Fault::INTERNAL_ERROR,
                format!("the subscription ended: {end}"),
            ),
        })),
        _ => Err(ClientError::InvalidResponse(Fault::invalid_request(
            "a notice with neither `result` nor `end`",
        ))),
    }
}

/// How a connection's reader tells notices from answers.
#[cfg(any(feature = "stream", all(feature = "shm", target_os = "linux")))]
pub(crate) const NOTICES: crate::transport::feed::Notices = crate::transport::feed::Notices {
    subscription_of,
    started,
};

/// The subscription a server's notice belongs to: `params.subscription`
/// of a request without an id.
#[cfg(any(feature = "stream", all(feature = "shm", target_os = "linux")))]
pub(crate) fn subscription_of(body: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct Notice {
        #[serde(default)]
        method: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        id: Option<serde::de::IgnoredAny>,
        params: Option<Subscription>,
    }
    #[derive(Deserialize)]
    struct Subscription {
        subscription: u64,
    }
    let notice: Notice = serde_json::from_slice(body).ok()?;
    match (notice.method, notice.id) {
        (Some(_), None) => notice.params.map(|p| p.subscription),
        _ => None,
    }
}

/// The subscription id a subscribe call's answer carries.
#[cfg(any(feature = "stream", all(feature = "shm", target_os = "linux")))]
pub(crate) fn started(body: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct Answer {
        result: u64,
    }
    serde_json::from_slice::<Answer>(body)
        .ok()
        .map(|a| a.result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "stream", all(feature = "shm", target_os = "linux")))]
    #[test]
    fn notices_read_as_items_ends_and_faults() {
        let item =
            br#"{"jsonrpc":"2.0","method":"calc.ticks","params":{"subscription":7,"result":3}}"#;
        assert_eq!(subscription_of(item), Some(7));
        assert!(matches!(read::<u32>(item), Ok(Notice::Item(3))));
        let end =
            br#"{"jsonrpc":"2.0","method":"t","params":{"subscription":7,"end":"completed"}}"#;
        assert!(matches!(read::<u32>(end), Ok(Notice::Completed)));
        let lagged = br#"{"jsonrpc":"2.0","method":"t","params":{"subscription":7,"end":"lagged","error":{"code":-32002,"message":"slow"}}}"#;
        match read::<u32>(lagged) {
            Err(ClientError::Fault(fault)) => assert_eq!(fault.code, Fault::SUBSCRIPTION_LAGGED),
            _ => panic!("a lagged end is a fault"),
        }
        let answer = br#"{"jsonrpc":"2.0","result":7,"id":1}"#;
        assert_eq!(subscription_of(answer), None);
        assert_eq!(started(answer), Some(7));
    }
}
