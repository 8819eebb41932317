//! Configuration: one tree read from an optional TOML file (`--config FILE`) and then from
//! `WANI_BARES_*` environment variables (which win), validated at start-up. An invalid
//! value stops the program with a message naming the key and its environment variable.
//! Secrets live in [`Secret`], whose `Debug` and `Display` never show the value.
//!
//! The environment variable names in [`ENV_KEYS`] are a contract used outside the
//! repository.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A secret string: never printed.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no value is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<unset>"
        } else {
            "<redacted>"
        })
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for machines.
    Json,
}

/// The WhatsApp Cloud API settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhatsappConfig {
    /// Graph API base URL including the version.
    pub api_base: String,
    /// The business phone number id we send from and accept webhooks for.
    pub phone_number_id: String,
    /// Bearer token for the Graph API.
    pub access_token: Secret,
    /// App secret for `X-Hub-Signature-256`.
    pub app_secret: Secret,
    /// Token for the webhook verification handshake.
    pub verify_token: Secret,
    /// Global send rate, messages per second (Meta's default is 80).
    pub rate_per_second: u32,
    /// Messages to one citizen allowed in a burst before pacing applies.
    pub pair_burst: u32,
    /// Seconds between messages to one citizen once the burst is used.
    pub pair_interval_seconds: u32,
    /// The approved template used outside the 24-hour window.
    pub template_name: String,
    /// Its language code.
    pub template_language: String,
    /// Graph API request timeout, seconds.
    pub request_timeout_seconds: u64,
    /// Largest webhook body accepted, bytes (larger: 413).
    pub max_body_bytes: usize,
}

impl Default for WhatsappConfig {
    fn default() -> Self {
        WhatsappConfig {
            api_base: "https://graph.facebook.com/v23.0".into(),
            phone_number_id: String::new(),
            access_token: Secret::default(),
            app_secret: Secret::default(),
            verify_token: Secret::default(),
            rate_per_second: 80,
            pair_burst: 10,
            pair_interval_seconds: 6,
            template_name: "wani_bares_pemberitahuan".into(),
            template_language: "id".into(),
            request_timeout_seconds: 10,
            max_body_bytes: 3 * 1024 * 1024,
        }
    }
}

/// Workflow options.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkflowConfig {
    /// Kabid dispatches directly (shortened chain); default: the SOP chain via Kadis.
    pub kabid_dispatches: bool,
    /// Days an incomplete complaint waits for the citizen before it is withdrawn.
    pub completion_window_days: u32,
    /// Days after closing during which "belum selesai" reopens the complaint.
    pub reopen_window_days: u32,
    /// Hours without activity before an intake draft gets its reminder.
    pub draft_reminder_hours: u32,
    /// Hours after the citizen's last message before the draft expires.
    pub draft_expiry_hours: u32,
    /// Tell the citizen when their complaint is late.
    pub notify_citizen_when_late: bool,
    /// Months after closing before KTP photos are purged.
    pub ktp_retention_months: u32,
    /// The approved template for the rating question outside the 24-hour window (quick
    /// replies "rate:5", "rate:4", "rate:unresolved"); empty: the general template.
    pub rating_template_name: String,
}

impl Default for WorkflowConfig {
    fn default() -> Self {
        WorkflowConfig {
            kabid_dispatches: false,
            completion_window_days: 10,
            reopen_window_days: 7,
            // 23 h: the reminder still falls inside WhatsApp's 24-hour window, so it goes out
            // as a normal message rather than a template.
            draft_reminder_hours: 23,
            draft_expiry_hours: 72,
            notify_citizen_when_late: false,
            ktp_retention_months: 12,
            rating_template_name: String::new(),
        }
    }
}

/// The monthly report.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Day of the month (office time, from 06:00) on which last month's reports are
    /// generated and stored; 0 turns this off.
    pub auto_day: u8,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig { auto_day: 1 }
    }
}

/// Login and session settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Dashboard session lifetime, hours.
    pub session_hours: u32,
    /// API token lifetime, hours.
    pub api_token_hours: u32,
    /// Failed logins before an account is locked.
    pub max_failed_logins: u32,
    /// Lock duration, minutes.
    pub lockout_minutes: u32,
    /// Mark cookies `Secure` (set when served over TLS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Show the full NIK, KTP photo and phone number to OPD users (default off).
    pub opd_sees_identity: bool,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            session_hours: 12,
            api_token_hours: 24,
            max_failed_logins: 5,
            lockout_minutes: 15,
            secure_cookies: false,
            opd_sees_identity: false,
        }
    }
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the database, media and keys live.
    pub data_dir: PathBuf,
    /// Database URL (`sqlite://…` or `postgres://…`).
    pub database_url: Secret,
    /// Office timezone.
    pub timezone: String,
    /// Master key (base64/hex), else a key file in the data dir.
    pub master_key: Secret,
    /// Log format.
    pub log_format: LogFormat,
    /// Public base URL of the dashboard (for links in notifications).
    pub public_url: Option<String>,
    /// WhatsApp.
    pub whatsapp: WhatsappConfig,
    /// Workflow.
    pub workflow: WorkflowConfig,
    /// Security.
    pub security: SecurityConfig,
    /// Monthly report.
    pub report: ReportConfig,
}

/// The file form: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<Secret>,
    timezone: Option<String>,
    master_key: Option<Secret>,
    log_format: Option<String>,
    public_url: Option<String>,
    whatsapp: WhatsappConfig,
    workflow: WorkflowConfig,
    security: SecurityConfig,
    report: ReportConfig,
}

/// A configuration error naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value did not parse or validate.
    #[error("invalid value for {key} ({env}): {reason}")]
    Invalid {
        /// The key in the TOML file.
        key: &'static str,
        /// The environment variable.
        env: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The file could not be read or parsed.
    #[error("config file {path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Every environment variable read, with its key (`section.key`). A contract.
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("WANI_BARES_LISTEN", "listen"),
    ("WANI_BARES_DATA_DIR", "data_dir"),
    ("WANI_BARES_DATABASE_URL", "database_url"),
    ("WANI_BARES_TIMEZONE", "timezone"),
    ("WANI_BARES_MASTER_KEY", "master_key"),
    ("WANI_BARES_LOG_FORMAT", "log_format"),
    ("WANI_BARES_PUBLIC_URL", "public_url"),
    ("WANI_BARES_WA_API_BASE", "whatsapp.api_base"),
    ("WANI_BARES_WA_PHONE_NUMBER_ID", "whatsapp.phone_number_id"),
    ("WANI_BARES_WA_ACCESS_TOKEN", "whatsapp.access_token"),
    ("WANI_BARES_WA_APP_SECRET", "whatsapp.app_secret"),
    ("WANI_BARES_WA_VERIFY_TOKEN", "whatsapp.verify_token"),
    ("WANI_BARES_WA_RATE_PER_SECOND", "whatsapp.rate_per_second"),
    ("WANI_BARES_WA_TEMPLATE_NAME", "whatsapp.template_name"),
    (
        "WANI_BARES_WA_TEMPLATE_LANGUAGE",
        "whatsapp.template_language",
    ),
    ("WANI_BARES_WA_MAX_BODY_BYTES", "whatsapp.max_body_bytes"),
    ("WANI_BARES_KABID_DISPATCHES", "workflow.kabid_dispatches"),
    (
        "WANI_BARES_COMPLETION_WINDOW_DAYS",
        "workflow.completion_window_days",
    ),
    ("WANI_BARES_SECURE_COOKIES", "security.secure_cookies"),
];

fn env_of(key: &str) -> &'static str {
    ENV_KEYS
        .iter()
        .find(|(_, k)| *k == key)
        .map_or("-", |(e, _)| *e)
}

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        env: env_of(key),
        reason: reason.into(),
    }
}

fn parse_num<T: std::str::FromStr>(key: &'static str, value: &str) -> Result<T, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(key, format!("{value:?} is not a valid number")))
}

fn parse_bool(key: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(key, format!("{value:?} is not true or false"))),
    }
}

impl Config {
    /// Reads the file (if given) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_from(file, |name| std::env::var(name).ok())
    }

    /// Reads the file (if given) and the environment through `env` (tests pass a map).
    pub fn load_from(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut raw = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::File {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?
            }
            None => FileConfig::default(),
        };
        let get = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(v) = get("WANI_BARES_LISTEN") {
            raw.listen = Some(v);
        }
        if let Some(v) = get("WANI_BARES_DATA_DIR") {
            raw.data_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = get("WANI_BARES_DATABASE_URL") {
            raw.database_url = Some(Secret::new(v));
        }
        if let Some(v) = get("WANI_BARES_TIMEZONE") {
            raw.timezone = Some(v);
        }
        if let Some(v) = get("WANI_BARES_MASTER_KEY") {
            raw.master_key = Some(Secret::new(v));
        }
        if let Some(v) = get("WANI_BARES_LOG_FORMAT") {
            raw.log_format = Some(v);
        }
        if let Some(v) = get("WANI_BARES_PUBLIC_URL") {
            raw.public_url = Some(v);
        }
        let wa = &mut raw.whatsapp;
        if let Some(v) = get("WANI_BARES_WA_API_BASE") {
            wa.api_base = v;
        }
        if let Some(v) = get("WANI_BARES_WA_PHONE_NUMBER_ID") {
            wa.phone_number_id = v;
        }
        if let Some(v) = get("WANI_BARES_WA_ACCESS_TOKEN") {
            wa.access_token = Secret::new(v);
        }
        if let Some(v) = get("WANI_BARES_WA_APP_SECRET") {
            wa.app_secret = Secret::new(v);
        }
        if let Some(v) = get("WANI_BARES_WA_VERIFY_TOKEN") {
            wa.verify_token = Secret::new(v);
        }
        if let Some(v) = get("WANI_BARES_WA_RATE_PER_SECOND") {
            wa.rate_per_second = parse_num("whatsapp.rate_per_second", &v)?;
        }
        if let Some(v) = get("WANI_BARES_WA_TEMPLATE_NAME") {
            wa.template_name = v;
        }
        if let Some(v) = get("WANI_BARES_WA_TEMPLATE_LANGUAGE") {
            wa.template_language = v;
        }
        if let Some(v) = get("WANI_BARES_WA_MAX_BODY_BYTES") {
            wa.max_body_bytes = parse_num("whatsapp.max_body_bytes", &v)?;
        }
        if let Some(v) = get("WANI_BARES_KABID_DISPATCHES") {
            raw.workflow.kabid_dispatches = parse_bool("workflow.kabid_dispatches", &v)?;
        }
        if let Some(v) = get("WANI_BARES_COMPLETION_WINDOW_DAYS") {
            raw.workflow.completion_window_days = parse_num("workflow.completion_window_days", &v)?;
        }
        if let Some(v) = get("WANI_BARES_SECURE_COOKIES") {
            raw.security.secure_cookies = parse_bool("security.secure_cookies", &v)?;
        }
        Config::validate(raw)
    }

    fn validate(raw: FileConfig) -> Result<Config, ConfigError> {
        let listen_text = raw.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.trim().parse().map_err(|_| {
            invalid(
                "listen",
                format!("{listen_text:?} is not an address like 127.0.0.1:8080"),
            )
        })?;
        let data_dir = raw.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        if data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        let database_url = match raw.database_url {
            Some(url) => {
                let u = url.expose();
                if !(u.starts_with("sqlite:")
                    || u.starts_with("postgres://")
                    || u.starts_with("postgresql://"))
                {
                    return Err(invalid(
                        "database_url",
                        "must start with sqlite:, postgres:// or postgresql://",
                    ));
                }
                url
            }
            None => Secret::new(format!(
                "sqlite://{}",
                data_dir.join("wani-bares.db").display()
            )),
        };
        let timezone = raw.timezone.unwrap_or_else(|| "Asia/Jakarta".into());
        wani_bares_domain::calendar::parse_timezone(&timezone)
            .map_err(|e| invalid("timezone", format!("{timezone:?}: {e}")))?;
        let log_format = match raw.log_format.as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "log_format",
                    format!("{other:?} is not text or json"),
                ));
            }
        };
        let wa = raw.whatsapp;
        if !(wa.api_base.starts_with("http://") || wa.api_base.starts_with("https://")) {
            return Err(invalid(
                "whatsapp.api_base",
                format!("{:?} is not an http(s) URL", wa.api_base),
            ));
        }
        if !wa.phone_number_id.is_empty()
            && !wa
                .phone_number_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid(
                "whatsapp.phone_number_id",
                "may only contain letters, digits, - and _",
            ));
        }
        if wa.rate_per_second == 0 {
            return Err(invalid("whatsapp.rate_per_second", "must be at least 1"));
        }
        if wa.max_body_bytes < 1024 {
            return Err(invalid("whatsapp.max_body_bytes", "must be at least 1024"));
        }
        if let Some(url) = &raw.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid("public_url", "must be an http(s) URL"));
        }
        if raw.report.auto_day > 28 {
            return Err(invalid("report.auto_day", "must be 0 (off) or a day 1–28"));
        }
        if raw.workflow.completion_window_days == 0 {
            return Err(invalid(
                "workflow.completion_window_days",
                "must be at least 1",
            ));
        }
        Ok(Config {
            listen,
            data_dir,
            database_url,
            timezone,
            master_key: raw.master_key.unwrap_or_default(),
            log_format,
            public_url: raw.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            whatsapp: wa,
            workflow: raw.workflow,
            security: raw.security,
            report: raw.report,
        })
    }

    /// A configuration for tests and the demo: everything local under `data_dir`.
    pub fn for_data_dir(data_dir: &Path) -> Config {
        let mut cfg = Config::load_from(None, |_| None)
            .unwrap_or_else(|e| unreachable!("the defaults are valid: {e}"));
        cfg.database_url = Secret::new(format!(
            "sqlite://{}",
            data_dir.join("wani-bares.db").display()
        ));
        cfg.data_dir = data_dir.to_path_buf();
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        Config::load_from(None, |k| map.get(k).cloned())
    }

    #[test]
    fn the_defaults_listen_locally_and_keep_data_in_dot_data() {
        let c = load(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url.expose(), "sqlite://./data/wani-bares.db");
        assert_eq!(c.timezone, "Asia/Jakarta");
    }

    #[test]
    fn a_nonsense_listen_address_names_its_environment_variable() {
        let err = load(&[("WANI_BARES_LISTEN", "nonsense")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("WANI_BARES_LISTEN"), "{err}");
    }

    #[test]
    fn bad_values_name_their_keys() {
        for (var, value) in [
            ("WANI_BARES_TIMEZONE", "Mars/Olympus"),
            ("WANI_BARES_DATABASE_URL", "mysql://x"),
            ("WANI_BARES_WA_API_BASE", "graph.facebook.com"),
            ("WANI_BARES_WA_RATE_PER_SECOND", "fast"),
            ("WANI_BARES_LOG_FORMAT", "xml"),
            ("WANI_BARES_KABID_DISPATCHES", "perhaps"),
        ] {
            let err = load(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(var), "{var}: {err}");
        }
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let c = load(&[
            ("WANI_BARES_WA_ACCESS_TOKEN", "EAAG-super-secret"),
            ("WANI_BARES_WA_APP_SECRET", "app-secret-123"),
            ("WANI_BARES_DATABASE_URL", "postgres://u:hunter2@h/db"),
            ("WANI_BARES_MASTER_KEY", "bWFzdGVy"),
        ])
        .unwrap();
        let debug = format!("{c:?}");
        for secret in ["EAAG-super-secret", "app-secret-123", "hunter2", "bWFzdGVy"] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ntimezone = \"Asia/Makassar\"\n[whatsapp]\nphone_number_id = \"123\"\n",
        )
        .unwrap();
        let c = Config::load_from(Some(&file), |k| {
            (k == "WANI_BARES_LISTEN").then(|| "127.0.0.1:9001".to_string())
        })
        .unwrap();
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.timezone, "Asia/Makassar");
        assert_eq!(c.whatsapp.phone_number_id, "123");
        std::fs::write(&file, "listen = 5\n").unwrap();
        assert!(Config::load_from(Some(&file), |_| None).is_err());
        std::fs::write(&file, "unknown_key = 1\n").unwrap();
        assert!(Config::load_from(Some(&file), |_| None).is_err());
    }
}
