//! The audit log as a CSV download: a header line, then one line per event, written batch by
//! batch as the database yields them. Every cell goes through `inert_cell`, so that a name or
//! an email typed by anyone cannot become a formula in the admin's spreadsheet.
use actix_web::HttpResponse;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt, stream};

use crate::domain::AuditEntry;
use crate::domain::audit_filter::inert_cell;
use crate::error::AppError;
use crate::services;

const HEADER: [&str; 8] = [
    "time",
    "actor",
    "action",
    "target_kind",
    "target_id",
    "summary",
    "details",
    "client_ip",
];

/// A streamed `text/csv` attachment named after the organization.
pub fn response(
    slug: &str,
    batches: impl Stream<Item = services::Result<Vec<AuditEntry>>> + 'static,
) -> HttpResponse {
    let header = stream::once(async { Ok(lines(&[HEADER.map(String::from)])) });
    let body = batches.map(|batch| match batch {
        Ok(events) => Ok(lines(&events.iter().map(row).collect::<Vec<_>>())),
        Err(err) => {
            // The status line is gone already: ending the body early tells the client the
            // download failed, rather than passing a short file off as the whole log.
            tracing::error!(error = %err, "audit export failed part-way");
            Err(actix_web::Error::from(AppError::from(err)))
        }
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!("audit-{slug}.csv"))],
        })
        .streaming(header.chain(body))
}

fn row(event: &AuditEntry) -> [String; 8] {
    let (target_kind, target_id) = match &event.target {
        Some(target) => (target.kind.as_str().to_owned(), target.id.clone()),
        None => (String::new(), String::new()),
    };
    [
        iso_8601(event.occurred_at),
        event.actor_email.clone().unwrap_or_default(),
        event.action.as_str().to_owned(),
        target_kind,
        target_id,
        event.summary.clone(),
        event.details.to_string(),
        event.client_ip.clone().unwrap_or_default(),
    ]
}

/// CSV lines (RFC 4180 quoting), each cell made inert.
fn lines(rows: &[[String; 8]]) -> Bytes {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(row.iter().map(|cell| inert_cell(cell).into_owned()));
    }
    Bytes::from(writer.into_inner().unwrap_or_default())
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn iso_8601(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_made_inert() {
        let mut row = HEADER.map(String::from);
        row[1] = "=HYPERLINK(\"http://evil\")".into();
        row[5] = "a, \"quoted\" summary".into();
        let text = String::from_utf8(lines(&[row]).to_vec()).unwrap();
        assert_eq!(
            text,
            "time,\"'=HYPERLINK(\"\"http://evil\"\")\",action,target_kind,target_id,\
             \"a, \"\"quoted\"\" summary\",details,client_ip\n"
        );
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(iso_8601(1_796_083_261), "2026-12-01T00:01:01Z");
    }
}
