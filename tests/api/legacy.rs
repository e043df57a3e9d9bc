//! Legacy identity stores: a real SQLite, PostgreSQL and MariaDB user database, and a small
//! HTTP sign-in endpoint, set up by the operator; migrate mode (the first sign-in brings the
//! user over, rehashed, and the store is not asked again), proxy mode (no password kept, every
//! sign-in asks the store), a store that is down or hangs, two first sign-ins at once, import
//! the rest, the cockpit's counts, and the store's secrets kept off every page.
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::legacy::{BCRYPT, Behaviour, Endpoint, LegacyDb};
use crate::helpers::{NEW_PASSWORD, PASSWORD, TestApp, eventually, location, spawn_app, token_in};

/// The password the PostgreSQL legacy store's URL carries (the server trusts any).
const DB_PASSWORD: &str = "legacy-db-s3cret";

/// `NEW_PASSWORD` hashed with bcrypt, for a password changed in the legacy store.
async fn bcrypt_of(password: &str) -> String {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || bcrypt::hash(password, 4).unwrap())
        .await
        .unwrap()
}

/// An operator with organization `acme`, whose users are its own (isolated membership): the
/// legacy store's word that an address is verified is enough there.
async fn operator_with_org() -> TestApp {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "isolated", false).await;
    app
}

/// Adds a legacy store through the portal; its id and the page that answered.
async fn add_store(app: &TestApp, fields: &[(&str, &str)]) -> (String, String) {
    let res = app.post("/admin/legacy/new", fields).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body
        .split("/admin/legacy/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the store's id on its page")
        .to_owned();
    (id, body)
}

async fn add_database_store(app: &TestApp, db: &LegacyDb, mode: &str) -> (String, String) {
    let (lookup, all) = (db.lookup_query(), db.all_users_query());
    add_store(
        app,
        &[
            ("name", "old-app"),
            ("backend", "sql"),
            ("mode", mode),
            ("address", &db.url),
            ("lookup_query", &lookup),
            ("all_users_query", &all),
            ("test_email", "ada@example.com"),
            ("organization", "acme"),
        ],
    )
    .await
}

async fn scalar(app: &TestApp, sql: &str) -> Option<String> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_optional(app.store.pool())
        .await
        .unwrap()
}

/// Signs `email` in at acme's sign-in page from a fresh browser; where the sign-in led.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, String) {
    sign_in_on(app, Some("acme"), email, password).await
}

/// Signs `email` in at an organization's page (or the deployment's) from a fresh browser.
async fn sign_in_on(
    app: &TestApp,
    slug: Option<&str>,
    email: &str,
    password: &str,
) -> (StatusCode, String) {
    let browser = app.other_browser();
    let res = match slug {
        Some(slug) => browser.sign_in_at(slug, email, password).await,
        None => browser.sign_in(email, password).await,
    };
    let status = res.status();
    let to = if status == StatusCode::SEE_OTHER {
        location(&res)
    } else {
        res.text().await.unwrap()
    };
    (status, to)
}

/// The whole migrate-mode journey against one legacy database.
async fn migrate_mode_journey(db: LegacyDb) {
    let app = operator_with_org().await;
    db.add_user(1, "ada@example.com", "Ada Lovelace", BCRYPT)
        .await;
    db.add_user(2, "grace@example.com", "Grace Hopper", BCRYPT)
        .await;

    let (_, page) = add_database_store(&app, &db, "migrate").await;
    assert!(
        page.contains("id, email, password_hash, name, email_verified"),
        "the check shows the columns: {page}"
    );
    assert!(page.contains("It found ada@example.com"), "{page}");

    let (status, _) = sign_in(&app, "ada@example.com", "not the password at all").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong password");
    assert_eq!(
        app.count("users").await,
        1,
        "nobody came over on a wrong password"
    );

    let (status, to) = sign_in(&app, "ada@example.com", PASSWORD).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/o/acme"));
    let hash = scalar(
        &app,
        "SELECT password_hash FROM users WHERE email = 'ada@example.com'",
    )
    .await
    .expect("Ada is a user now");
    assert!(hash.starts_with("$argon2id$"), "rehashed: {hash}");
    assert_eq!(
        scalar(
            &app,
            "SELECT name FROM users WHERE email = 'ada@example.com'"
        )
        .await
        .as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(
        scalar(&app, "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'ada@example.com'").await.as_deref(),
        Some("member"),
        "she joined the organization that uses the store"
    );
    assert_eq!(
        scalar(&app, "SELECT how FROM user_migrations")
            .await
            .as_deref(),
        Some("sign_in")
    );

    // From now on the store is not asked: a password changed (or a user removed) there does
    // not change hers here.
    db.set_hash(
        "ada@example.com",
        &bcrypt_of("a brand new legacy password").await,
    )
    .await;
    db.remove_user("ada@example.com").await;
    let (status, _) = sign_in(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "her own password here");
    let (status, _) = sign_in(&app, "ada@example.com", "a brand new legacy password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("users").await, 2, "the operator and Ada");
}

#[tokio::test]
async fn migrate_mode_brings_users_over_from_a_sqlite_database() {
    migrate_mode_journey(LegacyDb::sqlite().await).await;
}

#[tokio::test]
async fn migrate_mode_brings_users_over_from_a_postgres_database() {
    migrate_mode_journey(LegacyDb::postgres(DB_PASSWORD).await).await;
}

#[tokio::test]
async fn migrate_mode_brings_users_over_from_a_mariadb_database() {
    if let Some(db) = LegacyDb::mariadb().await {
        migrate_mode_journey(db).await;
    }
}

#[tokio::test]
async fn proxy_mode_never_keeps_a_password_and_asks_the_store_every_time() {
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    db.add_user(7, "pat@example.com", "Pat Proxy", BCRYPT).await;
    let (id, _) = add_database_store(&app, &db, "proxy").await;

    let (status, to) = sign_in(&app, "pat@example.com", PASSWORD).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/o/acme"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COALESCE(password_hash, 'none') FROM users WHERE email = 'pat@example.com'"
        )
        .await
        .as_deref(),
        Some("none"),
        "no password kept"
    );

    // The password changes in the legacy store: the new one works here at once, the old one
    // no longer does.
    let new_password = "a password changed in the old app";
    db.set_hash("pat@example.com", &bcrypt_of(new_password).await)
        .await;
    assert_eq!(
        sign_in(&app, "pat@example.com", new_password).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&app, "pat@example.com", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COALESCE(password_hash, 'none') FROM users WHERE email = 'pat@example.com'"
        )
        .await
        .as_deref(),
        Some("none"),
        "still no password kept after more sign-ins"
    );
    assert_eq!(
        app.count("users").await,
        2,
        "one user, however many sign-ins"
    );

    // Removed from the legacy store: the account no longer signs in.
    db.remove_user("pat@example.com").await;
    assert_eq!(
        sign_in(&app, "pat@example.com", new_password).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Back, and the store switched to migrate mode: the next sign-in brings Pat over, and
    // the store is not asked again.
    db.add_user(7, "pat@example.com", "Pat Proxy", BCRYPT).await;
    let lookup = db.lookup_query();
    let edit = format!("/admin/legacy/{id}/edit");
    let fields = [
        ("backend", "sql"),
        ("mode", "migrate"),
        ("lookup_query", lookup.as_str()),
    ];
    assert_eq!(app.post(&edit, &fields).await.status(), StatusCode::OK);
    assert_eq!(
        sign_in(&app, "pat@example.com", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        scalar(&app, "SELECT how FROM user_migrations")
            .await
            .as_deref(),
        Some("sign_in")
    );
    db.remove_user("pat@example.com").await;
    assert_eq!(
        sign_in(&app, "pat@example.com", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn two_first_sign_ins_at_once_create_one_user() {
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    db.add_user(1, "twin@example.com", "Twin", BCRYPT).await;
    add_database_store(&app, &db, "migrate").await;

    let (first, second) = tokio::join!(
        sign_in(&app, "twin@example.com", PASSWORD),
        sign_in(&app, "twin@example.com", PASSWORD)
    );
    assert_eq!(first.0, StatusCode::SEE_OTHER, "{first:?}");
    assert_eq!(second.0, StatusCode::SEE_OTHER, "{second:?}");
    assert_eq!(
        scalar(
            &app,
            "SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE email = 'twin@example.com'"
        )
        .await
        .as_deref(),
        Some("1")
    );
    assert_eq!(app.count("user_migrations").await, 1);
    assert_eq!(app.count("memberships").await, 1, "one membership");
}

#[tokio::test]
async fn a_query_that_does_not_fit_is_refused_with_what_it_returned() {
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    let refused = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.post("/admin/legacy/new", &fields).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            res.text().await.unwrap()
        }
    };
    let base = |lookup: &str| {
        vec![
            ("name", "old-app".to_owned()),
            ("backend", "sql".to_owned()),
            ("mode", "migrate".to_owned()),
            ("address", db.url.clone()),
            ("lookup_query", lookup.to_owned()),
        ]
    };
    let page = refused(base("SELECT id, email FROM users WHERE email = $1")).await;
    assert!(
        page.contains("returns id, email, but not password_hash, name, email_verified"),
        "{page}"
    );
    let page = refused(base("SELECT * FROM no_such_table WHERE email = $1")).await;
    assert!(page.contains("refused the query"), "{page}");
    let page = refused(base(
        "SELECT id, email, password_hash, name, email_verified FROM users WHERE email = ?",
    ))
    .await;
    assert!(
        page.contains("$1"),
        "the placeholder syntax is named: {page}"
    );
    let mut unreachable = base(&db.lookup_query());
    unreachable[3].1 = "postgres://nobody@127.0.0.1:1/none".into();
    let page = refused(unreachable).await;
    assert!(page.contains("Cannot reach the database"), "{page}");
    assert!(
        !page.contains("nobody@127.0.0.1"),
        "the address is not shown back: {page}"
    );
    assert_eq!(app.count("legacy_connections").await, 0, "nothing saved");
}

#[tokio::test]
async fn the_store_address_never_appears_on_a_page() {
    let app = operator_with_org().await;
    let db = LegacyDb::postgres(DB_PASSWORD).await;
    let (id, page) = add_database_store(&app, &db, "migrate").await;
    let stored = scalar(&app, "SELECT address FROM legacy_connections")
        .await
        .unwrap();
    assert!(!stored.contains(DB_PASSWORD), "sealed at rest");
    for page in [
        page,
        app.get_html(&format!("/admin/legacy/{id}")).await,
        app.get_html(&format!("/admin/legacy/{id}/edit")).await,
        app.get_html("/admin/legacy").await,
        app.get_html("/admin/audit").await,
    ] {
        assert!(!page.contains(DB_PASSWORD), "{page}");
        assert!(!page.contains("127.0.0.1:5432"), "{page}");
    }
    let audit = app.get_html("/admin/audit").await;
    assert!(audit.contains("legacy.connection_created"), "{audit}");

    // A change that leaves the address empty keeps it: sign-ins still reach the store.
    let lookup = db.lookup_query();
    let res = app
        .post(
            &format!("/admin/legacy/{id}/edit"),
            &[
                ("backend", "sql"),
                ("mode", "migrate"),
                ("address", ""),
                ("lookup_query", &lookup),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    db.add_user(5, "kept@example.com", "Kept", BCRYPT).await;
    assert_eq!(
        sign_in(&app, "kept@example.com", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn import_the_rest_brings_everyone_else_and_the_cockpit_counts_them() {
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    for (id, email) in [
        (1, "a@example.com"),
        (2, "b@example.com"),
        (3, "c@example.com"),
    ] {
        db.add_user(id, email, "Someone", BCRYPT).await;
    }
    db.add_user(4, "not an email", "Broken", BCRYPT).await;
    let (id, _) = add_database_store(&app, &db, "migrate").await;
    assert_eq!(
        sign_in(&app, "b@example.com", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );

    let cockpit = app.get_html(&format!("/admin/legacy/{id}")).await;
    assert!(
        cockpit.contains(r#"<td id="migrated-at-sign-in">1</td>"#),
        "{cockpit}"
    );
    assert!(
        cockpit.contains(r#"<td id="remaining">3</td>"#),
        "{cockpit}"
    );
    assert!(cockpit.contains("<polyline"), "the chart is drawn");

    let res = app.post(&format!("/admin/legacy/{id}/import"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let job = location(&res);
    let page = eventually(Duration::from_secs(20), "the import finishes", || {
        let (app, job) = (&app, job.clone());
        async move {
            let page = app.get_html(&job).await;
            page.contains("Import: done").then_some(page)
        }
    })
    .await;
    assert!(page.contains("<dt>Created</dt><dd>2</dd>"), "{page}");
    assert!(
        page.contains("<dt>Skipped (already there)</dt><dd>1</dd>"),
        "{page}"
    );
    assert!(page.contains("<dt>Failed</dt><dd>1</dd>"), "{page}");

    for email in ["a@example.com", "c@example.com"] {
        let (status, to) = sign_in(&app, email, PASSWORD).await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/o/acme"),
            "{email}"
        );
    }
    let cockpit = app.get_html(&format!("/admin/legacy/{id}")).await;
    assert!(
        cockpit.contains(r#"<td id="migrated-at-sign-in">1</td>"#),
        "{cockpit}"
    );
    assert!(
        cockpit.contains(r#"<td id="bulk-imported">2</td>"#),
        "{cockpit}"
    );
    assert!(
        cockpit.contains(r#"<td id="remaining">1</td>"#),
        "the broken row stays: {cockpit}"
    );

    // Once more: nobody new, nobody twice.
    let res = app.post(&format!("/admin/legacy/{id}/import"), &[]).await;
    let job = location(&res);
    eventually(
        Duration::from_secs(20),
        "the second import finishes",
        || {
            let (app, job) = (&app, job.clone());
            async move {
                app.get_html(&job)
                    .await
                    .contains("Import: done")
                    .then_some(())
            }
        },
    )
    .await;
    assert_eq!(app.count("user_migrations").await, 3);
}

#[tokio::test]
async fn an_http_endpoint_checks_passwords_in_migrate_mode() {
    let app = operator_with_org().await;
    let endpoint = Endpoint::start("hana@example.com", Behaviour::Answers).await;
    let (_, page) = add_store(
        &app,
        &[
            ("name", "old-api"),
            ("backend", "http"),
            ("mode", "migrate"),
            ("address", &endpoint.url),
            ("token", "legacy-token"),
            ("organization", "acme"),
        ],
    )
    .await;
    assert!(
        page.contains("The endpoint answered a test sign-in"),
        "{page}"
    );
    assert!(!page.contains("legacy-token"), "{page}");

    assert_eq!(
        sign_in(&app, "hana@example.com", "wrong wrong wrong wrong")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, to) = sign_in(&app, "hana@example.com", PASSWORD).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/o/acme"));
    assert_eq!(
        scalar(&app, "SELECT legacy_id FROM user_migrations")
            .await
            .as_deref(),
        Some("42")
    );
    let calls = endpoint.calls();
    endpoint.stop().await;
    let (status, _) = sign_in(&app, "hana@example.com", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "migrated: the endpoint is not needed any more"
    );
    assert_eq!(endpoint.calls(), calls);
}

/// A proxy-mode endpoint store pointed at `url`; its id.
async fn add_endpoint_store(app: &TestApp, url: &str) -> String {
    // Added while an endpoint answers (the check needs one), then pointed at `url`.
    let healthy = Endpoint::start("x@example.com", Behaviour::Answers).await;
    let (id, _) = add_store(
        app,
        &[
            ("name", "old-api"),
            ("backend", "http"),
            ("mode", "proxy"),
            ("address", &healthy.url),
            ("token", "legacy-token"),
            ("organization", "acme"),
        ],
    )
    .await;
    healthy.stop().await;
    point_at(app, &id, url).await;
    id
}

/// Points endpoint store `id` at `url`.
async fn point_at(app: &TestApp, id: &str, url: &str) {
    let res = app
        .post(
            &format!("/admin/legacy/{id}/edit"),
            &[("backend", "http"), ("mode", "proxy"), ("address", url)],
        )
        .await;
    // The endpoint under test may be down or hang: the check refuses to save it then, so the
    // address is written the way a store that went down later would have it.
    if res.status() != StatusCode::OK {
        let sealed = usher::services::legacy::seal_context(
            &usher::domain::ConnectionId::from_stored(id.to_owned()),
            "address",
        );
        let sealed = crate::helpers::test_sealer()
            .seal(url.as_bytes(), &sealed)
            .unwrap();
        app.exec(&format!(
            "UPDATE legacy_connections SET address = '{sealed}', version = version + 1"
        ))
        .await;
    }
}

#[tokio::test]
async fn a_store_that_is_down_fails_the_sign_in_with_a_clear_message_and_is_left_alone() {
    let app = operator_with_org().await;
    let down = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/check", listener.local_addr().unwrap())
    };
    add_endpoint_store(&app, &down).await;
    let started = std::time::Instant::now();
    let (status, page) = sign_in(&app, "someone@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("not answering"), "{page}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hang: {:?}",
        started.elapsed()
    );
    assert_eq!(app.count("users").await, 1, "nobody created");
    assert_eq!(
        app.count("account_sign_in_failures").await,
        0,
        "not counted against the account"
    );
    // The operator sees why on the store's page, without the address.
    let id = scalar(&app, "SELECT connection_id FROM legacy_connections")
        .await
        .unwrap();
    let cockpit = app.get_html(&format!("/admin/legacy/{id}")).await;
    assert!(cockpit.contains("cannot be reached"), "{cockpit}");
    assert!(!cockpit.contains(&down), "{cockpit}");
}

#[tokio::test]
async fn a_store_that_hangs_times_out_and_its_circuit_opens() {
    let app = operator_with_org().await;
    let hanging = Endpoint::start("slow@example.com", Behaviour::Hangs).await;
    let id = add_endpoint_store(&app, &hanging.url).await;
    let started = std::time::Instant::now();
    let (status, _) = sign_in(&app, "slow@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(6),
        "the read timeout ended it: {waited:?}"
    );

    let failing = Endpoint::start("slow@example.com", Behaviour::Fails).await;
    point_at(&app, &id, &failing.url).await;
    let before = failing.calls();
    for _ in 0..8 {
        let (status, _) = sign_in(&app, "slow@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert!(
        failing.calls() - before <= usher::services::legacy::breaker::FAILURES_TO_OPEN as usize,
        "the breaker stopped the calls: {}",
        failing.calls() - before
    );
}

#[tokio::test]
async fn an_address_the_legacy_store_never_confirmed_is_proved_and_given_a_new_password() {
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    db.add_user_verified(9, "una@example.com", "Una Unconfirmed", BCRYPT, false)
        .await;
    add_database_store(&app, &db, "migrate").await;

    // The right password: she comes over, but her mailbox must answer before she signs in.
    let (status, page) = sign_in(&app, "una@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("has not been confirmed yet"), "{page}");
    let mail = app
        .last_mail_with_subject("una@example.com", "Confirm your email address")
        .await;
    // A wrong password says nothing of the kind, and sends nothing.
    let (status, page) = sign_in(&app, "una@example.com", "not her password at all").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!page.contains("confirmed"), "{page}");
    assert_eq!(app.mails_to("una@example.com").len(), 1);

    // Whoever answers the mailbox chooses the password: the one typed before it was proved
    // (perhaps by someone else, in the old system) does not survive.
    let token = token_in(&mail.link_to("/reset-password"));
    let browser = app.other_browser();
    let res = browser
        .post(
            "/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&res), "/o/acme/login");
    assert_eq!(
        sign_in(&app, "una@example.com", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, to) = sign_in(&app, "una@example.com", NEW_PASSWORD).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/o/acme"));
}

#[tokio::test]
async fn on_the_shared_connection_a_store_vouches_only_for_its_verified_domains() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    let db = LegacyDb::sqlite().await;
    db.add_user(1, "sam@example.com", "Sam Elsewhere", BCRYPT)
        .await;
    db.add_user(2, "kim@acme.test", "Kim Acme", BCRYPT).await;
    add_database_store(&app, &db, "migrate").await;
    app.exec(
        "INSERT INTO domains (id, organization_id, name, verification_token, verified_at, created_at)
         SELECT 'd1', id, 'acme.test', 't', 1, 1 FROM organizations WHERE slug = 'acme'",
    )
    .await;

    // Another customer's system must not decide who owns an address at a shared account:
    // outside the organization's verified domains, the mailbox answers first.
    let (status, page) = sign_in_on(&app, None, "sam@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("has not been confirmed yet"), "{page}");
    let (status, to) = sign_in_on(&app, None, "kim@acme.test", PASSWORD).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/o/acme"));
}

#[tokio::test]
async fn a_store_that_answers_for_another_email_opens_no_account() {
    let app = operator_with_org().await;
    let liar = Endpoint::start(
        "x@example.com",
        Behaviour::ClaimsToBe("someone@example.com"),
    )
    .await;
    add_endpoint_store(&app, &liar.url).await;
    let (status, _) = sign_in(&app, "victim@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("users").await, 1, "only the operator");

    // Nor can such an endpoint be saved: it accepts a made-up password.
    let res = app
        .post(
            "/admin/legacy/new",
            &[
                ("name", "liar"),
                ("backend", "http"),
                ("mode", "migrate"),
                ("address", &liar.url),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("accepted a made-up password")
    );
}

#[tokio::test]
async fn a_proxied_account_opens_only_for_the_legacy_user_it_was_made_for() {
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    db.add_user(7, "pat@example.com", "Pat Proxy", BCRYPT).await;
    let (id, _) = add_database_store(&app, &db, "proxy").await;
    assert_eq!(
        sign_in(&app, "pat@example.com", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );

    // The old system gives the address to someone else (another id): not Pat's account.
    db.remove_user("pat@example.com").await;
    db.add_user(8, "pat@example.com", "Someone Else", BCRYPT)
        .await;
    assert_eq!(
        sign_in(&app, "pat@example.com", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Stopped for the organization, the store is asked no more: nobody new comes over.
    db.add_user(9, "new@example.com", "New Person", BCRYPT)
        .await;
    let res = app
        .post(
            &format!("/admin/legacy/{id}/organizations/remove"),
            &[("organization", "acme")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        sign_in(&app, "new@example.com", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.get_html("/admin/audit")
            .await
            .contains("legacy.connection_disabled")
    );

    // A proxied store keeps its passwords: it cannot import the rest.
    let res = app.post(&format!("/admin/legacy/{id}/import"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("migrate mode"));
    assert_eq!(app.count("import_jobs").await, 0);
}

#[tokio::test]
async fn import_the_rest_raced_by_a_second_worker_takes_every_user_once() {
    use usher::services::import::{self, CHUNK_ROWS, LegacyAccess};
    let app = operator_with_org().await;
    let db = LegacyDb::sqlite().await;
    let total = CHUNK_ROWS * 2 + 17;
    db.add_many(total, BCRYPT).await;
    let (id, _) = add_database_store(&app, &db, "migrate").await;

    // The app's own job runner takes the import; a second worker runs it at the same time,
    // from whatever chunk it finds: each chunk commits once, wherever it was read.
    let res = app.post(&format!("/admin/legacy/{id}/import"), &[]).await;
    let job = location(&res).rsplit('/').next().unwrap().to_owned();
    let access = LegacyAccess {
        sealer: crate::helpers::test_sealer(),
        stores: usher::services::legacy::LegacyStores::new(usher::outbound::client(None).unwrap()),
    };
    let raced = import::run(&app.store, Some(&access), &job, None)
        .await
        .unwrap();
    let done = eventually(Duration::from_secs(60), "the import finishes", || {
        let app = &app;
        let job = job.clone();
        async move {
            let job = import::find(&app.store, &job).await.unwrap();
            (job.status == "done").then_some(job)
        }
    })
    .await;
    assert_eq!(raced.status, "done");
    assert_eq!(
        (done.created, done.skipped, done.failed),
        (total as i64, 0, 0)
    );
    assert_eq!(app.count("user_migrations").await, total as i64);
    assert_eq!(
        app.count("users").await,
        total as i64 + 1,
        "and the operator"
    );
    assert_eq!(
        scalar(&app, "SELECT cursor FROM import_jobs")
            .await
            .as_deref(),
        Some(total.to_string().as_str()),
        "the cursor ends at the last id"
    );
}
