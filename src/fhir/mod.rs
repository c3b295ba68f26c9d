//! FHIR R4 over the one canonical store: resources read and written, searched and bundled,
//! without HTTP (its face is `api::fhir`).
//!
//! Resources are parsed and checked with `fhir-sdk` (R4B, wire-compatible with R4 for the types
//! served) plus our own check for elements the model drops; writes go through the canonical
//! upserts and keep the JSON as sent; reads of records that came from HL7 v2 or X12 are
//! generated from the canonical records.

pub mod bundle;
pub mod clinical;
pub mod export;
pub mod from_hl7v2;
pub mod index;
pub mod kinds;
pub mod outcome;
pub mod params;
pub mod patch;
pub mod resources;
pub mod search;
pub mod service;
pub mod store;
pub mod stored_search;
pub mod validate;
pub mod versioned;
pub mod writer;

use serde_json::{Value, json};

use kinds::{Kind, stored_type};

/// The interactions of the types kept as versioned JSON, as CapabilityStatement codes.
pub const STORED_INTERACTIONS: [&str; 9] = [
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
];

/// The CapabilityStatement entries of the types kept as versioned JSON: every R4 type the model
/// knows that has no canonical table, with every version kept, and the search parameters the
/// R4 specification defines for it.
fn stored_resources() -> impl Iterator<Item = Value> {
    validate::MODEL_TYPES
        .iter()
        .filter_map(|name| stored_type(name))
        .map(|name| {
            json!({
                "type": name,
                "interaction": STORED_INTERACTIONS.iter().map(|code| json!({"code": code})).collect::<Vec<_>>(),
                "versioning": "versioned",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": true,
                "conditionalUpdate": true,
                "conditionalDelete": "multiple",
                "searchParam": params::params(name).iter().map(|p| json!({
                    "name": p.code,
                    "type": p.kind.name(),
                    "documentation": p.expression,
                })).collect::<Vec<_>>(),
            })
        })
}

/// The CapabilityStatement, generated from the same table the handlers dispatch on.
pub fn capability_statement() -> Value {
    let resources: Vec<Value> = Kind::ALL
        .iter()
        .map(|kind| {
            json!({
                "type": kind.name(),
                "interaction": kind.interactions().iter().map(|code| json!({"code": code})).collect::<Vec<_>>(),
                "versioning": if kind.writable() { "versioned" } else { "no-version" },
                // Canonical types keep only their current version: no history; vread answers
                // the current version only.
                "readHistory": false,
                "updateCreate": false,
                "conditionalCreate": false,
                "conditionalUpdate": false,
                "conditionalDelete": "not-supported",
                "searchInclude": kind.includes().iter().map(|i| format!("{}:{}", kind.name(), i.name)).collect::<Vec<_>>(),
                "searchParam": kind.search_params().iter().map(|p| json!({
                    "name": p.name,
                    "type": p.filter.fhir_type(),
                    "documentation": p.doc,
                })).collect::<Vec<_>>(),
            })
        })
        .chain(stored_resources())
        .collect();
    let mut statement = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": time::OffsetDateTime::now_utc().date().to_string(),
        "kind": "instance",
        "software": {"name": "Switchboard", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "Switchboard FHIR R4 server over its canonical store"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": false,
                "description": "Bearer API tokens: reads need the viewer role, writes the operator role",
            },
            "resource": resources,
            "interaction": [{"code": "transaction"}, {"code": "batch"}, {"code": "history-system"}],
            "searchParam": [
                {"name": "_count", "type": "number", "documentation": "page size (default 20, at most 200)"},
                {"name": "_offset", "type": "number", "documentation": "results skipped (paging)"},
            ],
        }],
    });
    resources::prune(&mut statement);
    statement
}
