//! A small hand-made November 2026 for Kabupaten Magetan, whose every number is
//! computed by hand in `stats.rs`, plus synthetic months for the scale tests.
//!
//! Times are written in WIB (`+07:00`), as the staff would read them.

use jiff::Timestamp;
use wani_bares_report::input::{
    AssignmentRow, ComplaintRow, Letterhead, Month, RatingRow, ReportInput, Signatory, SlaTarget,
    StepRow, Target, Zone,
};

/// `2026-11-03 08:00` WIB as a timestamp.
pub fn wib(local: &str) -> Timestamp {
    format!("{}:00+07:00", local.replace(' ', "T"))
        .parse()
        .unwrap_or_else(|e| panic!("bad fixture time {local:?}: {e}"))
}

pub fn november() -> Month {
    Month::new(2026, 11).expect("valid month")
}

pub fn empty_input(period: Month) -> ReportInput {
    ReportInput {
        period,
        zone: Zone::Wib,
        generated_at: wib("2026-12-01 09:00"),
        letterhead: Letterhead {
            government: "Pemerintah Kabupaten Magetan".into(),
            office: "Dinas Komunikasi dan Informatika".into(),
            address: "Jl. Tripandita No. 17, Magetan, Jawa Timur 63319".into(),
            contact_lines: vec![
                "Telepon (0351) 895 123 · Surel diskominfo@magetan.go.id · kominfo.magetan.go.id"
                    .into(),
                String::new(),
            ],
            city: "Magetan".into(),
        },
        signatory: Signatory {
            title: "Kepala Dinas Komunikasi dan Informatika".into(),
            name: "Drs. Contoh Pejabat, M.Si.".into(),
            rank: "Pembina Tingkat I (IV/b)".into(),
            nip: "19700101 199503 1 001".into(),
        },
        recipient: "Bupati Magetan".into(),
        complaints: Vec::new(),
        steps: Vec::new(),
        assignments: Vec::new(),
        ratings: Vec::new(),
        sla_targets: vec![
            SlaTarget {
                step: "first_reply".into(),
                target: Target::Minutes(5),
                label: None,
            },
            SlaTarget {
                step: "verification".into(),
                target: Target::Minutes(5),
                label: None,
            },
            SlaTarget {
                step: "forward".into(),
                target: Target::Minutes(15),
                label: Some("10–15 menit".into()),
            },
            SlaTarget {
                step: "opd_answer".into(),
                target: Target::WorkingDays(3),
                label: Some("15 menit – 3 hari".into()),
            },
            SlaTarget {
                step: "answer_return".into(),
                target: Target::Minutes(15),
                label: None,
            },
            SlaTarget {
                step: "reply".into(),
                target: Target::Minutes(10),
                label: None,
            },
        ],
    }
}

struct C<'a> {
    ticket: &'a str,
    kind: &'a str,
    created: &'a str,
    channel: &'a str,
    category: Option<&'a str>,
    kecamatan: Option<&'a str>,
    agencies: &'a [&'a str],
    status: &'a str,
    at_end: &'a str,
    verified: Option<&'a str>,
    closed: Option<&'a str>,
    rejected: Option<&'a str>,
    withdrawn: Option<&'a str>,
}

fn complaint(c: &C<'_>) -> ComplaintRow {
    ComplaintRow {
        ticket: c.ticket.into(),
        kind: c.kind.into(),
        created_at: wib(c.created),
        channel: c.channel.into(),
        category: c.category.map(Into::into),
        kecamatan: c.kecamatan.map(Into::into),
        agencies: c.agencies.iter().map(|a| (*a).to_owned()).collect(),
        summary: format!(
            "Ringkasan {}: jalan berlubang, \"parah\", mohon segera ditangani",
            c.ticket
        ),
        follow_up: c
            .closed
            .map(|_| "Sudah ditindaklanjuti oleh petugas lapangan.".to_owned()),
        status: c.status.into(),
        status_at_month_end: c.at_end.into(),
        verified_at: c.verified.map(wib),
        closed_at: c.closed.map(wib),
        rejected_at: c.rejected.map(wib),
        withdrawn_at: c.withdrawn.map(wib),
    }
}

const NONE: &[&str] = &[];

/// Tickets created in November, in the order the list must show them.
pub const NOVEMBER_TICKETS: [&str; 7] = [
    "WB-2611-0001",
    "WB-2611-0002",
    "WB-2611-0003",
    "WB-2611-0004",
    "WB-2611-0005",
    "WB-2611-0007",
    "WB-2611-0006",
];

/// The hand-computed month (see `stats.rs` for the expected numbers and why).
pub fn hand_month() -> ReportInput {
    let mut input = empty_input(november());
    let base = C {
        ticket: "",
        kind: "aduan",
        created: "",
        channel: "whatsapp",
        category: None,
        kecamatan: None,
        agencies: NONE,
        status: "",
        at_end: "",
        verified: None,
        closed: None,
        rejected: None,
        withdrawn: None,
    };
    let rows = [
        C {
            ticket: "WB-2611-0001",
            created: "2026-11-03 08:00",
            category: Some("Jalan dan Jembatan"),
            kecamatan: Some("Plaosan"),
            agencies: &["Dinas PUPR"],
            status: "closed",
            at_end: "closed",
            verified: Some("2026-11-03 08:04"),
            closed: Some("2026-11-06 10:00"),
            ..base
        },
        C {
            ticket: "WB-2611-0002",
            created: "2026-11-03 09:00",
            category: Some("Jalan dan Jembatan"),
            kecamatan: Some("Maospati"),
            agencies: &["Dinas PUPR", "Dinas Perhubungan"],
            status: "dispatched",
            at_end: "dispatched",
            verified: Some("2026-11-03 09:10"),
            ..base
        },
        C {
            ticket: "WB-2611-0003",
            kind: "pertanyaan",
            created: "2026-11-10 14:30",
            channel: "web",
            category: Some("Kependudukan"),
            agencies: &["Dinas Kependudukan dan Pencatatan Sipil"],
            status: "closed",
            at_end: "closed",
            verified: Some("2026-11-10 14:33"),
            closed: Some("2026-11-12 09:00"),
            ..base
        },
        C {
            ticket: "WB-2611-0004",
            created: "2026-11-15 20:00",
            kecamatan: Some("Magetan"),
            status: "incomplete",
            at_end: "incomplete",
            ..base
        },
        C {
            ticket: "WB-2611-0005",
            created: "2026-11-20 10:00",
            category: Some("Air Bersih"),
            kecamatan: Some("Plaosan"),
            agencies: &["PDAM"],
            status: "rejected",
            at_end: "rejected",
            rejected: Some("2026-11-20 10:30"),
            ..base
        },
        // Created in the last half hour of the month, closed in December: open at month end.
        C {
            ticket: "WB-2611-0006",
            created: "2026-11-30 23:30",
            category: Some("Jalan dan Jembatan"),
            kecamatan: Some("Plaosan"),
            status: "closed",
            at_end: "submitted",
            closed: Some("2026-12-02 10:00"),
            ..base
        },
        C {
            ticket: "WB-2611-0007",
            created: "2026-11-25 07:00",
            status: "withdrawn",
            at_end: "withdrawn",
            withdrawn: Some("2026-11-28 07:00"),
            ..base
        },
        // Ten minutes into December: not this month's.
        C {
            ticket: "WB-2612-0001",
            created: "2026-12-01 00:10",
            category: Some("Jalan dan Jembatan"),
            status: "submitted",
            at_end: "submitted",
            ..base
        },
        // October complaints with November events.
        C {
            ticket: "WB-2610-0099",
            created: "2026-10-28 10:00",
            category: Some("Air Bersih"),
            status: "closed",
            at_end: "closed",
            verified: Some("2026-10-28 10:05"),
            closed: Some("2026-11-02 08:00"),
            ..base
        },
        C {
            ticket: "WB-2610-0100",
            created: "2026-10-30 16:00",
            status: "closed",
            at_end: "dispatched",
            verified: Some("2026-11-01 00:05"),
            closed: Some("2026-12-03 08:00"),
            ..base
        },
        C {
            ticket: "WB-2610-0050",
            created: "2026-10-05 10:00",
            status: "withdrawn",
            at_end: "withdrawn",
            withdrawn: Some("2026-10-20 10:00"),
            ..base
        },
    ];
    input.complaints = rows.iter().map(complaint).collect();
    // Shuffle the input order: the output must not depend on it.
    input.complaints.reverse();

    let step = |ticket: &str, step: &str, started: &str, due: &str, done: Option<&str>| StepRow {
        ticket: ticket.into(),
        step: step.into(),
        holder: "admin".into(),
        started_at: wib(started),
        due_at: wib(due),
        done_at: done.map(wib),
    };
    input.steps = vec![
        step(
            "WB-2611-0001",
            "verification",
            "2026-11-03 08:00",
            "2026-11-03 08:05",
            Some("2026-11-03 08:04"),
        ),
        step(
            "WB-2611-0002",
            "verification",
            "2026-11-03 09:00",
            "2026-11-03 09:05",
            Some("2026-11-03 09:10"),
        ),
        step(
            "WB-2611-0003",
            "verification",
            "2026-11-10 14:30",
            "2026-11-10 14:35",
            Some("2026-11-10 14:33"),
        ),
        step(
            "WB-2611-0004",
            "verification",
            "2026-11-15 20:00",
            "2026-11-15 20:05",
            Some("2026-11-15 20:02"),
        ),
        step(
            "WB-2611-0006",
            "verification",
            "2026-11-30 23:30",
            "2026-11-30 23:35",
            None,
        ),
        step(
            "WB-2610-0100",
            "verification",
            "2026-10-30 16:00",
            "2026-10-30 16:05",
            Some("2026-11-01 00:05"),
        ),
        step(
            "WB-2611-0001",
            "first_reply",
            "2026-11-03 08:00",
            "2026-11-03 08:05",
            Some("2026-11-03 08:00"),
        ),
        step(
            "WB-2611-0001",
            "opd_answer",
            "2026-11-03 08:30",
            "2026-11-06 08:30",
            Some("2026-11-05 08:30"),
        ),
        step(
            "WB-2611-0002",
            "opd_answer",
            "2026-11-03 10:00",
            "2026-11-06 10:00",
            None,
        ),
        step(
            "WB-2610-0100",
            "answer_return",
            "2026-11-30 23:50",
            "2026-12-01 00:05",
            None,
        ),
    ];

    let assignment =
        |ticket: &str, code: &str, name: &str, at: &str, due: &str, answered: Option<&str>| {
            AssignmentRow {
                ticket: ticket.into(),
                agency_code: code.into(),
                agency_name: name.into(),
                dispatched_at: wib(at),
                answered_at: answered.map(wib),
                due_at: wib(due),
            }
        };
    input.assignments = vec![
        assignment(
            "WB-2611-0001",
            "pupr",
            "Dinas PUPR",
            "2026-11-03 08:30",
            "2026-11-06 08:30",
            Some("2026-11-05 08:30"),
        ),
        assignment(
            "WB-2611-0002",
            "pupr",
            "Dinas PUPR",
            "2026-11-03 10:00",
            "2026-11-06 10:00",
            None,
        ),
        assignment(
            "WB-2611-0002",
            "dishub",
            "Dinas Perhubungan",
            "2026-11-03 10:00",
            "2026-11-06 10:00",
            Some("2026-11-07 10:00"),
        ),
        assignment(
            "WB-2611-0003",
            "dukcapil",
            "Dinas Kependudukan dan Pencatatan Sipil",
            "2026-11-10 15:00",
            "2026-11-13 15:00",
            Some("2026-11-11 15:00"),
        ),
        assignment(
            "WB-2610-0100",
            "pupr",
            "Dinas PU (nama lama)",
            "2026-10-31 12:00",
            "2026-11-05 12:00",
            None,
        ),
        assignment(
            "WB-2610-0099",
            "pdam",
            "PDAM",
            "2026-11-29 12:00",
            "2026-12-02 12:00",
            None,
        ),
        assignment(
            "WB-2610-0010",
            "dinsos",
            "Dinas Sosial",
            "2026-10-01 12:00",
            "2026-10-04 12:00",
            Some("2026-10-03 12:00"),
        ),
    ];

    let rating = |ticket: &str, rating: u8, resolved: bool, at: &str| RatingRow {
        ticket: ticket.into(),
        agency_names: vec!["Dinas PUPR".into()],
        rating,
        resolved,
        created_at: wib(at),
    };
    input.ratings = vec![
        rating("WB-2611-0001", 5, true, "2026-11-07 09:00"),
        rating("WB-2611-0003", 4, true, "2026-11-13 09:00"),
        rating("WB-2610-0099", 2, false, "2026-11-03 09:00"),
        rating("WB-2611-0002", 0, false, "2026-11-04 09:00"),
        rating("WB-2610-0050", 1, false, "2026-10-21 09:00"),
    ];
    input
}

/// A synthetic month of `n` complaints with a step, a dispatch and (for some) a rating
/// each, spread over the month; deterministic.
pub fn synthetic_month(n: usize) -> ReportInput {
    const CATEGORIES: [&str; 12] = [
        "Jalan dan Jembatan",
        "Air Bersih",
        "Kependudukan",
        "Kesehatan",
        "Pendidikan",
        "Lingkungan Hidup",
        "Perizinan",
        "Penerangan Jalan",
        "Sosial",
        "Ketertiban",
        "Transportasi",
        "Lainnya",
    ];
    const KECAMATAN: [&str; 18] = [
        "Barat",
        "Bendo",
        "Karangrejo",
        "Karas",
        "Kartoharjo",
        "Kawedanan",
        "Lembeyan",
        "Magetan",
        "Maospati",
        "Ngariboyo",
        "Nguntoronadi",
        "Panekan",
        "Parang",
        "Plaosan",
        "Poncol",
        "Sidorejo",
        "Sukomoro",
        "Takeran",
    ];
    const AGENCIES: [(&str, &str); 8] = [
        ("pupr", "Dinas PUPR"),
        ("pdam", "PDAM"),
        ("dinkes", "Dinas Kesehatan"),
        ("dindik", "Dinas Pendidikan"),
        ("dlh", "Dinas Lingkungan Hidup"),
        ("dukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
        ("dishub", "Dinas Perhubungan"),
        ("dinsos", "Dinas Sosial"),
    ];
    const STATUSES: [&str; 6] = [
        "closed",
        "dispatched",
        "closed",
        "incomplete",
        "at_kadis",
        "rejected",
    ];
    let mut input = empty_input(november());
    let start = november().start(Zone::Wib).as_second();
    let span = november().end(Zone::Wib).as_second() - start;
    input.complaints.reserve(n);
    input.steps.reserve(n);
    input.assignments.reserve(n);
    for i in 0..n {
        let offset = (i as i64 * 7919) % span;
        let created = Timestamp::from_second(start + offset).expect("in range");
        let later =
            |minutes: i64| Timestamp::from_second(start + offset + minutes * 60).expect("in range");
        let ticket = format!("WB-2611-{i:06}");
        let status = STATUSES[i % STATUSES.len()];
        let (code, agency) = AGENCIES[i % AGENCIES.len()];
        input.complaints.push(ComplaintRow {
            ticket: ticket.clone(),
            kind: if i % 9 == 0 { "pertanyaan" } else { "aduan" }.into(),
            created_at: created,
            channel: "whatsapp".into(),
            category: (i % 13 != 0).then(|| CATEGORIES[i % CATEGORIES.len()].to_owned()),
            kecamatan: Some(KECAMATAN[i % KECAMATAN.len()].to_owned()),
            agencies: vec![agency.to_owned()],
            summary: format!(
                "Warga melaporkan {} di Kecamatan {} yang perlu ditangani; laporan nomor {i}.",
                CATEGORIES[i % CATEGORIES.len()].to_lowercase(),
                KECAMATAN[i % KECAMATAN.len()]
            ),
            follow_up: (status == "closed")
                .then(|| "Petugas sudah meninjau lokasi dan menjadwalkan perbaikan.".to_owned()),
            status: status.into(),
            status_at_month_end: status.into(),
            verified_at: Some(later(4)),
            closed_at: (status == "closed").then(|| later(3000)),
            rejected_at: (status == "rejected").then(|| later(30)),
            withdrawn_at: None,
        });
        input.steps.push(StepRow {
            ticket: ticket.clone(),
            step: "verification".into(),
            holder: "admin".into(),
            started_at: created,
            due_at: later(5),
            done_at: Some(later((i % 11) as i64)),
        });
        input.assignments.push(AssignmentRow {
            ticket: ticket.clone(),
            agency_code: code.into(),
            agency_name: agency.into(),
            dispatched_at: later(30),
            answered_at: (i % 4 != 0).then(|| later(30 + (i % 5000) as i64)),
            due_at: later(30 + 3 * 1440),
        });
        if i % 3 == 0 {
            input.ratings.push(RatingRow {
                ticket,
                agency_names: vec![agency.into()],
                rating: (i % 5 + 1) as u8,
                resolved: i % 2 == 0,
                created_at: later(3100),
            });
        }
    }
    input
}
