//! `usher import [--connection NAME] [--org SLUG] FILE`: imports the users of an Auth0
//! bulk-import file (`.json`), NDJSON (`.ndjson`) or CSV (`.csv`). The file is checked whole
//! first; then it is imported in chunks, with a progress bar on a terminal and plain progress
//! lines otherwise. Rows that failed are written to a CSV report, whose path is printed, and
//! the command exits with status 1. Works beside a running server on the same database; an
//! import stopped half-way goes on where it stopped when run again with `--resume ID`.
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Settings;
use crate::domain::Role;
use crate::domain::import::ImportFormat;
use crate::services::import::{self, ImportRequest};
use crate::store::Store;
use crate::store::imports::ImportJob;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The connection the users are created in: `default` is the built-in password
    /// connection, shared by organizations in shared mode.
    #[arg(long, default_value = "default")]
    connection: String,
    /// An organization every imported user joins.
    #[arg(long)]
    org: Option<String>,
    /// Their role in that organization.
    #[arg(long, default_value = "member", value_parser = ["member", "admin", "owner"])]
    role: String,
    /// json, ndjson or csv; by default the file name's extension says.
    #[arg(long)]
    format: Option<String>,
    /// Replace the name, password hash and verification of users who exist already.
    #[arg(long)]
    update_existing: bool,
    /// Go on with an import that stopped, by its id, instead of starting one.
    #[arg(long, conflicts_with = "file")]
    resume: Option<String>,
    /// The file to import.
    #[arg(required_unless_present = "resume")]
    file: Option<PathBuf>,
}

pub async fn run(args: ImportArgs, settings: &Settings) -> anyhow::Result<()> {
    let store = Store::connect(settings).await?;
    let id = match (&args.resume, &args.file) {
        (Some(id), _) => id.clone(),
        (None, Some(file)) => {
            let format = match &args.format {
                Some(name) => {
                    Some(ImportFormat::parse(name).context("--format: json, ndjson or csv")?)
                }
                None => None,
            };
            let request = ImportRequest {
                connection: &args.connection,
                organization: args.org.as_deref(),
                role: Role::parse(&args.role).map_err(anyhow::Error::msg)?,
                path: file,
                format,
                update_existing: args.update_existing,
                by: None,
            };
            import::create(&store, request).await?
        }
        (None, None) => bail!("name a file to import"),
    };
    eprintln!("import {id}");
    let job = with_progress(&store, &id).await?;
    if job.status == "failed" {
        bail!("the import stopped: {}", job.error.unwrap_or_default());
    }
    println!(
        "{}",
        serde_json::json!({
            "id": job.id, "created": job.created, "updated": job.updated,
            "skipped": job.skipped, "failed": job.failed,
        })
    );
    if job.failed > 0 {
        let report = write_report(&store, &job, &settings.data_dir).await?;
        eprintln!("{} rows failed: see {}", job.failed, report.display());
        std::process::exit(1);
    }
    Ok(())
}

/// Runs the import a chunk at a time, showing how far it has got.
async fn with_progress(store: &Store, id: &str) -> anyhow::Result<ImportJob> {
    let job = import::find(store, id).await?;
    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let bar = ProgressBar::new(u64::try_from(job.file_size).unwrap_or(0));
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} (about {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut last_line = std::time::Instant::now();
    loop {
        let job = import::run(store, None, id, Some(1)).await?;
        let counts = format!(
            "{} created, {} updated, {} skipped, {} failed",
            job.created, job.updated, job.skipped, job.failed
        );
        if let Some(bar) = &bar {
            bar.set_position(u64::try_from(job.position).unwrap_or(0));
            bar.set_message(counts.clone());
        } else if last_line.elapsed().as_secs() >= 2 || job.finished_at.is_some() {
            eprintln!("{} of {} bytes: {counts}", job.position, job.file_size);
            last_line = std::time::Instant::now();
        }
        if job.finished_at.is_some() {
            if let Some(bar) = bar {
                bar.finish_with_message(counts);
            }
            return Ok(job);
        }
    }
}

/// The failed rows as CSV (`line,email,reason`), in the data directory.
async fn write_report(
    store: &Store,
    job: &ImportJob,
    data_dir: &std::path::Path,
) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join("imports");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{}-failed-rows.csv", job.id));
    let file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    import::write_failures(store, &job.id, std::io::BufWriter::new(file))
        .await?
        .flush()?;
    Ok(path)
}
