//! The `artsite` command line.

use anyhow::Result;
use artsite::config::{self, Config};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What `--version` prints after the name: the version and the cargo
/// features this binary was built with.
#[cfg(feature = "parquet")]
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (features: parquet)");
#[cfg(not(feature = "parquet"))]
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (features: none)");

#[derive(Parser)]
#[command(name = "artsite", version = VERSION, about = "Static report sites for data-pipeline artifacts")]
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
    /// Serve the site from memory, rebuild it as its inputs change, and reload open pages.
    Serve(ServeArgs),
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
struct ServeArgs {
    /// Artifacts root: one folder per pipeline run [default: artifacts]
    #[arg(long)]
    root: Option<PathBuf>,
    /// Config file [default: artsite.yaml when present]
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on; anything but loopback shares the site with your network
    #[arg(long, default_value = "127.0.0.1")]
    interface: std::net::IpAddr,
    /// Port; when taken, the next nine are tried
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
    /// Poll for changes every 500 ms (for network and container mounts, where file events do not arrive)
    #[arg(long)]
    poll: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    quiet: bool,
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
    /// Build cache folder: what the last build wrote, so unchanged files are linked, not written
    /// [default: .{out}.artsite-cache beside the output]
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Use no build cache: write every file
    #[arg(long, conflicts_with = "cache")]
    no_cache: bool,
    /// Theme to build with (overrides the config)
    #[arg(long)]
    theme: Option<String>,
    /// Check links too, and fail, leaving the output as it was, on any error or warning
    #[arg(long)]
    strict: bool,
    /// Fail at once when another build is writing the same output, instead of waiting for it
    #[arg(long)]
    no_wait: bool,
}
#[derive(clap::Args)]
struct CheckArgs {
    /// Artifacts root: one folder per pipeline run [default: artifacts]
    #[arg(long)]
    root: Option<PathBuf>,
    /// Config file [default: artsite.yaml when present]
    #[arg(long)]
    config: Option<PathBuf>,
    /// What to print: the problems (text, json), or a report of the run (markdown, junit)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The run the gate judges: a version id or an alias [default: the newest run]
    #[arg(long)]
    run: Option<String>,
    /// Which verdict of that run fails the check
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail)]
    fail_on: FailOnArg,
    /// Fail on any error or warning in any run, too
    #[arg(long)]
    strict: bool,
    /// Public URL of the site, for links in the Markdown report (overrides the config)
    #[arg(long)]
    base_url: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOnArg {
    /// A failing run fails the check
    Fail,
    /// A warning run fails it too
    Warn,
    /// The verdict never fails it (the problems still can, with --strict)
    Never,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One `path:line:col: severity: message (at pointer)` line per problem
    Text,
    /// A JSON list of the problems, as problems.json has them
    Json,
    /// The run's verdict, flagged checks and key figures with their changes, for a PR comment or job summary
    Markdown,
    /// JUnit XML: one test suite per run, one test case per check
    Junit,
}

/// The config file in use: `--config`, else `artsite.yaml` when present.
fn config_file(flag: Option<&PathBuf>) -> Option<PathBuf> {
    flag.cloned().or_else(|| Some(PathBuf::from(config::DEFAULT_FILE)).filter(|p| p.is_file()))
}

/// The config: the file, then the flags over it.
fn read_config(file: Option<&PathBuf>, root: Option<&PathBuf>) -> Result<Config> {
    let mut config = match file {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(root) = root {
        config.root = root.clone();
    }
    Ok(config)
}

fn load_config(args: &BuildArgs) -> Result<Config> {
    let mut config = read_config(config_file(args.config.as_ref()).as_ref(), args.root.as_ref())?;
    if let Some(theme) = &args.theme {
        config.theme = theme.clone();
    }
    if let Some(out) = &args.out {
        config.out = out.clone();
    }
    if let Some(url) = &args.base_url {
        config.base_url = Some(url.clone());
    }
    Ok(config)
}

fn serve(args: ServeArgs) -> Result<()> {
    // Ctrl-C (or SIGTERM) during the first build stops the server as soon as it is up.
    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })?;
    let file = config_file(args.config.as_ref());
    let (f, root) = (file.clone(), args.root.clone());
    // Read again on every full rebuild: the file may have changed.
    let source = Box::new(move || read_config(f.as_ref(), root.as_ref()));
    let options = artsite::serve::Options {
        interface: args.interface,
        port: args.port,
        poll: args.poll,
        quiet: args.quiet,
        ..Default::default()
    };
    let server = artsite::serve::Server::start(source, file, options)?;
    for port in &server.taken {
        eprintln!("port {port} is in use; trying the next");
    }
    println!("serving on {}  (Ctrl-C to stop)", server.url());
    if !args.interface.is_loopback() {
        eprintln!("note: listening on {}, so other machines on your network can read the site", args.interface);
    }
    if args.open {
        artsite::serve::open_browser(&server.url());
    }
    let _ = rx.recv();
    eprintln!("stopping");
    server.stop();
    Ok(())
}

/// On SIGINT or SIGTERM (Ctrl-C on Windows), the build stops writing and
/// fails, removing its staging folder; a second signal ends it at once.
fn stop_on_signal() {
    let asked = std::sync::atomic::AtomicBool::new(false);
    let _ = ctrlc::set_handler(move || {
        if asked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        artsite::output::staging::interrupt();
    });
}

fn build(args: BuildArgs) -> Result<ExitCode> {
    let config = load_config(&args)?;
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let options = artsite::commands::build::Options {
        progress,
        strict: args.strict,
        no_wait: args.no_wait,
        cache: args.cache.clone(),
        no_cache: args.no_cache,
    };
    stop_on_signal();
    let report = artsite::commands::build::build_with(&config, options)?;
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
    let mut config = read_config(config_file(args.config.as_ref()).as_ref(), args.root.as_ref())?;
    if let Some(url) = &args.base_url {
        config.base_url = Some(url.clone());
    }
    let outcome = artsite::commands::check::check(&config)?;
    let gate = artsite::commands::gate::gate_run(&outcome.site, args.run.as_deref()).map_err(anyhow::Error::msg)?;
    let fail_on = match args.fail_on {
        FailOnArg::Fail => artsite::commands::gate::FailOn::Fail,
        FailOnArg::Warn => artsite::commands::gate::FailOn::Warn,
        FailOnArg::Never => artsite::commands::gate::FailOn::Never,
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Text => stdout.write_all(outcome.text().as_bytes())?,
        Format::Json => stdout.write_all(&outcome.json())?,
        Format::Markdown => {
            let report = artsite::commands::gate::markdown(&outcome.site, gate, config.base_url.as_deref());
            stdout.write_all(report.as_bytes())?;
        }
        Format::Junit => stdout.write_all(artsite::commands::gate::junit(&outcome.site, gate, fail_on).as_bytes())?,
    }
    stdout.flush()?;
    eprintln!("{}", outcome.line());
    eprintln!("{}", outcome.verdict_line(gate));
    let verdict = outcome.site.versions[gate].verdict.status;
    let site_broken = artsite::commands::gate::site_errors(&outcome.site) > 0;
    let failed = fail_on.fails(verdict) || site_broken || (args.strict && outcome.counts.fail(true));
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn init(dir: &std::path::Path) -> Result<ExitCode> {
    for path in artsite::commands::init::scaffold(dir)? {
        println!("created {}", path.display());
    }
    println!("Edit artsite.yaml, then run: artsite build");
    Ok(ExitCode::SUCCESS)
}

fn theme(command: ThemeCommand) -> Result<ExitCode> {
    match command {
        ThemeCommand::List { config } => {
            let config = read_config(config_file(config.as_ref()).as_ref(), None)?;
            for (name, description, origin) in artsite::theme::list(&config.site_dir) {
                let mark = if name == config.theme { "*" } else { " " };
                println!("{mark} {name:<12} {origin:<12} {description}");
            }
        }
        ThemeCommand::Eject { name, to, config } => {
            let config = read_config(config_file(config.as_ref()).as_ref(), None)?;
            let name = name.unwrap_or_else(|| config.theme.clone());
            let to = to.unwrap_or_else(|| artsite::theme::site_theme_dir(&config.site_dir, &name));
            let n = artsite::theme::eject(&config.site_dir, &name, &to)?;
            println!("copied theme {name} ({n} files) to {}", to.display());
            println!("it is used when the config says `theme: {name}`; edit its templates/ and static/ freely");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit codes: 0 when all is well; 1 when a check or strict build found
/// problems, or a command failed; 2 when a check could not run at all.
fn main() -> ExitCode {
    let (result, failed) = match Cli::parse().command {
        Command::Build(args) => (build(args), ExitCode::FAILURE),
        Command::Check(args) => (check(args), ExitCode::from(2)),
        Command::Init { dir } => (init(&dir), ExitCode::FAILURE),
        Command::Theme(command) => (theme(command), ExitCode::FAILURE),
        Command::Serve(args) => (serve(args).map(|()| ExitCode::SUCCESS), ExitCode::FAILURE),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        failed
    })
}
