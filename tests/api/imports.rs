//! Bulk imports from files: Auth0's JSON array, NDJSON and CSV, through `usher import` beside
//! the running server; the per-row report; malformed files refused whole; re-runs that change
//! nothing; and an import stopped after any chunk that goes on without a duplicate or a loss.
use reqwest::StatusCode;
use serde_json::{Value, json};
use usher::domain::Role;
use usher::services::import::{self, CHUNK_ROWS, ImportRequest};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

/// `PASSWORD` as Python's bcrypt 5.0.0 hashed it.
const BCRYPT: &str = "$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK";

fn user(i: usize) -> Value {
    json!({
        "email": format!("user{i}@example.com"),
        "email_verified": true,
        "name": format!("User {i}"),
        "user_id": format!("legacy|{i}"),
        "password_hash": BCRYPT,
    })
}

fn write(app: &TestApp, name: &str, text: &str) -> std::path::PathBuf {
    let path = app.data_dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

fn json_of(output: &std::process::Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
        panic!(
            "no JSON summary: {stdout} / {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[tokio::test]
async fn a_json_import_creates_users_who_sign_in_with_their_old_passwords() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    let mut users: Vec<Value> = (0..5).map(user).collect();
    users.insert(2, json!({"email": "not an email"}));
    users.push(user(1));
    users.push(json!({"email": "hash@example.com", "password_hash": "md5$abc"}));
    let path = write(
        &app,
        "users.json",
        &serde_json::to_string_pretty(&users).unwrap(),
    );

    let output = app
        .run_cli(&[
            "import",
            "--org",
            "acme",
            "--role",
            "admin",
            path.to_str().unwrap(),
        ])
        .await;
    assert_eq!(output.status.code(), Some(1), "rows failed");
    let summary = json_of(&output);
    assert_eq!(summary["created"], 5);
    assert_eq!(summary["failed"], 3);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = stderr
        .split("see ")
        .nth(1)
        .map(str::trim)
        .expect("the report's path");
    let report = std::fs::read_to_string(report).unwrap();
    assert!(report.starts_with("line,email,reason\n"), "{report}");
    assert!(report.contains(",not an email,invalid email"), "{report}");
    assert!(
        report.contains("user1@example.com,duplicate in the file"),
        "{report}"
    );
    assert!(
        report.contains("hash@example.com,unknown hash format"),
        "{report}"
    );

    let res = app
        .other_browser()
        .sign_in("user3@example.com", PASSWORD)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the old password works"
    );
    let admins = count(
        &app,
        "SELECT COUNT(*) FROM memberships WHERE role = 'admin'",
    )
    .await;
    assert_eq!(admins, 5);
    let legacy = count(
        &app,
        "SELECT COUNT(*) FROM user_migrations WHERE how = 'import' AND legacy_id LIKE 'legacy|%'",
    )
    .await;
    assert_eq!(legacy, 5);

    // The same file again changes nothing; with --update-existing it updates.
    let again = json_of(&app.run_cli(&["import", path.to_str().unwrap()]).await);
    assert_eq!(
        (again["created"].clone(), again["skipped"].clone()),
        (json!(0), json!(6))
    );
    let renamed: Vec<Value> = (0..2)
        .map(|i| json!({"email": format!("user{i}@example.com"), "name": "Renamed"}))
        .collect();
    let path = write(
        &app,
        "renamed.ndjson",
        &renamed
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let updated = json_of(
        &app.run_cli(&["import", "--update-existing", path.to_str().unwrap()])
            .await,
    );
    assert_eq!(updated["updated"], 2);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE name = 'Renamed'").await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL AND email LIKE 'user%'"
        )
        .await,
        5,
        "an update without a hash keeps the hash"
    );
}

#[tokio::test]
async fn ndjson_and_csv_files_import_too() {
    let app = spawn_app().await;
    let lines: Vec<String> = (0..3).map(|i| user(i).to_string()).collect();
    let path = write(&app, "users.ndjson", &format!("{}\n\n", lines.join("\n")));
    let summary = json_of(&app.run_cli(&["import", path.to_str().unwrap()]).await);
    assert_eq!(summary["created"], 3);

    let csv = format!(
        "email,name,email_verified,password_hash\ncsv1@example.com,Csv One,true,{BCRYPT}\n\"csv2@example.com\",\"Two, Csv\",false,\n"
    );
    let path = write(&app, "users.csv", &csv);
    let output = app.run_cli(&["import", path.to_str().unwrap()]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(json_of(&output)["created"], 2);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE name = 'Two, Csv'").await,
        1
    );
    let res = app
        .other_browser()
        .sign_in("csv1@example.com", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_malformed_file_fails_fast_with_where_and_imports_nothing() {
    let app = spawn_app().await;
    let users_before = app.count("users").await;
    let good = user(1).to_string();
    for (name, text, said) in [
        ("a.json", format!("[{good},\n{{\"email\": }}]"), "line 2"),
        ("b.json", format!("[{good}"), "not closed"),
        ("c.json", good.clone(), "starts with ["),
        ("d.ndjson", format!("{good}\nnot json\n"), "line 2"),
        ("e.csv", "mail,name\nx@example.com,X\n".to_owned(), "header"),
        (
            "f.csv",
            "email,name,email_verified,password_hash\na@example.com,A\n".to_owned(),
            "line 2",
        ),
        ("g.txt", good.clone(), "format"),
    ] {
        let path = write(&app, name, &text);
        let output = app.run_cli(&["import", path.to_str().unwrap()]).await;
        assert!(!output.status.success(), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(said), "{name}: {stderr}");
    }
    assert_eq!(app.count("users").await, users_before, "nothing imported");
    assert_eq!(app.count("import_jobs").await, 0, "nothing queued");
}

#[tokio::test]
async fn an_import_stopped_after_any_chunk_goes_on_without_duplicates_or_losses() {
    let app = spawn_app().await;
    let total = CHUNK_ROWS * 2 + 345;
    let users: Vec<Value> = (0..total)
        .map(|i| json!({"email": format!("r{i}@example.com")}))
        .collect();
    let path = write(&app, "many.json", &serde_json::to_string(&users).unwrap());
    let request = ImportRequest {
        connection: "default",
        organization: None,
        role: Role::Member,
        path: &path,
        format: None,
        update_existing: false,
        by: None,
    };
    let id = import::create(&app.store, request).await.unwrap();
    // One chunk, then the process "dies"; two workers then race for the rest.
    let first = import::run(&app.store, None, &id, Some(1)).await.unwrap();
    assert_eq!(first.created, CHUNK_ROWS as i64);
    assert!(first.finished_at.is_none());
    // Its page follows it, reloading itself without JavaScript, until told not to.
    app.become_operator().await;
    let running = app.get(&format!("/admin/imports/{id}")).await;
    assert_eq!(running.headers()["refresh"], "3");
    assert!(running.text().await.unwrap().contains("Stop refreshing"));
    let stopped = app.get(&format!("/admin/imports/{id}?refresh=off")).await;
    assert!(stopped.headers().get("refresh").is_none());
    let (a, b) = tokio::join!(
        import::run(&app.store, None, &id, None),
        import::run(&app.store, None, &id, None)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.status, "done");
    let job = import::find(&app.store, &id).await.unwrap();
    assert_eq!(
        (job.created, job.failed, job.skipped),
        (total as i64, 0, 0),
        "{b:?}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM users WHERE email LIKE 'r%@example.com'"
        )
        .await,
        total as i64
    );
}

#[tokio::test]
async fn an_import_queued_for_the_job_runner_runs_to_its_end() {
    let app = spawn_app().await;
    let users: Vec<Value> = (0..CHUNK_ROWS + 10).map(user).collect();
    let path = write(&app, "queued.json", &serde_json::to_string(&users).unwrap());
    let request = ImportRequest {
        connection: "default",
        organization: None,
        role: Role::Member,
        path: &path,
        format: None,
        update_existing: false,
        by: None,
    };
    let id = import::create(&app.store, request).await.unwrap();
    import::queue(&app.store, &id).await.unwrap();
    let job =
        crate::helpers::eventually(std::time::Duration::from_secs(60), "the import", || async {
            let job = import::find(&app.store, &id).await.unwrap();
            (job.status == "done").then_some(job)
        })
        .await;
    assert_eq!(job.created, (CHUNK_ROWS + 10) as i64);
}

/// Uploads `file` as `name` to the operator's import form, CSRF token first.
async fn upload(
    app: &TestApp,
    name: &str,
    file: &[u8],
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = app.csrf().await;
    let boundary = "usherImportBoundary42";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
    );
    for (field, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    let mut body = body.into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url("/admin/imports"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_operator_uploads_a_file_and_follows_the_import_to_its_end() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    let page = app.get_html("/admin/imports").await;
    assert!(page.contains("Import a file"));

    let bad = upload(
        &app,
        "users.json",
        b"[{\"email\": ",
        &[("connection", "default")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("nothing was imported"));

    let mut users: Vec<Value> = (0..3).map(user).collect();
    users.push(json!({"email": "nope"}));
    users.push(json!({"email": "nope again"}));
    // One line: the report still tells every failed row apart.
    let file = serde_json::to_vec(&users).unwrap();
    let fields = [
        ("connection", "default"),
        ("org", "acme"),
        ("role", "member"),
    ];
    let res = upload(&app, "users.json", &file, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page_path = crate::helpers::location(&res);
    let page =
        crate::helpers::eventually(std::time::Duration::from_secs(60), "the import", || async {
            let page = app.get_html(&page_path).await;
            page.contains("Import: done").then_some(page)
        })
        .await;
    assert!(page.contains("<dt>Created</dt><dd>3</dd>"), "{page}");
    assert!(page.contains("<dt>Failed</dt><dd>2</dd>"), "{page}");
    assert!(
        app.get(&page_path).await.headers().get("refresh").is_none(),
        "a finished import stops refreshing"
    );
    let report = app.get_html(&format!("{page_path}/failed-rows.csv")).await;
    assert_eq!(
        report,
        "line,email,reason\n1,nope,invalid email\n1,nope again,invalid email\n"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM memberships WHERE role = 'member'"
        )
        .await,
        3
    );
    // Another person gets nothing of this.
    let stranger = app.other_browser();
    assert_ne!(stranger.get(&page_path).await.status(), StatusCode::OK);
}
