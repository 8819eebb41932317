//! Personal data (UU 27/2022): purging KTP photos some months after a complaint ends,
//! a citizen's export and erasure, and key rotation.
//!
//! Erasure keeps what statistics need (the complaint rows with their dates, status,
//! category, agency, deadlines) and the audit chain (which never held personal data), and
//! removes everything that identifies the person: identity, phone, BSUID, profile name,
//! message bodies, outbound payloads, attachments (files deleted), the complaint text.

use serde_json::{Value, json};
use wani_bares_domain::phone::{Bsuid, PhoneNumber};
use wani_bares_store::rekey::{SEALED_COLUMNS, reseal_column};
use wani_bares_store::{
    Store, StoreError, attachments, audit, citizens, complaints, messages, reports,
};

use crate::state::AppState;

/// Finds a citizen by phone number (any Indonesian form) or business-scoped user id.
pub async fn find_citizen(store: &Store, wa_id: &str) -> anyhow::Result<citizens::Citizen> {
    let mut r = store.reader().await?;
    if let Ok(p) = PhoneNumber::parse(wa_id)
        && let Some(c) = citizens::by_phone(&mut r.conn(), p.as_str()).await?
    {
        return Ok(c);
    }
    if let Ok(b) = Bsuid::parse(wa_id)
        && let Some(c) = citizens::by_bsuid(&mut r.conn(), b.as_str()).await?
    {
        return Ok(c);
    }
    anyhow::bail!("no citizen with WhatsApp id {wa_id:?}")
}

/// Everything stored about a citizen, as JSON (their right to see their data).
pub async fn export(store: &Store, wa_id: &str) -> anyhow::Result<Value> {
    let citizen = find_citizen(store, wa_id).await?;
    let mut r = store.reader().await?;
    let identity: Option<Value> = citizen
        .identity
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let mut out_complaints = Vec::new();
    for (id, ticket) in complaints::ids_for_citizen(&mut r.conn(), citizen.id).await? {
        let Some(c) = complaints::by_id(&mut r.conn(), id).await? else {
            continue;
        };
        let transcript: Vec<Value> = messages::for_complaint(&mut r.conn(), id)
            .await?
            .into_iter()
            .filter(|m| m.user_id.is_none())
            .map(|m| json!({"direction": m.direction, "at": m.created_at, "content": serde_json::from_str::<Value>(&m.body_json).unwrap_or(Value::Null)}))
            .collect();
        let files: Vec<Value> = attachments::for_complaint(&mut r.conn(), id)
            .await?
            .into_iter()
            .map(|a| json!({"id": a.id, "role": a.role, "kind": a.kind, "mime_type": a.mime_type, "state": a.state, "created_at": a.created_at}))
            .collect();
        out_complaints.push(json!({
            "ticket": ticket, "status": c.status, "kind": c.kind, "created_at": c.created_at,
            "identity": c.identity_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok()),
            "text": c.text, "reply": c.reply_text, "transcript": transcript, "attachments": files,
        }));
    }
    let loose: Vec<Value> = messages::for_citizen(&mut r.conn(), citizen.id, 0, 10_000)
        .await?
        .into_iter()
        .filter(|m| m.complaint_id.is_none())
        .map(|m| json!({"direction": m.direction, "at": m.created_at, "content": serde_json::from_str::<Value>(&m.body_json).unwrap_or(Value::Null)}))
        .collect();
    Ok(json!({
        "citizen": {"phone": citizen.phone, "bsuid": citizen.bsuid, "profile_name": citizen.profile_name, "consent": citizen.consent, "saved_identity": identity},
        "complaints": out_complaints,
        "other_messages": loose,
    }))
}

/// Erases a citizen's personal data; returns how many complaints were anonymised.
pub async fn erase(state: &AppState, wa_id: &str, by: &str) -> anyhow::Result<usize> {
    let citizen = find_citizen(&state.store, wa_id).await?;
    let now = state.now_ms();
    let files = {
        let mut r = state.store.reader().await?;
        attachments::stored_for_citizen(&mut r.conn(), citizen.id).await?
    };
    for (_, key) in &files {
        state.media.delete(key).await?;
    }
    let mut tx = state.store.begin().await?;
    let ids = complaints::ids_for_citizen(&mut tx.conn(), citizen.id).await?;
    for (id, _) in &ids {
        complaints::erase_identity(&mut tx.conn(), *id).await?;
        complaints::erase_text(
            &mut tx.conn(),
            *id,
            "[dihapus atas permintaan pelapor]",
            now,
        )
        .await?;
    }
    for (id, _) in &files {
        attachments::mark_purged(&mut tx.conn(), *id, now).await?;
    }
    messages::erase_for_citizen(&mut tx.conn(), citizen.id).await?;
    wani_bares_store::outbox::erase_for_citizen(&mut tx.conn(), citizen.id).await?;
    citizens::erase(&mut tx.conn(), citizen.id, now).await?;
    audit::append(
        &mut tx.conn(),
        &audit::NewEvent {
            at: now,
            actor_user_id: None,
            actor: by,
            action: "citizen_erased",
            complaint_id: None,
            before: None,
            after: Some(&format!("citizen:{}", citizen.id)),
            detail: Some(&format!("{} complaints anonymised", ids.len())),
        },
    )
    .await?;
    tx.commit().await?;
    erase_raw_bodies(state, citizen.phone.as_deref(), citizen.bsuid.as_deref()).await?;
    Ok(ids.len())
}

/// Replaces the raw webhook bodies that came from this person (they hold the same words).
async fn erase_raw_bodies(
    state: &AppState,
    phone: Option<&str>,
    bsuid: Option<&str>,
) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut erased = 0;
    loop {
        let batch = {
            let mut r = state.store.inbox_reader().await?;
            wani_bares_store::inbox::done_after(&mut r.conn(), after, 500).await?
        };
        let Some(last) = batch.last() else {
            return Ok(erased);
        };
        after = last.id;
        let mut tx = state.store.inbox_begin().await?;
        for ev in &batch {
            let Ok(n) = wani_bares_whatsapp::webhook::parse(&ev.body) else {
                continue;
            };
            let theirs = n.messages().any(|m| {
                let p = m.from.as_deref().and_then(|f| PhoneNumber::parse(f).ok());
                (phone.is_some() && p.as_ref().map(PhoneNumber::as_str) == phone)
                    || (bsuid.is_some() && m.from_user_id.as_deref() == bsuid)
            });
            if theirs {
                wani_bares_store::inbox::replace_body(&mut tx.conn(), ev.id, br#"{"erased":true}"#)
                    .await?;
                erased += 1;
            }
        }
        tx.commit().await?;
    }
}

/// Deletes KTP photos of complaints that ended more than `months` ago. Returns how many.
pub async fn purge_ktp(state: &AppState) -> Result<usize, StoreError> {
    let months = i64::from(state.config.workflow.ktp_retention_months);
    if months == 0 {
        return Ok(0);
    }
    let before = state.now_ms() - months * 30 * 86_400_000;
    let due = {
        let mut r = state.store.reader().await?;
        attachments::ktp_to_purge(&mut r.conn(), before, 200).await?
    };
    for (id, key) in &due {
        state.media.delete(key).await?;
        let mut tx = state.store.begin().await?;
        attachments::mark_purged(&mut tx.conn(), *id, state.now_ms()).await?;
        audit::append(
            &mut tx.conn(),
            &audit::NewEvent {
                at: state.now_ms(),
                actor_user_id: None,
                actor: "system",
                action: "ktp_purged",
                complaint_id: None,
                before: None,
                after: Some(&format!("attachment:{id}")),
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(due.len())
}

/// Re-seals every sealed column and file with the vault's current key (after a new key
/// was appended to the keyring). Returns (values, files) re-sealed.
pub async fn reseal_everything(state: &AppState) -> anyhow::Result<(u64, usize)> {
    let mut values = 0;
    for (table, id, col) in SEALED_COLUMNS {
        let mut tx = if *table == "inbox" {
            state.store.inbox_begin().await?
        } else {
            state.store.begin().await?
        };
        values += reseal_column(&mut tx.conn(), table, id, col, 500).await?;
        tx.commit().await?;
    }
    let mut keys = {
        let mut r = state.store.reader().await?;
        attachments::all_storage_keys(&mut r.conn()).await?
    };
    {
        let mut r = state.store.reader().await?;
        keys.extend(
            reports::list(&mut r.conn(), i64::MAX)
                .await?
                .into_iter()
                .map(|x| x.storage_key),
        );
    }
    for key in &keys {
        match state.media.reseal(key).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok((values, keys.len()))
}
