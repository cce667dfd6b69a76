//! The `artsite` command line.

use anyhow::Result;
use artsite::config::{self, Config};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
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
}

fn load_config(args: &BuildArgs) -> Result<Config> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => {
            let default = PathBuf::from(config::DEFAULT_FILE);
            if default.is_file() { Config::from_file(&default)? } else { Config::default() }
        }
    };
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

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build(args) => {
            let config = load_config(&args)?;
            let progress = !args.quiet && std::io::stderr().is_terminal();
            let report = artsite::build::build_with(&config, artsite::build::Options { progress })?;
            if !args.quiet {
                for d in &report.problems {
                    eprintln!("{d}");
                }
                println!("{}", report.line());
            }
            if args.timings {
                eprint!("{}", report.timings);
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
