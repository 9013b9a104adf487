//! [`InProcess`]: a connection that calls a dispatcher directly.

use super::{ClientError, Connection, Outgoing};
use crate::Dispatcher;
use crate::transport::Protocol;

/// Calls a [`Dispatcher`] in the same process, through the same seam the
/// transports use — request bytes in, response bytes out. For tests, and
/// for calling a service without a network.
#[derive(Debug, Clone)]
pub struct InProcess {
    dispatcher: Dispatcher,
    protocol: Protocol,
}

impl InProcess {
    /// A connection that speaks `protocol` to `dispatcher`.
    pub fn new(dispatcher: Dispatcher, protocol: Protocol) -> Self {
        InProcess {
            dispatcher,
            protocol,
        }
    }
}

impl Connection for InProcess {
    fn protocol(&self) -> Protocol {
        self.protocol
    }

    fn limits(&self) -> crate::Limits {
        *self.dispatcher.limits()
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        let reply = self
            .dispatcher
            .handle_body(&request.body, Some(self.protocol))
            .await;
        Ok(reply.body)
    }
}
