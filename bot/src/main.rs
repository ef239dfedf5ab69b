//! `pspm`: the command line. Parses arguments, sets up logging, calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pspm::domain::export::{Format, Visibility};
use pspm_config::Config;
use tracing_subscriber::EnvFilter;

/// PSPM — Participatory Strategic Planning Module, a Matrix bot.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Subcommand)]
enum CliCommand {
    /// Run the bot: log in, create or update the plan's rooms, answer commands.
    Run {
        /// The configuration file (TOML).
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Create or update the plan's Space and section rooms, then exit.
    Provision {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check the configuration and the plan file without connecting; print a summary.
    Check {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Write the consolidated export (proposals, votes, comments) from the store, offline.
    Export {
        #[arg(long, short)]
        config: PathBuf,
        /// csv (two files: PATH and PATH's stem + .comments.csv), json or md.
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// Include hidden proposals (the moderators' export).
        #[arg(long)]
        full: bool,
    },
    /// Rebuild the store from the plan rooms' history (the bot must be stopped).
    Rebuild {
        #[arg(long, short)]
        config: PathBuf,
    },
}

fn load(path: &std::path::Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|error| {
        eprintln!("pspm: {error}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                EnvFilter::new("info,matrix_sdk=warn,matrix_sdk::http_client=off")
            }),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let config_path = match &cli.command {
        CliCommand::Run { config }
        | CliCommand::Provision { config }
        | CliCommand::Check { config }
        | CliCommand::Export { config, .. }
        | CliCommand::Rebuild { config } => config,
    };
    let config = match load(config_path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let CliCommand::Check { .. } = cli.command {
        println!(
            "{}: plan \"{}\" with {} sections, bot {} on {}",
            config.path.display(),
            config.plan.id,
            config.plan.sections.len(),
            config.matrix.user_id,
            config.matrix.homeserver_url
        );
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("pspm: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            CliCommand::Run { .. } => pspm::app::run(config).await,
            CliCommand::Provision { .. } => pspm::app::provision_only(&config).await.map(|rooms| {
                println!("space {}", rooms.space);
                for (section, room) in rooms.sections {
                    println!("section {section} {room}");
                }
            }),
            CliCommand::Check { .. } => Ok(()),
            CliCommand::Export {
                format, out, full, ..
            } => {
                let Some(format) = Format::parse(&format) else {
                    return Err(anyhow::anyhow!(
                        "--format must be csv, json or md, not \"{format}\""
                    ));
                };
                let visibility = if full {
                    Visibility::Full
                } else {
                    Visibility::Public
                };
                pspm::app::export(&config, format, visibility, &out).map(|files| {
                    for file in files {
                        println!("{}", file.display());
                    }
                })
            }
            CliCommand::Rebuild { .. } => pspm::app::rebuild(&config).await.map(|report| {
                println!(
                    "rebuilt from {} events: {} proposals, {} votes, {} comments",
                    report.events, report.proposals, report.votes, report.comments
                );
            }),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pspm: {error:#}");
            ExitCode::FAILURE
        }
    }
}
