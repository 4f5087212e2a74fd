//! What an index run shows on stderr while it works: a progress bar on a terminal
//! (indicatif), and warnings always, sanitised like any corpus text.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::Problem;
use crate::output::sanitize;
use crate::pipeline::Reporter;

/// Reports an index run on stderr: a progress bar on a terminal, warnings always.
pub struct StderrReporter {
    bar: ProgressBar,
}

impl StderrReporter {
    pub fn new(show_progress: bool) -> StderrReporter {
        let bar = if show_progress {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} indexing [{bar:30}] {pos}/{len} files {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        StderrReporter { bar }
    }
}

impl Reporter for StderrReporter {
    fn warn(&self, problem: &Problem) {
        let line = format!(
            "newsearch: warning: {}: {}",
            sanitize(&problem.path),
            sanitize(&problem.reason)
        );
        self.bar.suspend(|| eprintln!("{line}"));
    }

    fn waiting(&self, index: &Path) {
        let line = format!(
            "newsearch: another index run holds {}; waiting for it",
            sanitize(&index.display().to_string())
        );
        self.bar.suspend(|| eprintln!("{line}"));
    }

    fn start(&self, total: u64) {
        self.bar.set_length(total);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
