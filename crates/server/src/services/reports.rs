//! The monthly report to the Bupati: reads the month's rows from the store into the report
//! crate's plain input, renders PDF, XLSX or CSV, and keeps generated files (sealed in the
//! media store) listed for the dashboard. The statistics themselves live in one place,
//! `wani_bares_report::stats`, and count by event time, so a month's report is the same
//! whether it runs now or next year.

use std::collections::HashMap;

use wani_bares_domain::sla::{Step, Unit};
use wani_bares_report::Format;
use wani_bares_report::input::{
    AssignmentRow, ComplaintRow, Letterhead, Month, RatingRow, ReportInput, Signatory, SlaTarget,
    StepRow, Target, Zone,
};
use wani_bares_store::{assignments, ratings, report_rows, reports, settings};

use crate::state::AppState;

/// Settings keys of the letterhead and signature, with their defaults (from the SOP).
pub const SETTINGS: &[(&str, &str)] = &[
    ("report.government", "PEMERINTAH KABUPATEN MAGETAN"),
    ("report.office", "DINAS KOMUNIKASI DAN INFORMATIKA"),
    ("report.address", "Magetan, Jawa Timur"),
    (
        "report.contact",
        "Layanan pengaduan WhatsApp \"Wani Bares\": 0812 3117 7772",
    ),
    ("report.city", "Magetan"),
    ("report.recipient", "Bupati Magetan"),
    (
        "report.signatory_title",
        "Kepala Dinas Komunikasi dan Informatika",
    ),
    ("report.signatory_name", "CAHAYA WIJAYA, S.STP, M.Si"),
    ("report.signatory_rank", "Pembina Tingkat I"),
    ("report.signatory_nip", "19760520 199511 1 001"),
];

fn ts(ms: i64) -> jiff::Timestamp {
    wani_bares_store::timestamp(ms)
}

fn zone_of(tz: &str) -> Zone {
    match tz {
        "Asia/Makassar" => Zone::Wita,
        "Asia/Jayapura" => Zone::Wit,
        _ => Zone::Wib,
    }
}

/// Reads everything the report of `month` needs.
pub async fn input(state: &AppState, month: &str) -> anyhow::Result<ReportInput> {
    let period = Month::parse(month).map_err(|e| anyhow::anyhow!("{e}"))?;
    let zone = zone_of(&state.config.timezone);
    let (from, to) = (
        period.start(zone).as_millisecond(),
        period.end(zone).as_millisecond(),
    );
    let mut r = state.store.reader().await?;
    let mut setting = HashMap::new();
    for (key, default) in SETTINGS {
        let v = settings::get(&mut r.conn(), key)
            .await?
            .unwrap_or_else(|| (*default).to_owned());
        setting.insert(*key, v);
    }
    let s = |k: &str| setting.get(k).cloned().unwrap_or_default();

    let t0 = std::time::Instant::now();
    let targets = state.targets.read().await.clone();
    let cal = state.calendar.read().await.clone();
    let opd_target = targets.target(
        Step::OpdAnswer,
        wani_bares_domain::sla::Layer::Sop,
        wani_bares_domain::sla::RequestKind::Complaint,
    );
    // The three big tables are read at once on separate connections (two cores: the
    // decoding of one overlaps the other's I/O), each streamed into its final shape.
    let store = &state.store;
    let assignments_task = async {
        let mut r = store.reader().await?;
        let mut raw: Vec<report_rows::AssignmentRow> = Vec::new();
        report_rows::assignments(&mut r.conn(), from, to, |a| raw.push(a)).await?;
        anyhow::Ok(raw)
    };
    let steps_task = async {
        let mut r = store.reader().await?;
        let mut steps: Vec<report_rows::StepRow> = Vec::new();
        report_rows::steps(&mut r.conn(), from, to, |s| steps.push(s)).await?;
        anyhow::Ok(steps)
    };
    let complaints_task = async {
        let mut r = store.reader().await?;
        let mut rows: Vec<report_rows::ComplaintRow> = Vec::new();
        report_rows::complaints(&mut r.conn(), from, to, |c| rows.push(c)).await?;
        let ratings = ratings::given_between(&mut r.conn(), from, to).await?;
        let rated: Vec<i64> = ratings.iter().map(|rt| rt.complaint_id).collect();
        let rated_agencies = assignments::answered_agencies(&mut r.conn(), &rated).await?;
        anyhow::Ok((rows, ratings, rated_agencies))
    };
    let at_end_task = async {
        let mut r = store.reader().await?;
        let at_end: HashMap<i64, String> = report_rows::statuses_at_end(&mut r.conn(), to)
            .await?
            .into_iter()
            .collect();
        anyhow::Ok(at_end)
    };
    let (raw_assignments, steps, (rows, rating_list, rated_agencies), at_end) =
        tokio::try_join!(assignments_task, steps_task, complaints_task, at_end_task)?;

    let mut per_complaint: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, a) in raw_assignments.iter().enumerate() {
        per_complaint.entry(a.complaint_id).or_default().push(i);
    }
    let mut index_of: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    let mut complaints_rows: Vec<ComplaintRow> = Vec::with_capacity(rows.len());
    for c in rows {
        let mine = per_complaint
            .get(&c.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut agencies: Vec<String> = Vec::new();
        let mut follow_up: Vec<&str> = Vec::new();
        for a in mine.iter().map(|i| &raw_assignments[*i]) {
            if a.state != "declined" && !agencies.contains(&a.agency_name) {
                agencies.push(a.agency_name.clone());
            }
            if let Some(f) = a.follow_up.as_deref().filter(|f| !f.trim().is_empty()) {
                follow_up.push(f);
            }
        }
        let status_at_month_end = if c.status_at < to {
            c.status.clone()
        } else {
            at_end
                .get(&c.id)
                .cloned()
                .unwrap_or_else(|| "submitted".to_owned())
        };
        index_of.insert(c.id, complaints_rows.len());
        complaints_rows.push(ComplaintRow {
            ticket: c.ticket,
            kind: c.kind,
            created_at: ts(c.created_at),
            channel: c.channel,
            category: c.category,
            kecamatan: c.district,
            agencies,
            summary: crate::inbound::mask_identity_numbers(&c.summary),
            follow_up: (!follow_up.is_empty()).then(|| follow_up.join(" / ")),
            status: c.status,
            status_at_month_end,
            verified_at: c.verified_at.map(ts),
            closed_at: c.closed_at.map(ts),
            rejected_at: c.rejected_at.map(ts),
            withdrawn_at: c.withdrawn_at.map(ts),
        });
    }
    drop(at_end);
    let ticket_of = |id: i64| {
        index_of
            .get(&id)
            .map(|i| complaints_rows[*i].ticket.clone())
            .unwrap_or_default()
    };
    let assignment_rows: Vec<AssignmentRow> = raw_assignments
        .iter()
        .map(|a| {
            let due = opd_target.map_or(a.created_at, |t| {
                wani_bares_domain::sla::due(ts(a.created_at), &t, &cal).as_millisecond()
            });
            AssignmentRow {
                ticket: ticket_of(a.complaint_id),
                agency_code: a.agency_code.clone(),
                agency_name: a.agency_name.clone(),
                dispatched_at: ts(a.created_at),
                answered_at: a.answered_at.filter(|_| a.state == "answered").map(ts),
                due_at: ts(due),
            }
        })
        .collect();
    drop(raw_assignments);
    let steps: Vec<StepRow> = steps
        .into_iter()
        .map(|s| StepRow {
            ticket: s.complaint_id.map(ticket_of).unwrap_or_default(),
            step: s.step,
            holder: s.holder,
            started_at: ts(s.started_at),
            due_at: ts(s.due_at),
            done_at: s.done_at.map(ts),
        })
        .collect();
    let mut agencies_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in rated_agencies {
        let names = agencies_of.entry(id).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let rating_rows: Vec<RatingRow> = rating_list
        .into_iter()
        .filter_map(|rt| {
            let n = rt.rating?;
            Some(RatingRow {
                agency_names: agencies_of
                    .get(&rt.complaint_id)
                    .cloned()
                    .unwrap_or_default(),
                ticket: rt.ticket,
                rating: u8::try_from(n).unwrap_or(0),
                resolved: rt.resolved.unwrap_or(false),
                created_at: ts(rt.answered_at.unwrap_or(rt.asked_at)),
            })
        })
        .collect();
    tracing::debug!(ms = t0.elapsed().as_millis(), "report: input ready");
    let sla_targets = Step::ALL
        .iter()
        .filter_map(|step| {
            let t = targets.target(
                *step,
                wani_bares_domain::sla::Layer::Sop,
                wani_bares_domain::sla::RequestKind::Complaint,
            )?;
            Some(SlaTarget {
                step: step.as_str().to_owned(),
                target: match t.unit {
                    Unit::Minutes => Target::Minutes(t.amount),
                    Unit::WorkingDays => Target::WorkingDays(t.amount),
                },
                label: Some(step.label_id().to_owned()),
            })
        })
        .collect();
    Ok(ReportInput {
        period,
        zone,
        generated_at: state.clock.now(),
        letterhead: Letterhead {
            government: s("report.government"),
            office: s("report.office"),
            address: s("report.address"),
            contact_lines: s("report.contact")
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.trim().is_empty())
                .collect(),
            city: s("report.city"),
        },
        signatory: Signatory {
            title: s("report.signatory_title"),
            name: s("report.signatory_name"),
            rank: s("report.signatory_rank"),
            nip: s("report.signatory_nip"),
        },
        recipient: s("report.recipient"),
        complaints: complaints_rows,
        steps,
        assignments: assignment_rows,
        ratings: rating_rows,
        sla_targets,
    })
}

/// A rendered report.
pub struct Rendered {
    /// Suggested file name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Who may read monthly reports: everyone but agency users.
pub fn may_read(role: wani_bares_domain::role::Role) -> Result<(), crate::error::AppError> {
    if role == wani_bares_domain::role::Role::Opd {
        return Err(crate::error::AppError::Forbidden(
            "laporan bulanan untuk pimpinan dan petugas Kominfo".into(),
        ));
    }
    Ok(())
}

/// `YYYY-MM` of the month before `local`'s.
pub fn previous_month(local: &jiff::civil::DateTime) -> String {
    let (y, m) = if local.month() == 1 {
        (local.year() - 1, 12)
    } else {
        (local.year(), local.month() - 1)
    };
    format!("{y:04}-{m:02}")
}

/// A report generated earlier and kept in the media store, by its id.
pub async fn stored(state: &AppState, id: i64) -> Result<Rendered, crate::error::AppError> {
    use crate::error::AppError;
    let row = {
        let mut r = state.store.reader().await?;
        reports::by_id(&mut r.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let format: Format = row
        .format
        .parse()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let month = Month::parse(&row.month).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let bytes = state.media.get(&row.storage_key).await?;
    Ok(Rendered {
        file_name: format.file_name(month),
        content_type: format.content_type(),
        bytes,
    })
}

/// Renders the report of `month` in `format`.
pub async fn render(state: &AppState, month: &str, format: Format) -> anyhow::Result<Rendered> {
    // Boxed: the concurrent queries make a large future.
    let input = Box::pin(input(state, month)).await?;
    let period = input.period;
    let bytes = tokio::task::spawn_blocking(move || wani_bares_report::render(&input, format))
        .await
        .map_err(|e| anyhow::anyhow!("report task failed: {e}"))?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Rendered {
        file_name: format.file_name(period),
        content_type: format.content_type(),
        bytes,
    })
}

/// Renders and keeps a report (listed in the dashboard); returns its id.
pub async fn generate_and_store(
    state: &AppState,
    month: &str,
    format: Format,
    by: &str,
) -> anyhow::Result<i64> {
    let rendered = render(state, month, format).await?;
    let key = state.media.put(&rendered.bytes).await?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let id = reports::insert(
        &mut tx.conn(),
        month,
        format.extension(),
        &key,
        rendered.bytes.len() as i64,
        by,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// On the configured day (default the 1st) the previous month's reports are generated once.
pub async fn scheduled(state: &AppState) -> anyhow::Result<usize> {
    let cal = state.calendar.read().await.clone();
    let local = cal.local(state.clock.now());
    let day = i8::try_from(state.config.report.auto_day).unwrap_or(1);
    if day == 0 || local.day() < day || local.hour() < 6 {
        return Ok(0);
    }
    let month = previous_month(&local);
    let mut made = 0;
    for format in [Format::Pdf, Format::Xlsx, Format::Csv] {
        let exists = {
            let mut r = state.store.reader().await?;
            reports::exists_scheduled(&mut r.conn(), &month, format.extension()).await?
        };
        if !exists {
            generate_and_store(state, &month, format, "schedule").await?;
            made += 1;
        }
    }
    if made > 0 {
        tracing::info!(%month, made, "monthly reports generated");
    }
    Ok(made)
}
