//! The engine's modules form layers: each imports only modules of lower layers, so no two
//! modules import each other, directly or through others. This test reads every source file,
//! finds each `crate::` path, and names every import that runs sideways or up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every top-level module of `src/` and its layer, lowest first. A module may import only
/// modules of a lower layer. A new module must be placed here.
const LAYERS: &[(&str, u32)] = &[
    // Wire formats and plain data.
    ("hl7v2", 0),
    ("x12", 0),
    ("canonical", 0),
    ("metrics", 0),
    ("net", 0),
    // One received message, read once.
    ("message", 1),
    // Configuration files, each on its own.
    ("config", 2),
    // Rules over messages: routing, mappings and transforms.
    ("routing", 3),
    ("mapping", 3),
    ("transform", 3),
    // SQL.
    ("store", 4),
    // The revenue cycle's rules over the store.
    ("revenue", 5),
    // FHIR over the store, without HTTP.
    ("fhir", 6),
    // Messages made of the canonical store and of FHIR: canonical events, FHIR to HL7 v2.
    ("outbound", 7),
    // The runtime and its connectors.
    ("channel", 8),
    // HTTP handlers and scheduled jobs.
    ("api", 9),
    ("schedule", 9),
    // Composition.
    ("serve", 10),
    ("commands", 11),
];

/// One `crate::` path: where it is and the module it names.
struct Import {
    file: PathBuf,
    line: usize,
    module: String,
}

/// The top-level module names that `text` imports with `crate::` paths (in `use` lines and
/// in code), with their lines. Comments are skipped.
fn imports_of(file: &Path, text: &str) -> Vec<Import> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let names: Vec<String> = if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .filter_map(|part| first_ident(part.trim()))
                    .collect()
            } else {
                first_ident(after).into_iter().collect()
            };
            for module in names {
                found.push(Import {
                    file: file.to_path_buf(),
                    line: index + 1,
                    module,
                });
            }
            rest = after;
        }
    }
    found
}

fn first_ident(text: &str) -> Option<String> {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty()).then_some(ident)
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable source folder")
        .map(|entry| entry.expect("readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        if first == "lib.rs" || first == "main.rs" {
            continue;
        }
        let module = first.trim_end_matches(".rs");
        let Some(&layer) = layers.get(module) else {
            problems.push(format!("src/{module}: not placed in LAYERS"));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable source file");
        for import in imports_of(file, &text) {
            if import.module == module {
                continue;
            }
            match layers.get(import.module.as_str()) {
                Some(&target) if target < layer => {}
                Some(&target) => problems.push(format!(
                    "{}:{}: {module} (layer {layer}) imports {} (layer {target})",
                    import.file.display(),
                    import.line,
                    import.module
                )),
                None => problems.push(format!(
                    "{}:{}: {module} imports crate::{}, which is not in LAYERS",
                    import.file.display(),
                    import.line,
                    import.module
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports against the layers:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_import_reader_finds_paths_and_groups() {
    let text = "use crate::store::Store;\n\
                use crate::{hl7v2, x12::Tokenizer};\n\
                // crate::api is only mentioned here\n\
                let x = crate::revenue::claims::submit(); // crate::fhir\n";
    let found: Vec<(usize, String)> = imports_of(Path::new("x.rs"), text)
        .into_iter()
        .map(|i| (i.line, i.module))
        .collect();
    assert_eq!(
        found,
        [
            (1, "store".to_string()),
            (2, "hl7v2".to_string()),
            (2, "x12".to_string()),
            (4, "revenue".to_string()),
        ]
    );
}
