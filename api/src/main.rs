//! The `crm` command: parses the command line and calls the library.
// As in lib.rs: the schema's resolver futures are deeper than the default
// limit when the `perf` and release profiles compute their layout.
#![recursion_limit = "256"]

use std::process::ExitCode;

use crm_api::config::{self, Config, MigrationConfig};
use crm_api::startup::Application;
use crm_api::{migrate, telemetry};

const USAGE: &str = "usage: crm <command>

commands:
  serve     run the API server (configuration from the environment; see README.md)
  migrate   apply pending database migrations as the owner role (DATABASE_OWNER_URL; refuses the server role)
  help      print this help";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve().await,
        Some("migrate") => migrate().await,
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("crm: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let listen = config.listen.clone();
    let app = Application::build(config).await?;
    let host = listen.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
    let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
    tracing::info!(port = app.port(), "listening");
    println!(
        "CRM API listening; GraphQL IDE at http://{host}:{}/graphql",
        app.port()
    );
    tokio::spawn(crm_api::shutdown::on_signals(app.stopper()));
    app.run_until_stopped().await?;
    Ok(())
}

async fn migrate() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init(config::log_format_from_env());
    migrate::run(&MigrationConfig::from_env()).await?;
    println!("migrations applied");
    Ok(())
}
