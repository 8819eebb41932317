//! Every (status, action, actor) combination, against a table written out by hand.
//!
//! The expected outcome of each cell is spelled out below, not computed from `apply`: a
//! status name is `Ok(to)`, `F` is `Forbidden`, `N` is `NotAllowed`, `Y` is
//! `NotYourAssignment`. Each status has one fixture complaint:
//! - `dispatched`: PUPR pending, DINKES answered (so finishing PUPR ends the round);
//! - answer statuses and `closed`: PUPR and DINKES answered; `closed` closed a day before
//!   the reopen message;
//! - the rest: no assignments.
//!
//! The `opd` column is a PUPR user. Inputs are always valid (the only pending agency for
//! a superadmin's answer; BAPPEDA, not pending, for a dispatch), so a cell is decided by
//! role and status alone.

// Helpers outside `#[test]` functions are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use jiff::Timestamp;
use wani_bares_domain::lifecycle::{
    Action, AssignmentView, Case, Dispatcher, Status, TransitionError, WorkflowOptions, apply,
};
use wani_bares_domain::role::{Actor, OpdCode, Role};

/// The SOP chain (`WorkflowOptions::default()`).
const SOP_TABLE: &str = "
# action            status           superadmin      admin           kabid           kadis           opd             viewer          citizen         system
verify              submitted        at_kabid        at_kabid        F               F               F               F               F               F
verify              incomplete       N               N               F               F               F               F               F               F
verify              at_kabid         N               N               F               F               F               F               F               F
verify              at_kadis         N               N               F               F               F               F               F               F
verify              dispatched       N               N               F               F               F               F               F               F
verify              answer_at_kadis  N               N               F               F               F               F               F               F
verify              answer_at_kabid  N               N               F               F               F               F               F               F
verify              answer_at_admin  N               N               F               F               F               F               F               F
verify              closed           N               N               F               F               F               F               F               F
verify              rejected         N               N               F               F               F               F               F               F
verify              withdrawn        N               N               F               F               F               F               F               F
request_completion  submitted        incomplete      incomplete      F               F               F               F               F               F
request_completion  incomplete       N               N               F               F               F               F               F               F
request_completion  at_kabid         N               N               F               F               F               F               F               F
request_completion  at_kadis         N               N               F               F               F               F               F               F
request_completion  dispatched       N               N               F               F               F               F               F               F
request_completion  answer_at_kadis  N               N               F               F               F               F               F               F
request_completion  answer_at_kabid  N               N               F               F               F               F               F               F
request_completion  answer_at_admin  N               N               F               F               F               F               F               F
request_completion  closed           N               N               F               F               F               F               F               F
request_completion  rejected         N               N               F               F               F               F               F               F
request_completion  withdrawn        N               N               F               F               F               F               F               F
reject              submitted        rejected        rejected        F               F               F               F               F               F
reject              incomplete       rejected        rejected        F               F               F               F               F               F
reject              at_kabid         N               N               F               F               F               F               F               F
reject              at_kadis         N               N               F               F               F               F               F               F
reject              dispatched       N               N               F               F               F               F               F               F
reject              answer_at_kadis  N               N               F               F               F               F               F               F
reject              answer_at_kabid  N               N               F               F               F               F               F               F
reject              answer_at_admin  N               N               F               F               F               F               F               F
reject              closed           N               N               F               F               F               F               F               F
reject              rejected         N               N               F               F               F               F               F               F
reject              withdrawn        N               N               F               F               F               F               F               F
send_reply          submitted        N               N               F               F               F               F               F               F
send_reply          incomplete       N               N               F               F               F               F               F               F
send_reply          at_kabid         N               N               F               F               F               F               F               F
send_reply          at_kadis         N               N               F               F               F               F               F               F
send_reply          dispatched       N               N               F               F               F               F               F               F
send_reply          answer_at_kadis  N               N               F               F               F               F               F               F
send_reply          answer_at_kabid  N               N               F               F               F               F               F               F
send_reply          answer_at_admin  closed          closed          F               F               F               F               F               F
send_reply          closed           N               N               F               F               F               F               F               F
send_reply          rejected         N               N               F               F               F               F               F               F
send_reply          withdrawn        N               N               F               F               F               F               F               F
forward             submitted        N               F               N               F               F               F               F               F
forward             incomplete       N               F               N               F               F               F               F               F
forward             at_kabid         at_kadis        F               at_kadis        F               F               F               F               F
forward             at_kadis         N               F               N               F               F               F               F               F
forward             dispatched       N               F               N               F               F               F               F               F
forward             answer_at_kadis  N               F               N               F               F               F               F               F
forward             answer_at_kabid  N               F               N               F               F               F               F               F
forward             answer_at_admin  N               F               N               F               F               F               F               F
forward             closed           N               F               N               F               F               F               F               F
forward             rejected         N               F               N               F               F               F               F               F
forward             withdrawn        N               F               N               F               F               F               F               F
pass_answer         submitted        N               F               N               N               F               F               F               F
pass_answer         incomplete       N               F               N               N               F               F               F               F
pass_answer         at_kabid         N               F               N               N               F               F               F               F
pass_answer         at_kadis         N               F               N               N               F               F               F               F
pass_answer         dispatched       N               F               N               N               F               F               F               F
pass_answer         answer_at_kadis  answer_at_kabid F               N               answer_at_kabid F               F               F               F
pass_answer         answer_at_kabid  answer_at_admin F               answer_at_admin N               F               F               F               F
pass_answer         answer_at_admin  N               F               N               N               F               F               F               F
pass_answer         closed           N               F               N               N               F               F               F               F
pass_answer         rejected         N               F               N               N               F               F               F               F
pass_answer         withdrawn        N               F               N               N               F               F               F               F
dispatch            submitted        N               F               F               N               F               F               F               F
dispatch            incomplete       N               F               F               N               F               F               F               F
dispatch            at_kabid         N               F               F               N               F               F               F               F
dispatch            at_kadis         dispatched      F               F               dispatched      F               F               F               F
dispatch            dispatched       dispatched      F               F               dispatched      F               F               F               F
dispatch            answer_at_kadis  N               F               F               N               F               F               F               F
dispatch            answer_at_kabid  N               F               F               N               F               F               F               F
dispatch            answer_at_admin  N               F               F               N               F               F               F               F
dispatch            closed           N               F               F               N               F               F               F               F
dispatch            rejected         N               F               F               N               F               F               F               F
dispatch            withdrawn        N               F               F               N               F               F               F               F
answer              submitted        N               F               F               F               Y               F               F               F
answer              incomplete       N               F               F               F               Y               F               F               F
answer              at_kabid         N               F               F               F               Y               F               F               F
answer              at_kadis         N               F               F               F               Y               F               F               F
answer              dispatched       answer_at_kadis F               F               F               answer_at_kadis F               F               F
answer              answer_at_kadis  N               F               F               F               Y               F               F               F
answer              answer_at_kabid  N               F               F               F               Y               F               F               F
answer              answer_at_admin  N               F               F               F               Y               F               F               F
answer              closed           N               F               F               F               Y               F               F               F
answer              rejected         N               F               F               F               Y               F               F               F
answer              withdrawn        N               F               F               F               Y               F               F               F
decline             submitted        N               F               F               F               Y               F               F               F
decline             incomplete       N               F               F               F               Y               F               F               F
decline             at_kabid         N               F               F               F               Y               F               F               F
decline             at_kadis         N               F               F               F               Y               F               F               F
decline             dispatched       answer_at_kadis F               F               F               answer_at_kadis F               F               F
decline             answer_at_kadis  N               F               F               F               Y               F               F               F
decline             answer_at_kabid  N               F               F               F               Y               F               F               F
decline             answer_at_admin  N               F               F               F               Y               F               F               F
decline             closed           N               F               F               F               Y               F               F               F
decline             rejected         N               F               F               F               Y               F               F               F
decline             withdrawn        N               F               F               F               Y               F               F               F
citizen_completed   submitted        F               F               F               F               F               F               N               N
citizen_completed   incomplete       F               F               F               F               F               F               submitted       submitted
citizen_completed   at_kabid         F               F               F               F               F               F               N               N
citizen_completed   at_kadis         F               F               F               F               F               F               N               N
citizen_completed   dispatched       F               F               F               F               F               F               N               N
citizen_completed   answer_at_kadis  F               F               F               F               F               F               N               N
citizen_completed   answer_at_kabid  F               F               F               F               F               F               N               N
citizen_completed   answer_at_admin  F               F               F               F               F               F               N               N
citizen_completed   closed           F               F               F               F               F               F               N               N
citizen_completed   rejected         F               F               F               F               F               F               N               N
citizen_completed   withdrawn        F               F               F               F               F               F               N               N
withdraw            submitted        F               F               F               F               F               F               F               N
withdraw            incomplete       F               F               F               F               F               F               F               withdrawn
withdraw            at_kabid         F               F               F               F               F               F               F               N
withdraw            at_kadis         F               F               F               F               F               F               F               N
withdraw            dispatched       F               F               F               F               F               F               F               N
withdraw            answer_at_kadis  F               F               F               F               F               F               F               N
withdraw            answer_at_kabid  F               F               F               F               F               F               F               N
withdraw            answer_at_admin  F               F               F               F               F               F               F               N
withdraw            closed           F               F               F               F               F               F               F               N
withdraw            rejected         F               F               F               F               F               F               F               N
withdraw            withdrawn        F               F               F               F               F               F               F               N
reopen              submitted        F               F               F               F               F               F               N               F
reopen              incomplete       F               F               F               F               F               F               N               F
reopen              at_kabid         F               F               F               F               F               F               N               F
reopen              at_kadis         F               F               F               F               F               F               N               F
reopen              dispatched       F               F               F               F               F               F               N               F
reopen              answer_at_kadis  F               F               F               F               F               F               N               F
reopen              answer_at_kabid  F               F               F               F               F               F               N               F
reopen              answer_at_admin  F               F               F               F               F               F               N               F
reopen              closed           F               F               F               F               F               F               submitted       F
reopen              rejected         F               F               F               F               F               F               N               F
reopen              withdrawn        F               F               F               F               F               F               N               F
";

/// The shortened chain (`kabid_dispatches: true`): only `dispatch` differs.
const SHORTCUT_DISPATCH_TABLE: &str = "
# action            status           superadmin      admin           kabid           kadis           opd             viewer          citizen         system
dispatch            submitted        N               F               N               N               F               F               F               F
dispatch            incomplete       N               F               N               N               F               F               F               F
dispatch            at_kabid         dispatched      F               dispatched      N               F               F               F               F
dispatch            at_kadis         dispatched      F               N               dispatched      F               F               F               F
dispatch            dispatched       dispatched      F               N               dispatched      F               F               F               F
dispatch            answer_at_kadis  N               F               N               N               F               F               F               F
dispatch            answer_at_kabid  N               F               N               N               F               F               F               F
dispatch            answer_at_admin  N               F               N               N               F               F               F               F
dispatch            closed           N               F               N               N               F               F               F               F
dispatch            rejected         N               F               N               N               F               F               F               F
dispatch            withdrawn        N               F               N               N               F               F               F               F
";

fn code(s: &str) -> OpdCode {
    OpdCode::parse(s).unwrap()
}

fn closed_at() -> Timestamp {
    "2026-12-01T10:00:00+07:00".parse().unwrap()
}

fn fixture(status: Status) -> Case {
    let answered = |c: &str| AssignmentView::answered(code(c), "Jawaban", "Tindak lanjut");
    let assignments = match status {
        Status::Dispatched => vec![AssignmentView::pending(code("PUPR")), answered("DINKES")],
        Status::AnswerAtKadis | Status::AnswerAtKabid | Status::AnswerAtAdmin | Status::Closed => {
            vec![answered("PUPR"), answered("DINKES")]
        }
        _ => Vec::new(),
    };
    Case {
        status,
        assignments,
        dispatched_by: (status == Status::Dispatched).then_some(Dispatcher::Kadis),
        closed_at: (status == Status::Closed).then(closed_at),
    }
}

fn action(name: &str) -> Action {
    match name {
        "verify" => Action::Verify,
        "request_completion" => Action::RequestCompletion {
            message: "Mohon lampirkan foto KTP.".to_owned(),
        },
        "reject" => Action::Reject {
            reason: "Bukan pengaduan pelayanan publik.".to_owned(),
        },
        "send_reply" => Action::SendReply { text: None },
        "forward" => Action::Forward,
        "pass_answer" => Action::PassAnswer,
        "dispatch" => Action::Dispatch {
            opds: vec![code("BAPPEDA")],
            note: "Mohon ditindaklanjuti.".to_owned(),
        },
        "answer" => Action::Answer {
            answer: "Sudah kami tangani.".to_owned(),
            follow_up: "Perbaikan pekan depan.".to_owned(),
            opd: None,
        },
        "decline" => Action::Decline {
            reason: "Bukan kewenangan kami.".to_owned(),
            opd: None,
        },
        "citizen_completed" => Action::CitizenCompleted,
        "withdraw" => Action::Withdraw,
        "reopen" => Action::Reopen {
            reason: "Belum selesai.".to_owned(),
            received_at: closed_at()
                .checked_add(jiff::SignedDuration::from_hours(24))
                .unwrap(),
        },
        other => panic!("unknown action in table: {other}"),
    }
}

fn actor(column: &str) -> Actor {
    match column {
        "opd" => Actor::opd(code("PUPR")),
        "citizen" => Actor::Citizen,
        "system" => Actor::System,
        role => Actor::official(Role::parse(role).unwrap()).unwrap(),
    }
}

fn outcome(result: &Result<wani_bares_domain::lifecycle::Transition, TransitionError>) -> String {
    match result {
        Ok(t) => t.to.as_str().to_owned(),
        Err(TransitionError::Forbidden { .. }) => "F".to_owned(),
        Err(TransitionError::NotAllowed { .. }) => "N".to_owned(),
        Err(TransitionError::NotYourAssignment) => "Y".to_owned(),
        Err(other) => format!("unexpected {other:?}"),
    }
}

/// Checks every cell and returns how many were checked.
fn check(table: &str, opts: WorkflowOptions) -> usize {
    let mut lines = table.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().skip(3).collect();
    assert_eq!(
        header,
        [
            "superadmin",
            "admin",
            "kabid",
            "kadis",
            "opd",
            "viewer",
            "citizen",
            "system"
        ]
    );
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let (name, status) = (cells[0], Status::parse(cells[1]).unwrap());
        assert_eq!(cells.len(), 2 + header.len(), "{line}");
        let case = fixture(status);
        for (column, expected) in header.iter().zip(&cells[2..]) {
            let result = apply(&case, &action(name), &actor(column), &opts);
            let got = outcome(&result);
            if got != *expected {
                wrong.push(format!(
                    "{name} on {status} by {column}: expected {expected}, got {got}"
                ));
            }
            if let Ok(t) = &result {
                assert_eq!(t.from, status);
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    checked
}

#[test]
fn every_status_action_and_actor_combination_follows_the_sop_table() {
    let checked = check(SOP_TABLE, WorkflowOptions::default());
    assert_eq!(checked, Status::ALL.len() * Action::ALL_NAMES.len() * 8);
}

#[test]
fn the_table_covers_every_action_and_status_exactly_once() {
    let mut rows: Vec<(String, String)> = SOP_TABLE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cells = l.split_whitespace();
            (
                cells.next().unwrap().to_owned(),
                cells.next().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows.dedup();
    assert_eq!(rows.len(), Status::ALL.len() * Action::ALL_NAMES.len());
}

#[test]
fn on_the_shortened_chain_dispatch_follows_its_own_table() {
    let opts = WorkflowOptions {
        kabid_dispatches: true,
        ..WorkflowOptions::default()
    };
    assert_eq!(check(SHORTCUT_DISPATCH_TABLE, opts), Status::ALL.len() * 8);
}

#[test]
fn on_the_shortened_chain_every_other_action_is_unchanged() {
    let opts = WorkflowOptions {
        kabid_dispatches: true,
        ..WorkflowOptions::default()
    };
    let others: String = SOP_TABLE
        .lines()
        .filter(|l| !l.starts_with("dispatch "))
        .collect::<Vec<_>>()
        .join("\n");
    check(&others, opts);
}
