//! Tidy: the rules ARCHITECTURE.md states, kept by the build. It reads every Rust source of the
//! workspace and fails on an import a layer must not make, a file without its `//!` sentence, a
//! file over [`MAX_LINES`], or a TODO that names no issue; and the README, on a table split in
//! two by a blank line (the rest renders as text). Plain `cargo test`, no homeserver.

use std::path::{Path, PathBuf};

/// Longest source file, in lines: past it a file holds more than one idea.
const MAX_LINES: usize = 900;

/// Where a dependency may be imported, by path prefix; nowhere else.
const ONLY_IN: &[(&str, &[&str])] = &[
    // The tests' encrypting client is a stakeholder's Element, not the bot's adapter.
    (
        "matrix_sdk",
        &[
            "bot/src/matrix/",
            "tests/src/encrypted.rs",
            "tests/tests/encryption.rs",
        ],
    ),
    ("ruma", &["bot/src/matrix/", "tests/src/encrypted.rs"]),
    ("sled", &["bot/src/store/"]),
    ("tantivy", &["indexer/"]),
    ("axum", &["bot/src/app/http/", "tests/src/key_delay.rs"]),
    ("prometheus_client", &["bot/src/telemetry.rs"]),
    ("calamine", &["bot/src/import/source.rs"]),
];

/// What the pure domain never touches: the adapters, I/O, and clocks (time is passed in).
const DOMAIN_FORBIDS: &[&str] = &[
    "crate::matrix",
    "crate::store",
    "crate::app",
    "crate::practice_index",
    "crate::telemetry",
    "tokio",
    "reqwest",
    "std::fs",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "std::process",
    "std::thread",
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
];

/// What the renderers and the configuration never touch.
const PURE_FORBIDS: &[&str] = &["crate::domain", "tokio", "reqwest", "TcpStream", "Utc::now"];

/// Domain files that may reach into `command/`: the engine dispatches messages to it, and
/// the gate asks whether a message is a command.
const COMMAND_CALLERS: &[&str] = &[
    "bot/src/domain/engine.rs",
    "bot/src/domain/authority.rs",
    "bot/src/domain/mod.rs",
];

/// What a command file may import from `command/`: the shared parts, and the one command it
/// extends (`!promote` is `!propose` on a quoted message, `!more` the next page of `!search`).
const COMMAND_SHARED: &[&str] = &["arguments", "ctx", "parse_error", "spec", "table"];
const COMMAND_EXTENDS: &[(&str, &str)] = &[("promote", "propose"), ("more", "search")];

#[test]
fn the_workspace_keeps_its_architecture_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent");
    let mut files = Vec::new();
    for top in ["bot", "config", "indexer", "tests"] {
        rust_files(&root.join(top), &mut files);
    }
    assert!(files.len() > 50, "found only {} sources", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let relative = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        problems.extend(check(&relative, &text));
    }
    assert!(problems.is_empty(), "tidy:\n{}", problems.join("\n"));
}

#[test]
fn each_rule_catches_what_it_forbids() {
    // Each bad file, and the words of the problem it must be reported for.
    let bad: [(&str, &str, &str); 12] = [
        (
            "bot/src/domain/x.rs",
            "//! x\nuse sled::Db;\n",
            "`sled` is only for",
        ),
        (
            "bot/src/domain/x.rs",
            "//! x\nfn f() { let _ = chrono::Utc::now(); }\n",
            "`Utc::now` is not for this layer",
        ),
        (
            "bot/src/domain/x.rs",
            "//! x\nuse crate::store::Store;\n",
            "`crate::store` is not for this layer",
        ),
        (
            "bot/src/domain/x.rs",
            "//! x\nfn quote() -> char { '\"' } use crate::store::Store;\n",
            "`crate::store` is not for this layer",
        ),
        (
            "bot/src/domain/votes.rs",
            "//! x\nuse super::command::Ctx;\n",
            "only the engine and the gate",
        ),
        (
            "bot/src/domain/command/vote.rs",
            "//! x\nuse super::propose::create;\n",
            "imports command `propose`",
        ),
        (
            "bot/src/render/x.rs",
            "//! x\nuse crate::domain::State;\n",
            "`crate::domain` is not for this layer",
        ),
        (
            "bot/src/store/x.rs",
            "//! x\nfn f(_: matrix_sdk::Client) {}\n",
            "`matrix_sdk` is only for",
        ),
        (
            "bot/src/x.rs",
            "//! x\nuse tantivy::Index;\n",
            "`tantivy` is only for",
        ),
        (
            "indexer/src/x.rs",
            "use tantivy::Index;\n",
            "no `//!` sentence",
        ),
        (
            "config/src/x.rs",
            "//! x\n// TODO: later\n",
            "TODO without an issue",
        ),
        (
            "bot/src/x.rs",
            &format!("//! x\n{}", "\n".repeat(MAX_LINES + 1)),
            "lines (at most 900)",
        ),
    ];
    for (path, text, expected) in bad {
        let problems = check(path, text);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{path}: {text:?} should be reported for {expected:?}, got {problems:?}"
        );
    }
    let good = [
        ("bot/src/matrix/x.rs", "//! x\nuse matrix_sdk::Client;\n"),
        (
            "bot/src/domain/x.rs",
            "//! x\n// Utc::now() is not called here.\nconst S: &str = \"std::fs\";\n",
        ),
        (
            "bot/src/domain/command/promote.rs",
            "//! x\nuse super::propose::create;\n",
        ),
        ("config/src/x.rs", "//! x\n// TODO(#14): later\n"),
    ];
    for (path, text) in good {
        assert_eq!(check(path, text), Vec::<String>::new(), "{path}");
    }
}

#[test]
fn the_readme_tables_are_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let problems = split_tables("README.md", &readme);
    assert!(problems.is_empty(), "tidy:\n{}", problems.join("\n"));
    let split = "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n| 3 | 4 |\n";
    assert_eq!(
        split_tables("x.md", split),
        ["x.md:5: a table row after a blank line: the table is split, and this row renders as text"]
    );
    let two_tables = "| a |\n| --- |\n| 1 |\n\n| b |\n| --- |\n| 2 |\n";
    assert_eq!(split_tables("x.md", two_tables), Vec::<String>::new());
}

/// Table rows in Markdown that follow a table and a blank line without a header of their own.
fn split_tables(path: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let is_row = |line: &str| line.trim_start().starts_with('|');
    let mut problems = Vec::new();
    for at in 2..lines.len() {
        let after_table = is_row(lines[at - 2]) && lines[at - 1].trim().is_empty();
        let has_header = lines
            .get(at + 1)
            .is_some_and(|next| next.trim_start().starts_with("| -"));
        if after_table && is_row(lines[at]) && !has_header {
            problems.push(format!(
                "{path}:{}: a table row after a blank line: the table is split, and this row renders as text",
                at + 1
            ));
        }
    }
    problems
}

/// Every problem of one file, each as `path:line: what`.
fn check(path: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if !text.trim_start().starts_with("//!") {
        problems.push(format!(
            "{path}: no `//!` sentence saying what the file is for"
        ));
    }
    let lines = text.lines().count();
    if lines > MAX_LINES {
        problems.push(format!(
            "{path}: {lines} lines (at most {MAX_LINES}): split it by idea"
        ));
    }
    // This file names the markers it looks for.
    let markers: &[&str] = if path == "tests/tests/tidy.rs" {
        &[]
    } else {
        &["TODO", "FIXME", "XXX"]
    };
    for (number, line) in text.lines().enumerate() {
        let at = format!("{path}:{}", number + 1);
        for marker in markers {
            if line.contains(marker) && !line.contains(&format!("{marker}(#")) {
                problems.push(format!(
                    "{at}: {marker} without an issue, write {marker}(#n)"
                ));
            }
        }
        let code = code_of(line);
        for (dependency, places) in ONLY_IN {
            let used = code.contains(&format!("{dependency}::"))
                || code.contains(&format!("use {dependency}"));
            if used && !places.iter().any(|place| path.starts_with(place)) {
                problems.push(format!("{at}: `{dependency}` is only for {places:?}"));
            }
        }
        let forbidden: &[&str] = if path.starts_with("bot/src/domain/") {
            DOMAIN_FORBIDS
        } else if path.starts_with("bot/src/render/") || path.starts_with("config/") {
            PURE_FORBIDS
        } else if path.starts_with("bot/src/store/") {
            &["crate::matrix"]
        } else {
            &[]
        };
        for name in forbidden {
            if code.contains(name) {
                problems.push(format!("{at}: `{name}` is not for this layer"));
            }
        }
        problems.extend(command_import(path, &code).map(|what| format!("{at}: {what}")));
    }
    problems
}

/// A forbidden import into or inside `command/`, if the line makes one.
fn command_import(path: &str, code: &str) -> Option<String> {
    let in_domain = path.starts_with("bot/src/domain/");
    let in_commands = path.starts_with("bot/src/domain/command/");
    if in_domain
        && !in_commands
        && !COMMAND_CALLERS.contains(&path)
        && !path.ends_with("_tests.rs")
        && !path.ends_with("/tests.rs")
        && (code.contains("command::") || code.contains("use super::command"))
    {
        return Some("only the engine and the gate reach into `command/`".to_owned());
    }
    if !in_commands || path.ends_with("/tests.rs") || path.ends_with("/mod.rs") {
        return None;
    }
    let file = path.rsplit('/').next()?.trim_end_matches(".rs");
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        rest = &rest[at + "super::".len()..];
        let module: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let imports_a_module = rest[module.len()..].starts_with("::");
        let allowed = COMMAND_SHARED.contains(&module.as_str())
            || COMMAND_EXTENDS.contains(&(file, module.as_str()));
        if imports_a_module && !allowed {
            return Some(format!(
                "`{file}` imports command `{module}`: share it through ctx/arguments"
            ));
        }
    }
    None
}

/// A line without its comment and the insides of its string literals.
fn code_of(line: &str) -> String {
    let mut code = String::with_capacity(line.len());
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => {
                in_string = !in_string;
                code.push('"');
            }
            // A quote character (`'"'`) does not open a string.
            '\'' if !in_string && chars.clone().take(2).eq(['"', '\'']) => {
                chars.next();
                chars.next();
                code.push_str("' '");
            }
            '/' if !in_string && chars.peek() == Some(&'/') => break,
            _ if in_string => {}
            _ => code.push(c),
        }
    }
    code
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "snapshots" && !name.to_string_lossy().starts_with('.') {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
