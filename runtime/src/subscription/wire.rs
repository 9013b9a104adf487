//! The notifications a subscription sends: one per item, and one when it
//! ends on the server's side.
//!
//! ```json
//! {"jsonrpc":"2.0","method":"calc.ticks","params":{"subscription":7,"result":1}}
//! {"jsonrpc":"2.0","method":"calc.ticks","params":{"subscription":7,"end":"completed"}}
//! {"jsonrpc":"2.0","method":"calc.ticks","params":{"subscription":7,"end":"lagged","error":{"code":-32002,"message":"…"}}}
//! ```

use serde::Serialize;

use super::End;
use crate::Fault;

#[derive(Serialize)]
struct Notification<'a, P> {
    jsonrpc: &'static str,
    method: &'a str,
    params: P,
}

#[derive(Serialize)]
struct Item<'a, T> {
    subscription: u64,
    result: &'a T,
}

#[derive(Serialize)]
struct Ending<'a> {
    subscription: u64,
    end: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Error<'a>>,
}

#[derive(Serialize)]
struct Error<'a> {
    code: i32,
    message: &'a str,
}

fn notification<P: Serialize>(method: &str, params: P) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&Notification {
        jsonrpc: "2.0",
        method,
        params,
    })
}

/// The notification that carries one item.
pub(super) fn item<T: Serialize>(method: &str, id: u64, item: &T) -> Result<Vec<u8>, Fault> {
    notification(
        method,
        Item {
            subscription: id,
            result: item,
        },
    )
    .map_err(|e| Fault::internal_error(format_args!("an item could not be encoded: {e}")))
}

/// The last notification of a subscription that ended on the server's side.
pub(super) fn end(method: &str, id: u64, end: &End) -> Vec<u8> {
    let lagged;
    let (word, error) = match end {
        End::Completed => ("completed", None),
        End::Lagged { buffer } => {
            lagged = format!(
                "the client read too slowly: {buffer} notifications were waiting, the most a \
                 subscription may have"
            );
            (
                "lagged",
                Some(Error {
                    code: Fault::SUBSCRIPTION_LAGGED,
                    message: &lagged,
                }),
            )
        }
        End::Failed(fault) => (
            "failed",
            Some(Error {
                code: fault.code,
                message: &fault.message,
            }),
        ),
    };
    let params = Ending {
        subscription: id,
        end: word,
        error,
    };
    // Plain strings and numbers always encode.
    notification(method, params).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_ends_as_the_guide_shows_them() {
        assert_eq!(
            item("calc.ticks", 7, &1).unwrap(),
            br#"{"jsonrpc":"2.0","method":"calc.ticks","params":{"subscription":7,"result":1}}"#
        );
        assert_eq!(
            end("calc.ticks", 7, &End::Completed),
            br#"{"jsonrpc":"2.0","method":"calc.ticks","params":{"subscription":7,"end":"completed"}}"#
        );
        let lagged = String::from_utf8(end("t", 1, &End::Lagged { buffer: 4 })).unwrap();
        assert!(
            lagged.starts_with(
                r#"{"jsonrpc":"2.0","method":"t","params":{"subscription":1,"end":"lagged","error":{"code":-32002,"message":"the client read too slowly: 4 notifications"#
            ),
            "{lagged}"
        );
    }
}
