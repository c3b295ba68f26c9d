//! Checks that several configuration files share: names, folders that stay inside their root,
//! cron expressions.

use std::path::{Component, Path};

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
