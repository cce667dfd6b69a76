//! Progress bars for long steps, drawn on stderr only when asked to.

/// A progress bar over `len` items, labelled `what`; hidden unless `show`.
pub(crate) fn bar(show: bool, len: usize, what: &'static str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    let style = indicatif::ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} ({eta})")
        .expect("a valid progress template")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what);
    bar
}
