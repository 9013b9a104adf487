//! Damage anywhere: no panic, and only protocol codes.

use super::*;

#[test]
fn a_damaged_byte_anywhere_never_panics() {
    let doc = HANDWRITTEN_CALL.as_bytes();
    let json_doc =
        br#"{"jsonrpc":"2.0","method":"m","params":[1,"two",{"three":[3.0,null]}],"id":"i"}"#;
    let mut refused = 0;
    for replacement in [b'<', b'>', b'&', b'/', b'"', 0, 0xff, b'[', b'}'] {
        for at in 0..doc.len() {
            let mut damaged = doc.to_vec();
            damaged[at] = replacement;
            let label = format!("XML byte {at} replaced by {replacement:#04x}");
            if let Err(fault) = no_panic(&label, || read_call(&damaged)) {
                assert!(CODEC_CODES.contains(&fault.code), "{label}: {fault}");
                refused += 1;
            }
        }
        for at in 0..json_doc.len() {
            let mut damaged = json_doc.to_vec();
            damaged[at] = replacement;
            let label = format!("JSON byte {at} replaced by {replacement:#04x}");
            let fault = match no_panic(&label, || json::parse(&damaged, &Limits::default())) {
                Err(fault) | Ok(Incoming::Single(Err(json::Rejected { fault, .. }))) => fault,
                Ok(Incoming::Single(Ok(request))) => match request.params.decode::<Vec<Value>>() {
                    Err(fault) => fault,
                    Ok(_) => continue,
                },
                Ok(Incoming::Batch(_)) => continue,
            };
            assert!(CODEC_CODES.contains(&fault.code), "{label}: {fault}");
            refused += 1;
        }
    }
    assert!(refused > 5000, "{refused} damaged documents refused");
}
