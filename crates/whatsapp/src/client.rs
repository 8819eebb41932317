//! The Graph API client: sends messages, marks them read, fetches media, tests the
//! connection.
//!
//! Every call is one HTTP request with `Authorization: Bearer <token>`; nothing here
//! retries. Instead every failure is a [`SendError`] whose [`class`](SendError::class)
//! tells the outbox worker what to do ([`ErrorClass`]), from Meta's error `code` first
//! and the HTTP status second.
//!
//! "Did it leave?" is the question that matters for a send, because a retried send that
//! had reached Meta reaches the citizen twice:
//!
//! - a failure to **connect** (refused, reset or timed out during the TCP/TLS handshake,
//!   DNS) means the request never left: [`ErrorClass::Retryable`];
//! - a **timeout after connecting**, a connection lost while writing or reading, or a 2xx
//!   answer we cannot read means Meta may have accepted it: [`ErrorClass::Unknown`]. The
//!   outbox records it as unknown and reconciles by status webhooks. (For GET calls —
//!   media, connection check — an unknown outcome is harmless to retry.)
//!
//! reqwest reports the first case as `is_connect()`; everything else after `send()` began
//! is treated as the second, including a whole-request timeout that happens to fire while
//! still connecting: misjudging in that direction costs a reconciliation, the other
//! direction a duplicate message.
//!
//! Invariants: the access token never appears in `Debug` output or errors; every response
//! body is read with a size cap (API answers 1 MiB, downloads the caller's `max_bytes`),
//! never buffered unbounded; ids put into URL paths are checked so a webhook-supplied
//! media id cannot change the path.
//!
//! Spec: <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media>,
//! <https://developers.facebook.com/docs/graph-api/guides/error-handling>,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde::{Deserialize, Deserializer};

use crate::outbound::{self, OutboundMessage};

/// The most we read of any JSON answer from the Graph API.
const JSON_BODY_MAX: u64 = 1024 * 1024;
/// How much of a non-JSON error body we keep in the error, for the logs.
const ERROR_SNIPPET_MAX: usize = 512;

/// A Graph API access token; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> AccessToken {
        AccessToken(token.into())
    }

    /// The token itself, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> AccessToken {
        AccessToken(token)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Where and how to reach the Graph API.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// e.g. `https://graph.facebook.com/v23.0`; a trailing slash is fine.
    pub api_base: String,
    /// Our business number's id (`metadata.phone_number_id`).
    pub phone_number_id: String,
    /// System-user access token.
    pub access_token: AccessToken,
    /// Whole-request timeout for API calls (send, mark read, media info, check).
    pub timeout: Duration,
    /// Whole-request timeout for a media download (100 MB documents need minutes).
    pub download_timeout: Duration,
}

impl GraphConfig {
    /// A config with a 10 s API timeout and a 300 s download timeout.
    pub fn new(
        api_base: impl Into<String>,
        phone_number_id: impl Into<String>,
        access_token: AccessToken,
    ) -> GraphConfig {
        GraphConfig {
            api_base: api_base.into(),
            phone_number_id: phone_number_id.into(),
            access_token,
            timeout: Duration::from_secs(10),
            download_timeout: Duration::from_mins(5),
        }
    }
}

/// Why a [`GraphClient`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `api_base` is not an absolute http(s) URL.
    #[error("api_base {0:?} is not an absolute http(s) URL")]
    ApiBase(String),
    /// `phone_number_id` is empty or not a plain id.
    #[error("phone_number_id {0:?} is not a plain id")]
    PhoneNumberId(String),
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// A Graph API client for one business number.
#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    api_base: Url,
    phone_number_id: String,
    access_token: AccessToken,
    timeout: Duration,
    download_timeout: Duration,
}

/// A send Meta accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The wamid of our message: statuses will refer to it.
    pub wamid: String,
    /// `message_status` when present (`accepted`, `held_for_quality_assessment`…).
    pub message_status: Option<String>,
}

/// `GET {api_base}/{media_id}`: where to download a media file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaInfo {
    /// The download URL (lives about 5 minutes; fetch a new one after that).
    pub url: String,
    /// MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// SHA-256 of the file (hex or base64: see `media::verify_sha256`).
    #[serde(default)]
    pub sha256: Option<String>,
    /// Size in bytes; Meta sends a number or a string.
    #[serde(default, deserialize_with = "number_or_string")]
    pub file_size: Option<u64>,
    /// The media id.
    #[serde(default)]
    pub id: Option<String>,
}

/// `GET {api_base}/{phone_number_id}`: the business number, for a "test connection" button.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PhoneNumberInfo {
    /// The phone number id.
    #[serde(default)]
    pub id: Option<String>,
    /// The number as shown to users.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// The approved business name.
    #[serde(default)]
    pub verified_name: Option<String>,
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`.
    #[serde(default)]
    pub quality_rating: Option<String>,
}

/// What the caller should do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Transient (5xx, codes 1, 2, 131000, 133004, 131057, or the request never left):
    /// retry with backoff.
    Retryable,
    /// Throughput, pair, spam or app rate limit (130429, 131056, 131048, 4, 80007, HTTP
    /// 429): back off (honour `retry_after`) and retry.
    RateLimited,
    /// 131047: more than 24 h since the citizen's last message. Do not retry; send an
    /// approved template instead.
    ReEngagement,
    /// 190 (token expired) or another authorization/permission error (0, 10, 200–299):
    /// permanent until staff fix the token; alert them and keep the queue.
    AuthExpired,
    /// 132xxx: template missing, not approved or parameters wrong: alert staff.
    TemplateConfig,
    /// Undeliverable, blocked, locked, invalid parameter, other 4xx: dead-letter and show
    /// staff.
    Permanent,
    /// The request may have reached Meta (timeout after connecting, lost connection,
    /// unreadable 2xx): do not blindly resend; reconcile by status webhooks.
    Unknown,
}

impl ErrorClass {
    /// The class Meta's error `code` puts a failure in, if the code is one we know.
    /// Also useful for the `errors[]` of a `failed` status webhook.
    pub fn from_code(code: i64) -> Option<ErrorClass> {
        Some(match code {
            1 | 2 | 131_000 | 133_004 | 131_057 => ErrorClass::Retryable,
            4 | 80_007 | 130_429 | 131_048 | 131_056 => ErrorClass::RateLimited,
            131_047 => ErrorClass::ReEngagement,
            0 | 10 | 190 | 200..=299 => ErrorClass::AuthExpired,
            132_000..=132_999 => ErrorClass::TemplateConfig,
            100 | 368 | 131_026 | 131_031 => ErrorClass::Permanent,
            _ => return None,
        })
    }

    /// The class an HTTP status puts a failure in when the body has no known code.
    pub fn from_status(status: u16) -> ErrorClass {
        match status {
            429 => ErrorClass::RateLimited,
            // 408: the server gave up waiting for our request, so it did not act on it.
            408 | 500..=599 => ErrorClass::Retryable,
            400..=499 => ErrorClass::Permanent,
            _ => ErrorClass::Unknown,
        }
    }
}

/// The Graph API error envelope `{"error":{…}}`, with the HTTP context it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `error.code`.
    pub code: i64,
    /// `error.error_subcode`.
    pub subcode: Option<i64>,
    /// `error.message`.
    pub message: String,
    /// `error.type`, e.g. `OAuthException`.
    pub kind: Option<String>,
    /// `error.error_data.details`.
    pub details: Option<String>,
    /// `error.fbtrace_id`, for Meta support.
    pub fbtrace_id: Option<String>,
    /// The `Retry-After` header, in seconds, if present.
    pub retry_after: Option<Duration>,
}

/// Why a Graph API call failed. Branch on [`SendError::class`].
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Meta answered with its error envelope.
    #[error("Graph API error {} (HTTP {}): {}", .0.code, .0.status, .0.message)]
    Api(Box<ApiError>),
    /// A non-2xx answer without a readable error envelope.
    #[error("HTTP {status} from the Graph API: {body}")]
    Http {
        /// HTTP status.
        status: u16,
        /// The `Retry-After` header, in seconds, if present.
        retry_after: Option<Duration>,
        /// The start of the body, for the logs.
        body: String,
    },
    /// Could not connect: the request never left, retrying is safe.
    #[error("could not connect to the Graph API: {0}")]
    NotSent(#[source] reqwest::Error),
    /// Failed after the request may have left (timeout, lost connection).
    #[error("Graph API call failed after the request may have been sent: {0}")]
    OutcomeUnknown(#[source] reqwest::Error),
    /// A 2xx answer that is not what Meta documents.
    #[error("unexpected Graph API answer (HTTP {status}): {reason}")]
    UnexpectedResponse {
        /// HTTP status.
        status: u16,
        /// What was wrong with it.
        reason: String,
    },
    /// A download larger than the caller's limit.
    #[error("media is larger than {max_bytes} bytes")]
    TooLarge {
        /// The limit that was exceeded.
        max_bytes: u64,
    },
    /// We refused to make the request (bad media id, URL, or body).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl SendError {
    /// What the caller should do about it.
    pub fn class(&self) -> ErrorClass {
        match self {
            SendError::Api(error) => ErrorClass::from_code(error.code)
                .unwrap_or_else(|| ErrorClass::from_status(error.status)),
            SendError::Http { status, .. } => ErrorClass::from_status(*status),
            SendError::NotSent(_) => ErrorClass::Retryable,
            SendError::OutcomeUnknown(_) | SendError::UnexpectedResponse { .. } => {
                ErrorClass::Unknown
            }
            SendError::TooLarge { .. } | SendError::InvalidRequest(_) => ErrorClass::Permanent,
        }
    }

    /// Meta's error code, if the answer had one.
    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::Api(error) => Some(error.code),
            _ => None,
        }
    }

    /// How long Meta asked us to wait (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SendError::Api(error) => error.retry_after,
            SendError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP status, if there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            SendError::Api(error) => Some(error.status),
            SendError::Http { status, .. } | SendError::UnexpectedResponse { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

impl GraphClient {
    /// Builds a client. Installs rustls' ring provider as the process default if no
    /// provider was installed yet (the binary normally does this at start-up).
    pub fn new(config: GraphConfig) -> Result<GraphClient, ConfigError> {
        let mut api_base = Url::parse(config.api_base.trim())
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| ConfigError::ApiBase(config.api_base.clone()))?;
        // One trailing slash, so that `join("x")` appends instead of replacing the version.
        let path = format!("{}/", api_base.path().trim_end_matches('/'));
        api_base.set_path(&path);
        api_base.set_query(None);
        api_base.set_fragment(None);
        if !is_plain_id(&config.phone_number_id) {
            return Err(ConfigError::PhoneNumberId(config.phone_number_id));
        }
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing the race to another installer is fine: a provider is then installed.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("wani-bares-whatsapp/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout)
            .build()
            .map_err(ConfigError::Http)?;
        Ok(GraphClient {
            http,
            api_base,
            phone_number_id: config.phone_number_id,
            access_token: config.access_token,
            timeout: config.timeout,
            download_timeout: config.download_timeout,
        })
    }

    /// The business number this client sends from.
    pub fn phone_number_id(&self) -> &str {
        &self.phone_number_id
    }

    /// Sends a message: `POST {api_base}/{phone_number_id}/messages`.
    pub async fn send(&self, message: &OutboundMessage) -> Result<Sent, SendError> {
        self.send_json(&message.to_json()).await
    }

    /// Sends a wire body as stored by an outbox (`OutboundMessage::to_json`).
    pub async fn send_json(&self, body: &serde_json::Value) -> Result<Sent, SendError> {
        let url = self.url(&[&self.phone_number_id, "messages"])?;
        let (status, bytes) = self
            .call(self.http.request(Method::POST, url).json(body))
            .await?;
        let answer: SendAnswer =
            serde_json::from_slice(&bytes).map_err(|e| unexpected(status, &e))?;
        // A send carries one message, so the answer lists one; take the first with an id.
        let message = answer
            .messages
            .into_iter()
            .find(|m| !m.id.is_empty())
            .ok_or_else(|| unexpected(status, &"no messages[].id in the answer"))?;
        tracing::debug!(wamid = %message.id, "WhatsApp message accepted");
        Ok(Sent {
            wamid: message.id,
            message_status: message.message_status,
        })
    }

    /// Marks a citizen's message as read.
    pub async fn mark_read(&self, message_id: &str) -> Result<(), SendError> {
        let url = self.url(&[&self.phone_number_id, "messages"])?;
        self.call(
            self.http
                .request(Method::POST, url)
                .json(&outbound::mark_read(message_id)),
        )
        .await
        .map(|_| ())
    }

    /// Where to download a media file: `GET {api_base}/{media_id}`.
    pub async fn media_info(&self, media_id: &str) -> Result<MediaInfo, SendError> {
        if !is_plain_id(media_id) {
            return Err(SendError::InvalidRequest(format!(
                "media id {media_id:?} is not a plain id"
            )));
        }
        let url = self.url(&[media_id])?;
        let (status, bytes) = self.call(self.http.request(Method::GET, url)).await?;
        serde_json::from_slice(&bytes).map_err(|e| unexpected(status, &e))
    }

    /// Downloads a media URL (from [`media_info`](Self::media_info)) with the bearer token,
    /// streaming, and fails with [`SendError::TooLarge`] as soon as it exceeds `max_bytes`.
    ///
    /// The URL must be https, or on the same origin as `api_base` (tests). An expired URL
    /// answers 4xx: fetch a fresh one with `media_info`.
    pub async fn download(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, SendError> {
        let url =
            Url::parse(url).map_err(|e| SendError::InvalidRequest(format!("media url: {e}")))?;
        let same_origin = url.origin() == self.api_base.origin();
        if url.scheme() != "https" && !same_origin {
            return Err(SendError::InvalidRequest(
                "media url must be https (the bearer token goes with it)".into(),
            ));
        }
        let mut response = self
            .http
            .request(Method::GET, url)
            .bearer_auth(self.access_token.expose())
            .timeout(self.download_timeout)
            .send()
            .await
            .map_err(|e| transport_error(e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(error_answer(response).await);
        }
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes)
        {
            return Err(SendError::TooLarge { max_bytes });
        }
        read_capped(&mut response, max_bytes)
            .await
            .map_err(|e| match e {
                ReadError::TooLarge => SendError::TooLarge { max_bytes },
                ReadError::Transport(e) => SendError::OutcomeUnknown(e.without_url()),
            })
    }

    /// Checks the token and number id: `GET {api_base}/{phone_number_id}`.
    pub async fn check_connection(&self) -> Result<PhoneNumberInfo, SendError> {
        let url = self.url(&[&self.phone_number_id])?;
        let (status, bytes) = self.call(self.http.request(Method::GET, url)).await?;
        serde_json::from_slice(&bytes).map_err(|e| unexpected(status, &e))
    }

    fn url(&self, segments: &[&str]) -> Result<Url, SendError> {
        // Segments are plain ids (checked), so joining cannot escape the base path.
        self.api_base
            .join(&segments.join("/"))
            .map_err(|e| SendError::InvalidRequest(format!("url: {e}")))
    }

    /// Sends an API request and reads its (capped) 2xx body; anything else is an error.
    async fn call(&self, request: RequestBuilder) -> Result<(StatusCode, Vec<u8>), SendError> {
        let mut response = request
            .bearer_auth(self.access_token.expose())
            .timeout(self.timeout)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(error_answer(response).await);
        }
        match read_capped(&mut response, JSON_BODY_MAX).await {
            Ok(bytes) => Ok((status, bytes)),
            Err(ReadError::TooLarge) => Err(unexpected(status, &"answer larger than 1 MiB")),
            Err(ReadError::Transport(e)) => Err(SendError::OutcomeUnknown(e)),
        }
    }
}

/// Turns a non-2xx answer into an error: the Graph envelope when there is one, else the
/// status (an unreadable body does not hide the status).
async fn error_answer(mut response: Response) -> SendError {
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = read_capped(&mut response, JSON_BODY_MAX)
        .await
        .unwrap_or_default();
    if let Ok(Envelope { error }) = serde_json::from_slice::<Envelope>(&body)
        && let Some(code) = error.code
    {
        return SendError::Api(Box::new(ApiError {
            status,
            code,
            subcode: error.error_subcode,
            message: error.message.unwrap_or_default(),
            kind: error.kind,
            details: error.error_data.and_then(|data| data.details),
            fbtrace_id: error.fbtrace_id,
            retry_after,
        }));
    }
    SendError::Http {
        status,
        retry_after,
        body: outbound::truncate(&String::from_utf8_lossy(&body), ERROR_SNIPPET_MAX),
    }
}

/// A reqwest failure before an answer arrived: see the module docs.
fn transport_error(error: reqwest::Error) -> SendError {
    if error.is_connect() {
        SendError::NotSent(error)
    } else if error.is_builder() {
        SendError::InvalidRequest(error.to_string())
    } else {
        SendError::OutcomeUnknown(error)
    }
}

fn unexpected(status: StatusCode, reason: &dyn fmt::Display) -> SendError {
    SendError::UnexpectedResponse {
        status: status.as_u16(),
        reason: reason.to_string(),
    }
}

/// `Retry-After` in delta-seconds (the form Graph uses; HTTP dates are ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

enum ReadError {
    TooLarge,
    Transport(reqwest::Error),
}

/// Reads a body chunk by chunk, stopping as soon as it exceeds `max` bytes.
async fn read_capped(response: &mut Response, max: u64) -> Result<Vec<u8>, ReadError> {
    // Preallocate what the server announced, but never more than the cap or 1 MiB.
    let announced = response
        .content_length()
        .unwrap_or(0)
        .min(max)
        .min(JSON_BODY_MAX);
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() as u64 + chunk.len() as u64 > max {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An id that can go into a URL path as one segment: ASCII letters, digits, `_`, `-`.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[derive(Deserialize)]
struct SendAnswer {
    #[serde(default)]
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    #[serde(default)]
    id: String,
    #[serde(default)]
    message_status: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: EnvelopeError,
}

#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "integer_or_string")]
    code: Option<i64>,
    #[serde(default, deserialize_with = "integer_or_string")]
    error_subcode: Option<i64>,
    #[serde(default)]
    error_data: Option<EnvelopeErrorData>,
    #[serde(default)]
    fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct EnvelopeErrorData {
    #[serde(default)]
    details: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Unsigned(u64),
    Signed(i64),
    Text(String),
}

fn number_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<NumberOrString>::deserialize(deserializer)? {
        Some(NumberOrString::Unsigned(n)) => Some(n),
        Some(NumberOrString::Text(s)) => s.trim().parse().ok(),
        Some(NumberOrString::Signed(_)) | None => None,
    })
}

fn integer_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<NumberOrString>::deserialize(deserializer)? {
        Some(NumberOrString::Unsigned(n)) => i64::try_from(n).ok(),
        Some(NumberOrString::Signed(n)) => Some(n),
        Some(NumberOrString::Text(s)) => s.trim().parse().ok(),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_redacted_in_debug_output() {
        let config = GraphConfig::new(
            "https://graph.facebook.com/v23.0",
            "123",
            AccessToken::new("EAAG-secret"),
        );
        assert!(!format!("{config:?}").contains("EAAG-secret"));
        let Ok(client) = GraphClient::new(config) else {
            panic!("client should build");
        };
        assert!(!format!("{client:?}").contains("EAAG-secret"));
    }

    #[test]
    fn api_base_with_or_without_a_trailing_slash_gives_the_same_urls() {
        for base in [
            "https://graph.facebook.com/v23.0",
            "https://graph.facebook.com/v23.0/",
            "https://graph.facebook.com/v23.0//",
        ] {
            let Ok(client) = GraphClient::new(GraphConfig::new(base, "123", AccessToken::new("t")))
            else {
                panic!("client should build for {base}");
            };
            assert_eq!(
                client
                    .url(&["123", "messages"])
                    .map(String::from)
                    .ok()
                    .as_deref(),
                Some("https://graph.facebook.com/v23.0/123/messages")
            );
        }
        let Ok(root) = GraphClient::new(GraphConfig::new(
            "http://127.0.0.1:9",
            "1",
            AccessToken::new("t"),
        )) else {
            panic!("client should build");
        };
        assert_eq!(
            root.url(&["1"]).map(String::from).ok().as_deref(),
            Some("http://127.0.0.1:9/1")
        );
    }

    #[test]
    fn bad_configs_are_rejected() {
        let build = |base: &str, id: &str| {
            GraphClient::new(GraphConfig::new(base, id, AccessToken::new("t")))
        };
        assert!(matches!(
            build("graph.facebook.com", "1"),
            Err(ConfigError::ApiBase(_))
        ));
        assert!(matches!(
            build("ftp://x/v1", "1"),
            Err(ConfigError::ApiBase(_))
        ));
        assert!(matches!(
            build("https://x/v1", ""),
            Err(ConfigError::PhoneNumberId(_))
        ));
        assert!(matches!(
            build("https://x/v1", "1/../2"),
            Err(ConfigError::PhoneNumberId(_))
        ));
    }

    #[test]
    fn codes_map_to_the_documented_classes() {
        use ErrorClass::{
            AuthExpired, Permanent, RateLimited, ReEngagement, Retryable, TemplateConfig,
        };
        for (code, class) in [
            (1, Retryable),
            (2, Retryable),
            (131_000, Retryable),
            (133_004, Retryable),
            (131_057, Retryable),
            (130_429, RateLimited),
            (131_056, RateLimited),
            (131_048, RateLimited),
            (4, RateLimited),
            (80_007, RateLimited),
            (131_047, ReEngagement),
            (190, AuthExpired),
            (132_000, TemplateConfig),
            (132_001, TemplateConfig),
            (132_018, TemplateConfig),
            (131_026, Permanent),
            (368, Permanent),
            (131_031, Permanent),
            (100, Permanent),
        ] {
            assert_eq!(ErrorClass::from_code(code), Some(class), "{code}");
        }
        assert_eq!(ErrorClass::from_code(131_053), None);
        assert_eq!(ErrorClass::from_status(503), Retryable);
        assert_eq!(ErrorClass::from_status(429), RateLimited);
        assert_eq!(ErrorClass::from_status(404), Permanent);
    }

    #[test]
    fn file_size_is_read_as_a_number_or_a_string() {
        let from_number: Result<MediaInfo, _> =
            serde_json::from_str(r#"{"url":"u","file_size":61901}"#);
        let from_string: Result<MediaInfo, _> =
            serde_json::from_str(r#"{"url":"u","file_size":"61901"}"#);
        let missing: Result<MediaInfo, _> = serde_json::from_str(r#"{"url":"u"}"#);
        assert_eq!(from_number.ok().and_then(|m| m.file_size), Some(61901));
        assert_eq!(from_string.ok().and_then(|m| m.file_size), Some(61901));
        assert_eq!(missing.ok().map(|m| m.file_size), Some(None));
    }

    #[test]
    fn only_plain_ids_go_into_paths() {
        assert!(is_plain_id("137524587935346"));
        assert!(is_plain_id("PHONE_NUMBER_ID"));
        for bad in ["", "..", "a/b", "a?b", "a#b", "a%2Fb", "wamid.x", "ü"] {
            assert!(!is_plain_id(bad), "{bad}");
        }
    }
}
