// `#[rpc(name = …)]` on a method and on a parameter, `#[rpc(hidden)]`,
// and `namespace` with `separator = "_"`.

use diglot::{Dispatcher, InProcess, Protocol, Value};

#[diglot::rpc(namespace = "store", separator = "_")]
pub trait Store {
    #[rpc(name = "getItem")]
    fn get_item(&self, #[rpc(name = "itemId")] item_id: i32) -> String;

    /// Kept out of `system.listMethods`, still callable.
    #[rpc(hidden)]
    fn debug_dump(&self) -> Vec<String>;

    #[rpc(name = "putItem", hidden)]
    async fn put(&self, #[rpc(name = "key")] k: String, value: String) -> bool;

    fn r#type(&self) -> String;
}

struct Memory;

impl Store for Memory {
    fn get_item(&self, item_id: i32) -> String {
        format!("item {item_id}")
    }
    fn debug_dump(&self) -> Vec<String> {
        vec!["a".to_owned()]
    }
    async fn put(&self, k: String, value: String) -> bool {
        !k.is_empty() && !value.is_empty()
    }
    fn r#type(&self) -> String {
        "memory".to_owned()
    }
}

fn main() {
    let dispatcher = Dispatcher::new(StoreService::new(Memory)).unwrap();
    let methods: Vec<_> = dispatcher
        .methods()
        .filter(|m| m.name.starts_with("store"))
        .map(|m| {
            (
                m.name,
                m.hidden,
                m.params.iter().map(|p| p.name).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        methods,
        [
            ("store_getItem", false, vec!["itemId"]),
            ("store_debug_dump", true, vec![]),
            ("store_putItem", true, vec!["key", "value"]),
            ("store_type", false, vec![]),
        ]
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
        let client = StoreClient::new(InProcess::new(dispatcher.clone(), protocol));
        rt.block_on(async {
            assert_eq!(client.get_item(7).await.unwrap(), "item 7");
            assert_eq!(client.debug_dump().await.unwrap(), ["a"]);
            assert!(client.put("k".to_owned(), "v".to_owned()).await.unwrap());
            assert_eq!(client.r#type().await.unwrap(), "memory");
        });
    }

    // By name, parameters go by their wire names.
    let client = diglot::Client::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    let mut params = diglot::Struct::new();
    params.insert("itemId", Value::from(3));
    let got: String = rt.block_on(client.call("store_getItem", &params)).unwrap();
    assert_eq!(got, "item 3");
}
