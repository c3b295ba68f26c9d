//! Configuration files: the engine file, routing rules and payers, each read and checked on its
//! own, and the span-aware document that reports every problem as `file:line: field: reason`.
//! It knows no connector, mapping or rule; a whole deployment root, with its channel files and
//! the checks across files, is loaded by `channel::deployment`.

pub mod checks;
pub mod engine;
pub mod payer;
pub mod problem;
pub mod routes;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use engine::EngineConfig;
pub use problem::{ConfigErrors, Problem};
pub use routes::RoutesConfig;

use problem::Document;

/// Path of the engine file under the root.
pub const ENGINE_FILE: &str = "config/switchboard.toml";
/// Path of the routing file under the root.
pub const ROUTES_FILE: &str = "config/routes.toml";
/// Folder of channel files under the root.
pub const CHANNELS_DIR: &str = "channels";
/// Folder of payer files under the root.
pub const PAYERS_DIR: &str = "config/payers";

/// Environment variables that override the engine file.
pub mod env {
    /// Overrides `store.url`.
    pub const STORE_URL: &str = "SWITCHBOARD_STORE_URL";
    /// Overrides `http.listen`.
    pub const HTTP_ADDR: &str = "SWITCHBOARD_HTTP_ADDR";
    /// Overrides `log.level`.
    pub const LOG_LEVEL: &str = "SWITCHBOARD_LOG_LEVEL";
    /// Overrides `data_dir`.
    pub const DATA_DIR: &str = "SWITCHBOARD_DATA_DIR";
}

/// Reads one file, deserializes it and runs `validate`, pushing every problem found.
pub(crate) fn load_checked<T: serde::de::DeserializeOwned>(
    file: &Path,
    problems: &mut Vec<Problem>,
    validate: impl Fn(&T, &Document<'_>) -> Vec<Problem>,
) -> Option<T> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => {
            problems.push(Problem {
                file: file.to_path_buf(),
                line: None,
                field: String::new(),
                reason: format!("cannot read: {err}"),
            });
            return None;
        }
    };
    match parse_checked(file, &text, validate) {
        Ok(value) => Some(value),
        Err(found) => {
            problems.extend(found);
            None
        }
    }
}

/// Parses `text` (the contents of `file`), deserializes it and runs `validate`.
pub(crate) fn parse_checked<T: serde::de::DeserializeOwned>(
    file: &Path,
    text: &str,
    validate: impl Fn(&T, &Document<'_>) -> Vec<Problem>,
) -> Result<T, Vec<Problem>> {
    let doc = Document::parse(file, text).map_err(|p| vec![p])?;
    let value = doc.deserialize::<T>().map_err(|p| vec![p])?;
    let problems = validate(&value, &doc);
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}

/// The `*.toml` files of a folder, sorted by name.
pub fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// What is wrong with a payer, including a channel that does not exist (when `channels` is
/// known).
pub(crate) fn payer_problems(
    payer: &payer::PayerConfig,
    doc: &Document<'_>,
    channels: Option<&BTreeSet<String>>,
) -> Vec<Problem> {
    let mut found = payer.validate(doc);
    if channels.is_some_and(|channels| !channels.contains(&payer.channel)) {
        found.push(doc.problem("channel", format!("no channel named '{}'", payer.channel)));
    }
    found
}

/// Parses and validates the text of one payer file against the deployed channels.
pub fn parse_payer(
    file: &Path,
    text: &str,
    channels: &BTreeSet<String>,
) -> Result<payer::PayerConfig, Vec<Problem>> {
    parse_checked(file, text, |payer: &payer::PayerConfig, doc| {
        payer_problems(payer, doc, Some(channels))
    })
}

/// Reads one payer file on its own, without checking that its channel exists.
pub fn read_payer_file(file: &Path) -> Result<payer::PayerConfig, ConfigErrors> {
    let text = std::fs::read_to_string(file).map_err(|err| {
        ConfigErrors(vec![Problem {
            file: file.to_path_buf(),
            line: None,
            field: String::new(),
            reason: format!("cannot read: {err}"),
        }])
    })?;
    parse_checked(file, &text, |payer: &payer::PayerConfig, doc| {
        payer_problems(payer, doc, None)
    })
    .map_err(ConfigErrors)
}

/// Applies the environment overrides ([`env`]) to the engine settings; a path they give must
/// stay under `root` like one in the file (or in a folder its `[paths] allow` names).
pub(crate) fn apply_env(
    engine: &mut EngineConfig,
    env: &impl Fn(&str) -> Option<String>,
    root: &Path,
    problems: &mut Vec<Problem>,
) {
    if let Some(url) = env(env::STORE_URL) {
        engine.store.url = Some(url);
    }
    if let Some(addr) = env(env::HTTP_ADDR) {
        match addr.parse() {
            Ok(addr) => engine.http.listen = addr,
            Err(_) => problems.push(Problem {
                file: PathBuf::from(format!("${}", env::HTTP_ADDR)),
                line: None,
                field: "http.listen".to_string(),
                reason: format!("'{addr}' is not an address such as 127.0.0.1:8080"),
            }),
        }
    }
    if let Some(level) = env(env::LOG_LEVEL) {
        engine.log.level = level;
    }
    if let Some(dir) = env(env::DATA_DIR) {
        engine.data_dir = PathBuf::from(dir);
    }
    // The file's own paths were checked with the file; these come from the environment.
    for (field, path) in engine.paths_outside(root) {
        let variable = if field == "data_dir" {
            env::DATA_DIR
        } else {
            env::STORE_URL
        };
        if env(variable).is_none() {
            continue;
        }
        problems.push(Problem {
            file: PathBuf::from(format!("${variable}")),
            line: None,
            field: field.to_string(),
            reason: format!("{} {}", path.display(), checks::ROOT_RULE),
        });
    }
}
