//! The application state every handler and job shares.

use std::sync::Arc;

use tokio::sync::{Notify, RwLock, broadcast};
use tokio_util::sync::CancellationToken;
use wani_bares_domain::calendar::OfficeCalendar;
use wani_bares_domain::sla::SlaTargets;
use wani_bares_store::Store;
use wani_bares_store::media::MediaStore;
use wani_bares_whatsapp::client::GraphClient;

use crate::channel::inbox::InboxWriter;
use crate::clock::Clock;
use crate::config::Config;
use crate::texts::TextCatalog;

/// Something the dashboard should show without a reload.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A citizen wrote; the complaint (if any) it belongs to.
    Message {
        /// Citizen.
        citizen_id: i64,
        /// Complaint.
        complaint_id: Option<i64>,
    },
    /// A complaint changed status or landed in a queue.
    Complaint {
        /// Complaint.
        complaint_id: i64,
        /// New status.
        status: String,
    },
}

/// Wake-ups between the parts of the pipeline.
#[derive(Default)]
pub struct Wakers {
    /// The inbox committed new bodies.
    pub inbox: Arc<Notify>,
    /// The outbox has new rows.
    pub outbox: Arc<Notify>,
    /// New media to download.
    pub media: Arc<Notify>,
}

/// Shared state.
pub struct Inner {
    /// Validated configuration.
    pub config: Config,
    /// The database.
    pub store: Store,
    /// Encrypted files.
    pub media: MediaStore,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The Graph API client, when WhatsApp is configured.
    pub graph: Option<GraphClient>,
    /// The durable webhook inbox.
    pub inbox: InboxWriter,
    /// Wake-ups.
    pub wake: Wakers,
    /// The office calendar (holidays from the database).
    pub calendar: RwLock<OfficeCalendar>,
    /// Deadline targets (defaults, or the superadmin's from settings `sla.targets`).
    pub targets: RwLock<SlaTargets>,
    /// Bot texts with the superadmin's overrides.
    pub texts: TextCatalog,
    /// Live updates for dashboards.
    pub live: broadcast::Sender<LiveEvent>,
    /// Failed-login throttling per address.
    pub throttle: crate::services::auth::Throttle,
    /// Demo mode: the simulator is mounted.
    pub demo: bool,
    /// Cancelled on shutdown.
    pub shutdown: CancellationToken,
}

/// A cheap handle on [`Inner`].
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Now, in unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    /// Tells dashboards something changed (nobody listening is fine).
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.live.send(event);
    }
}
