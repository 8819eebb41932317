//! The Graph API client against a local fake Graph API (wiremock).

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wani_bares_whatsapp::client::{AccessToken, ErrorClass, GraphClient, GraphConfig, SendError};
use wani_bares_whatsapp::outbound::{OutboundMessage, Recipient};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::sample;

const TOKEN: &str = "EAAG-test-token";
const PHONE_ID: &str = "106540352242922";

fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn client_for(base: &str, timeout: Duration) -> GraphClient {
    install_crypto();
    let mut config = GraphConfig::new(base, PHONE_ID, AccessToken::new(TOKEN));
    config.timeout = timeout;
    config.download_timeout = timeout;
    GraphClient::new(config).unwrap_or_else(|e| panic!("client should build: {e}"))
}

async fn fake_graph() -> (MockServer, GraphClient) {
    let server = MockServer::start().await;
    let client = client_for(&format!("{}/v23.0/", server.uri()), Duration::from_secs(5));
    (server, client)
}

fn text() -> OutboundMessage {
    OutboundMessage::text(
        Recipient::Phone("6281234500002".into()),
        "Laporan Anda diterima.",
    )
}

fn graph_error(status: u16, code: i64, subcode: Option<i64>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "message": format!("error {code}"), "type": "OAuthException", "code": code,
        "error_subcode": subcode, "error_data": {"details": "details here"}, "fbtrace_id": "TRACE"
    }}))
}

/// Sends the text message to a fake answering `response`, returning the error.
async fn send_error(response: ResponseTemplate) -> SendError {
    let (server, client) = fake_graph().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_ID}/messages")))
        .respond_with(response)
        .mount(&server)
        .await;
    match client.send(&text()).await {
        Ok(sent) => panic!("expected an error, got {sent:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn a_send_posts_the_body_with_the_bearer_token_and_returns_the_wamid() {
    let (server, client) = fake_graph().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_ID}/messages")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(text().to_json()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sample("send-text-response.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let sent = client
        .send(&text())
        .await
        .unwrap_or_else(|e| panic!("send failed: {e}"));
    assert_eq!(
        sent.wamid,
        "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    );
    assert_eq!(sent.message_status, None);
}

#[tokio::test]
async fn a_template_send_reports_its_message_status() {
    let (server, client) = fake_graph().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            sample("send-template-response-accepted.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    let sent = client
        .send_json(&text().to_json())
        .await
        .unwrap_or_else(|e| panic!("send failed: {e}"));
    assert_eq!(sent.message_status.as_deref(), Some("accepted"));
}

#[tokio::test]
async fn a_500_is_retryable() {
    let error = send_error(ResponseTemplate::new(500).set_body_string("oops")).await;
    assert_eq!(error.class(), ErrorClass::Retryable);
    assert_eq!(error.status(), Some(500));
}

#[tokio::test]
async fn a_429_with_retry_after_is_rate_limited_and_keeps_the_delay() {
    let error = send_error(ResponseTemplate::new(429).insert_header("Retry-After", "30")).await;
    assert_eq!(error.class(), ErrorClass::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn code_130429_is_rate_limited() {
    let error = send_error(graph_error(400, 130_429, None)).await;
    assert_eq!(error.class(), ErrorClass::RateLimited);
    assert_eq!(error.code(), Some(130_429));
}

#[tokio::test]
async fn code_131047_asks_for_a_template() {
    let error = send_error(graph_error(400, 131_047, None)).await;
    assert_eq!(error.class(), ErrorClass::ReEngagement);
}

#[tokio::test]
async fn an_expired_token_is_auth_expired_with_every_envelope_field_kept() {
    let response = ResponseTemplate::new(401).set_body_raw(
        sample("error-190-access-token-expired.json"),
        "application/json",
    );
    let error = send_error(response).await;
    assert_eq!(error.class(), ErrorClass::AuthExpired);
    let SendError::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.status, 401);
    assert_eq!(api.code, 190);
    assert_eq!(api.subcode, Some(463));
    assert_eq!(api.kind.as_deref(), Some("OAuthException"));
    assert_eq!(api.fbtrace_id.as_deref(), Some("ACEyrTehk6IAd0lm05Ixogh"));
    assert!(api.message.starts_with("Error validating access token"));
    assert!(!format!("{error} {error:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_missing_template_is_a_configuration_error() {
    let error = send_error(graph_error(404, 132_001, Some(2_494_010))).await;
    assert_eq!(error.class(), ErrorClass::TemplateConfig);
    let SendError::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.details.as_deref(), Some("details here"));
    assert_eq!(api.subcode, Some(2_494_010));
}

#[tokio::test]
async fn an_undeliverable_message_is_permanent() {
    assert_eq!(
        send_error(graph_error(400, 131_026, None)).await.class(),
        ErrorClass::Permanent
    );
    assert_eq!(
        send_error(graph_error(400, 100, Some(33))).await.class(),
        ErrorClass::Permanent
    );
    // A code we do not know falls back to its HTTP status.
    assert_eq!(
        send_error(graph_error(400, 135_000, None)).await.class(),
        ErrorClass::Permanent
    );
    assert_eq!(
        send_error(graph_error(503, 135_000, None)).await.class(),
        ErrorClass::Retryable
    );
}

#[tokio::test]
async fn a_transient_code_is_retryable_even_on_a_4xx() {
    assert_eq!(
        send_error(graph_error(400, 131_000, None)).await.class(),
        ErrorClass::Retryable
    );
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_an_unknown_outcome() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(sample("send-text-response.json"), "application/json")
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = client_for(
        &format!("{}/v23.0", server.uri()),
        Duration::from_millis(300),
    );
    let error = client
        .send(&text())
        .await
        .err()
        .unwrap_or_else(|| panic!("expected a timeout"));
    assert!(matches!(error, SendError::OutcomeUnknown(_)), "{error:?}");
    assert_eq!(error.class(), ErrorClass::Unknown);
}

#[tokio::test]
async fn a_refused_connection_never_sent_the_request_and_is_retryable() {
    let port = {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        listener
            .local_addr()
            .expect("bound listener has an address")
            .port()
    };
    let client = client_for(
        &format!("http://127.0.0.1:{port}/v23.0"),
        Duration::from_secs(2),
    );
    let error = client
        .send(&text())
        .await
        .err()
        .unwrap_or_else(|| panic!("expected a refusal"));
    assert!(matches!(error, SendError::NotSent(_)), "{error:?}");
    assert_eq!(error.class(), ErrorClass::Retryable);
}

#[tokio::test]
async fn an_unreadable_success_is_an_unknown_outcome() {
    let (server, client) = fake_graph().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy</html>"))
        .mount(&server)
        .await;
    let error = client
        .send(&text())
        .await
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    assert_eq!(error.class(), ErrorClass::Unknown);
}

#[tokio::test]
async fn mark_read_posts_the_read_status() {
    let (server, client) = fake_graph().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE_ID}/messages")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(
            json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    assert!(client.mark_read("wamid.IN").await.is_ok());
}

#[tokio::test]
async fn check_connection_reads_the_phone_number() {
    let (server, client) = fake_graph().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE_ID}")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "verified_name": "Pemkab Wani", "display_phone_number": "+62 811-0000-000",
            "id": PHONE_ID, "quality_rating": "GREEN"
        })))
        .mount(&server)
        .await;
    let info = client
        .check_connection()
        .await
        .unwrap_or_else(|e| panic!("check failed: {e}"));
    assert_eq!(info.verified_name.as_deref(), Some("Pemkab Wani"));
    assert_eq!(info.quality_rating.as_deref(), Some("GREEN"));
}

#[tokio::test]
async fn media_info_then_download_with_the_bearer_token() {
    let (server, client) = fake_graph().await;
    let file = b"\xff\xd8\xff fake jpeg".to_vec();
    let mut info = serde_json::from_slice::<serde_json::Value>(&sample("media-get-response.json"))
        .unwrap_or_default();
    info["url"] = json!(format!(
        "{}/whatsapp_business/attachments/?mid=645645",
        server.uri()
    ));
    Mock::given(method("GET"))
        .and(path("/v23.0/137524587935346"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&info))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/whatsapp_business/attachments/"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(file.clone(), "image/jpeg"))
        .mount(&server)
        .await;

    let media = client
        .media_info("137524587935346")
        .await
        .unwrap_or_else(|e| panic!("media_info: {e}"));
    assert_eq!(media.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(media.file_size, Some(61_901));
    assert_eq!(media.id.as_deref(), Some("137524587935346"));
    let bytes = client
        .download(&media.url, 1024)
        .await
        .unwrap_or_else(|e| panic!("download: {e}"));
    assert_eq!(bytes, file);

    let too_small = client.download(&media.url, 4).await.err();
    assert!(
        matches!(too_small, Some(SendError::TooLarge { max_bytes: 4 })),
        "{too_small:?}"
    );
}

#[tokio::test]
async fn a_media_id_that_could_change_the_path_is_refused() {
    let (_server, client) = fake_graph().await;
    for id in ["../me", "1/2", "", "1?fields=x"] {
        let error = client.media_info(id).await.err();
        assert!(
            matches!(error, Some(SendError::InvalidRequest(_))),
            "{id}: {error:?}"
        );
    }
}

#[tokio::test]
async fn the_token_is_not_sent_to_a_plain_http_host_elsewhere() {
    let (_server, client) = fake_graph().await;
    let error = client.download("http://203.0.113.9/file", 10).await.err();
    assert!(
        matches!(error, Some(SendError::InvalidRequest(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_expired_media_url_is_a_permanent_error() {
    let (server, client) = fake_graph().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_string("not found"))
        .mount(&server)
        .await;
    let error = client
        .download(&format!("{}/expired", server.uri()), 10)
        .await
        .err();
    assert_eq!(error.map(|e| e.class()), Some(ErrorClass::Permanent));
}

/// A server that streams an endless chunked body without Content-Length, to show the
/// download stops at the limit instead of buffering everything.
#[tokio::test]
async fn a_download_without_content_length_stops_at_the_limit() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener
        .local_addr()
        .expect("bound listener has an address")
        .port();
    let (headers_tx, headers_rx) = tokio::sync::oneshot::channel::<String>();
    let server = tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return 0;
        };
        let mut request = Vec::new();
        let mut buffer = [0_u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return 0,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let _ = headers_tx.send(String::from_utf8_lossy(&request).into_owned());
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        if socket.write_all(head).await.is_err() {
            return 0;
        }
        let chunk = vec![b'x'; 8192];
        let mut sent = 0_usize;
        // Bounded: at most 64 MiB, far beyond the client's limit.
        for _ in 0..8192 {
            let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if socket.write_all(&frame).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });

    let client = client_for(
        &format!("http://127.0.0.1:{port}/v23.0"),
        Duration::from_secs(10),
    );
    let result = client
        .download(&format!("http://127.0.0.1:{port}/media/file"), 100_000)
        .await;
    assert!(
        matches!(result, Err(SendError::TooLarge { max_bytes: 100_000 })),
        "{result:?}"
    );
    let request = headers_rx.await.unwrap_or_default().to_ascii_lowercase();
    assert!(
        request.contains(&format!(
            "authorization: bearer {}",
            TOKEN.to_ascii_lowercase()
        )),
        "{request}"
    );
    drop(client);
    let sent = server.await.unwrap_or(0);
    assert!(
        sent < 64 * 1024 * 1024,
        "the server streamed everything: {sent} bytes"
    );
}
