//! The job runner: each job runs once across instances, outlives the worker that died running
//! it, backs off when it fails and is given up in the end, keeping its error. The jobs are the
//! real ones: mail delivery (visible as the mail it sends) and the sweep.
use std::sync::Arc;
use std::time::Duration;

use usher::domain::Email;
use usher::email::MailQueue;
use usher::email::messages::VerifyEmail;
use usher::store::{Store, Tx, jobs, now};
use usher::worker::Job;
use usher::worker::mail::DeliverMail;

use crate::helpers::{
    TestApp, TestDb, eventually, read_mail_dir, spawn_app, spawn_on, test_settings,
};

/// A job's row as the tests look at it.
#[derive(Debug, sqlx::FromRow)]
struct JobRow {
    attempts: i64,
    run_at: i64,
    claimed_until: Option<i64>,
    last_error: Option<String>,
    finished_at: Option<i64>,
}

async fn job(store: &Store, id: &str) -> JobRow {
    sqlx::query_as(
        "SELECT attempts, run_at, claimed_until, last_error, finished_at FROM jobs WHERE id = $1",
    )
    .bind(id.to_owned())
    .fetch_one(store.pool())
    .await
    .unwrap()
}

async fn delivery_job_ids(store: &Store) -> Vec<String> {
    sqlx::query_scalar("SELECT id FROM jobs WHERE kind = 'deliver_mail' ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

/// Queues a message the way a request does, without waking any runner: the jobs are found by
/// polling, by whichever instance looks first.
async fn queue_mail(tx: &mut Tx, to: &str) {
    let mail = VerifyEmail {
        link: "http://127.0.0.1/verify-email?token=t".into(),
    };
    MailQueue::default()
        .enqueue(&mut **tx, &Email::parse(to).unwrap(), &mail)
        .await
        .unwrap();
}

fn mails_to(apps: &[&TestApp], to: &str) -> usize {
    apps.iter()
        .flat_map(|app| read_mail_dir(&app.mail_dir()))
        .filter(|mail| mail.to == to)
        .count()
}

#[tokio::test]
async fn each_job_runs_exactly_once_across_two_instances() {
    let a = spawn_app().await;
    let b = spawn_on(a.db(), |_| {}).await;
    let total = 20;
    // Committed at once, so that both instances find them in the same poll and race.
    let mut tx = a.store.begin().await.unwrap();
    for i in 0..total {
        queue_mail(&mut tx, &format!("user{i}@example.com")).await;
    }
    tx.commit().await.unwrap();
    let ids = delivery_job_ids(&a.store).await;
    assert_eq!(ids.len(), total, "one delivery job per message");

    for id in &ids {
        let row = eventually(Duration::from_secs(20), "every job finished", || async {
            Some(job(&a.store, id).await).filter(|row| row.finished_at.is_some())
        })
        .await;
        assert_eq!(row.attempts, 1, "job {id} was claimed more than once");
        assert_eq!(row.last_error, None);
    }
    for i in 0..total {
        let to = format!("user{i}@example.com");
        eventually(Duration::from_secs(10), "every mail delivered", || async {
            (mails_to(&[&a, &b], &to) > 0).then_some(())
        })
        .await;
        assert_eq!(mails_to(&[&a, &b], &to), 1, "mail to {to} sent twice");
    }
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_again_after_its_lease_and_runs_once() {
    let app = spawn_app().await;
    let mut tx = app.store.begin().await.unwrap();
    queue_mail(&mut tx, "ada@example.com").await;
    // A worker claims it in the same transaction, so that the app's runner cannot be first,
    // and dies: it never settles the job. (It may claim a recurring job on the way.)
    let mut dead = None;
    for _ in 0..=Job::recurring().len() {
        let claim = jobs::claim_due(&mut *tx, 2).await.unwrap();
        let claim = claim.expect("the queued job is due");
        if claim.kind == "deliver_mail" {
            dead = Some(claim);
            break;
        }
    }
    let dead = dead.expect("the delivery job claimed, after the recurring ones at most");
    tx.commit().await.unwrap();
    assert_eq!(dead.attempts, 1);

    let row = eventually(
        Duration::from_secs(15),
        "the job taken again and finished",
        || async { Some(job(&app.store, &dead.id).await).filter(|row| row.finished_at.is_some()) },
    )
    .await;
    assert_eq!(row.attempts, 2, "one dead claim, then one run");
    assert_eq!(row.last_error, None);
    assert!(
        row.finished_at.unwrap() >= dead.claimed_until,
        "taken before the dead worker's lease ran out"
    );
    eventually(Duration::from_secs(10), "the mail delivered", || async {
        (mails_to(&[&app], "ada@example.com") > 0).then_some(())
    })
    .await;
    assert_eq!(mails_to(&[&app], "ada@example.com"), 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_and_given_up_keeping_its_error() {
    let app = spawn_app().await;
    let before = now();
    let mut tx = app.store.begin().await.unwrap();
    queue_mail(&mut tx, "ada@example.com").await;
    // From now on the database refuses the delivery job's work: its table is gone.
    sqlx::query("ALTER TABLE outbox RENAME TO outbox_unreachable")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let id = delivery_job_ids(&app.store).await.remove(0);

    let failed_after = |attempts: i64| {
        let (store, id) = (app.store.clone(), id.clone());
        async move {
            let what = format!("failed attempt #{attempts}");
            eventually(Duration::from_secs(20), &what, || async {
                Some(job(&store, &id).await)
                    .filter(|row| row.attempts == attempts && row.claimed_until.is_none())
            })
            .await
        }
    };
    let first = failed_after(1).await;
    let seen = now();
    let error = first.last_error.clone().unwrap();
    assert!(error.contains("outbox"), "{error}");
    assert!(
        (before + 2..=seen + 2).contains(&first.run_at),
        "due 2 s after the first failure: {first:?}, failed within {before}..={seen}"
    );
    let second = failed_after(2).await;
    let seen = now();
    assert!(
        (first.run_at + 4..=seen + 4).contains(&second.run_at),
        "due 4 s after the second failure: {second:?}, failed within {}..={seen}",
        first.run_at
    );
    assert_eq!(second.finished_at, None, "not given up yet");

    // As if it had failed all but once already.
    let max = Job::DeliverMail(DeliverMail {}).max_attempts();
    sqlx::query("UPDATE jobs SET attempts = $1, run_at = 0 WHERE id = $2")
        .bind(max - 1)
        .bind(id.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    let given_up = eventually(Duration::from_secs(30), "the job given up", || async {
        Some(job(&app.store, &id).await).filter(|row| row.finished_at.is_some())
    })
    .await;
    assert_eq!(given_up.attempts, max, "given up after the maximum");
    let error = given_up.last_error.unwrap();
    assert!(error.contains("outbox"), "the last error is kept: {error}");
}

#[tokio::test]
async fn a_job_queued_while_no_instance_runs_is_run_by_the_next_one_to_start() {
    usher::telemetry::init();
    let db = Arc::new(TestDb::create().await);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&test_settings(dir.path(), &db))
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    queue_mail(&mut tx, "ada@example.com").await;
    tx.commit().await.unwrap();
    let id = delivery_job_ids(&store).await.remove(0);

    let app = spawn_on(db, |_| {}).await;
    eventually(Duration::from_secs(10), "the mail delivered", || async {
        (mails_to(&[&app], "ada@example.com") > 0).then_some(())
    })
    .await;
    let row = eventually(Duration::from_secs(10), "the job finished", || async {
        Some(job(&store, &id).await).filter(|row| row.finished_at.is_some())
    })
    .await;
    assert_eq!((row.attempts, row.last_error), (1, None));
}

#[tokio::test]
async fn the_sweep_exists_once_and_runs_once_per_interval_across_instances() {
    let a = spawn_app().await;
    let b = spawn_on(a.db(), |_| {}).await;
    let sweeps = || async {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM jobs WHERE dedup_key = 'sweep'")
            .fetch_all(b.store.pool())
            .await
            .unwrap();
        ids
    };
    let ids = sweeps().await;
    assert_eq!(ids.len(), 1, "both instances scheduled it; one row exists");
    let id = ids[0].clone();
    // The first run, on start, pushes it an interval ahead.
    eventually(Duration::from_secs(10), "the first sweep", || async {
        Some(job(&a.store, &id).await)
            .filter(|row| row.claimed_until.is_none() && row.run_at > now())
    })
    .await;

    a.exec("INSERT INTO sessions (key_hash, state, expires_at) VALUES ('expired', '{}', 0)")
        .await;
    let before = now();
    a.exec(&format!("UPDATE jobs SET run_at = 0 WHERE id = '{id}'"))
        .await;
    eventually(
        Duration::from_secs(10),
        "the expired session swept",
        || async {
            let left: Option<String> =
                sqlx::query_scalar("SELECT key_hash FROM sessions WHERE key_hash = 'expired'")
                    .fetch_optional(a.store.pool())
                    .await
                    .unwrap();
            left.is_none().then_some(())
        },
    )
    .await;
    let row = eventually(Duration::from_secs(10), "the sweep rescheduled", || async {
        Some(job(&a.store, &id).await).filter(|row| row.run_at > 0 && row.claimed_until.is_none())
    })
    .await;
    assert!(
        row.run_at >= before + 60,
        "next sweep an interval later: {row:?}"
    );
    assert_eq!(
        (row.attempts, row.last_error, row.finished_at),
        (0, None, None)
    );
    assert_eq!(sweeps().await, ids, "still the one row");
}
