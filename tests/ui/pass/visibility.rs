// A `pub(crate)` trait inside a module: the generated server and client
// share its visibility and are reached through the module.

mod services {
    pub(crate) mod inner {
        #[diglot::rpc(namespace = "echo")]
        pub(crate) trait Echo {
            fn echo(&self, text: String) -> String;
            async fn len(&self, text: String) -> usize;
        }
    }

    pub(crate) struct Parrot;

    impl inner::Echo for Parrot {
        fn echo(&self, text: String) -> String {
            text
        }
        async fn len(&self, text: String) -> usize {
            text.len()
        }
    }
}

mod private {
    // A private trait in a private module.
    #[diglot::rpc]
    trait Hidden {
        fn ping(&self) -> bool;
    }

    struct Pong;

    impl Hidden for Pong {
        fn ping(&self) -> bool {
            true
        }
    }

    pub(crate) fn dispatcher() -> diglot::Dispatcher {
        diglot::Dispatcher::new(HiddenService::new(Pong)).unwrap()
    }
}

use diglot::{Dispatcher, InProcess, Protocol};
use services::inner::{EchoClient, EchoService};

fn main() {
    let dispatcher = Dispatcher::new(EchoService::new(services::Parrot)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let client = EchoClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    rt.block_on(async {
        assert_eq!(client.echo("x".to_owned()).await.unwrap(), "x");
        assert_eq!(client.len("abc".to_owned()).await.unwrap(), 3);
    });
    let private = private::dispatcher();
    let client = diglot::Client::new(InProcess::new(private, Protocol::XmlRpc));
    assert!(rt.block_on(client.call::<_, bool>("ping", &())).unwrap());
}
