//! The typed client generated for the calculator, over both protocols,
//! in-process through the transport seam.

use diglot::{ClientError, Dispatcher, InProcess, Protocol, Value};
use diglot_examples::calc::{Calc, CalculatorClient, CalculatorService};

fn clients() -> Vec<CalculatorClient<InProcess>> {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    [Protocol::XmlRpc, Protocol::JsonRpc]
        .into_iter()
        .map(|p| CalculatorClient::new(InProcess::new(dispatcher.clone(), p)))
        .collect()
}

#[test]
fn every_method_over_both_protocols() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for client in clients() {
        rt.block_on(async {
            assert_eq!(client.add(2, 3).await.unwrap(), 5);
            assert_eq!(client.div(1.0, 4.0).await.unwrap(), 0.25);
            assert_eq!(client.sum(vec![1.0, 2.5]).await.unwrap(), 3.5);
            let nested = Value::from(vec![Value::from("x"), Value::from(1_i64 << 40)]);
            assert_eq!(client.echo(nested.clone()).await.unwrap(), nested);
        });
    }
}

#[test]
fn a_fault_is_a_distinct_matchable_error() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for client in clients() {
        let error = rt.block_on(client.div(1.0, 0.0)).unwrap_err();
        match &error {
            ClientError::Fault(fault) => {
                assert_eq!(fault.code, Calc::DIVISION_BY_ZERO);
                assert_eq!(fault.message, "division by zero");
            }
            other => panic!("expected a fault, got {other}"),
        }
        assert!(error.to_string().contains("division by zero"));
    }
}

#[test]
fn the_dynamic_client_calls_by_name() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for client in clients() {
        let dynamic = client.client();
        let sum: i32 = rt.block_on(dynamic.call("calc.add", &(40, 2))).unwrap();
        assert_eq!(sum, 42);
        let missing = rt
            .block_on(dynamic.call::<_, i32>("calc.pow", &(2, 3)))
            .unwrap_err();
        assert_eq!(missing.fault().map(|f| f.code), Some(-32601));
        let names: Vec<String> = rt
            .block_on(dynamic.call("system.listMethods", &()))
            .unwrap();
        assert!(names.iter().any(|n| n == "calc.sumAll"));
    }
}
