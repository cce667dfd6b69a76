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
    /// Start a site here: a commented artsite.yaml, templates/ and static/.
    Init {
        /// Folder to set up [default: the current folder]
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// List or copy themes.
    #[command(subcommand)]
    Theme(ThemeCommand),
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// List the built-in themes and the site's theme folders.
    List {
        /// Config file whose folder holds themes/ [default: artsite.yaml when present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Copy a theme into the site to edit it.
    Eject {
        /// Theme to copy [default: the configured theme]
        name: Option<String>,
        /// Where to copy it [default: themes/NAME next to the config]
        #[arg(long)]
        to: Option<PathBuf>,
        /// Config file [default: artsite.yaml when present]
        #[arg(long)]
        config: Option<PathBuf>,
    },
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
    /// Theme to build with (overrides the config)
    #[arg(long)]
    theme: Option<String>,
}

fn read_config(path: Option<&PathBuf>) -> Result<Config> {
    Ok(match path {
        Some(path) => Config::from_file(path)?,
        None => {
            let default = PathBuf::from(config::DEFAULT_FILE);
            if default.is_file() { Config::from_file(&default)? } else { Config::default() }
        }
    })
}

fn load_config(args: &BuildArgs) -> Result<Config> {
    let mut config = read_config(args.config.as_ref())?;
    if let Some(theme) = &args.theme {
        config.theme = theme.clone();
    }
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
        Command::Init { dir } => {
            for path in artsite::init::scaffold(&dir)? {
                println!("created {}", path.display());
            }
            println!("Edit artsite.yaml, then run: artsite build");
            Ok(())
        }
        Command::Theme(ThemeCommand::List { config }) => {
            let config = read_config(config.as_ref())?;
            for (name, description, origin) in artsite::theme::list(&config.site_dir) {
                let mark = if name == config.theme { "*" } else { " " };
                println!("{mark} {name:<12} {origin:<12} {description}");
            }
            Ok(())
        }
        Command::Theme(ThemeCommand::Eject { name, to, config }) => {
            let config = read_config(config.as_ref())?;
            let name = name.unwrap_or_else(|| config.theme.clone());
            let to = to.unwrap_or_else(|| artsite::theme::site_theme_dir(&config.site_dir, &name));
            let n = artsite::theme::eject(&config.site_dir, &name, &to)?;
            println!("copied theme {name} ({n} files) to {}", to.display());
            println!("it is used when the config says `theme: {name}`; edit its templates/ and static/ freely");
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
