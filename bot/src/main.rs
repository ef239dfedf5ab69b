//! `pspm`: the command line. Parses arguments, sets up logging, calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use pspm::domain::export::{Format, Visibility};
use pspm::import::updates;
use pspm::render::plan::PlanFormat;
use pspm_config::Config;
use tracing_subscriber::EnvFilter;

/// The environment variable that names the config file for every subcommand.
const CONFIG_ENV: &str = "PSPM_CONFIG";

/// PSPM — Participatory Strategic Planning Module, a Matrix bot.
#[derive(Parser)]
#[command(about)]
struct Cli {
    /// How log lines are written to standard error: text for people, json (one object a
    /// line: timestamp, level, target, message, fields) for log shippers.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "PSPM_LOG_FORMAT"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// `--format` of `pspm export`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
    Md,
}

impl From<ExportFormat> for Format {
    fn from(format: ExportFormat) -> Format {
        match format {
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Json => Format::Json,
            ExportFormat::Md => Format::Markdown,
        }
    }
}

/// `--format` of `pspm index export`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DataFormat {
    Json,
    Csv,
}

impl From<DataFormat> for Format {
    fn from(format: DataFormat) -> Format {
        match format {
            DataFormat::Json => Format::Json,
            DataFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Subcommand)]
enum CliCommand {
    /// Run the bot: log in, create or update the plan's rooms, answer commands.
    Run {
        /// The configuration file (TOML).
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Create or update the plan's Space and section rooms, then exit.
    Provision {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Check the configuration and the plan file without connecting; print a summary.
    Check {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Write the consolidated export (proposals, votes, comments, monitoring) from the store
    /// (works while the bot runs).
    Export {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// csv (PATH the proposals, beside it PATH's stem + .comments.csv and, with
        /// monitoring, .objectives/.results/.measurements/.actions/.progress.csv, once a draft
        /// was posted, .items/.item_comments/.amendments/.iterations.csv), json or md.
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        #[arg(long)]
        out: PathBuf,
        /// Include hidden proposals (the moderators' export).
        #[arg(long)]
        full: bool,
        /// Only this iteration's proposals, comments, polls, items and amendments: a closed
        /// iteration's version name, or any iteration's number.
        #[arg(long)]
        iteration: Option<String>,
    },
    /// Write the open-data package (public export as JSON and CSV tables, and DCAT-AP_IT
    /// metadata) into a folder (works while the bot runs); needs `[publish]` in the config.
    Publish {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// The folder to write (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Rebuild the store from the plan rooms' history (the bot must be stopped).
    Rebuild {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Write the monitoring report (a self-contained HTML page) from the store (works while
    /// the bot runs).
    Report {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// The folder that gets `index.html`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Is the bot running and synced, does its outbox drain; the plan's rooms and phases
    /// (works while the bot runs, and when it is stopped).
    Status {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Write a backup of the store and the good-practice index to one file (works while the
    /// bot runs: the copy is consistent).
    Backup {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// The backup file to write (a tar archive, private to the bot's user).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty data directory (`storage.data_dir`), then start the bot.
    Restore {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// The file `pspm backup` wrote.
        file: PathBuf,
    },
    /// Manage the good-practice repository (works while the bot runs).
    Index {
        #[command(subcommand)]
        action: IndexAction,
    },
    /// The consolidated plan, the consultation's deliverable.
    Plan {
        #[command(subcommand)]
        action: PlanAction,
    },
    /// Dead letters: messages the homeserver refused for good (the bot must be stopped).
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Bring what is kept in spreadsheets (.xlsx, .ods, CSV) into the bot's files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

/// What `pspm import` brings in. A kind that needs the config (the store, the plan) takes
/// `--config` as the other subcommands do, and joins their config paths in `main`.
#[derive(Subcommand)]
enum ImportCommand {
    /// Write a plan file from a spreadsheet: a sheet per table (plan, sections, objectives,
    /// results, actions; or piano, sezioni, obiettivi, risultati, azioni). Needs no config.
    Plan {
        /// An .xlsx or .ods file, a folder of CSV files (one per table), or one of
        /// PREFIX.TABLE.csv files side by side.
        file: PathBuf,
        /// The plan file to write (replaced whole, and only if the plan is valid).
        #[arg(long)]
        out: PathBuf,
    },
    /// Post progress of actions (columns action, progress, date, note; or azione,
    /// avanzamento, data, nota) as the bot's import messages in the section rooms, applied
    /// when they come back; rows imported before are left out. Works while the bot runs.
    Progress {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// A CSV file, or an .xlsx/.ods workbook (its sheet `progress`/`avanzamento`, or its
        /// only sheet).
        file: PathBuf,
    },
    /// Post measurements of expected results (columns result, value, date, note; or
    /// risultato, valore, data, nota), as `import progress` does.
    Measurements {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// A CSV file, or an .xlsx/.ods workbook (its sheet `measurements`/`misurazioni`,
        /// or its only sheet).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum PlanAction {
    /// Write the consolidated plan: each section's text (its paragraphs with their §ids),
    /// objectives, expected results and actions, then the annex of accepted proposals that
    /// became actions (works while the bot runs).
    Export {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// md (Markdown), html (a self-contained page) or odt (OpenDocument Text).
        #[arg(long, value_enum)]
        format: PlanFileFormat,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// A closed iteration's version (its name, or its number), instead of the text as
        /// it stands now.
        #[arg(long)]
        iteration: Option<String>,
    },
}

/// `--format` of `pspm plan export`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum PlanFileFormat {
    Md,
    Html,
    Odt,
}

impl From<PlanFileFormat> for PlanFormat {
    fn from(format: PlanFileFormat) -> PlanFormat {
        match format {
            PlanFileFormat::Md => PlanFormat::Markdown,
            PlanFileFormat::Html => PlanFormat::Html,
            PlanFileFormat::Odt => PlanFormat::Odt,
        }
    }
}

#[derive(Subcommand)]
enum OutboxAction {
    /// One line per dead letter: sequence number, room, kind, reason (tab-separated).
    List {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Put dead letters back in the outbox: the bot sends them when it next starts.
    Retry {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        #[command(flatten)]
        which: Which,
    },
    /// Delete dead letters for good.
    Drop {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        #[command(flatten)]
        which: Which,
    },
}

/// One dead letter, or all of them.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct Which {
    /// The dead letter's sequence number, as `pspm outbox list` shows it.
    seq: Option<u64>,
    /// Every dead letter.
    #[arg(long)]
    all: bool,
}

impl OutboxAction {
    fn config(&self) -> &PathBuf {
        match self {
            OutboxAction::List { config }
            | OutboxAction::Retry { config, .. }
            | OutboxAction::Drop { config, .. } => config,
        }
    }
}

#[derive(Subcommand)]
enum IndexAction {
    /// Add files and folders (recursively); unchanged files are skipped, changed ones
    /// replaced, files gone from a re-added folder removed.
    Add {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// Who is recorded as having added them (default: the operator's login name).
        #[arg(long)]
        by: Option<String>,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Remove a practice by id, or every practice from a file or folder.
    Remove {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        target: String,
    },
    /// List the practices: id, type, status, year, organisation, title.
    List {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// Include practices waiting for approval.
        #[arg(long)]
        pending: bool,
    },
    /// The published practices with their metadata and ratings, as open data.
    Export {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        #[arg(long, value_enum, default_value = "json")]
        format: DataFormat,
        #[arg(long)]
        out: PathBuf,
        /// Also write their DCAT-AP_IT metadata beside PATH (needs `[publish]`).
        #[arg(long)]
        dcat: bool,
    },
    /// Counts by type, status and language, and the index's size.
    Stats {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
    },
    /// Search as `!search` does in chat, with the same output.
    Search {
        #[arg(long, short, env = CONFIG_ENV)]
        config: PathBuf,
        /// Include practices waiting for approval (as a moderator sees them).
        #[arg(long)]
        pending: bool,
        /// The words of the query, joined by spaces as in chat (`riuso software`, no quotes
        /// needed); after `--`, words starting with `-` are query words too.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
}

impl IndexAction {
    fn config(&self) -> &PathBuf {
        match self {
            IndexAction::Add { config, .. }
            | IndexAction::Remove { config, .. }
            | IndexAction::List { config, .. }
            | IndexAction::Export { config, .. }
            | IndexAction::Stats { config }
            | IndexAction::Search { config, .. } => config,
        }
    }
}

fn load(path: &std::path::Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|error| {
        eprintln!("pspm: {error}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let version = format!(
        "{} (store schema {})",
        env!("CARGO_PKG_VERSION"),
        pspm::store::SCHEMA_VERSION
    );
    // Built once at start, for the life of the process.
    let matches = Cli::command().version(version.leak() as &str).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let filter = EnvFilter::try_from_default_env()
        // The SDK's own encryption tasks (backups, recovery) run on the bot's HTTP client but
        // serve nothing: the bot's encryption is its own machine (`matrix::crypto`).
        .unwrap_or_else(|_| {
            EnvFilter::new(
                "info,matrix_sdk=warn,matrix_sdk::http_client=off,matrix_sdk::encryption=off",
            )
        });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => logs.json().with_ansi(false).init(),
    }
    let config_path = match &cli.command {
        CliCommand::Run { config }
        | CliCommand::Provision { config }
        | CliCommand::Check { config }
        | CliCommand::Export { config, .. }
        | CliCommand::Publish { config, .. }
        | CliCommand::Rebuild { config }
        | CliCommand::Status { config }
        | CliCommand::Backup { config, .. }
        | CliCommand::Restore { config, .. }
        | CliCommand::Report { config, .. } => config,
        CliCommand::Index { action } => action.config(),
        CliCommand::Outbox { action } => action.config(),
        CliCommand::Plan {
            action: PlanAction::Export { config, .. },
        } => config,
        // It makes the plan file a config names: there may be no config yet.
        CliCommand::Import {
            what: ImportCommand::Plan { file, out },
        } => return import_plan(file, out),
        CliCommand::Import {
            what:
                ImportCommand::Progress { config, .. } | ImportCommand::Measurements { config, .. },
        } => config,
    };
    let config = match load(config_path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let CliCommand::Index { action } = cli.command {
        return match index(&config, action) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("pspm: {error:#}");
                ExitCode::FAILURE
            }
        };
    }
    if let CliCommand::Import { what } = cli.command {
        let (file, kind) = match what {
            ImportCommand::Progress { file, .. } => (file, updates::Kind::Progress),
            ImportCommand::Measurements { file, .. } => (file, updates::Kind::Measurements),
            ImportCommand::Plan { .. } => return ExitCode::SUCCESS,
        };
        return import_updates(&config, &file, kind);
    }
    if let CliCommand::Outbox { action } = cli.command {
        return match outbox(&config, action) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("pspm: {error:#}");
                ExitCode::FAILURE
            }
        };
    }
    if let CliCommand::Check { .. } = cli.command {
        // The sections' draft texts, when there are any: what was split, at a glance.
        let drafts: Vec<usize> = config
            .plan
            .sections
            .iter()
            .map(|s| s.draft.len())
            .filter(|n| *n > 0)
            .collect();
        let drafted = match drafts.len() {
            0 => String::new(),
            n => format!(
                " ({n} with a draft text, {} paragraphs)",
                drafts.iter().sum::<usize>()
            ),
        };
        println!(
            "{}: plan \"{}\" with {} sections{drafted}, bot {} on {}",
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
            CliCommand::Index { .. } | CliCommand::Outbox { .. } | CliCommand::Import { .. } => {
                Ok(())
            }
            CliCommand::Plan {
                action:
                    PlanAction::Export {
                        format,
                        out,
                        iteration,
                        ..
                    },
            } => pspm::app::plan_export(&config, format.into(), &out, iteration.as_deref()).map(
                |path| {
                    println!("{}", path.display());
                },
            ),
            CliCommand::Report { out, .. } => pspm::app::report(&config, &out).map(|path| {
                println!("{}", path.display());
            }),
            CliCommand::Run { .. } => pspm::app::run(config).await,
            CliCommand::Provision { .. } => pspm::app::provision_only(&config).await.map(|rooms| {
                println!("space {}", rooms.space);
                for (section, room) in rooms.sections {
                    println!("section {section} {room}");
                }
            }),
            CliCommand::Check { .. } => Ok(()),
            CliCommand::Status { .. } => pspm::app::status(&config).map(|status| {
                println!("{}", status.render());
            }),
            CliCommand::Backup { out, .. } => pspm::app::backup(&config, &out).map(|summary| {
                println!(
                    "{}: {} store records, {} index files",
                    out.display(),
                    summary.store_records,
                    summary.index_files
                );
            }),
            CliCommand::Restore { file, .. } => pspm::app::restore(&config, &file).map(|summary| {
                println!(
                    "restored {} store records and {} index files into {}",
                    summary.store_records,
                    summary.index_files,
                    config.storage.data_dir.display()
                );
            }),
            CliCommand::Export {
                format,
                out,
                full,
                iteration,
                ..
            } => {
                let visibility = if full {
                    Visibility::Full
                } else {
                    Visibility::Public
                };
                pspm::app::export(
                    &config,
                    format.into(),
                    visibility,
                    iteration.as_deref(),
                    &out,
                )
                .map(|files| {
                    for file in files {
                        println!("{}", file.display());
                    }
                })
            }
            CliCommand::Publish { out, .. } => pspm::app::publish(&config, &out).map(|files| {
                for file in files {
                    println!("{}", file.display());
                }
            }),
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

/// `pspm import progress|measurements`: every problem on a line of its own, and nothing
/// posted if any.
fn import_updates(config: &Config, file: &std::path::Path, kind: updates::Kind) -> ExitCode {
    let updates = match updates::read(file, kind) {
        Ok(updates) => updates,
        Err(error) => {
            if let pspm::import::ImportError::Invalid { problems, .. } = &error {
                for problem in problems {
                    eprintln!("pspm: {problem}");
                }
            }
            eprintln!("pspm: {error}");
            return ExitCode::FAILURE;
        }
    };
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    match pspm::app::import_updates(config, &format!("import:{name}"), updates) {
        Ok(Ok(queued)) => {
            println!(
                "{}: {} new update{} in {} message{}, {} imported before",
                file.display(),
                queued.new,
                if queued.new == 1 { "" } else { "s" },
                queued.messages,
                if queued.messages == 1 { "" } else { "s" },
                queued.already
            );
            ExitCode::SUCCESS
        }
        Ok(Err(refused)) => {
            for line in &refused {
                eprintln!("pspm: {line}");
            }
            eprintln!(
                "pspm: {}: {} update{} the plan has no place for, nothing posted",
                file.display(),
                refused.len(),
                if refused.len() == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("pspm: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `pspm import plan`: every problem on a line of its own, and nothing written if any.
fn import_plan(file: &std::path::Path, out: &std::path::Path) -> ExitCode {
    match pspm::import::plan::import(file, out) {
        Ok(plan) => {
            let monitoring = &plan.monitoring;
            let count = |n: usize, one: &str, many: &str| {
                format!("{n} {}", if n == 1 { one } else { many })
            };
            println!(
                "{}: plan \"{}\" with {}, {}, {}, {}",
                out.display(),
                plan.id,
                count(plan.sections.len(), "section", "sections"),
                count(monitoring.objectives.len(), "objective", "objectives"),
                count(
                    monitoring.results.len(),
                    "expected result",
                    "expected results"
                ),
                count(monitoring.actions.len(), "action", "actions"),
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            if let pspm::import::ImportError::Invalid { problems, .. } = &error {
                for problem in problems {
                    eprintln!("pspm: {problem}");
                }
            }
            eprintln!("pspm: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `pspm outbox …`: synchronous, no runtime needed.
fn outbox(config: &Config, action: OutboxAction) -> anyhow::Result<()> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match action {
        OutboxAction::List { .. } => {
            let listing = pspm::app::outbox_list(config)?;
            for dead in &listing.dead_letters {
                println!(
                    "{}\t{}\t{}\t{}",
                    dead.seq, dead.room_id, dead.kind, dead.reason
                );
            }
            let dead = listing.dead_letters.len();
            let counted = match dead {
                0 => "no dead letters".to_owned(),
                n => format!("{n} dead letter{}", plural(n)),
            };
            eprintln!(
                "pspm: {counted}; {} message{} waiting in the outbox",
                listing.waiting,
                plural(listing.waiting)
            );
        }
        OutboxAction::Retry { which, .. } => {
            let moved = pspm::app::outbox_retry(config, which.seq)?;
            println!(
                "{moved} dead letter{} back in the outbox: the bot sends {} when it next starts",
                plural(moved),
                if moved == 1 { "it" } else { "them" }
            );
        }
        OutboxAction::Drop { which, .. } => {
            let dropped = pspm::app::outbox_drop(config, which.seq)?;
            println!("{dropped} dead letter{} dropped", plural(dropped));
        }
    }
    Ok(())
}

/// `pspm index …`: synchronous, no runtime needed.
fn index(config: &Config, action: IndexAction) -> anyhow::Result<ExitCode> {
    match action {
        IndexAction::Add { by, paths, .. } => {
            let by = by
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "operator".into());
            let report = pspm::app::index_add(config, &paths, &by)?;
            for (path, reason) in &report.failed {
                eprintln!("skipped {}: {reason}", path.display());
            }
            println!(
                "added {}, replaced {}, unchanged {}, removed {}, skipped {}",
                report.added,
                report.replaced,
                report.unchanged,
                report.removed,
                report.failed.len()
            );
        }
        IndexAction::Remove { target, .. } => {
            let removed = pspm::app::open_index(config)?.remove(&target)?;
            println!("removed {removed}");
            if removed == 0 {
                eprintln!("pspm: no practice has the id or path {target}");
                return Ok(ExitCode::FAILURE);
            }
        }
        IndexAction::Export {
            format, out, dcat, ..
        } => {
            for file in pspm::app::index_export(config, format.into(), &out, dcat)? {
                println!("{}", file.display());
            }
        }
        IndexAction::List { pending, .. } => {
            for p in pspm::app::open_index(config)?.list(pending)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.id,
                    p.practice_type,
                    p.status,
                    p.year.map(|y| y.to_string()).unwrap_or_default(),
                    p.organisation.unwrap_or_default(),
                    p.title
                );
            }
        }
        IndexAction::Stats { .. } => {
            let stats = pspm::app::open_index(config)?.stats()?;
            println!("documents {}", stats.documents);
            for (kind, count) in &stats.by_type {
                println!("type {kind} {count}");
            }
            for (status, count) in &stats.by_status {
                println!("status {status} {count}");
            }
            for (language, count) in &stats.by_language {
                println!("language {language} {count}");
            }
            println!("size_bytes {}", stats.size_bytes);
        }
        IndexAction::Search { query, pending, .. } => {
            let query = query.join(" ");
            println!("{}", pspm::app::index_search(config, &query, pending)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, CliCommand, IndexAction};

    /// The query `pspm index search` would run for `args`, or clap's error.
    fn search_query(args: &[&str]) -> Result<(String, bool), String> {
        let cli = Cli::try_parse_from(args).map_err(|error| error.to_string())?;
        match cli.command {
            CliCommand::Index {
                action: IndexAction::Search { query, pending, .. },
            } => Ok((query.join(" "), pending)),
            _ => Err("not index search".into()),
        }
    }

    #[test]
    fn index_search_takes_the_rest_of_the_line_as_the_query() {
        let base = ["pspm", "index", "search", "--config", "pspm.toml"];
        let with = |words: &[&str]| search_query(&[&base[..], words].concat());
        assert_eq!(
            with(&["riuso", "software"]),
            Ok(("riuso software".into(), false))
        );
        assert_eq!(
            with(&["\"licenze aperte\"", "year:2019..2022"]),
            Ok(("\"licenze aperte\" year:2019..2022".into(), false))
        );
        // Options may come before or after the words.
        assert_eq!(
            with(&["--pending", "riuso", "software"]),
            Ok(("riuso software".into(), true))
        );
        assert_eq!(
            with(&["riuso", "software", "--pending"]),
            Ok(("riuso software".into(), true))
        );
        assert_eq!(with(&["--", "-x", "riuso"]), Ok(("-x riuso".into(), false)));
        let missing = with(&[]).expect_err("a query is required");
        assert!(missing.contains("<QUERY>"), "{missing}");
    }
}
