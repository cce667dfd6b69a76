//! The `artsite` command line.

use anyhow::Result;
use artsite::config::{self, Config};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "artsite", version, about = "Static report sites for data-pipeline artifacts")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site from an artifacts root into an output folder.
    Build(BuildArgs),
    /// Check an artifacts root without building: schemas, manifests against
    /// the files, every reader's findings and every internal link.
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Artifacts root: one folder per pipeline run [default: artifacts]
    #[arg(long)]
    root: Option<PathBuf>,
    /// Output folder [default: public]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Config file [default: artsite.yaml when present]
    #[arg(long)]
    config: Option<PathBuf>,
    /// Public URL the site will be served from
    #[arg(long)]
    base_url: Option<String>,
    /// Print nothing but errors
    #[arg(long, short)]
    quiet: bool,
    /// Print the time spent in each build step
    #[arg(long)]
    timings: bool,
    /// Check links too, and fail, leaving the output as it was, on any error or warning
    #[arg(long)]
    strict: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Artifacts root: one folder per pipeline run [default: artifacts]
    #[arg(long)]
    root: Option<PathBuf>,
    /// Config file [default: artsite.yaml when present]
    #[arg(long)]
    config: Option<PathBuf>,
    /// How to print the problems
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail on warnings too, not only on errors
    #[arg(long)]
    strict: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One `path:line:col: severity: message (at pointer)` line per problem
    Text,
    /// A JSON list of the problems, as problems.json has them
    Json,
}

/// The config file named, else `artsite.yaml` when present, else defaults.
fn read_config(file: Option<&PathBuf>) -> Result<Config> {
    match file {
        Some(path) => Ok(Config::from_file(path)?),
        None => {
            let default = PathBuf::from(config::DEFAULT_FILE);
            if default.is_file() { Ok(Config::from_file(&default)?) } else { Ok(Config::default()) }
        }
    }
}

fn build_config(args: &BuildArgs) -> Result<Config> {
    let mut config = read_config(args.config.as_ref())?;
    if let Some(root) = &args.root {
        config.root = root.clone();
    }
    if let Some(out) = &args.out {
        config.out = out.clone();
    }
    if let Some(url) = &args.base_url {
        config.base_url = Some(url.clone());
    }
    Ok(config)
}

fn build(args: BuildArgs) -> Result<ExitCode> {
    let config = build_config(&args)?;
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let options = artsite::build::Options { progress, strict: args.strict };
    let report = artsite::build::build_with(&config, options)?;
    if !args.quiet || report.refused {
        for d in &report.problems {
            eprintln!("{d}");
        }
        println!("{}", report.line());
    }
    if args.timings {
        eprint!("{}", report.timings);
    }
    if report.refused {
        eprintln!("error: --strict: the input has problems; the output {} was left as it was", config.out.display());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let mut config = read_config(args.config.as_ref())?;
    if let Some(root) = &args.root {
        config.root = root.clone();
    }
    let outcome = artsite::check::check(&config)?;
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Text => stdout.write_all(outcome.text().as_bytes())?,
        Format::Json => stdout.write_all(&outcome.json())?,
    }
    stdout.flush()?;
    eprintln!("{}", outcome.line());
    Ok(if outcome.counts.fail(args.strict) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Exit codes: 0 when all is well; 1 when a check or strict build found
/// problems, or a build failed; 2 when a check could not run at all.
fn main() -> ExitCode {
    let (result, failed) = match Cli::parse().command {
        Command::Build(args) => (build(args), ExitCode::FAILURE),
        Command::Check(args) => (check(args), ExitCode::from(2)),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        failed
    })
}
