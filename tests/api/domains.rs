//! Domains in the admin portal, verified against a real DNS server the test runs on 127.0.0.1
//! (dnslib), whose records change while the test runs: record present, absent, removed later
//! (the daily re-check, run directly with a clock two days on), one organization per domain,
//! consumer and malformed names refused, auto-join on sign-up, and who may see the page.
use std::time::Duration;

use reqwest::StatusCode;
use usher::dns::DnsResolver;
use usher::domain::Email;
use usher::services::domains::{self, Rechecked};
use usher::state::AppState;
use usher::store::now;

use crate::helpers::{DnsServer, PASSWORD, TestApp, eventually, location, spawn_app_with};

const DOMAIN: &str = "acme-corp.test";
const RECORD: &str = "_usher-verification.acme-corp.test";
const DAY: i64 = 24 * 3600;

/// An app asking the test's DNS server, with its operator signed in.
async fn app_with_dns(dns: &DnsServer) -> TestApp {
    let addr = dns.addr;
    let app = spawn_app_with(|settings| settings.dns_server = Some(addr)).await;
    app.become_operator().await;
    app
}

/// Creates an organization and returns the browser of its owner, signed in.
async fn org_with_owner(app: &TestApp, slug: &str, owner: &str) -> TestApp {
    app.create_org(&format!("Org {slug}"), slug, "shared", false)
        .await;
    app.invite_owner(slug, owner).await;
    let browser = app.other_browser();
    let res = browser
        .accept_invitation_as_new(owner, "Owner", PASSWORD)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "invitation not accepted"
    );
    browser
}

/// A domain's row: id, token, verified_at, last_checked_at, last_error.
#[derive(Debug, sqlx::FromRow)]
struct DomainRow {
    id: String,
    verification_token: String,
    verified_at: Option<i64>,
    last_checked_at: Option<i64>,
    last_error: Option<String>,
}

async fn domain_of(app: &TestApp, slug: &str, name: &str) -> DomainRow {
    sqlx::query_as(
        "SELECT d.id, d.verification_token, d.verified_at, d.last_checked_at, d.last_error
         FROM domains d JOIN organizations o ON o.id = d.organization_id
         WHERE o.slug = $1 AND d.name = $2",
    )
    .bind(slug.to_owned())
    .bind(name.to_owned())
    .fetch_one(app.store.pool())
    .await
    .unwrap()
}

async fn actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE action LIKE 'domain.%' ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

async fn add(admin: &TestApp, slug: &str, name: &str) -> reqwest::Response {
    admin
        .post(&format!("/o/{slug}/admin/domains"), &[("name", name)])
        .await
}

async fn verify(admin: &TestApp, slug: &str, id: &str) -> reqwest::Response {
    admin
        .post(&format!("/o/{slug}/admin/domains/{id}/verify"), &[])
        .await
}

fn value_of(row: &DomainRow) -> String {
    format!("usher-verification={}", row.verification_token)
}

/// Adds the domain, publishes its record and verifies it.
async fn verified_domain(dns: &mut DnsServer, admin: &TestApp, slug: &str) -> DomainRow {
    assert_eq!(
        add(admin, slug, DOMAIN).await.status(),
        StatusCode::SEE_OTHER
    );
    let row = domain_of(admin, slug, DOMAIN).await;
    dns.publish_txt(RECORD, &value_of(&row));
    let res = verify(admin, slug, &row.id).await;
    assert_eq!(location(&res), format!("/o/{slug}/admin/domains"));
    let row = domain_of(admin, slug, DOMAIN).await;
    assert!(
        row.verified_at.is_some(),
        "not verified: {:?}",
        row.last_error
    );
    row
}

#[tokio::test]
async fn a_published_record_verifies_the_domain_and_a_missing_one_says_why() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;

    let res = add(&owner, "acme", " Acme-Corp.TEST. ").await;
    assert_eq!(location(&res), "/o/acme/admin/domains");
    let row = domain_of(&app, "acme", DOMAIN).await;
    assert!(row.verification_token.len() >= 32, "at least 128 bits");
    let page = owner.get_html("/o/acme/admin/domains").await;
    assert!(page.contains("The domain was added"), "the notice");
    assert!(
        page.contains(RECORD) && page.contains(&value_of(&row)),
        "{page}"
    );
    assert!(page.contains("not verified"));

    // Nothing published yet.
    let res = verify(&owner, "acme", &row.id).await;
    assert_eq!(location(&res), "/o/acme/admin/domains");
    let page = owner.get_html("/o/acme/admin/domains").await;
    assert!(page.contains("not verified yet"), "the notice");
    assert!(
        page.contains(&format!("No TXT record was found at {RECORD}")),
        "{page}"
    );
    let row = domain_of(&app, "acme", DOMAIN).await;
    assert_eq!(row.verified_at, None);
    assert!(row.last_checked_at.is_some());

    // Records there, but not this domain's value.
    dns.publish_txt(RECORD, "usher-verification=someone-elses-token");
    verify(&owner, "acme", &row.id).await;
    let page = owner.get_html("/o/acme/admin/domains").await;
    assert!(page.contains("do not include the value"), "{page}");
    assert_eq!(domain_of(&app, "acme", DOMAIN).await.verified_at, None);

    // The right value among others proves it.
    dns.publish_txt(RECORD, &value_of(&row));
    verify(&owner, "acme", &row.id).await;
    let row = domain_of(&app, "acme", DOMAIN).await;
    assert!(row.verified_at.is_some());
    assert_eq!(row.last_error, None);
    let page = owner.get_html("/o/acme/admin/domains").await;
    assert!(page.contains("The domain is verified."), "{page}");
    assert!(!page.contains("not verified"), "{page}");
    assert_eq!(actions(&app).await, ["domain.added", "domain.verified"]);
    let target: String =
        sqlx::query_scalar("SELECT target_id FROM audit_events WHERE action = 'domain.verified'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(target, row.id);

    // Removing it is audited too, and the domain is gone.
    let res = owner
        .post(&format!("/o/acme/admin/domains/{}/remove", row.id), &[])
        .await;
    assert_eq!(location(&res), "/o/acme/admin/domains");
    assert_eq!(app.count("domains").await, 0);
    assert_eq!(
        actions(&app).await,
        ["domain.added", "domain.verified", "domain.removed"]
    );
}

#[tokio::test]
async fn the_daily_recheck_unverifies_a_domain_whose_record_is_gone() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    let row = verified_domain(&mut dns, &owner, "acme").await;
    let resolver = DnsResolver::new(Some(dns.addr)).unwrap();
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'recheck_domains'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(jobs, 1, "the re-check is one recurring job");

    // Just verified: not due.
    let done = domains::recheck_due(&app.store, &resolver, now())
        .await
        .unwrap();
    assert_eq!(done, Rechecked::default());

    // A day later, with the record still there: checked, still verified.
    let later = now() + 2 * DAY;
    let done = domains::recheck_due(&app.store, &resolver, later)
        .await
        .unwrap();
    assert_eq!(
        done,
        Rechecked {
            checked: 1,
            unverified: 0
        }
    );
    let checked = domain_of(&app, "acme", DOMAIN).await;
    assert_eq!(checked.verified_at, row.verified_at);
    assert_eq!(checked.last_checked_at, Some(later));

    // The record is removed; the next day's check withdraws the verification, once.
    dns.remove(RECORD);
    let next_day = later + 2 * DAY;
    let done = domains::recheck_due(&app.store, &resolver, next_day)
        .await
        .unwrap();
    assert_eq!(
        done,
        Rechecked {
            checked: 1,
            unverified: 1
        }
    );
    let gone = domain_of(&app, "acme", DOMAIN).await;
    assert_eq!(gone.verified_at, None);
    assert!(gone.last_error.unwrap().contains("No TXT record was found"));
    let again = domains::recheck_due(&app.store, &resolver, next_day + 2 * DAY)
        .await
        .unwrap();
    assert_eq!(
        again,
        Rechecked::default(),
        "unverified domains are not re-checked"
    );
    assert_eq!(
        actions(&app).await,
        ["domain.added", "domain.verified", "domain.unverified"]
    );
    let actor: Option<String> =
        sqlx::query_scalar("SELECT actor_id FROM audit_events WHERE action = 'domain.unverified'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(actor, None, "Usher itself withdrew it");
    let page = owner.get_html("/o/acme/admin/domains").await;
    assert!(page.contains("not verified") && page.contains("No TXT record was found"));
}

#[tokio::test]
async fn a_dns_server_that_does_not_answer_proves_nothing_either_way() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    let row = verified_domain(&mut dns, &owner, "acme").await;
    // A socket that receives queries and never answers them.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let resolver = DnsResolver::new(Some(silent.local_addr().unwrap())).unwrap();

    let later = now() + 2 * DAY;
    let done = domains::recheck_due(&app.store, &resolver, later)
        .await
        .unwrap();
    assert_eq!(
        done,
        Rechecked {
            checked: 1,
            unverified: 0
        }
    );
    let kept = domain_of(&app, "acme", DOMAIN).await;
    assert_eq!(kept.verified_at, row.verified_at, "still verified");
    assert!(kept.last_error.unwrap().contains("did not answer"));
    // Tried again within the hour rather than the next day.
    let retry = later + 2 * 3600;
    let resolver = DnsResolver::new(Some(dns.addr)).unwrap();
    let done = domains::recheck_due(&app.store, &resolver, retry)
        .await
        .unwrap();
    assert_eq!(
        done,
        Rechecked {
            checked: 1,
            unverified: 0
        }
    );
    assert_eq!(domain_of(&app, "acme", DOMAIN).await.last_error, None);
    assert_eq!(actions(&app).await, ["domain.added", "domain.verified"]);
}

#[tokio::test]
async fn a_domain_verified_by_one_organization_cannot_be_verified_by_another() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner_a = org_with_owner(&app, "org-a", "owner@acme-corp.test").await;
    let owner_b = org_with_owner(&app, "org-b", "owner-b@example.com").await;
    verified_domain(&mut dns, &owner_a, "org-a").await;

    // B may add the name, and even publish its own value next to A's.
    assert_eq!(
        add(&owner_b, "org-b", DOMAIN).await.status(),
        StatusCode::SEE_OTHER
    );
    let b = domain_of(&app, "org-b", DOMAIN).await;
    dns.publish_txt(RECORD, &value_of(&b));
    let audit_before = app.count("audit_events").await;
    let res = verify(&owner_b, "org-b", &b.id).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Another organization has verified this domain"),
        "{page}"
    );
    assert!(
        !page.contains("Org org-a"),
        "the other organization is not named"
    );
    let after = domain_of(&app, "org-b", DOMAIN).await;
    assert_eq!(
        (after.verified_at, after.last_checked_at, after.last_error),
        (None, None, None),
        "nothing changed"
    );
    assert_eq!(app.count("audit_events").await, audit_before);
    let verified: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM domains WHERE name = $1 AND verified_at IS NOT NULL",
    )
    .bind(DOMAIN)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(verified, 1);
}

#[tokio::test]
async fn consumer_bad_and_duplicate_domains_are_refused_with_nothing_written() {
    let dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    let audit_before = app.count("audit_events").await;

    for (typed, message) in [
        ("gmail.com", "public email provider"),
        ("Outlook.com", "public email provider"),
        ("mailinator.com", "public email provider"),
        ("", "Enter a domain"),
        ("localhost", "with its ending"),
        ("acme corp.test", "Enter a valid domain"),
        ("-acme.test", "Enter a valid domain"),
        ("ada@acme-corp.test", "not an email address"),
        ("https://acme-corp.test/", "without https://"),
        ("192.168.0.1", "not an IP address"),
    ] {
        let res = add(&owner, "acme", typed).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{typed:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "{typed:?}: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "beside the field");
    }
    assert_eq!(app.count("domains").await, 0);
    assert_eq!(app.count("audit_events").await, audit_before);

    assert_eq!(
        add(&owner, "acme", DOMAIN).await.status(),
        StatusCode::SEE_OTHER
    );
    let res = add(&owner, "acme", "ACME-corp.test").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("in your list already"));
    assert_eq!(app.count("domains").await, 1);
    assert_eq!(actions(&app).await, ["domain.added"]);
}

/// Application state over the test's database, for services no page calls yet.
async fn state_of(app: &TestApp, dns: &DnsServer) -> AppState {
    AppState {
        store: app.store.clone(),
        passwords: usher::credentials::Passwords::new(1).unwrap(),
        mail: usher::email::MailQueue::default(),
        links: usher::state::Links::new(url::Url::parse(&app.address).unwrap()),
        auth_rate_limit: 0,
        recipient_mail_limit: usher::config::RecipientMailLimit::OFF,
        password_rules: usher::domain::PasswordRules::default(),
        dev_outbox: false,
        trusted_proxies: Vec::new(),
        dns: DnsResolver::new(Some(dns.addr)).unwrap(),
        sealer: crate::helpers::test_sealer(),
        keys: Default::default(),
        http: usher::outbound::client(None).unwrap(),
        legacy: usher::services::legacy::LegacyStores::new(usher::outbound::client(None).unwrap()),
        imports_dir: app.data_dir.path().join("imports"),
    }
}

#[tokio::test]
async fn verified_domains_drive_auto_join_and_name_their_organization() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    app.exec("UPDATE organizations SET join_policy = 'verified_domain' WHERE slug = 'acme'")
        .await;
    let row = verified_domain(&mut dns, &owner, "acme").await;

    // An address elsewhere is refused on the form, with nothing queued.
    let stranger = app.other_browser();
    let res = stranger
        .sign_up_at("acme", "Pat", "pat@elsewhere.test", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("only with an email address at one of its verified domains"));
    assert!(
        page.contains("value=\"pat@elsewhere.test\""),
        "the form keeps the address"
    );
    assert_eq!(app.queued_to("pat@elsewhere.test").await, 0);
    assert_eq!(app.count("signups").await, 0);

    // An address at the verified domain joins once it is verified.
    let colleague = app.other_browser();
    let res = colleague
        .sign_up_at("acme", "Sam", "Sam@Acme-Corp.test", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mail = colleague
        .last_mail_with_subject("sam@acme-corp.test", "Verify")
        .await;
    let res = colleague
        .follow_verification(&mail.link_to("/verify-email"))
        .await;
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(colleague.get("/o/acme").await.status(), StatusCode::OK);

    // A domain removed between sign-up and verification no longer lets the address in.
    let late = app.other_browser();
    let res = late
        .sign_up_at("acme", "Lee", "lee@acme-corp.test", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    owner
        .post(&format!("/o/acme/admin/domains/{}/remove", row.id), &[])
        .await;
    let mail = late
        .last_mail_with_subject("lee@acme-corp.test", "Verify")
        .await;
    let res = late
        .follow_verification(&mail.link_to("/verify-email"))
        .await;
    assert_ne!(location(&res), "/o/acme");
    assert_eq!(late.get("/o/acme").await.status(), StatusCode::NOT_FOUND);

    // Home-realm discovery asks which organization verified an address's domain.
    let state = state_of(&app, &dns).await;
    let email = |s: &str| Email::parse(s).unwrap();
    assert!(
        domains::organization_for_email(&state, &email("ada@acme-corp.test"))
            .await
            .unwrap()
            .is_none(),
        "removed"
    );
    verified_domain(&mut dns, &owner, "acme").await;
    let org = domains::organization_for_email(&state, &email("Ada@ACME-corp.test"))
        .await
        .unwrap()
        .expect("the verifying organization");
    assert_eq!(org.slug.as_str(), "acme");
    for other in [
        "ada@eng.acme-corp.test",
        "ada@gmail.com",
        "ada@elsewhere.test",
    ] {
        assert!(
            domains::organization_for_email(&state, &email(other))
                .await
                .unwrap()
                .is_none(),
            "{other}"
        );
    }
}

#[tokio::test]
async fn only_the_organizations_admins_reach_its_domains() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner_a = org_with_owner(&app, "org-a", "owner@acme-corp.test").await;
    let member_a = {
        app.invite_owner("org-a", "member@acme-corp.test").await;
        let browser = app.other_browser();
        browser
            .accept_invitation_as_new("member@acme-corp.test", "Member", PASSWORD)
            .await;
        app.exec(
            "UPDATE memberships SET role = 'member' WHERE user_id = \
             (SELECT id FROM users WHERE email = 'member@acme-corp.test')",
        )
        .await;
        browser
    };
    let owner_b = org_with_owner(&app, "org-b", "owner-b@example.com").await;
    let row = verified_domain(&mut dns, &owner_a, "org-a").await;
    let domains_before: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, verified_at FROM domains ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    let audit_before = app.count("audit_events").await;

    let a = |suffix: &str| format!("/o/org-a/admin/domains{suffix}");
    let verify_path = format!("/{}/verify", row.id);
    let remove_path = format!("/{}/remove", row.id);
    for (who, name) in [(&member_a, "member of A"), (&owner_b, "owner of B")] {
        assert_eq!(
            who.get(&a("")).await.status(),
            StatusCode::NOT_FOUND,
            "{name}"
        );
        for (path, fields) in [
            (a(""), vec![("name", "other.test")]),
            (a(&verify_path), vec![]),
            (a(&remove_path), vec![]),
        ] {
            let res = who.post(&path, &fields).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}: {path}");
        }
    }
    // B's own portal does not reach A's domain by its id either.
    for path in [&verify_path, &remove_path] {
        let res = owner_b
            .post(&format!("/o/org-b/admin/domains{path}"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let anonymous = app.other_browser();
    assert_eq!(anonymous.get(&a("")).await.status(), StatusCode::SEE_OTHER);

    let domains_after: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, verified_at FROM domains ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(domains_after, domains_before, "nothing written");
    assert_eq!(app.count("audit_events").await, audit_before);
    // The owner does get in.
    assert_eq!(owner_a.get(&a("")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_job_runner_runs_the_recheck_with_the_configured_resolver() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    verified_domain(&mut dns, &owner, "acme").await;
    dns.remove(RECORD);
    // A day passes for the domain, and the job's next hour comes at once.
    app.exec(&format!(
        "UPDATE domains SET last_checked_at = last_checked_at - {}",
        2 * DAY
    ))
    .await;
    app.exec("UPDATE jobs SET run_at = 0 WHERE kind = 'recheck_domains'")
        .await;
    eventually(
        Duration::from_secs(15),
        "the job unverified the domain",
        || async {
            domain_of(&app, "acme", DOMAIN)
                .await
                .verified_at
                .is_none()
                .then_some(())
        },
    )
    .await;
    assert_eq!(
        actions(&app).await,
        ["domain.added", "domain.verified", "domain.unverified"]
    );
}

#[tokio::test]
async fn two_organizations_verifying_one_domain_at_once_end_with_one_verifier() {
    let mut dns = DnsServer::start();
    let app = app_with_dns(&dns).await;
    let owner_a = org_with_owner(&app, "org-a", "owner@acme-corp.test").await;
    let owner_b = org_with_owner(&app, "org-b", "owner-b@example.com").await;
    for (owner, slug) in [(&owner_a, "org-a"), (&owner_b, "org-b")] {
        assert_eq!(
            add(owner, slug, DOMAIN).await.status(),
            StatusCode::SEE_OTHER
        );
        dns.publish_txt(RECORD, &value_of(&domain_of(&app, slug, DOMAIN).await));
    }
    let (a, b) = (
        domain_of(&app, "org-a", DOMAIN).await,
        domain_of(&app, "org-b", DOMAIN).await,
    );
    let (res_a, res_b) = tokio::join!(
        verify(&owner_a, "org-a", &a.id),
        verify(&owner_b, "org-b", &b.id)
    );
    let mut statuses = [res_a.status(), res_b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );
    let verified: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM domains WHERE name = $1 AND verified_at IS NOT NULL",
    )
    .bind(DOMAIN)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(verified, 1);
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'domain.verified'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
}
