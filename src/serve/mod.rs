//! `artsite serve`: the site in memory, rebuilt as its inputs change, with
//! live reload in the browser.
//!
//! Three kinds of threads share one [`http::State`]:
//! - an accept thread hands each connection to a pool of HTTP workers, which
//!   read its one request strictly and within a deadline ([`request`]) and
//!   answer from the current [`store::Snapshot`] ([`http`]); event streams
//!   get a thread each ([`live`]);
//! - one rebuild thread owns the [`incremental::Engine`]: it takes batches of
//!   debounced file events ([`watch`]), or for a bucket root the changes its
//!   listings found ([`poll`]), rebuilds, swaps in the new snapshot and
//!   tells the browsers which paths changed.
//!
//! A failed rebuild (a template error, a config that does not parse, the
//! root gone) keeps the last good snapshot and shows the error in the
//! browser's overlay until a later build succeeds.

pub(crate) mod http;
pub mod incremental;
pub(crate) mod live;
pub(crate) mod poll;
pub(crate) mod request;
pub mod store;
pub(crate) mod watch;

use crate::commands::pipeline;
use crate::config::Config;
use crate::diagnostics::Severity;
use crate::input::source::bucket::Bucket;
use crate::util::html::counted;
use anyhow::{Context, Result, bail};
use incremental::{Change, ConfigSource, Engine, Outcome};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on.
    pub interface: IpAddr,
    /// Port; when taken, the next nine are tried. 0: any free port.
    pub port: u16,
    /// Poll the tree instead of relying on file events.
    pub poll: bool,
    /// Quiet time after a file's last event before a rebuild.
    pub debounce: Duration,
    /// Print nothing but errors.
    pub quiet: bool,
    /// HTTP worker threads.
    pub workers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            interface: IpAddr::from([127, 0, 0, 1]),
            port: 1111,
            poll: false,
            debounce: Duration::from_millis(50),
            quiet: false,
            workers: 8,
        }
    }
}

/// Ports tried after the one asked for, when it is taken.
const PORT_TRIES: u16 = 10;

/// Binds `interface:port`, or the next free port of the nine after it.
/// Returns the listener and the ports found taken.
pub fn bind(interface: IpAddr, port: u16) -> Result<(TcpListener, Vec<u16>)> {
    if port == 0 {
        let l = TcpListener::bind((interface, 0)).with_context(|| format!("cannot listen on {interface}"))?;
        return Ok((l, Vec::new()));
    }
    let mut taken = Vec::new();
    for p in port..port.saturating_add(PORT_TRIES) {
        match TcpListener::bind((interface, p)) {
            Ok(l) => return Ok((l, taken)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => taken.push(p),
            Err(e) => bail!("cannot listen on {interface}:{p}: {e}"),
        }
    }
    bail!(
        "ports {port} to {} on {interface} are all in use; choose another with --port",
        port.saturating_add(PORT_TRIES - 1)
    )
}

/// Starts the accept thread and `n` workers answering its connections.
fn spawn_http(
    listener: TcpListener,
    state: &Arc<http::State>,
    stop: &Arc<AtomicBool>,
    n: usize,
) -> Result<(JoinHandle<()>, Vec<JoinHandle<()>>)> {
    // A full queue holds further connections in the kernel's backlog.
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(n * 4);
    let rx = Arc::new(Mutex::new(rx));
    let workers = (0..n)
        .map(|i| {
            let (rx, state) = (rx.clone(), state.clone());
            std::thread::Builder::new().name(format!("artsite-http-{i}")).spawn(move || {
                loop {
                    let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(stream) = next else { break };
                    http::answer(&state, stream);
                }
            })
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let stop = stop.clone();
    let acceptor = std::thread::Builder::new().name("artsite-accept".into()).spawn(move || {
        for stream in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            match stream {
                Ok(stream) => {
                    if tx.send(stream).is_err() {
                        break;
                    }
                }
                // Out of file descriptors, say: wait rather than spin.
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    })?;
    Ok((acceptor, workers))
}

/// Where to connect to reach a server listening on `addr` from this machine.
fn wake_address(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port())),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port())),
        _ => addr,
    }
}

/// A running server; stops when [`Server::stop`] is called or it is dropped.
pub struct Server {
    addr: SocketAddr,
    state: Arc<http::State>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
    rebuilder: Option<JoinHandle<()>>,
    poller: Option<JoinHandle<()>>,
    /// Ports found taken before the one bound.
    pub taken: Vec<u16>,
}

fn instance_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:x}", nanos ^ ((std::process::id() as u128) << 64))
}

/// Host names a server on `interface` answers to (empty: any).
fn allowed_hosts(interface: IpAddr) -> Vec<String> {
    if interface.is_unspecified() {
        return Vec::new();
    }
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].iter().map(ToString::to_string).collect();
    hosts.push(interface.to_string());
    hosts
}

/// The list the overlay shows: every error of the site.
fn overlay_errors(engine: &Engine) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = engine
        .site()
        .problems
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| serde_json::json!({"path": d.path, "line": d.line, "column": d.column, "message": d.message}))
        .collect();
    serde_json::Value::Array(errors)
}

/// What is watched for a config: the root (unless it is a bucket), and the
/// config's folder (or the working folder without a config file).
fn watched(config: &Config, config_file: Option<&Path>) -> Result<watch::Watched> {
    let root = match config.bucket() {
        Some(_) => None,
        None => Some(
            std::fs::canonicalize(&config.root)
                .with_context(|| format!("artifacts root {} cannot be watched", config.root.display()))?,
        ),
    };
    let site = match config_file.and_then(Path::parent).filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::canonicalize(dir)?,
        None => std::env::current_dir()?,
    };
    let out = std::fs::canonicalize(&config.out).unwrap_or_else(|_| site.join(&config.out));
    let config = config_file.and_then(Path::file_name).map(|name| site.join(name));
    Ok(watch::Watched { root, site, config, out })
}

impl Server {
    /// Builds the site with the config `source` gives, starts serving it and
    /// watching its inputs. `config_file` is the file `source` reads, if any.
    pub fn start(source: ConfigSource, config_file: Option<PathBuf>, options: Options) -> Result<Server> {
        let start = Instant::now();
        let config = source()?;
        // A bucket is listed before the first build, so nothing that changes
        // while it runs goes unseen.
        let listed = config.bucket().map(first_listing).transpose()?;
        let engine = pipeline::with_requests(&config, || Engine::new(source))?;
        let first = engine.rebuild_report(start.elapsed().as_secs_f64());
        if !options.quiet {
            eprintln!("{first}");
            for d in engine.site().problems.iter().filter(|d| d.severity != Severity::Info) {
                eprintln!("{d}");
            }
        }
        let (listener, taken) = bind(options.interface, options.port)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(http::State {
            snapshot: RwLock::new(Arc::new(engine.snapshot().clone())),
            errors: RwLock::new(overlay_errors(&engine)),
            hub: live::Hub::default(),
            instance: instance_id(),
            hosts: allowed_hosts(options.interface),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (acceptor, workers) = spawn_http(listener, &state, &stop, options.workers.max(1))?;

        let w = watched(engine.config(), config_file.as_deref())?;
        let (tx, rx) = mpsc::channel();
        let mut watcher = watch::Watcher::new(options.poll, options.debounce, tx.clone())?;
        let mut watched_paths = Vec::new();
        watch::watch_all(&mut watcher, &w, &mut watched_paths);
        let interval = Duration::from_secs_f64(engine.config().bucket_poll_seconds);
        if !options.quiet {
            let list: Vec<String> = watched_paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!("watching {}{}", list.join(", "), if options.poll { " (polling)" } else { "" });
            if let Some((bucket, _)) = &listed {
                eprintln!("listing {}/ every {}", bucket.url(), seconds(interval));
            }
        }
        let poller = match listed {
            Some((bucket, last)) => {
                let send = move |change| tx.send(watch::Batch::Polled(change)).is_ok();
                Some(poll::spawn(bucket, last, interval, stop.clone(), options.quiet, send)?)
            }
            None => None,
        };
        let rebuilder = {
            let (state, stop) = (state.clone(), stop.clone());
            let mut looper = Rebuilder {
                engine,
                watcher,
                watched: w,
                watching: watched_paths,
                rx,
                state,
                stop,
                options: options.clone(),
            };
            std::thread::Builder::new().name("artsite-rebuild".into()).spawn(move || looper.run())?
        };
        Ok(Server { addr, state, stop, acceptor: Some(acceptor), workers, rebuilder: Some(rebuilder), poller, taken })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site's URL.
    pub fn url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { self.addr.ip().to_string() };
        let host = if host.contains(':') { format!("[{host}]") } else { host };
        format!("http://{host}:{}/", self.addr.port())
    }

    /// Number of the build being served.
    pub fn build(&self) -> u64 {
        self.state.snapshot().build
    }

    /// Stops serving and watching; returns when the threads have ended
    /// (event streams end on their own when their channel closes).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept thread: it sees the flag and ends, and the workers
        // end when its queue closes.
        let _ = TcpStream::connect_timeout(&wake_address(self.addr), Duration::from_secs(1));
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        self.state.hub.close();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        for thread in [self.rebuilder.take(), self.poller.take()].into_iter().flatten() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Engine {
    /// One line about the last build, as the terminal shows it.
    fn rebuild_report(&self, seconds: f64) -> String {
        let site = self.site();
        let snapshot = self.snapshot();
        let counts = crate::diagnostics::Counts::of(&site.problems);
        format!(
            "built {}, {}, {} in memory; {} ({}, {}) in {:.2}s",
            counted(site.versions.len(), "version"),
            counted(site.versions.iter().map(|v| v.artifacts.len()).sum::<usize>(), "artifact"),
            counted(snapshot.files.len() + snapshot.raw.len(), "file"),
            counted(counts.problems(), "problem"),
            counted(counts.errors, "error"),
            counted(counts.warnings, "warning"),
            seconds
        )
    }
}

/// The rebuild thread: events in, snapshots and browser events out.
struct Rebuilder {
    engine: Engine,
    watcher: watch::Watcher,
    watched: watch::Watched,
    /// Paths being watched.
    watching: Vec<PathBuf>,
    rx: Receiver<watch::Batch>,
    state: Arc<http::State>,
    stop: Arc<AtomicBool>,
    options: Options,
}

impl Rebuilder {
    fn run(&mut self) {
        let mut pending = Change::default();
        // The root was gone at the last rebuild: look for it to come back.
        let mut lost_root = false;
        while !self.stop.load(Ordering::Relaxed) {
            match self.rx.recv_timeout(Duration::from_millis(200)) {
                Ok(batch) => self.take(batch, &mut pending),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            // Everything that arrived meanwhile goes into the same rebuild.
            while let Ok(batch) = self.rx.try_recv() {
                self.take(batch, &mut pending);
            }
            if let Some(root) = self.watched.root.as_ref().filter(|r| lost_root && r.is_dir()) {
                self.watching.retain(|p| p != root);
                pending.full = true;
                lost_root = false;
            }
            if pending.full {
                // A site folder (templates/, …) may have appeared; the root may be back.
                watch::watch_all(&mut self.watcher, &self.watched, &mut self.watching);
            }
            if pending.is_empty() {
                continue;
            }
            // A JSON file that does not parse yet may still be being written:
            // give it one more debounce interval before reporting it.
            let root = self.watched.root.as_deref();
            if root.is_some_and(|root| !watch::unsettled_json(root, &pending).is_empty()) {
                std::thread::sleep(self.options.debounce);
                while let Ok(batch) = self.rx.try_recv() {
                    self.take(batch, &mut pending);
                }
            }
            let change = std::mem::take(&mut pending);
            let config = self.engine.config().clone();
            let engine = &mut self.engine;
            match pipeline::with_requests(&config, || engine.rebuild(&change)) {
                Ok(outcome) => self.publish(&outcome),
                Err(e) => {
                    if let Some(root) = self.watched.root.as_ref().filter(|r| !r.is_dir()) {
                        lost_root = true;
                        self.watcher.unwatch(root);
                        self.watching.retain(|p| p != root);
                    }
                    self.fail(&e);
                }
            }
        }
    }

    fn take(&mut self, batch: watch::Batch, pending: &mut Change) {
        let events = match batch {
            watch::Batch::Polled(change) => return pending.merge(change),
            watch::Batch::Events(events) => events,
        };
        match events {
            Ok(events) => {
                let mut change = watch::change_of(&self.watched, &events);
                let linked: Vec<(String, String)> = events
                    .iter()
                    .flat_map(|e| e.paths.iter())
                    .flat_map(|p| self.engine.linked_from(p).iter().cloned())
                    .collect();
                for (id, rel) in linked {
                    change.versions.entry(id).or_default().insert(rel);
                }
                pending.merge(change);
            }
            Err(errors) => {
                if !self.options.quiet {
                    for e in errors {
                        eprintln!("artsite serve: watcher: {e}");
                    }
                }
                pending.full = true;
            }
        }
    }

    fn publish(&mut self, outcome: &Outcome) {
        let snapshot = Arc::new(self.engine.snapshot().clone());
        *self.state.snapshot.write().unwrap_or_else(PoisonError::into_inner) = snapshot;
        let build = outcome.build;
        let ms = outcome.seconds * 1000.0;
        let (css, pages): (Vec<&String>, Vec<&String>) = outcome.changed.iter().partition(|p| p.ends_with(".css"));
        if !pages.is_empty() {
            // Past a few thousand paths, "everything" says the same in fewer bytes.
            let all = pages.len() > 2000;
            let paths: Vec<&String> = if all { Vec::new() } else { pages };
            let data = serde_json::json!({"build": build, "ms": ms, "all": all, "paths": paths});
            self.state.hub.broadcast(live::event("reload", &data));
        }
        if !css.is_empty() {
            self.state.hub.broadcast(live::event("css", &serde_json::json!({"build": build, "paths": css})));
        }
        self.set_errors(overlay_errors(&self.engine));
        if !self.options.quiet {
            eprintln!(
                "rebuilt in {ms:.1} ms{}: {} versions read, {} pages rendered, {} paths changed",
                if outcome.full { " (everything)" } else { "" },
                outcome.read,
                outcome.rendered,
                outcome.changed.len()
            );
        }
    }

    fn fail(&mut self, e: &anyhow::Error) {
        let message = format!("{e:#}");
        if !self.options.quiet {
            eprintln!("artsite serve: rebuild failed, still serving the last good build: {message}");
        }
        let path = e.downcast_ref::<crate::config::ConfigError>().map(|c| c.path.display().to_string());
        self.set_errors(serde_json::json!([{
            "path": path,
            "line": null,
            "column": null,
            "message": format!("rebuild failed, showing the last good build: {message}"),
        }]));
    }

    fn set_errors(&self, errors: serde_json::Value) {
        let mut current = self.state.errors.write().unwrap_or_else(PoisonError::into_inner);
        if *current != errors {
            *current = errors.clone();
            drop(current);
            self.state.hub.broadcast(live::event("errors", &errors));
        }
    }
}

/// Connects to the bucket `url` names and lists it whole: the listing the
/// first build reads, which later listings are compared with.
fn first_listing(url: &str) -> Result<(Arc<Bucket>, poll::Objects)> {
    let bucket = Bucket::connect(url).map_err(anyhow::Error::msg)?;
    let listed = bucket.list_all().map_err(anyhow::Error::msg)?;
    Ok((bucket, poll::objects(listed)))
}

/// A poll interval as people write it: `10s`, `1.5s`, `2m`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s % 60.0 == 0.0 { format!("{}m", s / 60.0) } else { format!("{s}s") }
}

/// Opens `url` in the default browser, if there is one.
pub fn open_browser(url: &str) {
    let (cmd, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("artsite serve: cannot open a browser ({cmd}: {e}); open {url} yourself");
    }
}
