//! Every sample body parses, with the fields that matter checked per file.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use wani_bares_whatsapp::client::{ErrorClass, MediaInfo};
use wani_bares_whatsapp::signature::{self, SignatureError};
use wani_bares_whatsapp::webhook::{
    self, Content, Context, DeliveryStatus, Event, InteractiveReply, ParseError, WebhookError,
};

use crate::{
    all_sample_names, messages, only_message, only_status, parse_sample, sample, samples_dir,
    statuses,
};

fn json(name: &str) -> Value {
    serde_json::from_slice(&sample(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

#[test]
fn the_fixture_copy_matches_the_shared_samples() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wa-samples");
    if !shared.is_dir() {
        eprintln!(
            "shared samples not present at {}; nothing to compare",
            shared.display()
        );
        return;
    }
    for name in all_sample_names() {
        let theirs = std::fs::read(shared.join(&name))
            .unwrap_or_else(|e| panic!("{name} missing from shared: {e}"));
        assert_eq!(theirs, sample(&name), "{name} differs from the shared copy");
    }
    for dir in ["", "derived"] {
        let count = std::fs::read_dir(shared.join(dir)).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .count()
        });
        let ours = all_sample_names()
            .iter()
            .filter(|name| {
                if dir.is_empty() {
                    !name.contains('/')
                } else {
                    name.starts_with("derived/")
                }
            })
            .count();
        assert_eq!(
            count, ours,
            "file count of {dir:?} differs from the shared copy"
        );
    }
    assert!(samples_dir().join("SOURCES.md").is_file());
}

#[test]
fn every_sample_file_is_read_by_the_parser_for_its_kind() {
    let names = all_sample_names();
    assert!(
        names.len() >= 47,
        "expected every sample, found {}",
        names.len()
    );
    for name in &names {
        let file = name.rsplit('/').next().unwrap_or(name);
        if file.starts_with("inbound-")
            || file.starts_with("status-")
            || file == "signature-body.raw"
        {
            let notification = parse_sample(name);
            assert!(!notification.events.is_empty(), "{name} has no events");
            for event in &notification.events {
                assert!(
                    !matches!(event, Event::Malformed { .. }),
                    "{name}: {event:?}"
                );
                assert!(!matches!(event, Event::Ignored { .. }), "{name}: {event:?}");
            }
        } else if file.starts_with("error-object-webhook-shape-") {
            assert!(WebhookError::from_value(&json(name)).is_some(), "{name}");
        } else if file.starts_with("error-") {
            assert!(json(name)["error"]["code"].is_i64(), "{name}");
        } else if file == "media-get-response.json" {
            assert!(
                serde_json::from_slice::<MediaInfo>(&sample(name)).is_ok(),
                "{name}"
            );
        } else if file.starts_with("send-") {
            assert!(json(name)["messages"][0]["id"].is_string(), "{name}");
        } else if file == "signature-vector.json" {
            assert!(json(name)["x_hub_signature_256"].is_string());
        } else if file == "SOURCES.md" {
            continue;
        } else {
            panic!("no test reads sample {name}");
        }
        // Whatever it is, the webhook parser never panics on it.
        let _ = webhook::parse(&sample(name));
    }
}

#[test]
fn api_bodies_are_not_webhook_notifications() {
    for name in [
        "error-190-access-token-expired.json",
        "media-get-response.json",
        "send-text-response.json",
    ] {
        assert!(
            matches!(
                webhook::parse(&sample(name)),
                Err(ParseError::WrongObject(None))
            ),
            "{name}"
        );
    }
    assert!(matches!(
        webhook::parse(&sample("SOURCES.md")),
        Err(ParseError::NotJson(_))
    ));
}

#[test]
fn the_signature_vector_verifies_on_the_raw_bytes() {
    let vector = json("derived/signature-vector.json");
    let secret = vector["app_secret"].as_str().unwrap_or_default().as_bytes();
    let header = vector["x_hub_signature_256"].as_str().unwrap_or_default();
    let body = sample("derived/signature-body.raw");
    assert_eq!(signature::verify(secret, &body, Some(header)), Ok(()));
    assert_eq!(signature::sign(secret, &body), header);
}

#[test]
fn the_signature_vector_fails_on_re_serialised_json() {
    let vector = json("derived/signature-vector.json");
    let secret = vector["app_secret"].as_str().unwrap_or_default().as_bytes();
    let header = vector["x_hub_signature_256"].as_str();
    let body = sample("derived/signature-body.raw");
    let value: Value = serde_json::from_slice(&body).unwrap_or_default();
    let pretty = serde_json::to_vec_pretty(&value).unwrap_or_default();
    assert_eq!(
        signature::verify(secret, &pretty, header),
        Err(SignatureError::Mismatch)
    );
    // Same document, one byte of trailing whitespace more: still a different body.
    let mut trailing = body.clone();
    trailing.push(b'\n');
    assert_eq!(
        signature::verify(secret, &trailing, header),
        Err(SignatureError::Mismatch)
    );
    // The pretty-printed upstream file is the same JSON, and fails too.
    assert_eq!(
        signature::verify(secret, &sample("inbound-text.json"), header),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        signature::verify(b"wrong secret", &body, header),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_text_message_carries_its_routing_sender_and_body() {
    let message = only_message("inbound-text.json");
    assert_eq!(message.routing.waba_id, "1234567890987654321");
    assert_eq!(message.routing.phone_number_id, "1122334455667");
    assert_eq!(
        message.routing.display_phone_number.as_deref(),
        Some("972123456789")
    );
    assert_eq!(message.id, "wamid.xyzxyz");
    assert_eq!(message.from.as_deref(), Some("972987654321"));
    assert_eq!(
        message.from_user_id.as_deref(),
        Some("US.13491208655302741918")
    );
    assert_eq!(message.profile_name.as_deref(), Some("Test Name"));
    assert_eq!(message.contact_wa_id.as_deref(), Some("972987654321"));
    assert_eq!(message.timestamp, 1_697_043_223);
    assert_eq!(message.context, None);
    assert_eq!(message.referral, None);
    assert!(message.errors.is_empty());
    assert_eq!(
        message.content,
        Content::Text {
            body: "Body Text".into()
        }
    );
}

#[test]
fn the_signed_compact_body_parses_like_the_pretty_one() {
    let compact = webhook::parse(&sample("derived/signature-body.raw")).ok();
    assert_eq!(compact, Some(parse_sample("inbound-text.json")));
}

#[test]
fn a_bsuid_only_message_has_no_phone_and_takes_the_contacts_user_id() {
    let message = only_message("inbound-bsuid-only-no-from.json");
    assert_eq!(message.from, None);
    assert_eq!(message.from_user_id.as_deref(), Some("BSUID_123"));
    assert_eq!(message.profile_name.as_deref(), Some("NAME"));
    assert_eq!(message.contact_wa_id, None);
    assert_eq!(
        message.content,
        Content::Text {
            body: "MESSAGE_BODY".into()
        }
    );
}

#[test]
fn a_message_level_from_user_id_wins() {
    let message = only_message("inbound-button-quick-reply-with-from-user-id.json");
    assert_eq!(
        message.from_user_id.as_deref(),
        Some("US.13491208655302741918")
    );
    assert_eq!(message.context, None);
    assert_eq!(
        message.content,
        Content::Button {
            payload: Some("callback_data".into()),
            text: Some("title".into())
        }
    );
}

#[test]
fn a_template_quick_reply_is_a_button_with_its_context() {
    let message = only_message("inbound-button-template-quick-reply.json");
    assert_eq!(
        message.context,
        Some(Context {
            from: Some("972123456789".into()),
            id: Some("wamid.xyzxyz==".into()),
            ..Context::default()
        })
    );
    assert!(
        matches!(message.content, Content::Button { ref payload, .. } if payload.as_deref() == Some("callback_data"))
    );
}

#[test]
fn a_voice_note_is_audio_with_voice_set() {
    let message = only_message("inbound-audio-voice-note.json");
    let Content::Audio { media, voice } = &message.content else {
        panic!("{:?}", message.content)
    };
    assert!(voice);
    assert_eq!(media.id, "1234567890987654321");
    assert_eq!(media.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
    assert_eq!(
        media.sha256.as_deref(),
        Some("m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=")
    );
    assert_eq!(
        message.content.media().map(|(kind, _)| kind),
        Some(wani_bares_whatsapp::media::MediaKind::Audio)
    );
}

#[test]
fn shared_contacts_keep_every_card_with_names_and_phones() {
    let message = only_message("inbound-contacts-multiple.json");
    let Content::Contacts(cards) = &message.content else {
        panic!("{:?}", message.content)
    };
    let names: Vec<_> = cards.iter().map(|c| c.name.as_deref()).collect();
    assert_eq!(
        names,
        [Some("Chandler Bing"), Some("Monica"), Some("Rachel Green")]
    );
    assert_eq!(cards[2].phones[0].phone.as_deref(), Some("+1 777-777-7777"));
    assert_eq!(cards[2].phones[0].kind.as_deref(), Some("WORK"));
    assert_eq!(cards[0].phones[0].wa_id.as_deref(), Some("972987654321"));
}

#[test]
fn a_forwarded_document_keeps_caption_and_filename() {
    let message = only_message("inbound-document-pdf-with-caption.json");
    let Content::Document(media) = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(media.caption.as_deref(), Some("caption"));
    assert_eq!(media.filename.as_deref(), Some("filename.pdf"));
    assert_eq!(media.mime_type.as_deref(), Some("application/pdf"));
    assert!(
        message
            .context
            .as_ref()
            .is_some_and(|c| c.forwarded && !c.frequently_forwarded)
    );
}

#[test]
fn an_edit_carries_the_original_id_and_the_new_content() {
    let message = only_message("inbound-edit-image-caption.json");
    assert_eq!(message.from.as_deref(), Some("16505551234"));
    let Content::Edit {
        original_message_id,
        content,
    } = &message.content
    else {
        panic!("{:?}", message.content)
    };
    assert_eq!(
        original_message_id,
        "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
    );
    let Content::Image(media) = &**content else {
        panic!("{content:?}")
    };
    assert_eq!(media.caption.as_deref(), Some("Updated image caption"));
    assert_eq!(
        media.url.as_deref(),
        Some("https://media.example.com/updated-image.jpg")
    );
    assert_eq!(
        message.content.media().map(|(_, m)| m.id.as_str()),
        Some("1234567890")
    );
}

#[test]
fn images_with_and_without_caption_and_url() {
    let captioned = only_message("inbound-image-with-caption.json");
    let Content::Image(media) = &captioned.content else {
        panic!("{:?}", captioned.content)
    };
    assert_eq!(media.caption.as_deref(), Some("CAPTION_TEXT"));
    assert_eq!(media.id, "IMAGE_ID");
    // The only contact is the sender even though its wa_id is a different placeholder.
    assert_eq!(captioned.profile_name.as_deref(), Some("NAME"));

    let plain = only_message("inbound-image.json");
    let Content::Image(media) = &plain.content else {
        panic!("{:?}", plain.content)
    };
    assert_eq!(
        (media.caption.as_deref(), media.url.as_deref()),
        (None, None)
    );
    assert_eq!(media.id, "65463453");

    let with_url = only_message("inbound-image-with-url.json");
    let Content::Image(media) = &with_url.content else {
        panic!("{:?}", with_url.content)
    };
    assert!(
        media
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://lookaside.fbsbx.com/"))
    );
}

#[test]
fn interactive_replies_carry_id_title_and_description() {
    let button = only_message("inbound-interactive-button-reply.json");
    assert_eq!(
        button.content,
        Content::Interactive(InteractiveReply::ButtonReply {
            id: "callback_data".into(),
            title: "title".into()
        })
    );
    let list = only_message("inbound-interactive-list-reply.json");
    assert_eq!(
        list.content,
        Content::Interactive(InteractiveReply::ListReply {
            id: "callback_data".into(),
            title: "title".into(),
            description: Some("description".into()),
        })
    );
    assert_eq!(
        list.context.and_then(|c| c.id).as_deref(),
        Some("wamid.xyzxyz")
    );
}

#[test]
fn an_interactive_message_without_its_object_is_unknown_and_the_value_error_is_kept() {
    let notification = parse_sample("inbound-interactive-no-object-with-value-errors.json");
    assert_eq!(notification.events.len(), 2);
    let found = messages(&notification);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "wamid.wegrchytvwcggt=");
    let Content::Unknown { type_name, raw } = &found[0].content else {
        panic!("{:?}", found[0].content)
    };
    assert_eq!(type_name, "interactive");
    assert_eq!(raw["id"], "wamid.wegrchytvwcggt=");
    let Event::Error { routing, error } = &notification.events[1] else {
        panic!("{:?}", notification.events[1])
    };
    assert_eq!(routing.phone_number_id, "1122334455667");
    assert_eq!(error.code, 131_000);
    assert_eq!(
        error.details.as_deref(),
        Some("Unsupported webhook payload")
    );
}

#[test]
fn locations_are_pins_or_named_places() {
    let place = only_message("inbound-location-named-place.json");
    let Content::Location {
        latitude,
        longitude,
        name,
        address,
        url,
    } = &place.content
    else {
        panic!("{:?}", place.content)
    };
    assert!((latitude - 37.461_197_8).abs() < 1e-9 && (longitude + 122.216_438_5).abs() < 1e-9);
    assert_eq!(name.as_deref(), Some("Facebook HQ"));
    assert_eq!(
        address.as_deref(),
        Some("1 Hacker Way, Menlo Park, CA 94025")
    );
    assert!(url.is_some());

    let pin = only_message("inbound-location-pin.json");
    let Content::Location { latitude, name, .. } = &pin.content else {
        panic!("{:?}", pin.content)
    };
    assert!((latitude - 12.250_89).abs() < 1e-9);
    assert_eq!(name, &None);
}

#[test]
fn reactions_decode_emoji_and_an_empty_one_is_a_removal() {
    let expected = Content::Reaction {
        message_id: "wamid.yzxyzx=".into(),
        emoji: Some("\u{1F62E}".into()),
    };
    assert_eq!(
        only_message("inbound-reaction-emoji.json").content,
        expected
    );
    // The file spells the emoji as a JSON surrogate-pair escape.
    assert!(
        String::from_utf8_lossy(&sample("inbound-reaction-emoji-escaped-surrogates.json"))
            .contains(r"\ud83d\ude2e")
    );
    let escaped = only_message("inbound-reaction-emoji-escaped-surrogates.json");
    assert_eq!(escaped.content, expected);
    // This older body has no user_id anywhere.
    assert_eq!(escaped.from_user_id, None);
    assert_eq!(
        only_message("inbound-reaction-removed.json").content,
        Content::Reaction {
            message_id: "wamid.yzxyzx=".into(),
            emoji: None
        }
    );
}

#[test]
fn an_animated_sticker_is_a_sticker() {
    let message = only_message("inbound-sticker-animated.json");
    let Content::Sticker { media, animated } = &message.content else {
        panic!("{:?}", message.content)
    };
    assert!(animated);
    assert_eq!(media.mime_type.as_deref(), Some("image/webp"));
}

#[test]
fn a_changed_number_is_a_system_message_without_contacts() {
    let message = only_message("inbound-system-user-changed-number.json");
    assert_eq!(message.profile_name, None);
    assert_eq!(
        message.content,
        Content::System {
            kind: Some("user_changed_number".into()),
            body: Some("User A changed from 972987654321 to 972912345678".into()),
            new_wa_id: Some("972912345678".into()),
        }
    );
}

#[test]
fn an_ad_referral_is_kept_with_the_text() {
    let message = only_message("inbound-text-ctwa-ad-referral.json");
    assert_eq!(
        message.content,
        Content::Text {
            body: "BODY".into()
        }
    );
    let referral = message.referral.unwrap_or_default();
    assert_eq!(referral["ctwa_clid"], "CTWA_CLID");
    assert_eq!(referral["source_type"], "ad or post");
}

#[test]
fn forwarding_and_replies_are_read_from_context() {
    let forwarded = only_message("inbound-text-frequently-forwarded.json");
    assert_eq!(
        forwarded.context,
        Some(Context {
            frequently_forwarded: true,
            ..Context::default()
        })
    );
    let reply = only_message("inbound-text-reply-with-context.json");
    assert_eq!(
        reply.context,
        Some(Context {
            from: Some("972123456789".into()),
            id: Some("wamid.xyzxyz==".into()),
            ..Context::default()
        })
    );
    let video = only_message("inbound-video-with-caption-forwarded.json");
    assert!(video.context.is_some_and(|c| c.forwarded));
    assert!(
        matches!(&video.content, Content::Video(m) if m.caption.as_deref() == Some("caption") && m.id == "765756756")
    );
}

#[test]
fn two_changes_in_one_entry_give_two_messages() {
    let notification = parse_sample("inbound-two-changes-in-one-entry.json");
    let found = messages(&notification);
    let bodies: Vec<_> = found.iter().map(|m| m.content.clone()).collect();
    assert_eq!(
        bodies,
        [
            Content::Text {
                body: "MESSAGE_BODY".into()
            },
            Content::Text {
                body: "MESSAGE_BODY2".into()
            }
        ]
    );
    assert_eq!(found[1].timestamp, 1_669_233_779);
}

#[test]
fn unsupported_messages_keep_their_131051_error_in_both_shapes() {
    let current = only_message("inbound-unsupported.json");
    assert_eq!(
        current.content,
        Content::Unsupported {
            unsupported_type: Some("pool".into())
        }
    );
    assert_eq!(current.errors.len(), 1);
    assert_eq!(current.errors[0].code, 131_051);
    assert_eq!(
        current.errors[0].details.as_deref(),
        Some("Message type is currently not supported.")
    );

    let legacy = only_message("inbound-unsupported-legacy-error-shape.json");
    assert_eq!(
        legacy.content,
        Content::Unsupported {
            unsupported_type: None
        }
    );
    assert_eq!(
        legacy.errors,
        [WebhookError {
            code: 131_051,
            title: Some("Unsupported message type".into()),
            message: None,
            details: Some("Message type is not currently supported".into()),
            href: None,
        }]
    );
}

#[test]
fn statuses_carry_state_recipient_conversation_and_pricing() {
    let sent = only_status("status-sent.json");
    assert_eq!(sent.status, DeliveryStatus::Sent);
    assert_eq!(sent.id, "wamid.xyzxyz");
    assert_eq!(sent.timestamp, 1_698_266_945);
    assert_eq!(sent.recipient_id.as_deref(), Some("972987654321"));
    assert_eq!(sent.routing.waba_id, "5467539754836534");
    let conversation = sent.conversation.unwrap_or_else(|| panic!("conversation"));
    assert_eq!(conversation.expiration_timestamp, Some(1_698_339_900));
    assert_eq!(conversation.origin_type.as_deref(), Some("service"));
    let pricing = sent.pricing.unwrap_or_else(|| panic!("pricing"));
    assert_eq!(
        (pricing.billable, pricing.category.as_deref()),
        (Some(true), Some("service"))
    );

    assert_eq!(
        only_status("status-delivered.json").status,
        DeliveryStatus::Delivered
    );
    let read = only_status("status-read.json");
    assert_eq!(read.status, DeliveryStatus::Read);
    assert_eq!(read.timestamp, 1_689_380_458);
    assert!(read.errors.is_empty());
}

#[test]
fn failed_statuses_carry_their_errors() {
    let failed = only_status("status-failed-130472.json");
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.errors.len(), 1);
    assert_eq!(failed.errors[0].code, 130_472);
    assert_eq!(
        failed.errors[0].details.as_deref(),
        Some("Failed to send message because this user's phone number is part of an experiment")
    );
    assert!(failed.errors[0].href.is_some());
    assert!(failed.conversation.is_none() && failed.pricing.is_none());

    let quirky = only_status("status-failed-131053.json");
    assert_eq!(quirky.id, "amid.ID");
    assert_eq!(quirky.routing.phone_number_id, "102944729380254");
    assert_eq!(
        quirky.recipient_id.as_deref(),
        Some("CUSTOMER_PHONE_NUMBER")
    );
    assert_eq!(quirky.errors[0].code, 131_053);
    assert_eq!(quirky.errors[0].title.as_deref(), Some("ERROR_TITLE"));
    assert_eq!(quirky.errors[0].details, None);
    assert!(DeliveryStatus::Failed.supersedes(&DeliveryStatus::Read));
}

#[test]
fn webhook_error_objects_parse_and_classify() {
    let reengage = WebhookError::from_value(&json("error-object-webhook-shape-131047.json"))
        .unwrap_or_else(|| panic!("131047 should parse"));
    assert_eq!(reengage.code, 131_047);
    assert_eq!(reengage.title.as_deref(), Some("Re-engagement message"));
    assert!(
        reengage
            .details
            .as_deref()
            .is_some_and(|d| d.contains("24 hours"))
    );
    assert!(reengage.href.is_some());
    assert_eq!(
        ErrorClass::from_code(reengage.code),
        Some(ErrorClass::ReEngagement)
    );

    let media = WebhookError::from_value(&json("error-object-webhook-shape-131053.json"))
        .unwrap_or_else(|| panic!("131053 should parse"));
    assert_eq!(media.code, 131_053);
    assert!(media.details.as_deref().is_some_and(|d| d.contains("429")));
    assert_eq!(media.href, None);
}

#[test]
fn a_message_and_a_status_in_one_post_are_both_delivered() {
    let notification = parse_sample("derived/inbound-message-and-status-same-post.json");
    assert_eq!(notification.events.len(), 2);
    assert_eq!(messages(&notification).len(), 1);
    let found = statuses(&notification);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].status, DeliveryStatus::Delivered);
}

#[test]
fn indonesian_text_with_emoji_and_other_scripts_is_kept_exactly() {
    let raw = json("derived/inbound-text-indonesian-emoji-nonlatin.json");
    let value = &raw["entry"][0]["changes"][0]["value"];
    let message = only_message("derived/inbound-text-indonesian-emoji-nonlatin.json");
    assert_eq!(
        message.profile_name.as_deref(),
        Some("Siti Nurhaliza 🌸 سيتي")
    );
    let Content::Text { body } = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(
        Some(body.as_str()),
        value["messages"][0]["text"]["body"].as_str()
    );
    assert!(
        body.contains("🙏🏽") && body.contains("👨\u{200d}👩\u{200d}👧") && body.contains('\u{200b}')
    );
    assert!(body.contains("ꦱꦸꦒꦼꦁ") && body.contains("السلام عليكم") && body.contains('\n'));
}

#[test]
fn a_4096_char_text_arrives_whole() {
    let message = only_message("derived/inbound-text-long-4096-chars.json");
    let Content::Text { body } = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(body.chars().count(), 4096);
    assert_eq!(body.len(), 4375);
}

#[test]
fn three_messages_from_two_senders_in_one_value_are_matched_to_their_contacts() {
    let notification = parse_sample("derived/inbound-three-messages-one-value.json");
    let found = messages(&notification);
    assert_eq!(found.len(), 3);
    let ids: Vec<_> = found.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["wamid.xyzxyz", "wamid.second", "wamid.third"]);
    let senders: BTreeSet<_> = found.iter().filter_map(|m| m.from.as_deref()).collect();
    assert_eq!(senders.len(), 2);
    for message in &found[..2] {
        assert_eq!(message.profile_name.as_deref(), Some("Test Name"));
        assert_eq!(
            message.from_user_id.as_deref(),
            Some("US.13491208655302741918")
        );
    }
    assert_eq!(found[2].from.as_deref(), Some("6281234500002"));
    assert_eq!(found[2].profile_name.as_deref(), Some("Budi"));
    assert_eq!(found[2].contact_wa_id.as_deref(), Some("6281234500002"));
    assert_eq!(found[2].from_user_id, None);
    assert_eq!(
        found[2].content,
        Content::Text {
            body: "Pesan dari kontak lain".into()
        }
    );
}

#[test]
fn two_entries_route_to_two_phone_numbers() {
    let notification = parse_sample("derived/inbound-two-entries-two-phone-numbers.json");
    let found = messages(&notification);
    assert_eq!(found.len(), 2);
    let routes: Vec<_> = found
        .iter()
        .map(|m| {
            (
                m.routing.waba_id.as_str(),
                m.routing.phone_number_id.as_str(),
                m.id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("1234567890987654321", "1122334455667", "wamid.xyzxyz"),
            ("9999999999999", "7777777777777", "wamid.other-number"),
        ]
    );
    assert_eq!(
        found[1].routing.display_phone_number.as_deref(),
        Some("628110000000")
    );
}
