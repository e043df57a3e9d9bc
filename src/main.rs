use clap::Parser;
use usher::cli::{Cli, Command};
use usher::config::Settings;
use usher::startup::Application;
use usher::store::Store;
use usher::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            eprintln!("Usher is listening on {}", app.public_url());
            if let Some(link) = app.operator_setup_link() {
                eprintln!("Create the first platform operator (one-time link): {link}");
            }
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            Store::connect(&settings).await?;
            eprintln!("Database is up to date.");
        }
        Command::Apps { command } => usher::cli::apps::run(command, &settings).await?,
        Command::Keys { command } => usher::cli::keys::run(command, &settings).await?,
        Command::Import(args) => usher::cli::import::run(args, &settings).await?,
    }
    Ok(())
}
