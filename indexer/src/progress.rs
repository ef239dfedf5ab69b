//! A tiny progress display for ingest: a redrawn bar on a terminal, log lines elsewhere
//! (files, CI, journald), where carriage returns would be noise.

use std::io::{IsTerminal, Write};

use crate::practice::Progress;

const BAR_WIDTH: usize = 30;
/// Longest path tail shown beside the bar.
const PATH_CHARS: usize = 40;

/// Draws ingest progress on stderr; hand [`ProgressBar::update`] to `Index::add_paths`.
pub struct ProgressBar {
    terminal: bool,
    last_logged_tenth: Option<usize>,
    drawn: bool,
}

impl Default for ProgressBar {
    fn default() -> Self {
        ProgressBar::new()
    }
}

impl ProgressBar {
    /// A bar when stderr is a terminal, otherwise `tracing::info!` lines every tenth.
    pub fn new() -> ProgressBar {
        ProgressBar {
            terminal: std::io::stderr().is_terminal(),
            last_logged_tenth: None,
            drawn: false,
        }
    }

    pub fn update(&mut self, progress: &Progress) {
        if self.terminal {
            let line = render_line(progress, BAR_WIDTH);
            let mut stderr = std::io::stderr().lock();
            // Padding wipes what a longer previous line left behind.
            let _ = write!(
                stderr,
                "\r{line:<width$}",
                width = BAR_WIDTH + PATH_CHARS + 20
            );
            let _ = stderr.flush();
            self.drawn = true;
            return;
        }
        let tenth = (progress.done * 10)
            .checked_div(progress.total)
            .unwrap_or(10);
        if self.last_logged_tenth != Some(tenth) {
            self.last_logged_tenth = Some(tenth);
            tracing::info!(done = progress.done, total = progress.total, "indexing");
        }
    }

    /// Ends the bar's line so later output starts on a fresh one.
    pub fn finish(&mut self) {
        if self.terminal && self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }
}

/// `[#####-----]  5/10 …/folder/file.md`: the bar, the counts and the current path's tail.
pub fn render_line(progress: &Progress, width: usize) -> String {
    let filled = (progress.done * width)
        .checked_div(progress.total)
        .unwrap_or(width)
        .min(width);
    let path = progress.current.to_string_lossy();
    let count = path.chars().count();
    let tail = if count > PATH_CHARS {
        let skipped: String = path.chars().skip(count - (PATH_CHARS - 1)).collect();
        format!("…{skipped}")
    } else {
        path.into_owned()
    };
    format!(
        "[{}{}] {}/{} {}",
        "#".repeat(filled),
        "-".repeat(width - filled),
        progress.done,
        progress.total,
        tail
    )
    .trim_end()
    .to_string()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn bar_fills_with_progress_and_shortens_long_paths() {
        let progress = Progress {
            done: 5,
            total: 10,
            current: PathBuf::from("a.md"),
        };
        assert_eq!(render_line(&progress, 10), "[#####-----] 5/10 a.md");
        let empty = Progress {
            done: 0,
            total: 0,
            current: PathBuf::new(),
        };
        assert_eq!(render_line(&empty, 4), "[####] 0/0");
        let long = Progress {
            done: 1,
            total: 3,
            current: PathBuf::from(format!("/{}/file.md", "x".repeat(100))),
        };
        let line = render_line(&long, 3);
        assert!(line.starts_with("[#--] 1/3 …"));
        assert!(line.ends_with("x/file.md"));
        assert_eq!(
            line.chars().count(),
            "[#--] 1/3 ".chars().count() + PATH_CHARS
        );
    }
}
