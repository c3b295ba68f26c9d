//! The configuration as one archive: `config/*.toml`, `config/payers/*.toml`, `channels/*.toml`,
//! and `mappings/*.toml` and `mappings/*.rhai` (scripts) in a `.tar.gz`. An import is validated as a whole before any file is
//! written, and never writes outside those folders. Its paths stay under the root like any
//! configuration's, and it cannot change `[paths]`, the folders outside the root that the
//! engine's own file allows.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::Deployment;
use crate::config::problem::Document;
use crate::config::{ConfigErrors, ENGINE_FILE, EngineConfig, Problem};

/// Folders (relative to the root) whose `*.toml` files make up the configuration.
const FOLDERS: [&str; 4] = ["config", "config/payers", "channels", "mappings"];

/// Whether `path`, a file of the configuration folder `folder`, belongs to the configuration:
/// a `.toml` file, or a script (`.rhai`) in `mappings/`.
fn is_config_file(folder: &Path, path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "toml" || (e == "rhai" && folder == Path::new("mappings")))
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The archive is not a usable `.tar.gz` of configuration files.
    #[error("{0}")]
    Archive(String),
    /// The configuration in it does not validate.
    #[error("{0}")]
    Invalid(ConfigErrors),
    /// Writing the files failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Every configuration file under `root`, as paths relative to it, sorted.
fn config_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && is_config_file(Path::new(folder), &path) {
                files.push(Path::new(folder).join(entry.file_name()));
            }
        }
    }
    files.sort();
    files
}

/// Builds the archive of the configuration under `root`.
pub fn export(root: &Path) -> std::io::Result<Vec<u8>> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    for relative in config_files(root) {
        builder.append_path_with_name(root.join(&relative), &relative)?;
    }
    builder.into_inner()?.finish()
}

/// True when `path` is `FOLDER/NAME.toml` for one of the configuration folders, or
/// `mappings/NAME.rhai`.
fn allowed(path: &Path) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    FOLDERS.iter().any(|folder| parent == Path::new(folder))
        && is_config_file(parent, path)
        && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            !n.starts_with('.') && crate::config::checks::stays_inside(Path::new(n))
        })
}

/// A problem when the archive's engine file has a `[paths]` other than the engine's own: the
/// folders outside the root that paths may lead to are set on the engine's machine only.
fn changed_paths(root: &Path, staging: &Path) -> Option<Problem> {
    let file = staging.join(ENGINE_FILE);
    // Without an engine file in the archive, the engine's own stays.
    let text = std::fs::read_to_string(&file).ok()?;
    let doc = Document::parse(&file, &text).ok()?;
    // An engine file that does not load is reported by the validation.
    let imported: EngineConfig = doc.deserialize().ok()?;
    let own = std::fs::read_to_string(root.join(ENGINE_FILE))
        .ok()
        .and_then(|text| toml::from_str::<EngineConfig>(&text).ok())
        .map(|engine| engine.paths)
        .unwrap_or_default();
    (imported.paths != own).then(|| {
        doc.problem(
            "paths.allow",
            format!(
                "is {:?} here but {:?} on the engine: [paths] is set in the engine's own config/switchboard.toml, never by an import",
                imported.paths.allow, own.allow
            ),
        )
    })
}

/// Validates the archive's configuration as a whole, as [`import`] would, writing nothing
/// under `root`. Returns the files it would write.
pub fn check(root: &Path, archive: &[u8]) -> Result<Vec<String>, ImportError> {
    let (_, names) = stage(root, archive)?;
    Ok(names.iter().map(|p| p.display().to_string()).collect())
}

/// Validates the archive's configuration as a whole, then replaces the files under `root`:
/// channel and mapping files missing from the archive are removed. Returns the files written.
pub fn import(root: &Path, archive: &[u8]) -> Result<Vec<String>, ImportError> {
    let (staging, names) = stage(root, archive)?;
    for relative in config_files(root) {
        let replaced_folder = relative
            .parent()
            .is_some_and(|p| p == Path::new("channels") || p == Path::new("mappings"));
        if replaced_folder && !names.contains(&relative) {
            std::fs::remove_file(root.join(&relative))?;
        }
    }
    for relative in &names {
        let text = std::fs::read_to_string(staging.path().join(relative))?;
        crate::channel::file::write_atomically(&root.join(relative), text.as_bytes())?;
    }
    Ok(names.iter().map(|p| p.display().to_string()).collect())
}

/// Unpacks the archive into a folder of its own and validates it there as a whole: the
/// folder and the files it holds, relative to it.
fn stage(root: &Path, archive: &[u8]) -> Result<(tempfile::TempDir, Vec<PathBuf>), ImportError> {
    let staging = tempfile::tempdir()?;
    let mut names = Vec::new();
    let mut entries = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let iter = entries
        .entries()
        .map_err(|err| ImportError::Archive(format!("not a .tar.gz archive: {err}")))?;
    for entry in iter {
        let mut entry =
            entry.map_err(|err| ImportError::Archive(format!("broken archive: {err}")))?;
        let path = entry
            .path()
            .map_err(|err| ImportError::Archive(format!("bad file name: {err}")))?
            .into_owned();
        if entry.header().entry_type().is_dir() {
            continue;
        }
        if !allowed(&path) || !entry.header().entry_type().is_file() {
            return Err(ImportError::Archive(format!(
                "{} is not a configuration file (config/, config/payers/, channels/ or mappings/ *.toml, mappings/*.rhai)",
                path.display()
            )));
        }
        let mut text = String::new();
        entry
            .by_ref()
            .take(4 * 1024 * 1024)
            .read_to_string(&mut text)
            .map_err(|err| ImportError::Archive(format!("{}: {err}", path.display())))?;
        let target = staging.path().join(&path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&target, text)?;
        names.push(path);
    }
    if names.is_empty() {
        return Err(ImportError::Archive(
            "the archive holds no configuration files".into(),
        ));
    }
    let mut problems = match Deployment::load_with_env(staging.path(), |_| None) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0,
    };
    problems.extend(changed_paths(root, staging.path()));
    if !problems.is_empty() {
        // Report the files as they are named in the archive.
        for problem in &mut problems {
            if let Ok(relative) = problem.file.strip_prefix(staging.path()) {
                problem.file = relative.to_path_buf();
            }
        }
        return Err(ImportError::Invalid(ConfigErrors(problems)));
    }
    Ok((staging, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configuration_files_are_allowed() {
        assert!(allowed(Path::new("channels/a.toml")));
        assert!(allowed(Path::new("config/payers/acme.toml")));
        assert!(!allowed(Path::new("channels/../etc/a.toml")));
        assert!(!allowed(Path::new("data/x.toml")));
        assert!(!allowed(Path::new("channels/a.sh")));
        assert!(allowed(Path::new("mappings/lab-fixes.rhai")));
        assert!(!allowed(Path::new("channels/a.rhai")));
        assert!(!allowed(Path::new("/channels/a.toml")));
    }

    #[test]
    fn export_then_import_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let archive = export(root).unwrap();
        let target = tempfile::tempdir().unwrap();
        let written = import(target.path(), &archive).unwrap();
        assert!(
            written.iter().any(|f| f == "channels/x12-inbox.toml")
                && written.iter().any(|f| f == "mappings/lab-fixes.rhai"),
            "{written:?}"
        );
        assert!(Deployment::load_with_env(target.path(), |_| None).is_ok());
    }

    /// An archive of `files` (path under the root, contents).
    fn archive_of(files: &[(&str, &str)]) -> Vec<u8> {
        let source = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = source.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        export(source.path()).unwrap()
    }

    #[test]
    fn an_import_keeps_paths_under_the_root_and_cannot_change_the_allowed_folders() {
        let target = tempfile::tempdir().unwrap();
        let own = "[paths]\nallow = [\"/var/lib/switchboard\"]\n";
        std::fs::create_dir_all(target.path().join("config")).unwrap();
        std::fs::write(target.path().join(ENGINE_FILE), own).unwrap();

        let outside = archive_of(&[(ENGINE_FILE, "data_dir = \"/etc\"\n")]);
        let err = import(target.path(), &outside).unwrap_err().to_string();
        assert!(
            err.contains(
                "config/switchboard.toml:1: data_dir: /etc must stay under the deployment root"
            ),
            "{err}"
        );
        // Leaving out [paths] would change it too.
        assert!(
            err.contains("config/switchboard.toml: paths.allow: is [] here but [\"/var/lib/switchboard\"] on the engine"),
            "{err}"
        );

        let widened = archive_of(&[(
            ENGINE_FILE,
            "data_dir = \"/etc\"\n[paths]\nallow = [\"/etc\"]\n",
        )]);
        let err = import(target.path(), &widened).unwrap_err().to_string();
        assert!(
            err.contains("config/switchboard.toml:3: paths.allow: is [\"/etc\"] here but [\"/var/lib/switchboard\"] on the engine: [paths] is set in the engine's own config/switchboard.toml, never by an import"),
            "{err}"
        );
        assert!(
            !err.contains("data_dir"),
            "allowed by the archive's own [paths]: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(target.path().join(ENGINE_FILE)).unwrap(),
            own,
            "nothing written"
        );

        // The same [paths], and a data_dir in a folder it allows, are taken.
        let same = format!("data_dir = \"/var/lib/switchboard/data\"\n{own}");
        import(target.path(), &archive_of(&[(ENGINE_FILE, &same)])).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.path().join(ENGINE_FILE)).unwrap(),
            same
        );
    }

    #[test]
    fn an_invalid_archive_changes_nothing() {
        let source = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(source.path().join("channels")).unwrap();
        std::fs::write(source.path().join("channels/bad.toml"), "name = 5\n").unwrap();
        let archive = export(source.path()).unwrap();
        let target = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(target.path().join("channels")).unwrap();
        std::fs::write(target.path().join("channels/keep.toml"), "x").unwrap();
        let err = import(target.path(), &archive).unwrap_err();
        assert!(
            err.to_string().contains("channels/bad.toml:1: name"),
            "{err}"
        );
        assert!(target.path().join("channels/keep.toml").exists());
    }
}
