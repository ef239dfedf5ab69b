//! Where the harness finds the repository and the `pspm` binary it drives.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `pspm` binary built from this workspace (`cargo build -p pspm` comes first: the test
/// script does it).
pub fn pspm_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let path = target.join(profile).join("pspm");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p pspm` (scripts/test does) before the end-to-end tests",
        path.display()
    );
    path
}
