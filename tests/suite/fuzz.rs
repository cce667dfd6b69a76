//! The fuzz properties of `fuzz/src/checks.rs` on stable Rust.
//!
//! - Regression tests: every input fuzzing ever broke artsite with, kept in
//!   `fuzz/regressions/{target}/`, runs on every `cargo test`.
//! - `random_inputs` (ignored, so not part of CI): mutates the seeds of
//!   `fuzz/seeds/` at random for `ARTSITE_FUZZ_SECONDS` (default 10) per
//!   target; run it with `bench/fuzz.sh --stable`. A failing input is saved
//!   to `target/fuzz-failures/` to become a regression file.

#[path = "../../fuzz/src/checks.rs"]
#[expect(unreachable_pub, reason = "public in the fuzz crate, whose targets call it")]
mod checks;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 3] =
    [("lenient_json", checks::lenient_json), ("manifest", checks::manifest), ("markdown", checks::markdown)];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn regressions_and_seeds_keep_every_property() {
    let mut ran = 0;
    for (target, check) in TARGETS {
        for kind in ["regressions", "seeds"] {
            for (name, bytes) in files_in(&fuzz_dir().join(kind).join(target)) {
                let result = catch_unwind(AssertUnwindSafe(|| check(&bytes)));
                assert!(result.is_ok(), "{target}: fuzz/{kind}/{target}/{name} fails");
                ran += 1;
            }
        }
    }
    assert!(ran >= 9, "only {ran} inputs");
}

/// xorshift64*: a small, seedable generator, so a run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that make interesting JSON, Markdown and paths when spliced in.
const DICTIONARY: &[&[u8]] = &[
    b"NaN",
    b"-Infinity",
    b"Infinity",
    b"\"",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"artifacts\"",
    b"\"file_path\"",
    b"\"../../etc/passwd\"",
    b"\"/etc/passwd\"",
    b"\"version_id\"",
    b"1e999",
    b"-0",
    b"\xef\xbb\xbf",
    b"\n",
    b"\r",
    b"<script>",
    b"</script>",
    b"javascript:",
    b"](",
    b"![x](",
    b"<img src=",
    b" onerror=",
    b"\xe2\x80\xa8",
    b"\xff",
    b"~1",
    b"~0",
    b"[[[[[[[[",
    b"]]]]]]]]",
    b"\"~\": ",
    b"`",
    b"|---|",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(8) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 if !input.is_empty() => {
                let end = (at + rng.below(16)).min(input.len());
                input.drain(at.min(end)..end);
            }
            1 => input.insert(at, rng.next() as u8),
            2 if at < input.len() => input[at] ^= 1 << rng.below(8),
            3 | 4 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                input.splice(at..at, token.iter().copied());
            }
            5 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let piece = &other[from..(from + rng.below(64)).min(other.len())];
                input.splice(at..at, piece.iter().copied());
            }
            _ if at < input.len() => {
                let end = (at + rng.below(32)).min(input.len());
                let copy = input[at..end].to_vec();
                input.splice(end..end, copy.into_iter().cycle().take(rng.below(256)));
            }
            _ => {}
        }
        input.truncate(64 * 1024);
    }
}

#[test]
#[ignore = "fuzzing for a bounded time, not part of CI: bench/fuzz.sh --stable"]
fn random_inputs() {
    let seconds: u64 = std::env::var("ARTSITE_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("ARTSITE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed);
    let failures = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    let mut failed = Vec::new();
    std::panic::set_hook(Box::new(|_| {}));
    for (target, check) in TARGETS {
        let seeds: Vec<Vec<u8>> = files_in(&fuzz_dir().join("seeds").join(target)).into_iter().map(|f| f.1).collect();
        let mut rng = Rng(seed ^ target.len() as u64);
        let (start, mut runs) = (Instant::now(), 0u64);
        while start.elapsed() < Duration::from_secs(seconds) {
            let mut input = seeds.get(rng.below(seeds.len())).cloned().unwrap_or_default();
            mutate(&mut rng, &seeds, &mut input);
            runs += 1;
            if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
                fs::create_dir_all(failures.join(target)).unwrap();
                let file = failures.join(target).join(format!("crash-{runs}"));
                fs::write(&file, &input).unwrap();
                failed.push(file.display().to_string());
            }
        }
        println!("{target}: {runs} inputs in {seconds} s");
    }
    let _ = std::panic::take_hook();
    assert!(failed.is_empty(), "inputs that break a property (move them to fuzz/regressions/):\n{}", failed.join("\n"));
}
