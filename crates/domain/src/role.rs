//! Who acts on a complaint: staff roles, agency codes and actors.
//!
//! - [`Role`] is a staff member's role. Its snake_case strings (`superadmin`, `admin`,
//!   `kabid`, `kadis`, `opd`, `viewer`) are an external contract: they are stored in the
//!   database, sent in the JSON API and shown in the audit log. Never rename one.
//! - [`OpdCode`] is an agency's (OPD's) short code such as `PUPR`, `DINKES` or
//!   `KEC-PLAOSAN`. Invariant: 2–32 characters, each an uppercase ASCII letter, a digit,
//!   `-` or `_`. Parsing trims surrounding whitespace and uppercases, so `pupr` is `PUPR`.
//! - [`Actor`] is whoever performs an action: a staff member, the citizen (on WhatsApp), or
//!   the system (scheduled jobs such as expiry). Invariant kept by [`Actor::staff`]: a
//!   staff member has an agency code if and only if the role is [`Role::Opd`]. The variant's
//!   fields are public for pattern matching; code that builds one by hand and breaks the
//!   invariant gets no extra power from it (see `lifecycle::apply`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A staff member's role (the SOP's columns; see `DOMAIN.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users, agencies, categories, texts, SLA and calendar; may do every staff
    /// action, acting in the role the action needs.
    Superadmin,
    /// The operator: registers, verifies, asks for missing data, sends the final answer.
    Admin,
    /// Kabid IKP, head of the public-communication division.
    Kabid,
    /// Kadis Kominfo, head of the office; dispatches complaints to agencies.
    Kadis,
    /// A user of one agency (OPD); sees only what was dispatched to that agency.
    Opd,
    /// Read-only (the Regent's office): dashboards and reports.
    Viewer,
}

/// The input was not one of the role strings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("peran tidak dikenal: {input:?} (pilihan: superadmin, admin, kabid, kadis, opd, viewer)")]
pub struct ParseRoleError {
    /// What was given.
    pub input: String,
}

impl Role {
    /// Every role, in the order of the SOP's hierarchy (superadmin first, viewer last).
    pub const ALL: [Role; 6] = [
        Role::Superadmin,
        Role::Admin,
        Role::Kabid,
        Role::Kadis,
        Role::Opd,
        Role::Viewer,
    ];

    /// The contract string (`"kadis"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Superadmin => "superadmin",
            Role::Admin => "admin",
            Role::Kabid => "kabid",
            Role::Kadis => "kadis",
            Role::Opd => "opd",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a contract string exactly (lowercase, no surrounding space).
    pub fn parse(input: &str) -> Result<Role, ParseRoleError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == input)
            .ok_or_else(|| ParseRoleError {
                input: input.to_owned(),
            })
    }

    /// The role's name in Bahasa Indonesia, as staff read it in the dashboard.
    pub fn label_id(self) -> &'static str {
        match self {
            Role::Superadmin => "Superadmin",
            Role::Admin => "Administrator",
            Role::Kabid => "Kepala Bidang IKP",
            Role::Kadis => "Kepala Dinas Kominfo",
            Role::Opd => "Perangkat Daerah (OPD)",
            Role::Viewer => "Pemantau (Bupati)",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s)
    }
}

/// An agency's short code (`PUPR`, `DINKES`, `KEC-PLAOSAN`); see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpdCode(String);

/// Why a string is not an agency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpdCodeError {
    /// Fewer than 2 or more than 32 characters (after trimming).
    #[error("kode OPD harus 2–32 karakter, bukan {len}")]
    Length {
        /// The length in characters.
        len: usize,
    },
    /// A character other than a letter, a digit, `-` or `_`.
    #[error("kode OPD hanya boleh berisi huruf, angka, '-' dan '_' (ditemukan {found:?})")]
    Character {
        /// The first offending character.
        found: char,
    },
}

impl OpdCode {
    /// Shortest code allowed.
    pub const MIN_LEN: usize = 2;
    /// Longest code allowed.
    pub const MAX_LEN: usize = 32;

    /// Parses a code, trimming surrounding whitespace and uppercasing ASCII letters.
    pub fn parse(input: &str) -> Result<OpdCode, OpdCodeError> {
        let trimmed = input.trim();
        if let Some(found) = trimmed
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(OpdCodeError::Character { found });
        }
        // Only ASCII is left, so bytes are characters.
        let len = trimmed.len();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(OpdCodeError::Length { len });
        }
        Ok(OpdCode(trimmed.to_ascii_uppercase()))
    }

    /// The code (always uppercase).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OpdCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for OpdCode {
    type Err = OpdCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OpdCode::parse(s)
    }
}

impl TryFrom<String> for OpdCode {
    type Error = OpdCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        OpdCode::parse(&value)
    }
}

impl From<OpdCode> for String {
    fn from(code: OpdCode) -> String {
        code.0
    }
}

impl AsRef<str> for OpdCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Whoever performs an action on a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A logged-in staff member. Build with [`Actor::staff`], [`Actor::official`] or
    /// [`Actor::opd`] so that `opd` is `Some` exactly when `role` is [`Role::Opd`].
    Staff {
        /// The staff member's role.
        role: Role,
        /// The agency of an `opd` user; `None` for every other role.
        opd: Option<OpdCode>,
    },
    /// The complainant, writing on WhatsApp.
    Citizen,
    /// A scheduled job (expiry of incomplete complaints, auto-close, reminders).
    System,
}

/// A staff actor that would break "opd role ⇔ agency code".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActorError {
    /// An `opd` user without an agency.
    #[error("pengguna OPD wajib terhubung dengan satu perangkat daerah")]
    OpdWithoutAgency,
    /// A non-`opd` user with an agency.
    #[error("peran {role} tidak terhubung dengan perangkat daerah")]
    AgencyWithoutOpdRole {
        /// The role given.
        role: Role,
    },
}

impl Actor {
    /// A staff member; enforces "opd role ⇔ agency code".
    pub fn staff(role: Role, opd: Option<OpdCode>) -> Result<Actor, ActorError> {
        match (role, opd) {
            (Role::Opd, None) => Err(ActorError::OpdWithoutAgency),
            (Role::Opd, Some(code)) => Ok(Actor::Staff {
                role,
                opd: Some(code),
            }),
            (role, None) => Ok(Actor::Staff { role, opd: None }),
            (role, Some(_)) => Err(ActorError::AgencyWithoutOpdRole { role }),
        }
    }

    /// A staff member of a role that has no agency (every role but `opd`).
    pub fn official(role: Role) -> Result<Actor, ActorError> {
        Actor::staff(role, None)
    }

    /// A user of the given agency.
    pub fn opd(code: OpdCode) -> Actor {
        Actor::Staff {
            role: Role::Opd,
            opd: Some(code),
        }
    }

    /// The staff role, if this is a staff member.
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Staff { role, .. } => Some(*role),
            Actor::Citizen | Actor::System => None,
        }
    }

    /// The agency of an `opd` user (`None` for anyone else, and for an `opd` actor built
    /// by hand without a code).
    pub fn opd_code(&self) -> Option<&OpdCode> {
        match self {
            Actor::Staff {
                role: Role::Opd,
                opd,
            } => opd.as_ref(),
            _ => None,
        }
    }

    /// A short name for messages and the audit log: the role string, `citizen` or
    /// `system`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            Actor::Staff { role, .. } => role.as_str(),
            Actor::Citizen => "citizen",
            Actor::System => "system",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_contract_string() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
    }

    #[test]
    fn role_strings_are_the_documented_contract() {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            ["superadmin", "admin", "kabid", "kadis", "opd", "viewer"]
        );
        assert_eq!(Role::Kadis.label_id(), "Kepala Dinas Kominfo");
    }

    #[test]
    fn an_unknown_or_differently_cased_role_is_a_typed_error() {
        assert_eq!(
            Role::parse("Kadis"),
            Err(ParseRoleError {
                input: "Kadis".into()
            })
        );
        assert!(Role::parse("").is_err());
        assert!(serde_json::from_str::<Role>("\"bupati\"").is_err());
    }

    #[test]
    fn an_opd_code_is_uppercased_and_trimmed() {
        assert_eq!(
            OpdCode::parse(" kec-plaosan ").unwrap().as_str(),
            "KEC-PLAOSAN"
        );
        assert_eq!(OpdCode::parse("PUPR").unwrap().as_str(), "PUPR");
        assert_eq!(
            OpdCode::parse("dinas_p3akb").unwrap().as_str(),
            "DINAS_P3AKB"
        );
    }

    #[test]
    fn an_opd_code_outside_2_to_32_characters_is_rejected() {
        assert_eq!(OpdCode::parse("P"), Err(OpdCodeError::Length { len: 1 }));
        assert_eq!(OpdCode::parse(""), Err(OpdCodeError::Length { len: 0 }));
        assert!(OpdCode::parse(&"A".repeat(32)).is_ok());
        assert_eq!(
            OpdCode::parse(&"A".repeat(33)),
            Err(OpdCodeError::Length { len: 33 })
        );
    }

    #[test]
    fn an_opd_code_with_other_characters_is_rejected() {
        assert_eq!(
            OpdCode::parse("DINAS PUPR"),
            Err(OpdCodeError::Character { found: ' ' })
        );
        assert_eq!(
            OpdCode::parse("DİNKES"),
            Err(OpdCodeError::Character { found: 'İ' })
        );
        assert!(OpdCode::parse("PU/PR").is_err());
    }

    #[test]
    fn an_opd_code_serializes_as_a_plain_string_and_validates_on_the_way_in() {
        let code = OpdCode::parse("dinkes").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"DINKES\"");
        assert_eq!(
            serde_json::from_str::<OpdCode>("\"pupr\"")
                .unwrap()
                .as_str(),
            "PUPR"
        );
        assert!(serde_json::from_str::<OpdCode>("\"a b\"").is_err());
    }

    #[test]
    fn an_opd_user_always_has_an_agency_and_no_one_else_has_one() {
        let pupr = OpdCode::parse("PUPR").unwrap();
        assert_eq!(
            Actor::staff(Role::Opd, None),
            Err(ActorError::OpdWithoutAgency)
        );
        assert_eq!(
            Actor::staff(Role::Kadis, Some(pupr.clone())),
            Err(ActorError::AgencyWithoutOpdRole { role: Role::Kadis })
        );
        assert_eq!(Actor::opd(pupr.clone()).opd_code(), Some(&pupr));
        assert_eq!(Actor::official(Role::Admin).unwrap().opd_code(), None);
        assert_eq!(Actor::Citizen.role(), None);
        assert_eq!(Actor::System.kind_str(), "system");
    }

    #[test]
    fn an_actor_serializes_with_its_kind_for_the_audit_log() {
        let pupr = Actor::opd(OpdCode::parse("PUPR").unwrap());
        let json = serde_json::to_value(&pupr).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "staff", "role": "opd", "opd": "PUPR"})
        );
        assert_eq!(serde_json::from_value::<Actor>(json).unwrap(), pupr);
        assert_eq!(
            serde_json::to_value(Actor::Citizen).unwrap(),
            serde_json::json!({"kind": "citizen"})
        );
    }
}
