//! Properties: hostile or damaged input never panics, never overflows the stack, and
//! never costs the rest of a batch.

use proptest::prelude::*;
use serde_json::{Value, json};
use wani_bares_whatsapp::outbound::truncate;
use wani_bares_whatsapp::signature;
use wani_bares_whatsapp::webhook::{self, Event, ParseError};

use crate::{all_sample_names, sample};

fn webhook_samples() -> Vec<Vec<u8>> {
    all_sample_names()
        .iter()
        .filter(|name| {
            let file = name.rsplit('/').next().unwrap_or(name);
            file.starts_with("inbound-") || file.starts_with("status-")
        })
        .map(|name| sample(name))
        .collect()
}

/// Arbitrary JSON, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("text"),
            Just("image"),
            Just("interactive"),
            Just("edit"),
            Just("contacts"),
            Just("reaction"),
            Just("location"),
            Just("1697043223"),
            Just("wamid.x"),
            Just("")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("type".to_owned()),
                    Just("timestamp".to_owned()),
                    Just("from".to_owned()),
                    Just("text".to_owned()),
                    Just("body".to_owned()),
                    Just("message".to_owned()),
                    Just("edit".to_owned()),
                    Just("errors".to_owned()),
                    Just("code".to_owned()),
                    Just("contacts".to_owned()),
                    Just("interactive".to_owned()),
                    ".{0,6}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The value with NUL characters removed from every string, as the parser sees it.
fn without_nul(v: &mut Value) {
    match v {
        Value::String(s) => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(without_nul),
        Value::Object(map) => map.values_mut().for_each(without_nul),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_parsed_string_holds_a_nul_character(
        messages in prop::collection::vec(any_json(), 0..4),
        nul_at in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        // NUL characters put into every string of the messages, at arbitrary places.
        fn poison(v: &mut Value, at: &[prop::sample::Index], n: &mut usize) {
            match v {
                Value::String(s) => {
                    let chars: Vec<char> = s.chars().collect();
                    let i = at[*n % at.len()].index(chars.len() + 1);
                    *n += 1;
                    *s = chars[..i].iter().chain(std::iter::once(&'\0')).chain(&chars[i..]).collect();
                }
                Value::Array(items) => items.iter_mut().for_each(|x| poison(x, at, n)),
                Value::Object(map) => {
                    // Keys are kept as sent by the parser; only values are under test.
                    *map = std::mem::take(map).into_iter().map(|(k, mut x)| {
                        poison(&mut x, at, n);
                        (k.replace('\0', ""), x)
                    }).collect();
                }
                _ => {}
            }
        }
        let mut messages = Value::Array(messages);
        poison(&mut messages, &nul_at, &mut 0);
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
                "metadata": {"phone_number_id": "P"}, "messages": messages}}]}]
        });
        let parsed = webhook::parse(body.to_string().as_bytes());
        prop_assert!(parsed.is_ok());
        let debug = format!("{parsed:?}");
        prop_assert!(!debug.contains("\\0") && !debug.contains("\\u{0}"), "{}", debug);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = webhook::parse(&bytes);
    }

    #[test]
    fn parse_never_panics_on_mutated_samples(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3_u8), 1..8),
    ) {
        let samples = webhook_samples();
        let mut bytes = samples[pick.index(samples.len())].clone();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let _ = webhook::parse(&bytes);
    }

    #[test]
    fn every_message_and_status_slot_yields_exactly_one_event(
        messages in prop::collection::vec(any_json(), 0..6),
        statuses in prop::collection::vec(any_json(), 0..6),
    ) {
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
                "metadata": {"phone_number_id": "P"},
                "contacts": [{"wa_id": "1"}, {"wa_id": "2"}],
                "messages": messages,
                "statuses": statuses,
            }}]}]
        });
        let text = body.to_string();
        let parsed = webhook::parse(text.as_bytes());
        prop_assert!(parsed.is_ok());
        let events = parsed.map(|n| n.events).unwrap_or_default();
        prop_assert_eq!(events.len(), messages.len() + statuses.len());
        // Compare with the messages as read back from the text (floats may not round-trip).
        let reread: Value = serde_json::from_str(&text).unwrap_or_default();
        let mut messages = reread["entry"][0]["changes"][0]["value"]["messages"].clone();
        // The parser drops NUL characters from every string before reading.
        without_nul(&mut messages);
        let messages = messages.as_array().cloned().unwrap_or_default();
        for (event, raw) in events.iter().zip(&messages) {
            let has_id = raw.get("id").and_then(Value::as_str).is_some_and(|id| !id.is_empty());
            let has_timestamp = raw.get("timestamp").is_some_and(|t| {
                t.as_i64().is_some() || t.as_str().is_some_and(|s| s.trim().parse::<i64>().is_ok())
            });
            match event {
                Event::Message(message) => prop_assert_eq!(Some(message.id.as_str()), raw.get("id").and_then(Value::as_str)),
                Event::Malformed { raw: kept, .. } => {
                    prop_assert!(!(has_id && has_timestamp));
                    prop_assert_eq!(kept, raw);
                }
                other => prop_assert!(false, "unexpected event {:?}", other),
            }
        }
    }

    #[test]
    fn a_signature_verifies_only_its_own_body(
        secret in prop::collection::vec(any::<u8>(), 1..80),
        body in prop::collection::vec(any::<u8>(), 0..200),
        other in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let header = signature::sign(&secret, &body);
        prop_assert_eq!(signature::verify(&secret, &body, Some(&header)), Ok(()));
        if other != body {
            prop_assert!(signature::verify(&secret, &other, Some(&header)).is_err());
        }
    }

    #[test]
    fn verify_never_panics_on_arbitrary_headers(header in ".{0,90}", body in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = signature::verify(b"secret", &body, Some(&header));
    }

    #[test]
    fn truncation_keeps_a_prefix_within_the_limit(text in ".{0,300}", max in 0_usize..120) {
        let cut = truncate(&text, max);
        prop_assert!(cut.chars().count() <= max);
        if text.chars().count() <= max {
            prop_assert_eq!(&cut, &text);
        } else if max > 0 {
            prop_assert!(cut.ends_with('…'));
            let kept = &cut[..cut.len() - '…'.len_utf8()];
            prop_assert!(text.starts_with(kept));
        }
    }
}

#[test]
fn serde_json_stops_deep_nesting_at_its_recursion_limit() {
    // 100,000 open brackets would overflow the stack of a recursive parser without a limit.
    let deep = vec![b'['; 100_000];
    let Err(ParseError::NotJson(error)) = webhook::parse(&deep) else {
        panic!("deep nesting must be rejected as not JSON");
    };
    assert!(error.to_string().contains("recursion limit"), "{error}");

    // The same inside an otherwise valid body.
    let mut nested = br#"{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"P"},"messages":[{"id":"wamid.d","timestamp":"1","type":"x","x":"#.to_vec();
    nested.extend(std::iter::repeat_n(b'[', 100_000));
    assert!(matches!(
        webhook::parse(&nested),
        Err(ParseError::NotJson(_))
    ));

    // Just under the limit is fine, and the deep value is kept as an unknown message.
    let depth = 100;
    let value = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"W","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"P"}},"messages":[{{"id":"wamid.d","timestamp":"1","type":"x","x":{}{}}}]}}}}]}}]}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let parsed = webhook::parse(value.as_bytes()).map(|n| n.events.len());
    assert_eq!(parsed.ok(), Some(1));
}
