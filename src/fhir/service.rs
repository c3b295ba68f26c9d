//! The FHIR REST interactions over the store, without HTTP: read a resource (as written, or
//! generated from the canonical records) and write one (validated, upserted into the
//! canonical store, versioned). The HTTP face is `api::fhir`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::kinds::{Kind, ServedType};
use super::outcome::{FhirError, Issue};
use super::resources::{generate, instant, write};
use super::store::{
    PendingWrite, canonical_state, current_version, plan_write, save_writes, version_now, written,
};
use super::validate::validate_type;
use crate::config::engine::BillingConfig;
use crate::store::sql::Sql;
use crate::store::{Change, Store};

/// A resource as served: with its id, version and last change.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// The resource, meta included.
    pub resource: Value,
    /// Its version, for writable types.
    pub version: Option<i64>,
}

/// Reads `kind/id`: what a client wrote while it still describes the canonical record, else
/// generated from the canonical record. `None` when there is no such resource.
pub async fn read_resource(
    store: &Store,
    billing: Option<&BillingConfig>,
    kind: Kind,
    id: &str,
) -> Result<Option<Served>, FhirError> {
    let Some(target) = kind.target(id) else {
        return Ok(None);
    };
    let Some(generated) = generate(store, billing, kind, &target).await? else {
        return Ok(None);
    };
    let mut version = None;
    let mut resource = generated.resource;
    if kind.writable() {
        let mut conn = store.pool().acquire().await?;
        let Some((revision, _)) = canonical_state(&mut *conn, &target).await? else {
            return Ok(None);
        };
        let written = written(&mut *conn, kind, id).await?;
        let (current, as_written) = current_version(written.as_ref(), revision);
        if as_written && let Some(written) = written {
            resource = written.raw;
        }
        version = Some(current);
    }
    resource["id"] = json!(id);
    let mut meta = resource
        .get("meta")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    meta["lastUpdated"] = json!(instant(generated.updated_at));
    if let Some(version) = version {
        meta["versionId"] = json!(version.to_string());
    }
    resource["meta"] = meta;
    Ok(Some(Served { resource, version }))
}

/// What one create or update did, for the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `Type/id`.
    pub location: String,
    /// The new version.
    pub version: i64,
    /// 201 when created, else 200.
    pub status: StatusCode,
    /// Warnings (unknown elements).
    pub warnings: Vec<Issue>,
}

/// A resource of a writable type that passed the R4 checks, and their warnings. Resources are
/// checked before the write transaction begins, so the write lock is never held while one is
/// validated.
#[derive(Debug, Clone)]
pub struct Checked {
    served: ServedType,
    warnings: Vec<Issue>,
}

impl Checked {
    /// The type checked.
    pub fn served(&self) -> ServedType {
        self.served
    }

    /// The warnings of the check (unknown elements).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }
}

/// Checks `resource` for writing as a `kind`: the type must be writable (405 otherwise) and the
/// resource valid R4 (400 with the issues otherwise).
pub fn check(kind: Kind, resource: &Value) -> Result<Checked, FhirError> {
    check_type(ServedType::Canonical(kind), resource)
}

/// Checks `resource` for writing as `served`, canonical (as [`check`]) or stored (any valid R4
/// resource of the type).
pub fn check_type(served: ServedType, resource: &Value) -> Result<Checked, FhirError> {
    if let ServedType::Canonical(kind) = served
        && !kind.writable()
    {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            format!("{} is read-only", kind.name()),
        ));
    }
    let warnings = validate_type(served.name(), resource)?;
    Ok(Checked { served, warnings })
}

/// One create or update of a canonical resource that passed [`check`].
#[derive(Debug, Clone)]
pub struct CanonicalWrite {
    /// The checked type and its warnings.
    pub checked: Checked,
    /// The resource updated; `None` for a create.
    pub id: Option<String>,
    /// The version an update expects (`If-Match`): 412 when the resource is at another.
    pub expected: Option<i64>,
    /// The resource.
    pub resource: Value,
}

/// Writes one resource in the caller's transaction: a create when `request.id` is `None`,
/// else an update of it (refused with 412 unless `request.expected` matches its version).
pub async fn write_one(conn: &mut dyn Sql, request: &CanonicalWrite) -> Result<Outcome, FhirError> {
    let (outcome, pending) = write_deferred(conn, request).await?;
    save_writes(conn, &[pending]).await?;
    Ok(outcome)
}

/// As [`write_one`], but the record of the resource as written is answered rather than saved:
/// a Bundle saves all of its entries' records together.
pub async fn write_deferred(
    conn: &mut dyn Sql,
    request: &CanonicalWrite,
) -> Result<(Outcome, PendingWrite), FhirError> {
    let CanonicalWrite {
        checked,
        id,
        expected,
        resource,
    } = request;
    let id = id.as_deref();
    let expected = *expected;
    let ServedType::Canonical(kind) = checked.served else {
        return Err(FhirError::internal(format!(
            "{} is no canonical type",
            checked.served.name()
        )));
    };
    let warnings = checked.warnings.clone();
    let target = match id {
        Some(id) => {
            if let Some(sent) = resource.get("id").and_then(Value::as_str)
                && sent != id
            {
                return Err(FhirError::bad_request(format!(
                    "the resource's id '{sent}' differs from the id '{id}' in the URL"
                )));
            }
            let target = kind.target(id).ok_or_else(|| {
                FhirError::not_found(format!("{}/{id} does not exist", kind.name()))
            })?;
            let Some(version) = version_now(conn, kind, &target).await? else {
                return Err(FhirError::not_found(format!(
                    "{}/{id} does not exist; create it with POST",
                    kind.name()
                )));
            };
            if let Some(expected) = expected
                && expected != version
            {
                return Err(FhirError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "conflict",
                    format!(
                        "{}/{id} is at version {version}, not {expected}",
                        kind.name()
                    ),
                ));
            }
            Some(target)
        }
        None => None,
    };
    let landed = write(conn, kind, resource, target.as_ref()).await?;
    let mut raw = resource.clone();
    let logical_id = landed.target.logical_id();
    raw["id"] = json!(logical_id);
    keep_client_meta(&mut raw);
    let pending = plan_write(conn, kind, &landed.target, landed.change, &raw).await?;
    let outcome = Outcome {
        location: pending.resource(),
        version: pending.version,
        status: if landed.change == Change::Created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        warnings,
    };
    Ok((outcome, pending))
}

/// Keeps what a client wrote in `meta` (`profile`, `source`, `security`, `tag`) and drops what
/// the server sets on every read (`versionId`, `lastUpdated`); an empty `meta` goes.
fn keep_client_meta(resource: &mut Value) {
    let Some(map) = resource.as_object_mut() else {
        return;
    };
    let keep = match map.get_mut("meta") {
        Some(Value::Object(meta)) => {
            meta.remove("versionId");
            meta.remove("lastUpdated");
            !meta.is_empty()
        }
        _ => false,
    };
    if !keep {
        map.remove("meta");
    }
}
