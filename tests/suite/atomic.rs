//! Builds that are killed, interrupted or racing: at every instant the output
//! is one whole site, the next build removes what a killed one left, and two
//! builds into one output take turns.

use crate::util::*;
use artsite::config::{Config, RawFiles};
use artsite::output::lock::{self, Wait};
use artsite::output::staging;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A tree big enough that a debug build takes a while: `versions` runs of
/// 400 listed plots each.
fn big_tree(versions: usize) -> Tree {
    let t = Tree::new();
    for v in 0..versions {
        add_run(&t, &format!("2024-01-{:02}_00-00-00_run", v + 1));
    }
    t
}

fn add_run(t: &Tree, id: &str) {
    let mut records = Vec::new();
    for i in 0..400 {
        let rel = format!("plots/eda_{i:03}.png");
        t.file(&format!("{id}/{rel}"), TINY_PNG);
        records.push(record(&format!("p{i}"), "plot", "eda", &format!("plot {i}"), &rel));
    }
    t.json(&format!("{id}/artifact_manifest.json"), serde_json::json!({"version_id": id, "artifacts": records}));
}

fn spawn_build(t: &Tree, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_artsite"))
        .current_dir(t.tmp.path())
        .args(["build", "-q"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits at most `limit` for `child` to end; true when it did.
fn ended_within(child: &mut Child, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The names next to the output that builds leave: lock, staging, old.
fn siblings(t: &Tree) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(t.tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // The build cache stays beside the output by design (see cache.rs).
        .filter(|n| n.starts_with(".public.artsite-") && n != ".public.artsite-cache")
        .collect();
    names.sort();
    names
}

/// The versions of the site in `out`, from its marker; panics when `out` is
/// not one whole site.
fn whole_site(out: &Path) -> usize {
    let stamp = staging::read_stamp(out).unwrap_or_else(|| panic!("{} holds no whole site", out.display()));
    assert!(out.join("index.html").is_file() && out.join("index.json").is_file());
    stamp.versions
}

#[test]
fn the_next_build_removes_what_killed_builds_left() {
    let t = Tree::new();
    small_version(&t, "v1");
    for (name, file) in
        [(".public.artsite-staging-4000001", "v/x/index.html"), (".public.artsite-old-4000002", "a.html")]
    {
        let dir = t.tmp.path().join(name).join(file);
        fs::create_dir_all(dir.parent().unwrap()).unwrap();
        fs::write(dir, "left behind").unwrap();
    }
    // Not a build's: another folder's, and a name without a process id.
    fs::create_dir(t.tmp.path().join(".other.artsite-staging-4000003")).unwrap();
    fs::create_dir(t.tmp.path().join(".public.artsite-staging-notes")).unwrap();
    t.build();
    assert_eq!(siblings(&t), [".public.artsite-lock", ".public.artsite-staging-notes"]);
    assert!(t.tmp.path().join(".other.artsite-staging-4000003").is_dir());
    assert_eq!(whole_site(&t.out()), 1);
    // A build killed after its swap leaves its old site; the next build has
    // nothing to rebuild, and still removes it.
    fs::create_dir_all(t.tmp.path().join(".public.artsite-staging-4000004/v")).unwrap();
    assert!(t.build().up_to_date);
    assert_eq!(siblings(&t), [".public.artsite-lock", ".public.artsite-staging-notes"]);
}

#[cfg(unix)]
#[test]
fn a_build_killed_at_any_point_leaves_one_whole_site() {
    let t = big_tree(2);
    assert!(artsite(t.tmp.path(), &["build", "-q"]).status.success());
    assert_eq!(whole_site(&t.out()), 2);
    add_run(&t, "2024-01-09_00-00-00_run");
    // Kills spread over a rebuild: while reading, writing, swapping, removing.
    for ms in [30, 120, 250, 400, 600, 800, 1100, 1500] {
        let mut child = spawn_build(&t, &[]);
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill();
        child.wait().unwrap();
        let versions = whole_site(&t.out());
        assert!(versions == 2 || versions == 3, "killed after {ms} ms: {versions} versions");
    }
    assert!(artsite(t.tmp.path(), &["build", "-q"]).status.success());
    assert_eq!(whole_site(&t.out()), 3);
    assert_eq!(siblings(&t), [".public.artsite-lock"], "the last build removed every leftover");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_build_and_removes_its_staging_folder() {
    let t = big_tree(2);
    assert!(artsite(t.tmp.path(), &["build", "-q"]).status.success());
    let before = snapshot(&t.out());
    add_run(&t, "2024-01-09_00-00-00_run");
    for signal in ["-TERM", "-INT"] {
        let mut child = spawn_build(&t, &[]);
        let staging = t.tmp.path().join(format!(".public.artsite-staging-{}", child.id()));
        let start = Instant::now();
        while !staging.exists() && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(staging.exists(), "the build started writing");
        let sent = Instant::now();
        assert!(Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success());
        assert!(ended_within(&mut child, Duration::from_secs(5)), "{signal}: still running 5 s later");
        let took = sent.elapsed();
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "{signal}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("interrupted") && said.contains("the previous output is left as it was"), "{said}");
        assert!(!staging.exists(), "{signal}: staging folder left after {took:?}");
        assert_eq!(snapshot(&t.out()), before, "{signal}: the old site is untouched");
    }
}

#[test]
fn two_builds_into_one_output_take_turns() {
    let t = Tree::new();
    small_version(&t, "v1");
    let held = lock::acquire(&t.out(), Wait::No, &mut |_| {}).unwrap();

    let o = artsite(t.tmp.path(), &["build", "--no-wait"]);
    assert_eq!(o.status.code(), Some(1));
    let said = stderr(&o);
    assert!(said.contains(&format!("another build (process {}) is writing", std::process::id())), "{said}");
    assert!(!t.out().exists(), "the refused build wrote nothing");

    let mut waiting = spawn_build(&t, &[]);
    std::thread::sleep(Duration::from_millis(700));
    assert!(waiting.try_wait().unwrap().is_none(), "the second build waits for the lock");
    drop(held);
    assert!(ended_within(&mut waiting, Duration::from_secs(30)), "it goes on once the lock is free");
    let o = waiting.wait_with_output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("waiting for it to finish"));
    assert_eq!(whole_site(&t.out()), 1);
}

#[test]
fn builds_racing_into_one_output_leave_one_whole_site() {
    let t = big_tree(1);
    let mut racers: Vec<Child> = (0..3).map(|_| spawn_build(&t, &[])).collect();
    for child in &mut racers {
        assert!(ended_within(child, Duration::from_secs(120)));
    }
    for child in racers {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(whole_site(&t.out()), 1);
    assert_eq!(siblings(&t), [".public.artsite-lock"]);
}

#[test]
fn an_output_inside_the_root_is_never_read_as_input() {
    let t = Tree::new();
    small_version(&t, "v1");
    let inside = t.root().join("public");
    let config = Config { out: inside.clone(), ..t.config() };
    for _ in 0..2 {
        let r = artsite::commands::build::build(&config).unwrap();
        assert_eq!(r.versions, 1, "the output is no version");
    }
    let r = artsite::commands::check::check(&config).unwrap();
    let note = r.problems.iter().find(|d| d.code == "output-in-root").expect("the output is named");
    assert_eq!((note.path.as_str(), note.severity), ("public", artsite::diagnostics::Severity::Info));
    assert_eq!(r.problems.iter().filter(|d| d.code == "output-in-root").count(), 1, "once");

    // Inside a version folder: not a file of that version either.
    let nested = t.root().join("v1/site");
    let config = Config { out: nested, ..t.config() };
    let first = artsite::commands::build::build(&config).unwrap().artifacts;
    let second = artsite::commands::build::build(&config).unwrap();
    assert_eq!(second.artifacts, first, "the site's files are not artifacts of v1");
    assert!(second.problems.iter().any(|d| d.code == "output-in-root" && d.path == "v1/site"));
}

#[test]
fn a_failed_first_build_says_no_output_was_written() {
    let t = Tree::new();
    small_version(&t, "v1");
    fs::create_dir(t.tmp.path().join("templates")).unwrap();
    fs::write(
        t.tmp.path().join("templates/home.html"),
        "{% extends \"base.html\" %}{% block content %}{{ nope.x }}{% endblock content %}",
    )
    .unwrap();
    let o = artsite(t.tmp.path(), &["build"]);
    assert!(!o.status.success());
    let said = stderr(&o);
    assert!(said.contains("no output was written") && !said.contains("left as it was"), "{said}");
    assert!(!t.out().exists());
    assert_eq!(siblings(&t), [".public.artsite-lock"], "no staging folder stays");
}

/// The published site is a snapshot by default: a pipeline that rewrites a
/// file in place (same inode) after a build leaves the published copy as it
/// was. With `raw_files: hardlink` it does not, as the README says.
#[test]
fn an_in_place_rewrite_after_a_build_leaves_the_published_copy_unchanged() {
    use std::io::Write;
    for (raw_files, snapshot) in [(Config::default().raw_files(), true), (RawFiles::Hardlink, false)] {
        let t = Tree::new();
        small_version(&t, "v1");
        t.file("v1/tables/scores.csv", "id,score\n1,0.5\n");
        artsite::commands::build::build(&Config { raw_files: Some(raw_files), ..t.config() }).unwrap();
        let published = t.out().join("v/v1/files/tables/scores.csv");
        assert_eq!(fs::read_to_string(&published).unwrap(), "id,score\n1,0.5\n");
        let mut f =
            fs::OpenOptions::new().write(true).truncate(true).open(t.root().join("v1/tables/scores.csv")).unwrap();
        f.write_all(b"id,score\n1,0.9\n").unwrap();
        drop(f);
        let now = fs::read_to_string(&published).unwrap();
        assert_eq!(now == "id,score\n1,0.5\n", snapshot, "{raw_files:?}: the published copy reads {now:?}");
    }
}

/// A run folder removed while the site is built (a pipeline cleaning up)
/// would leave pages of files that are gone, and a warning per file: the
/// build notices and builds once more without it.
#[cfg(unix)]
#[test]
fn a_run_removed_mid_build_is_built_again_without_it() {
    let t = big_tree(3);
    let doomed = "2024-01-02_00-00-00_run";
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_artsite"))
        .current_dir(t.tmp.path())
        .arg("build")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Gone in one step, as `rm -rf` ends.
    fs::rename(t.root().join(doomed), t.tmp.path().join("removed")).unwrap();
    let removed_at = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert!(started.elapsed() > removed_at + Duration::from_millis(100), "the build ended before the run was removed");
    assert_eq!(whole_site(&t.out()), 2, "{said}");
    assert!(!t.out().join(format!("v/{doomed}")).exists(), "no pages of the removed run");
    assert!(!said.contains(&format!("{doomed}/")), "no warning per file of the removed run: {said}");
}

/// A build that fills the disk fails naming the file it could not write, and
/// leaves the previous site whole, with no staging folder behind. The output
/// lives on a small tmpfs mounted in a mount namespace of the test's own
/// (`unshare`), so nothing on the machine fills up.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_fails_the_build_naming_the_file_and_keeps_the_site() {
    let t = Tree::new();
    small_version(&t, "v1");
    let disk = t.tmp.path().join("disk");
    fs::create_dir(&disk).unwrap();
    let bin = env!("CARGO_BIN_EXE_artsite");
    let script = format!(
        "set -u
mount -t tmpfs -o size=1m tmpfs disk || exit 90
{bin} build -q --root artifacts --out disk/public; echo \"first=$?\"
mkdir -p artifacts/v2/data && head -c 3000000 /dev/urandom > artifacts/v2/data/blob.bin
{bin} build -q --root artifacts --out disk/public 2> second.txt; echo \"second=$?\"
cp disk/public/.artsite-output marker.json; ls -a disk > listing.txt"
    );
    let as_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut unshare = Command::new("unshare");
    unshare.arg("--mount");
    if !as_root {
        unshare.arg("--map-root-user");
    }
    let out = unshare.args(["sh", "-c", &script]).current_dir(t.tmp.path()).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("first=0"), "the first build fits: {said}{}", stderr(&out));
    assert!(said.contains("second=1"), "the second build fails: {said}{}", stderr(&out));
    let second = fs::read_to_string(t.tmp.path().join("second.txt")).unwrap();
    assert!(second.contains("No space left on device"), "{second}");
    // The copies run in parallel: whichever write met the full disk first is named.
    assert!(second.contains(" disk/.public.artsite-staging-"), "the message names the file: {second}");
    assert!(second.contains("the previous output is left as it was"), "{second}");
    let marker: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.tmp.path().join("marker.json")).unwrap()).unwrap();
    assert_eq!(marker["versions"], 1, "the first site, whole");
    let listing = fs::read_to_string(t.tmp.path().join("listing.txt")).unwrap();
    assert!(!listing.contains("artsite-staging"), "no staging folder left: {listing}");
}
