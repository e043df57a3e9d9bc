//! The organization's audit log in the admin portal: its filters, its pages and its CSV
//! export.
use reqwest::StatusCode;

use crate::helpers::TestApp;
use crate::helpers::pager_href;
use crate::helpers::spawn_app;
use crate::org_admin::{acme_with_owner, member, user_id};

/// The id of the organization with `slug`.
async fn org_id(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
        .bind(slug.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// Writes `count` `member.left` events into the log of `org`, older than any real event, the
/// summary of the newest being `newest_summary`.
async fn old_departures(app: &TestApp, org: &str, count: usize, newest_summary: &str) {
    let mut tx = app.store.pool().begin().await.unwrap();
    for i in 0..count {
        let summary = if i + 1 == count {
            newest_summary.to_owned()
        } else {
            format!("leaver{i}@acme.test (member)")
        };
        sqlx::query(
            "INSERT INTO audit_events (id, occurred_at, actor_email, action, organization_id,
                                       subject, details)
             VALUES ($1, $2, $3, 'member.left', $4, $5, '{}')",
        )
        .bind(format!("0000-{org}-{i:06}"))
        .bind(1_700_000_000_i64 + i as i64)
        .bind(format!("leaver{i}@acme.test"))
        .bind(org.to_owned())
        .bind(summary)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_log_is_filtered_by_actor_action_and_day() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    member(&app, &owner, "ada@acme.test", "Ada Lovelace", "member").await;
    let ada = user_id(&app, "ada@acme.test").await;
    let res = owner
        .post(
            &format!("/o/acme/admin/members/{ada}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let everything = owner.get_html("/o/acme/admin/audit").await;
    for shown in ["Invitation sent", "Invitation accepted", "Role changed"] {
        assert!(
            everything.contains(&format!("<td>{shown}</td>")),
            "{shown} is listed"
        );
    }

    let role_changes = owner
        .get_html("/o/acme/admin/audit?action=member.role_changed")
        .await;
    assert!(role_changes.contains("ada@acme.test: member → admin"));
    assert!(!role_changes.contains("<td>Invitation sent</td>"));
    assert!(role_changes.contains(r#"<option value="member.role_changed" selected>"#));

    let by_ada = owner
        .get_html("/o/acme/admin/audit?actor=Ada@Acme.test")
        .await;
    assert!(
        by_ada.contains("<td>Invitation accepted</td>"),
        "her own joining"
    );
    assert!(
        !by_ada.contains("<td>Role changed</td>"),
        "the owner's change is not hers"
    );

    let today = time::OffsetDateTime::now_utc().date();
    let tomorrow = today.next_day().unwrap();
    let future = owner
        .get_html(&format!("/o/acme/admin/audit?from={tomorrow}"))
        .await;
    assert!(future.contains("No event matches these filters."));
    let up_to_today = owner
        .get_html(&format!("/o/acme/admin/audit?from={today}&to={today}"))
        .await;
    assert!(up_to_today.contains("<td>Role changed</td>"));
}

#[tokio::test]
async fn bad_filters_are_explained_beside_their_field() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    for (query, message) in [
        ("action=member.exploded", "Choose an action from the list."),
        ("from=2026-02-30", "Enter a date as YYYY-MM-DD"),
        (
            "from=2026-12-02&to=2026-12-01",
            "The last day comes before the first.",
        ),
        (
            "actor=nobody",
            "Enter the email address of the person who acted",
        ),
    ] {
        let res = owner.get(&format!("/o/acme/admin/audit?{query}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{query}: {html}");
        assert!(
            !html.contains("<table>"),
            "{query}: no events under a bad filter"
        );
        let export = owner.get(&format!("/o/acme/admin/audit.csv?{query}")).await;
        assert_eq!(export.status(), StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn pages_keep_their_filters() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    old_departures(&app, &org_id(&app, "acme").await, 60, "last leaver").await;

    let first = owner
        .get_html("/o/acme/admin/audit?action=member.left")
        .await;
    assert!(first.contains("last leaver"));
    assert_eq!(first.matches("<td>Member left</td>").count(), 50);
    let href = pager_href(&first).expect("a link to older events");
    assert!(href.contains("action=member.left"), "{href}");
    let second = owner.get_html(&href).await;
    assert_eq!(second.matches("<td>Member left</td>").count(), 10);
    assert!(
        !second.contains("<td>Invitation sent</td>"),
        "the filter held on page two"
    );
    assert!(!second.contains(r#"class="pager""#), "the last page");
}

#[tokio::test]
async fn the_export_holds_every_filtered_event_with_formulas_made_inert() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let acme = org_id(&app, "acme").await;
    old_departures(
        &app,
        &acme,
        1203,
        "=HYPERLINK(\"http://evil.test\",\"Click\")",
    )
    .await;
    // Another organization's events never appear in this one's export.
    app.create_org("Globex", "globex", "shared", false).await;
    old_departures(&app, &org_id(&app, "globex").await, 3, "globex leaver").await;

    let res = owner
        .get("/o/acme/admin/audit.csv?action=member.left")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit-acme.csv")
    );
    let body = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "time",
            "actor",
            "action",
            "target_kind",
            "target_id",
            "summary",
            "details",
            "client_ip"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1203, "every departure, across export batches");
    assert!(rows.iter().all(|row| &row[2] == "member.left"));
    assert_eq!(&rows[0][5], "'=HYPERLINK(\"http://evil.test\",\"Click\")");
    assert_eq!(&rows[0][0], "2023-11-14T22:33:22Z");
    assert!(!body.contains("globex leaver"));

    let whole = owner
        .get("/o/acme/admin/audit.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        whole.contains("invitation.accepted"),
        "unfiltered, the owner's own joining"
    );
}
