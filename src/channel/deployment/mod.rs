//! A deployment root loaded whole: the engine file, every channel file, the routing rules and
//! the payers, each checked on its own and then across files (mapping references, route
//! targets, payer channels, unique channel names). Start-up, `switchboard check` and hot reload
//! all check through here.

pub mod archive;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::config::ChannelConfig;
use super::pipeline::{Transform, load_filter_scripts};
use crate::config::payer::PayerConfig;
use crate::config::problem::{Document, Problem};
use crate::config::routes::RoutesConfig;
use crate::config::{
    CHANNELS_DIR, ConfigErrors, ENGINE_FILE, EngineConfig, PAYERS_DIR, ROUTES_FILE, apply_env,
    load_checked, parse_checked, payer_problems, toml_files,
};

/// A channel file that loaded and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedChannel {
    /// The file it came from.
    pub file: PathBuf,
    /// Its contents.
    pub config: ChannelConfig,
}

/// The whole configuration of one deployment root: the engine file, every channel, the
/// routing rules and the payers, checked each on its own and across files.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The deployment root (holds `config/`, `channels/`, `mappings/`, `data/`).
    pub root: PathBuf,
    /// The engine settings, with environment overrides applied.
    pub engine: EngineConfig,
    /// Every channel, sorted by name.
    pub channels: Vec<LoadedChannel>,
    /// The routing rules.
    pub routes: RoutesConfig,
    /// The payers, sorted by payer id.
    pub payers: Vec<PayerConfig>,
}

impl Deployment {
    /// Loads and validates everything under `root`, reading overrides from the process environment.
    pub fn load(root: &Path) -> Result<Deployment, ConfigErrors> {
        Self::load_with_env(root, |name| std::env::var(name).ok())
    }

    /// Like [`Deployment::load`], with environment lookups supplied by the caller.
    pub fn load_with_env(
        root: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Deployment, ConfigErrors> {
        let mut problems = Vec::new();
        let engine_file = root.join(ENGINE_FILE);
        let mut engine = if engine_file.exists() {
            load_checked(&engine_file, &mut problems, |engine: &EngineConfig, doc| {
                let mut found = engine.validate(doc);
                found.extend(engine.path_problems(root, doc));
                found
            })
            .unwrap_or_default()
        } else {
            EngineConfig::default()
        };
        apply_env(&mut engine, &env, root, &mut problems);

        let before_channels = problems.len();
        let channels = load_channels(root, &mut problems);
        // Route references are only checked against a complete set of channels; otherwise a
        // broken channel file would be reported again as every route that names it.
        let channels_complete = problems.len() == before_channels;
        let names = Names::of(channels.iter().map(|c| &c.config));

        let routes_file = root.join(ROUTES_FILE);
        let routes = if routes_file.exists() {
            load_checked(&routes_file, &mut problems, |routes: &RoutesConfig, doc| {
                if channels_complete {
                    route_problems(routes, doc, &names)
                } else {
                    Vec::new()
                }
            })
            .unwrap_or_default()
        } else {
            RoutesConfig::default()
        };

        let payers = load_payers(root, &names.channels, channels_complete, &mut problems);
        if problems.is_empty() {
            Ok(Deployment {
                root: root.to_path_buf(),
                engine,
                channels,
                routes,
                payers,
            })
        } else {
            Err(ConfigErrors(problems))
        }
    }

    /// The data directory, resolved against the root.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join(&self.engine.data_dir)
    }

    /// The store URL: the configured one (relative SQLite paths resolved against the root) or the
    /// embedded default under the data directory.
    pub fn store_url(&self) -> String {
        match &self.engine.store.url {
            Some(url) => match url.strip_prefix("sqlite://") {
                Some(path) if !path.starts_with('/') && !path.starts_with(':') => {
                    format!("sqlite://{}", self.root.join(path).display())
                }
                _ => url.clone(),
            },
            None => format!(
                "sqlite://{}",
                self.data_dir().join("switchboard.db").display()
            ),
        }
    }
}

/// Parses and validates the text of one channel file, including its mapping reference.
pub fn parse_channel(root: &Path, file: &Path, text: &str) -> Result<ChannelConfig, Vec<Problem>> {
    parse_checked(file, text, |config: &ChannelConfig, doc| {
        let mut problems = config.validate(doc);
        if let Some(transform) = &config.transform
            && [&transform.mapping, &transform.edit, &transform.script]
                .iter()
                .any(|name| name.is_some())
            && let Err((field, reason)) = Transform::load(root, transform)
        {
            problems.push(doc.problem(field, reason));
        }
        if let Err((field, reason)) = load_filter_scripts(root, &config.filters) {
            problems.push(doc.problem(field, reason));
        }
        problems
    })
}

/// Loads every `*.toml` in the channels folder, checking names are unique across files.
fn load_channels(root: &Path, problems: &mut Vec<Problem>) -> Vec<LoadedChannel> {
    let dir = root.join(CHANNELS_DIR);
    let files = match toml_files(&dir) {
        Ok(files) => files,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => {
            problems.push(Problem {
                file: dir.clone(),
                line: None,
                field: String::new(),
                reason: format!("cannot list channel files: {err}"),
            });
            Vec::new()
        }
    };
    let mut by_name: BTreeMap<String, LoadedChannel> = BTreeMap::new();
    for file in files {
        let parsed = std::fs::read_to_string(&file)
            .map_err(|err| {
                vec![Problem {
                    file: file.clone(),
                    line: None,
                    field: String::new(),
                    reason: format!("cannot read: {err}"),
                }]
            })
            .and_then(|text| parse_channel(root, &file, &text));
        let config = match parsed {
            Ok(config) => config,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        if let Some(first) = by_name.get(&config.name) {
            problems.push(Problem {
                file: file.clone(),
                line: None,
                field: "name".to_string(),
                reason: format!(
                    "channel name '{}' is already used by {}",
                    config.name,
                    first.file.display()
                ),
            });
            continue;
        }
        by_name.insert(config.name.clone(), LoadedChannel { file, config });
    }
    by_name.into_values().collect()
}

/// Loads every `config/payers/*.toml`; payer ids must be unique and name existing channels.
fn load_payers(
    root: &Path,
    channels: &BTreeSet<String>,
    check_channels: bool,
    problems: &mut Vec<Problem>,
) -> Vec<PayerConfig> {
    let files = toml_files(&root.join(PAYERS_DIR)).unwrap_or_default();
    let mut payers: Vec<PayerConfig> = Vec::new();
    for file in files {
        let loaded = load_checked(&file, problems, |payer: &PayerConfig, doc| {
            payer_problems(payer, doc, check_channels.then_some(channels))
        });
        let Some(payer) = loaded else { continue };
        if payers.iter().any(|p| p.payer_id == payer.payer_id) {
            problems.push(Problem {
                file: file.clone(),
                line: None,
                field: "payer_id".into(),
                reason: format!(
                    "payer id '{}' is used by another payer file",
                    payer.payer_id
                ),
            });
            continue;
        }
        payers.push(payer);
    }
    payers.sort_by(|a, b| a.payer_id.cmp(&b.payer_id));
    payers
}

/// What other files refer to: every channel by name and every destination as
/// `channel.destination`.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Channel names.
    pub channels: BTreeSet<String>,
    /// `channel.destination` of every destination.
    pub destinations: BTreeSet<String>,
}

impl Names {
    /// The names of `channels`.
    pub fn of<'a>(channels: impl IntoIterator<Item = &'a ChannelConfig>) -> Names {
        let mut names = Names::default();
        for channel in channels {
            names.channels.insert(channel.name.clone());
            for destination in &channel.destinations {
                names
                    .destinations
                    .insert(format!("{}.{}", channel.name, destination.name));
            }
        }
        names
    }
}

/// The routing rules' references checked against the channels: every named channel and
/// destination must exist.
pub fn route_problems(routes: &RoutesConfig, doc: &Document<'_>, names: &Names) -> Vec<Problem> {
    routes.validate(doc, &names.channels, &names.destinations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::config::TransformOutput;
    use crate::message::Message;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn empty_root_uses_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let config = Deployment::load_with_env(dir.path(), |_| None).unwrap();
        assert!(config.channels.is_empty());
        assert!(config.store_url().ends_with("data/switchboard.db"));
    }

    #[test]
    fn env_overrides_apply() {
        let dir = tempfile::tempdir().unwrap();
        let config = Deployment::load_with_env(dir.path(), |name| match name {
            crate::config::env::STORE_URL => Some("postgres://x@h/db".to_string()),
            crate::config::env::HTTP_ADDR => Some("0.0.0.0:9999".to_string()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.store_url(), "postgres://x@h/db");
        assert_eq!(config.engine.http.listen.port(), 9999);
    }

    #[test]
    fn every_problem_in_every_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ENGINE_FILE, "[http]\nlisten = \"nope\"\n");
        write(
            dir.path(),
            "channels/a.toml",
            "name = \"a\"\n[source]\ntype = \"file\"\nfolder = \"../../etc\"\n",
        );
        write(
            dir.path(),
            "channels/b.toml",
            "name = \"b\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:2575\"\nmax_frame_byte = 5\n",
        );
        write(
            dir.path(),
            ROUTES_FILE,
            "[[rule_set]]\nname = \"s\"\ndefault = [\"zz.y\"]\n",
        );
        let errors = Deployment::load_with_env(dir.path(), |_| None).unwrap_err();
        let text = errors.to_string();
        assert!(text.contains("switchboard.toml:2: http.listen"), "{text}");
        assert!(
            text.contains("a.toml:4: source.folder: must be a relative path"),
            "{text}"
        );
        assert!(
            text.contains("a.toml: destinations: a channel needs"),
            "{text}"
        );
        assert!(
            text.contains("b.toml:5: source.max_frame_byte: unknown field"),
            "{text}"
        );
        assert_eq!(errors.0.len(), 4, "{text}");
    }

    #[test]
    fn a_fhir_transform_needs_an_hl7_mapping_and_no_store_destination() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for mapping in ["hl7v2-canonical", "fhir-patient"] {
            let file = format!("mappings/{mapping}.toml");
            write(
                dir.path(),
                &file,
                &std::fs::read_to_string(repo.join(&file)).unwrap(),
            );
        }
        let channel = |mapping: &str, destination: &str| {
            format!(
                "name = \"c\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:9\"\n\
                 [transform]\nmapping = \"{mapping}\"\noutput = \"fhir\"\n\
                 [[destinations]]\n{destination}\n"
            )
        };
        let file = dir.path().join("channels/c.toml");
        let http = "type = \"http\"\nname = \"partner\"\nurl = \"http://127.0.0.1:9/fhir\"";
        let config = parse_channel(dir.path(), &file, &channel("hl7v2-canonical", http)).unwrap();
        assert_eq!(config.transform.unwrap().output(), TransformOutput::Fhir);
        let problems = |text: String| -> String {
            parse_channel(dir.path(), &file, &text)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let text = problems(channel(
            "hl7v2-canonical",
            "type = \"store\"\nname = \"canonical\"",
        ));
        assert!(
            text.contains("destinations[0].type: a store destination takes canonical records"),
            "{text}"
        );
        let text = problems(channel("fhir-patient", http));
        assert!(
            text.contains("transform.output: output \"fhir\" converts HL7 v2 messages; mapping 'fhir-patient' reads fhir"),
            "{text}"
        );
    }

    #[test]
    fn configured_paths_stay_under_the_root_unless_the_engine_file_allows_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = elsewhere.path().join("data");
        let engine = |extra: &str| {
            format!(
                "data_dir = \"{}\"\n[store]\nurl = \"sqlite://../other.db?mode=rwc\"\n{extra}",
                outside.display()
            )
        };
        write(dir.path(), ENGINE_FILE, &engine(""));
        let text = Deployment::load_with_env(dir.path(), |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains(&format!(
                "switchboard.toml:1: data_dir: {} must stay under the deployment root",
                outside.display()
            )),
            "{text}"
        );
        assert!(
            text.contains("switchboard.toml:3: store.url: ../other.db must stay under"),
            "{text}"
        );

        // The engine's own file may allow folders outside the root (absolute ones only).
        let allow = format!(
            "[paths]\nallow = [\"{}\", \"{}\"]\n",
            elsewhere.path().display(),
            dir.path().parent().unwrap().display()
        );
        write(dir.path(), ENGINE_FILE, &engine(&allow));
        let config = Deployment::load_with_env(dir.path(), |_| None).unwrap();
        assert_eq!(config.data_dir(), outside);
        write(
            dir.path(),
            ENGINE_FILE,
            "[paths]\nallow = [\"relative/folder\"]\n",
        );
        let text = Deployment::load_with_env(dir.path(), |_| None)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("switchboard.toml:2: paths.allow[0]: must be an absolute path"),
            "{text}"
        );

        // The environment is held to the same rule, and named as the source.
        std::fs::remove_file(dir.path().join(ENGINE_FILE)).unwrap();
        let errors = Deployment::load_with_env(dir.path(), |name| {
            (name == crate::config::env::DATA_DIR).then(|| "/etc/switchboard".to_string())
        })
        .unwrap_err();
        assert_eq!(
            errors.to_string(),
            format!(
                "$SWITCHBOARD_DATA_DIR: data_dir: /etc/switchboard {}",
                crate::config::checks::ROOT_RULE
            )
        );
        let inside = Deployment::load_with_env(dir.path(), |name| {
            (name == crate::config::env::DATA_DIR).then(|| "state/data".to_string())
        })
        .unwrap();
        assert_eq!(inside.data_dir(), dir.path().join("state/data"));
    }

    #[test]
    fn routes_must_name_existing_destinations() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ROUTES_FILE,
            "[[rule_set]]\nname = \"s\"\ndefault = [\"zz.y\"]\n",
        );
        let errors = Deployment::load_with_env(dir.path(), |_| None).unwrap_err();
        assert_eq!(
            errors.to_string(),
            format!(
                "{}:3: rule_set[0].default[0]: no destination 'zz.y' (expected channel.destination)",
                dir.path().join(ROUTES_FILE).display()
            )
        );
    }

    #[test]
    fn duplicate_channel_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let channel = "name = \"same\"\n[source]\ntype = \"amqp\"\nurl = \"amqp://h\"\nqueue = \"q\"\n[[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n";
        write(dir.path(), "channels/one.toml", channel);
        write(dir.path(), "channels/two.toml", channel);
        let errors = Deployment::load_with_env(dir.path(), |_| None).unwrap_err();
        assert!(
            errors
                .to_string()
                .contains("two.toml: name: channel name 'same' is already used")
        );
    }

    #[test]
    fn the_shipped_routes_archive_and_acknowledge_x12_and_nothing_else() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = Deployment::load_with_env(root, |_| None).unwrap();
        let inbox = config
            .channels
            .iter()
            .find(|c| c.config.name == "x12-inbox")
            .unwrap();
        let x12 =
            Message::read(include_bytes!("../../../samples/x12/835-managed-care.x12")).unwrap();
        let route = |message: &Message| {
            crate::routing::route(
                &config.routes,
                &inbox.config.name,
                &inbox.config.destination_names(),
                message,
            )
        };
        let decision = route(&x12);
        assert_eq!(decision.destinations, ["claims", "archive", "acknowledge"]);
        let ack = Message::read(include_bytes!("../../../samples/x12/999-accepted.x12")).unwrap();
        let decision = route(&ack);
        assert_eq!(
            decision.destinations,
            ["claims", "archive"],
            "acknowledgments are not acknowledged"
        );
        let text = Message::read(b"not an interchange").unwrap();
        assert!(route(&text).destinations.is_empty());
    }
}
