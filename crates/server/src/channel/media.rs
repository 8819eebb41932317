//! The media job: downloads what citizens sent (GET media id → url → bytes with the bearer
//! token), checks size limits per type and the SHA-256 Meta announced, and stores the file
//! sealed in the media store. Failures retry with backoff; after the last attempt the
//! attachment is `failed`, visible to staff, who can retry it. The media id lives 7 days
//! at Meta, so retries stop well before that.

use wani_bares_store::{StoreError, attachments};
use wani_bares_whatsapp::media;

use crate::state::AppState;

/// Attempts before a download is given up.
const MAX_ATTEMPTS: i64 = 8;

/// Downloads the due attachments. Returns how many were stored.
pub async fn run_once(state: &AppState) -> Result<usize, StoreError> {
    let Some(client) = state.graph.clone() else {
        return Ok(0);
    };
    let now = state.now_ms();
    let due = {
        let mut r = state.store.reader().await?;
        attachments::due_downloads(&mut r.conn(), now, 16).await?
    };
    let mut stored = 0;
    for att in due {
        let Some(media_id) = att.wa_media_id.clone() else {
            continue;
        };
        let result = download(
            state,
            &client,
            &media_id,
            att.mime_type.as_deref(),
            att.sha256.as_deref(),
        )
        .await;
        let mut tx = state.store.begin().await?;
        match result {
            Ok((key, size, mime)) => {
                attachments::mark_stored(&mut tx.conn(), att.id, &key, size, mime.as_deref())
                    .await?;
                stored += 1;
            }
            Err(e) => {
                let attempts = att.attempts + 1;
                let next =
                    (attempts < MAX_ATTEMPTS).then(|| now + 2_000 * (1i64 << attempts.min(12)));
                tracing::warn!(attachment_id = att.id, attempts, error = %e, "media download failed");
                attachments::mark_attempt_failed(&mut tx.conn(), att.id, &e, next).await?;
                metrics::counter!("media_download_failures_total").increment(1);
            }
        }
        tx.commit().await?;
    }
    Ok(stored)
}

async fn download(
    state: &AppState,
    client: &wani_bares_whatsapp::client::GraphClient,
    media_id: &str,
    mime_hint: Option<&str>,
    sha_hint: Option<&str>,
) -> Result<(String, i64, Option<String>), String> {
    let info = client
        .media_info(media_id)
        .await
        .map_err(|e| format!("media info: {e}"))?;
    let mime = info
        .mime_type
        .clone()
        .or_else(|| mime_hint.map(str::to_owned));
    let max = mime.as_deref().map_or(
        media::max_bytes(media::MediaKind::Document),
        media::max_bytes_for_mime,
    );
    if let Some(size) = info.file_size
        && size > max
    {
        return Err(format!(
            "file is {size} bytes, above the {max}-byte limit for {mime:?}"
        ));
    }
    let bytes = client
        .download(&info.url, max)
        .await
        .map_err(|e| format!("download: {e}"))?;
    let expected = info.sha256.as_deref().or(sha_hint);
    if let Some(expected) = expected {
        match media::verify_sha256(&bytes, expected) {
            Ok(()) => {}
            Err(e @ media::ChecksumError::Mismatch { .. }) => return Err(e.to_string()),
            Err(media::ChecksumError::Unrecognised(_)) => {
                tracing::warn!(
                    media_id,
                    "media sha256 in an unknown format; stored without the check"
                );
            }
        }
    }
    let size = bytes.len() as i64;
    let key = state
        .media
        .put(&bytes)
        .await
        .map_err(|e| format!("store: {e}"))?;
    Ok((key, size, mime))
}
