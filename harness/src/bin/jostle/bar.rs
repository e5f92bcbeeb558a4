//! The progress bar of `jostle run`, on stderr when it is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jostle_harness::load::{LoadSpec, Progress, Until};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the progress bar is redrawn, in wall time.
const BAR_TICK: Duration = Duration::from_millis(100);

/// A progress bar on stderr, drawn by an OS thread that reads a run's [`Progress`] every
/// [`BAR_TICK`] of wall time: the run never waits on it, and under the paused clock it adds no
/// timer, so it changes nothing of the run.
pub(crate) struct Bar {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Bar {
    /// A bar over the load of `spec` (its duration in milliseconds, or its calls), or `None`
    /// when stderr is not a terminal.
    pub(crate) fn start(file: &Path, spec: &LoadSpec, progress: &Progress) -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let (_, total) = progress.position(spec);
        let unit = match spec.until {
            Until::Elapsed(_) => "ms",
            Until::Calls(_) => "calls",
        };
        // Hidden until styled, so that the first frame already reads as the last ones.
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{prefix} [{wide_bar}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_prefix(file.display().to_string());
        bar.set_message(unit);
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let (stop, stopped) = mpsc::channel::<()>();
        let (progress, spec) = (progress.clone(), spec.clone());
        let thread = std::thread::spawn(move || {
            loop {
                bar.set_position(progress.position(&spec).0);
                if stopped.recv_timeout(BAR_TICK) != Err(mpsc::RecvTimeoutError::Timeout) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Some(Bar { stop, thread })
    }

    /// Clears the bar, before the report is printed.
    pub(crate) fn finish(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}
