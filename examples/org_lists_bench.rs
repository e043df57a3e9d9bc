//! Seeds 10,000 organizations and an organization of 100,000 members, then prints the p50/p99
//! latency of the operator's organization list and of the organization's member list, on the
//! first page and deep inside (keyset pagination keeps both flat) and for a search.
//!
//! Usage: org_lists_bench [DATABASE_URL]   (default: a fresh SQLite file)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot proceed stops

use std::time::{Duration, Instant};

use reqwest::{Client, redirect};
use usher::config::Settings;
use usher::domain::{
    ConnectionId, DisplayName, Email, JoinPolicy, MembershipMode, OrgName, Role, Slug,
};
use usher::services::paging;
use usher::startup::Application;
use usher::store::{Store, memberships, organizations, users};

const ORGS: usize = 10_000;
const MEMBERS: usize = 100_000;
const SAMPLES: usize = 200;

#[tokio::main]
async fn main() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = Settings::new(data.path());
    settings.listen = "127.0.0.1:0".into();
    settings.database_url = std::env::args().nth(1);
    settings.auth_rate_limit = 0;
    let app = Application::build(settings).await.unwrap();
    let (store, port) = (app.store().clone(), app.port());
    let setup = app
        .operator_setup_link()
        .expect("use an empty database")
        .to_owned();
    tokio::spawn(app.run_until_stopped());
    let base = format!("http://127.0.0.1:{port}");

    let started = Instant::now();
    let big = seed(&store).await;
    eprintln!(
        "seeded {ORGS} organizations and {MEMBERS} members in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let client = Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    become_operator(&client, &setup, &big, &store).await;

    let deep_org = organizations::list_page(store.pool(), "", None, (ORGS / 2) as i64)
        .await
        .unwrap();
    let deep_org = deep_org.last().unwrap();
    let org_key = urlencode(&paging::org_key(&deep_org.name, deep_org.id.as_str()));
    let deep_member = memberships::list_page(store.pool(), &big.id, None, (MEMBERS / 2) as i64)
        .await
        .unwrap();
    let deep_member = deep_member.last().unwrap();
    let member_key = urlencode(&paging::member_key(
        deep_member.joined_at,
        deep_member.user_id.as_str(),
    ));

    println!(
        "Usher list pages: {ORGS} organizations, {MEMBERS} members in one; {SAMPLES} requests each"
    );
    for (label, path) in [
        ("operator org list, first page", "/admin/orgs".to_owned()),
        (
            "operator org list, page at 5,000",
            format!("/admin/orgs?q=&after={org_key}"),
        ),
        (
            "operator org list, search",
            "/admin/orgs?q=organization+0999".to_owned(),
        ),
        ("org member list, first page", "/o/big/members".to_owned()),
        (
            "org member list, page at 50,000",
            format!("/o/big/members?after={member_key}"),
        ),
        (
            "operator view of the org, first page",
            "/admin/orgs/big".to_owned(),
        ),
        (
            "admin portal members, first page",
            "/o/big/admin/members".to_owned(),
        ),
        (
            "admin portal search, email prefix (10 hits)",
            "/o/big/admin/members?q=member05000".to_owned(),
        ),
        (
            "admin portal search, name prefix (100 hits)",
            "/o/big/admin/members?q=person+0500".to_owned(),
        ),
        (
            "admin portal search, broad prefix (all hit)",
            "/o/big/admin/members?q=m".to_owned(),
        ),
        (
            "admin portal search, no hit",
            "/o/big/admin/members?q=nobody".to_owned(),
        ),
    ] {
        let mut latencies = measure(&client, &format!("{base}{path}")).await;
        latencies.sort();
        println!(
            "  {label:<46} p50 {:>6.2} ms   p99 {:>6.2} ms",
            ms(latencies[latencies.len() / 2]),
            ms(latencies[latencies.len() * 99 / 100])
        );
    }
    bulk_invite(&client, &base, &store).await;
}

/// Uploads a 10,000-row CSV through the admin portal and prints the time until the result
/// page, and how many of its mails were still queued (not yet sent) by then.
async fn bulk_invite(client: &Client, base: &str, store: &Store) {
    let page = client
        .get(format!("{base}/o/big/admin/invitations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = field(&page, "csrf_token");
    let mut csv = String::from("email,role\n");
    for i in 0..10_000 {
        csv.push_str(&format!("invitee{i:05}@bulk.test,member\n"));
    }
    let boundary = "benchBoundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let started = Instant::now();
    let res = client
        .post(format!("{base}/o/big/admin/invitations/upload"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "upload: {}", res.status());
    let html = res.text().await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        html.contains("10000 of 10000 rows were invited"),
        "not all rows were invited"
    );
    let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(store.pool())
        .await
        .unwrap();
    println!(
        "  {:<46} {:>8.2} s   ({unsent} of its 10000 mails still queued at the answer)",
        "10,000-row CSV invite, until the result page",
        elapsed.as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn seed(store: &Store) -> usher::domain::Organization {
    let shared = ConnectionId::default_password();
    let mut tx = store.begin().await.unwrap();
    for i in 0..ORGS {
        let form = organizations::OrgInsertForm {
            slug: &Slug::parse(&format!("org-{i:05}")).unwrap(),
            name: &OrgName::parse(&format!("Organization {i:05}")).unwrap(),
            mode: MembershipMode::Shared,
            connection_id: &shared,
            join_policy: JoinPolicy::InvitationOnly,
        };
        organizations::insert(&mut *tx, form).await.unwrap();
    }
    let big = organizations::insert(
        &mut *tx,
        organizations::OrgInsertForm {
            slug: &Slug::parse("big").unwrap(),
            name: &OrgName::parse("Big Company").unwrap(),
            mode: MembershipMode::Shared,
            connection_id: &shared,
            join_policy: JoinPolicy::InvitationOnly,
        },
    )
    .await
    .unwrap()
    .expect("the slug big is free in a fresh database");
    // Members never sign in here, so one hash serves them all.
    let hash = usher::credentials::hash_once("not used for signing in").unwrap();
    for i in 0..MEMBERS {
        let email = Email::parse(&format!("member{i:06}@big.test")).unwrap();
        let name = DisplayName::parse(&format!("Person {i:06}")).unwrap();
        let form = users::UserInsertForm {
            connection_id: &shared,
            email: &email,
            name: &name,
            password_hash: Some(&hash),
            email_verified: true,
            operator: false,
        };
        let user = users::insert(&mut *tx, form).await.unwrap();
        memberships::insert(&mut *tx, &big.id, &user, Role::Member)
            .await
            .unwrap();
        // Batches, not one transaction: every membership bumps the organization's member
        // count, and PostgreSQL walks all of one transaction's versions of that row.
        if i % 1_000 == 999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    big
}

/// Creates the operator through the setup link and makes it an owner of the big organization,
/// so that one client can open both lists.
async fn become_operator(
    client: &Client,
    setup: &str,
    big: &usher::domain::Organization,
    store: &Store,
) {
    let page = client
        .get(setup)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field(&page, "csrf_token");
    let token = setup.split("token=").nth(1).unwrap();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("token", token),
        ("name", "Bench Operator"),
        ("email", "operator@bench.test"),
        ("password", "violet harbor lantern sixteen"),
    ];
    let base = setup.split("/setup").next().unwrap();
    let res = client
        .post(format!("{base}/setup/operator"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        reqwest::StatusCode::SEE_OTHER,
        "operator setup failed"
    );
    let email = Email::parse("operator@bench.test").unwrap();
    let operator = users::find_by_email(store.pool(), &ConnectionId::default_password(), &email)
        .await
        .unwrap()
        .unwrap();
    memberships::insert(store.pool(), &big.id, &operator, Role::Owner)
        .await
        .unwrap();
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn measure(client: &Client, url: &str) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let start = Instant::now();
        let res = client.get(url).send().await.unwrap();
        assert!(res.status().is_success(), "{url}: {}", res.status());
        res.bytes().await.unwrap();
        latencies.push(start.elapsed());
    }
    latencies
}
