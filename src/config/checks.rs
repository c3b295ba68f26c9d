//! Checks that several configuration files share: names, folders that stay inside their root,
//! cron expressions.

use std::path::{Component, Path, PathBuf};

/// True when `name` is usable as a channel or destination name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True when `folder` is a relative path that stays inside the folder it is joined to.
pub fn stays_inside(folder: &Path) -> bool {
    let mut depth = 0usize;
    for component in folder.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// True when `path`, relative to `root` or absolute, lies under `root` or under one of the
/// `allowed` folders. `.` and `..` are resolved on the path as written (never above `/`);
/// links are not followed, so a link is the business of whoever made it on this machine.
pub fn under_root_or_allowed(root: &Path, path: &Path, allowed: &[PathBuf]) -> bool {
    if path.is_relative() && stays_inside(path) {
        return true;
    }
    let root = lexical_absolute(root);
    let full = lexical_absolute(&root.join(path));
    full.starts_with(&root)
        || allowed
            .iter()
            .any(|folder| full.starts_with(lexical_absolute(folder)))
}

/// `path` made absolute against the working directory, with `.` and `..` resolved as written.
fn lexical_absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What a configured path must be, in words.
pub const ROOT_RULE: &str = "must stay under the deployment root, or under a folder that [paths] allow names in config/switchboard.toml";

/// What [`is_valid_name`] asks for, in words.
pub const NAME_RULE: &str = "must be 1-64 letters, digits, '-' or '_'";
/// What a data folder must be, in words.
pub const FOLDER_RULE: &str = "must be a relative path inside the data directory";

/// Checks a cron expression the way the scheduler will read it.
pub fn check_cron(cron: &str) -> Result<(), String> {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(cron)
        .map(|_| ())
        .map_err(|err| format!("not a cron expression: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_may_not_escape() {
        assert!(stays_inside(Path::new("inbox/x12")));
        assert!(stays_inside(Path::new("a/../b")));
        assert!(!stays_inside(Path::new("../etc")));
        assert!(!stays_inside(Path::new("a/../../b")));
        assert!(!stays_inside(Path::new("/etc")));
    }

    #[test]
    fn configured_paths_stay_under_the_root_or_an_allowed_folder() {
        let root = Path::new("/srv/switchboard");
        let allowed = [PathBuf::from("/var/lib/switchboard")];
        for inside in [
            "data",
            "data/../other",
            "/srv/switchboard/data",
            "/srv/switchboard/./x/../data",
            "/var/lib/switchboard",
            "/var/lib/switchboard/data",
            "../switchboard/data",
        ] {
            assert!(
                under_root_or_allowed(root, Path::new(inside), &allowed),
                "{inside}"
            );
        }
        for outside in [
            "..",
            "../elsewhere",
            "/etc",
            "/srv/switchboard-other",
            "/srv/switchboard/../../etc",
            "/var/lib/switchboard/../../../etc",
            "/var/lib",
        ] {
            assert!(
                !under_root_or_allowed(root, Path::new(outside), &allowed),
                "{outside}"
            );
        }
        assert!(!under_root_or_allowed(
            root,
            Path::new("/var/lib/switchboard"),
            &[]
        ));
    }

    #[test]
    fn names_are_restricted() {
        assert!(is_valid_name("adt-inbound_1"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name("../x"));
    }

    #[test]
    fn cron_is_checked() {
        assert!(check_cron("0 */5 * * * *").is_ok());
        assert!(check_cron("every tuesday").is_err());
    }
}
