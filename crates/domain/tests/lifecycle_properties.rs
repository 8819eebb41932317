//! Properties of the lifecycle that must hold for any input, not only the SOP's path.
//!
//! Random complaints, actions and actors (including inconsistent ones a caller could build
//! by hand) check that `apply` never panics and never lets an agency touch what is not
//! waiting for it. Random walks through the state machine, where every step tries every
//! action by every actor and follows one that succeeded, check that terminal states are
//! left only by a citizen's reopen within the window, and that assignments are pending
//! exactly while a complaint is dispatched.

// Helpers outside `#[test]` functions are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use wani_bares_domain::lifecycle::{
    Action, AssignmentState, AssignmentView, Case, Dispatcher, Effect, Status, Transition,
    TransitionError, WorkflowOptions, allowed_actions, apply, reopen_deadline,
};
use wani_bares_domain::role::{Actor, OpdCode, Role};

const POOL: [&str; 4] = ["PUPR", "DINKES", "BAPPEDA", "DISHUB"];

fn code(s: &str) -> OpdCode {
    OpdCode::parse(s).unwrap()
}

fn t0() -> Timestamp {
    "2026-12-01T10:00:00+07:00".parse().unwrap()
}

fn arb_code() -> impl Strategy<Value = OpdCode> {
    proptest::sample::select(POOL.to_vec()).prop_map(code)
}

fn arb_time() -> impl Strategy<Value = Timestamp> {
    (-20_i64 * 86_400..20 * 86_400)
        .prop_map(|s| t0().checked_add(SignedDuration::from_secs(s)).unwrap())
}

fn arb_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

fn arb_state() -> impl Strategy<Value = AssignmentState> {
    prop_oneof![
        Just(AssignmentState::Pending),
        Just(AssignmentState::Answered),
        Just(AssignmentState::Declined),
    ]
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        arb_status(),
        proptest::collection::vec((arb_code(), arb_state(), any::<bool>()), 0..5),
        proptest::option::of(prop_oneof![
            Just(Dispatcher::Kadis),
            Just(Dispatcher::Kabid)
        ]),
        proptest::option::of(arb_time()),
    )
        .prop_map(|(status, assignments, dispatched_by, closed_at)| Case {
            status,
            assignments: assignments
                .into_iter()
                .map(|(opd, state, with_text)| AssignmentView {
                    opd,
                    state,
                    opd_name: None,
                    answer: with_text.then(|| wani_bares_domain::lifecycle::AgencyAnswer {
                        answer: "Jawaban".to_owned(),
                        follow_up: String::new(),
                    }),
                })
                .collect(),
            dispatched_by,
            closed_at,
        })
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_owned()),
        "[a-zA-Z .]{1,30}",
        Just("x".repeat(5_000)),
    ]
}

fn arb_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Verify),
        arb_text().prop_map(|message| Action::RequestCompletion { message }),
        arb_text().prop_map(|reason| Action::Reject { reason }),
        proptest::option::of(arb_text()).prop_map(|text| Action::SendReply { text }),
        Just(Action::Forward),
        Just(Action::PassAnswer),
        (proptest::collection::vec(arb_code(), 0..4), arb_text())
            .prop_map(|(opds, note)| Action::Dispatch { opds, note }),
        (arb_text(), arb_text(), proptest::option::of(arb_code())).prop_map(
            |(answer, follow_up, opd)| Action::Answer {
                answer,
                follow_up,
                opd
            }
        ),
        (arb_text(), proptest::option::of(arb_code()))
            .prop_map(|(reason, opd)| Action::Decline { reason, opd }),
        Just(Action::CitizenCompleted),
        Just(Action::Withdraw),
        (arb_text(), arb_time()).prop_map(|(reason, received_at)| Action::Reopen {
            reason,
            received_at
        }),
    ]
}

/// Any actor, including staff that break "opd role ⇔ agency code".
fn arb_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        4 => (proptest::sample::select(Role::ALL.to_vec()), proptest::option::of(arb_code()))
            .prop_map(|(role, opd)| Actor::Staff { role, opd }),
        2 => arb_code().prop_map(Actor::opd),
        1 => Just(Actor::Citizen),
        1 => Just(Actor::System),
    ]
}

fn arb_opts() -> impl Strategy<Value = WorkflowOptions> {
    (any::<bool>(), 0_u32..15).prop_map(|(kabid_dispatches, reopen_window_days)| WorkflowOptions {
        kabid_dispatches,
        reopen_window_days,
    })
}

/// Every actor the walk tries: each role, each agency, the citizen and the system.
fn all_actors() -> Vec<Actor> {
    let mut actors: Vec<Actor> = [
        Role::Superadmin,
        Role::Admin,
        Role::Kabid,
        Role::Kadis,
        Role::Viewer,
    ]
    .into_iter()
    .map(|role| Actor::official(role).unwrap())
    .collect();
    actors.extend(POOL.iter().map(|c| Actor::opd(code(c))));
    actors.push(Actor::Citizen);
    actors.push(Actor::System);
    actors
}

/// One well-formed action of each name, for `actor` on a complaint in `case` at `now`:
/// agency users answer for themselves, anyone else names the first pending agency.
fn well_formed_actions(
    case: &Case,
    actor: &Actor,
    now: Timestamp,
    target: &OpdCode,
) -> Vec<Action> {
    let text = |s: &str| s.to_owned();
    let named = if actor.opd_code().is_some() {
        None
    } else {
        case.pending_opds().first().map(|c| (*c).clone())
    };
    vec![
        Action::Verify,
        Action::RequestCompletion {
            message: text("Mohon lengkapi KTP."),
        },
        Action::Reject {
            reason: text("Bukan aduan."),
        },
        Action::SendReply { text: None },
        Action::Forward,
        Action::PassAnswer,
        Action::Dispatch {
            opds: vec![target.clone()],
            note: String::new(),
        },
        Action::Answer {
            answer: text("Sudah."),
            follow_up: text("Dipantau."),
            opd: named.clone(),
        },
        Action::Decline {
            reason: text("Bukan kewenangan."),
            opd: named.clone(),
        },
        Action::CitizenCompleted,
        Action::Withdraw,
        Action::Reopen {
            reason: text("Belum beres."),
            received_at: now,
        },
    ]
}

/// What the server does with a transition, reduced to what `Case` shows.
fn carry_out(case: &mut Case, transition: &Transition, now: Timestamp) {
    if transition.from == Status::Closed && transition.to == Status::Submitted {
        // A reopen starts a new round.
        case.assignments.clear();
        case.dispatched_by = None;
    }
    for effect in &transition.effects {
        match effect {
            Effect::CreateAssignments { opds, .. } => case
                .assignments
                .extend(opds.iter().cloned().map(AssignmentView::pending)),
            Effect::SetDispatcher(dispatcher) => case.dispatched_by = Some(*dispatcher),
            Effect::AssignmentAnswered {
                opd,
                answer,
                follow_up,
            } => {
                let slot = case
                    .assignments
                    .iter_mut()
                    .find(|a| &a.opd == opd && a.state == AssignmentState::Pending)
                    .expect("an answer always names a pending assignment");
                *slot = AssignmentView::answered(opd.clone(), answer.clone(), follow_up.clone());
            }
            Effect::AssignmentDeclined { opd, .. } => {
                let slot = case
                    .assignments
                    .iter_mut()
                    .find(|a| &a.opd == opd && a.state == AssignmentState::Pending)
                    .expect("a decline always names a pending assignment");
                slot.state = AssignmentState::Declined;
            }
            _ => {}
        }
    }
    case.status = transition.to;
    if transition.to == Status::Closed {
        case.closed_at = Some(now);
    }
}

fn is_refusal(result: &Result<Transition, TransitionError>) -> bool {
    matches!(
        result,
        Err(TransitionError::Forbidden { .. }
            | TransitionError::NotAllowed { .. }
            | TransitionError::NotYourAssignment)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn apply_never_panics_and_reports_where_it_started(
        case in arb_case(), action in arb_action(), actor in arb_actor(), opts in arb_opts()
    ) {
        if let Ok(t) = apply(&case, &action, &actor, &opts) {
            prop_assert_eq!(t.from, case.status);
        }
        let _ = allowed_actions(&case, &actor, &opts);
    }

    #[test]
    fn rejected_and_withdrawn_are_final(
        case in arb_case(), action in arb_action(), actor in arb_actor(), opts in arb_opts()
    ) {
        let case = Case {
            status: if case.closed_at.is_some() { Status::Rejected } else { Status::Withdrawn },
            ..case
        };
        prop_assert!(apply(&case, &action, &actor, &opts).is_err());
    }

    #[test]
    fn a_closed_complaint_reopens_only_by_the_citizen_within_the_window(
        case in arb_case(), action in arb_action(), actor in arb_actor(), opts in arb_opts()
    ) {
        let case = Case { status: Status::Closed, ..case };
        if let Ok(t) = apply(&case, &action, &actor, &opts) {
            prop_assert_eq!(t.to, Status::Submitted);
            prop_assert_eq!(&actor, &Actor::Citizen);
            let Action::Reopen { received_at, .. } = action else {
                return Err(TestCaseError::fail("only reopen leaves closed"));
            };
            let closed_at = case.closed_at.unwrap();
            prop_assert!(closed_at <= received_at);
            prop_assert!(received_at <= reopen_deadline(closed_at, &opts));
        }
    }

    #[test]
    fn an_agency_never_changes_a_complaint_without_its_pending_assignment(
        case in arb_case(), action in arb_action(), agency in arb_code(), opts in arb_opts()
    ) {
        let mut case = case;
        case.assignments.retain(|a| !(a.opd == agency && a.state == AssignmentState::Pending));
        let result = apply(&case, &action, &Actor::opd(agency), &opts);
        prop_assert!(
            matches!(result, Err(TransitionError::NotYourAssignment | TransitionError::Forbidden { .. })),
            "{:?}", result
        );
    }

    #[test]
    fn allowed_actions_are_exactly_those_apply_does_not_refuse(
        case in arb_case(), actor in arb_actor(), opts in arb_opts()
    ) {
        let now = case.closed_at.unwrap_or_else(t0);
        let allowed = allowed_actions(&case, &actor, &opts);
        for action in well_formed_actions(&case, &actor, now, &code("KEC-BARAT")) {
            let result = apply(&case, &action, &actor, &opts);
            prop_assert_eq!(
                allowed.contains(&action.name()),
                !is_refusal(&result),
                "{} → {:?}", action.name(), result
            );
        }
    }

    #[test]
    fn walks_through_the_workflow_keep_its_invariants(
        opts in arb_opts(),
        steps in proptest::collection::vec((any::<proptest::sample::Index>(), 0_i64..4 * 86_400, any::<bool>()), 1..60),
    ) {
        let actors = all_actors();
        let mut case = Case::new(Status::Submitted);
        let mut now = t0();
        for (pick, advance, follow_success) in steps {
            now = now.checked_add(SignedDuration::from_secs(advance)).unwrap();
            let target = code(POOL[pick.index(POOL.len())]);
            let mut successes = Vec::new();
            for actor in &actors {
                for action in well_formed_actions(&case, actor, now, &target) {
                    let result = apply(&case, &action, actor, &opts);
                    if let Some(own) = actor.opd_code()
                        && !case.has_pending(own)
                    {
                        prop_assert!(result.is_err(), "{own} changed a complaint not waiting for it");
                    }
                    if let Ok(t) = result {
                        match case.status {
                            Status::Rejected | Status::Withdrawn => {
                                prop_assert!(false, "{} left {}", action.name(), case.status);
                            }
                            Status::Closed => {
                                prop_assert!(matches!(action, Action::Reopen { .. }), "only reopen leaves closed");
                                prop_assert_eq!(actor, &Actor::Citizen);
                                prop_assert_eq!(t.to, Status::Submitted);
                                prop_assert!(now <= reopen_deadline(case.closed_at.unwrap(), &opts));
                            }
                            _ => {}
                        }
                        successes.push(t);
                    }
                }
            }
            if successes.is_empty() || !follow_success {
                continue;
            }
            let chosen = successes.swap_remove(pick.index(successes.len()));
            carry_out(&mut case, &chosen, now);
            let pending = case.assignments.iter().any(|a| a.state == AssignmentState::Pending);
            prop_assert_eq!(pending, case.status == Status::Dispatched, "{:?}", case);
        }
    }
}
