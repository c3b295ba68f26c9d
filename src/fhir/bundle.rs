//! Bundles: searchset answers, and `POST /fhir` with a transaction (all or nothing, in one
//! database transaction, `urn:uuid:` references between entries resolved) or a batch (each
//! entry on its own).

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::index;
use super::kinds::{Kind, ServedType};
use super::outcome::{FhirError, outcome};
use super::resources::instant;
use super::search::Search;
use super::service::{CanonicalWrite, Outcome, check_type, read_resource, write_deferred};
use super::store::{PendingWrite, save_writes};
use super::versioned::{
    self, HistoryQuery, Operation, StoredWrite, Target, Version, new_id, search_query,
};
use super::writer::{WriteRequest, write_one};
use crate::config::engine::BillingConfig;
use crate::store::Store;
use crate::store::audit::{AuditRecord, record_audits_on};
use crate::store::sql::Sql;
use crate::store::tokens::Principal;

/// The searchset Bundle of `search`: a page of matches with the total, paging links, and the
/// resources its `_include`s name.
pub async fn searchset(
    store: &Store,
    billing: Option<&BillingConfig>,
    base: &str,
    search: &Search,
) -> Result<Value, FhirError> {
    let kind = search.kind;
    let (total, keys) = search.run(store).await?;
    let mut entries = Vec::new();
    let mut matches = Vec::new();
    let mut keys_found = Vec::new();
    for key in keys {
        if let Some(served) = read_resource(store, billing, kind, &key).await? {
            entries.push(entry(base, kind.name(), &key, &served.resource, "match"));
            matches.push(served.resource);
            keys_found.push(key);
        }
    }
    let mut included = HashSet::new();
    for name in &search.includes {
        let Some(include) = kind.includes().iter().find(|i| i.name == *name) else {
            continue;
        };
        for resource in &matches {
            let mut references = Vec::new();
            references_at(resource, include.path, &mut references);
            for reference in references {
                let mut parts = reference.rsplit('/');
                let (Some(id), Some(type_name)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let Some(target) = Kind::parse(type_name) else {
                    continue;
                };
                if !included.insert(format!("{type_name}/{id}")) {
                    continue;
                }
                if let Some(served) = read_resource(store, billing, target, id).await? {
                    entries.push(entry(base, type_name, id, &served.resource, "include"));
                }
            }
        }
    }
    if !search.revincludes.is_empty() {
        let mut conn = store.pool().acquire().await?;
        for (source, param) in &search.revincludes {
            let found =
                index::revinclude(&mut *conn, source, param, kind.name(), &keys_found).await?;
            for (id, resource) in found {
                entries.push(entry(base, source, &id, &resource, "include"));
            }
        }
    }
    Ok(searchset_page(
        base,
        kind.name(),
        Page {
            total,
            offset: search.offset,
            count: search.count,
        },
        &|offset| search.query_string(offset),
        entries,
    ))
}

/// Where a searchset page stands: the total matches, the results skipped and the page size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    /// Every match.
    pub total: i64,
    /// Matches skipped before this page.
    pub offset: i64,
    /// Page size.
    pub count: i64,
}

/// A searchset Bundle of `entries` with its total and `self`/`next`/`previous` links to
/// `{base}/{type_name}?{query(offset)}`.
pub(crate) fn searchset_page(
    base: &str,
    type_name: &str,
    page: Page,
    query: &dyn Fn(i64) -> String,
    entries: Vec<Value>,
) -> Value {
    let mut bundle = bundle_of("searchset", entries);
    bundle["total"] = json!(page.total);
    bundle["link"] = paging_links(
        |offset| format!("{base}/{type_name}?{}", query(offset)),
        page.offset,
        page.count,
        page.total,
    );
    bundle
}

/// The history Bundle of `versions` (a page of `query`, newest first, `total` in all): each
/// entry with the interaction that made it; `path` is the history's URL below the base (e.g.
/// `Observation/1/_history`), for the paging links.
pub fn history(
    base: &str,
    path: &str,
    query: &HistoryQuery,
    total: i64,
    versions: &[Version],
) -> Value {
    let entries = versions
        .iter()
        .map(|version| {
            let location = version.location();
            let status = match version.method.as_str() {
                "DELETE" => StatusCode::NO_CONTENT,
                "POST" => StatusCode::CREATED,
                _ if version.version == 1 => StatusCode::CREATED,
                _ => StatusCode::OK,
            };
            let url = if version.method == "POST" {
                version.resource_type.clone()
            } else {
                location.clone()
            };
            let mut entry = json!({
                "fullUrl": format!("{base}/{location}"),
                "request": {"method": version.method, "url": url},
                "response": {
                    "status": status_line(status),
                    "etag": format!("W/\"{}\"", version.version),
                    "lastModified": instant(version.updated_at),
                },
            });
            if let Some(resource) = &version.resource {
                entry["resource"] = resource.clone();
            }
            entry
        })
        .collect();
    let url = |offset| format!("{base}/{path}?{}", query.query_string(offset));
    let mut bundle = bundle_of("history", entries);
    bundle["total"] = json!(total);
    bundle["link"] = paging_links(url, query.offset, query.count, total);
    bundle
}

/// The `self`, `next` and `previous` links of a page of `count` at `offset` of `total`;
/// `url` makes the URL of the page at an offset.
fn paging_links(url: impl Fn(i64) -> String, offset: i64, count: i64, total: i64) -> Value {
    let link = |relation: &str, offset: i64| json!({"relation": relation, "url": url(offset)});
    let mut links = vec![link("self", offset)];
    let next = offset.saturating_add(count);
    if count > 0 && next < total {
        links.push(link("next", next));
    }
    if offset > 0 {
        links.push(link("previous", offset.saturating_sub(count).max(0)));
    }
    Value::Array(links)
}

/// A Bundle of `kind` with `entries` (FHIR has no empty arrays: none means no `entry`).
fn bundle_of(kind: &str, entries: Vec<Value>) -> Value {
    let mut bundle = json!({"resourceType": "Bundle", "type": kind});
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}

/// A searchset entry of `type_name`/`id`, found as `mode` (`match` or `include`).
pub(crate) fn entry(base: &str, type_name: &str, id: &str, resource: &Value, mode: &str) -> Value {
    json!({
        "fullUrl": format!("{base}/{type_name}/{id}"),
        "resource": resource,
        "search": {"mode": mode},
    })
}

/// The `reference` strings found at `path` (`*` expands an array).
fn references_at<'a>(value: &'a Value, path: &[&str], out: &mut Vec<&'a str>) {
    match path.split_first() {
        None => out.extend(value.get("reference").and_then(Value::as_str)),
        Some((&"*", rest)) => {
            for item in value.as_array().into_iter().flatten() {
                references_at(item, rest, out);
            }
        }
        Some((key, rest)) => {
            if let Some(child) = value.get(*key) {
                references_at(child, rest, out);
            }
        }
    }
}

/// One entry of a transaction or batch, checked.
#[derive(Debug, Clone)]
struct Planned {
    full_url: Option<String>,
    method: &'static str,
    /// Order of the entry's write in a transaction (see [`Kind::write_rank`]); the stored
    /// types come after the canonical ones, deletes first.
    rank: u8,
    /// The write; its resource passed the R4 checks (before any write transaction begins).
    write: WriteRequest,
}

impl Planned {
    /// What the entry's resource will be called, when that is known before it is written (a
    /// create of a stored type has its id assigned when planned).
    fn known_location(&self) -> Option<String> {
        match &self.write {
            WriteRequest::Stored(StoredWrite {
                type_name,
                target: Target::New(id) | Target::Id(id),
                ..
            }) => Some(format!("{type_name}/{id}")),
            WriteRequest::Stored(_) | WriteRequest::Canonical(_) => None,
        }
    }
}

fn plan(entry: &Value) -> Result<Planned, FhirError> {
    let request = entry
        .get("request")
        .ok_or_else(|| FhirError::invalid("request is required"))?;
    let method = match request.get("method").and_then(Value::as_str) {
        Some("POST") => "POST",
        Some("PUT") => "PUT",
        Some("DELETE") => "DELETE",
        Some(other) => {
            return Err(FhirError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "not-supported",
                format!(
                    "request.method {other} is not supported in a Bundle (POST, PUT and DELETE are)"
                ),
            ));
        }
        None => return Err(FhirError::invalid("request.method is required")),
    };
    let url = request
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| FhirError::invalid("request.url is required"))?;
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (url, None),
    };
    let mut parts = path.trim_matches('/').split('/');
    let type_name = parts.next().unwrap_or_default();
    let served = ServedType::parse(type_name).ok_or_else(|| {
        FhirError::not_found(format!("resource type '{type_name}' is not supported"))
    })?;
    let id = parts.next().map(str::to_string);
    if parts.next().is_some() || (method == "POST" || query.is_some()) == id.is_some() {
        return Err(FhirError::invalid(format!(
            "request.url '{url}': POST takes Type, PUT and DELETE take Type/id or Type?search"
        )));
    }
    let if_none_exist = request.get("ifNoneExist").and_then(Value::as_str);
    let conditional = query.is_some() || if_none_exist.is_some();
    if conditional && let ServedType::Canonical(kind) = served {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            format!("{} takes no conditional request", kind.name()),
        ));
    }
    let if_match = match request.get("ifMatch").and_then(Value::as_str) {
        Some(text) => Some(
            text.trim_start_matches("W/")
                .trim_matches('"')
                .parse::<i64>()
                .map_err(|_| {
                    FhirError::bad_request(format!("ifMatch '{text}' is not W/\"version\""))
                })?,
        ),
        None => None,
    };
    let full_url = entry
        .get("fullUrl")
        .and_then(Value::as_str)
        .map(str::to_string);
    let resource = || {
        entry
            .get("resource")
            .filter(|r| r.is_object())
            .cloned()
            .ok_or_else(|| FhirError::invalid("resource is required"))
    };
    let (rank, write) = match served {
        ServedType::Canonical(kind) => {
            if method == "DELETE" {
                return Err(FhirError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "not-supported",
                    format!("{} cannot be deleted in a Bundle", kind.name()),
                ));
            }
            let resource = resource()?;
            let checked = check_type(served, &resource)?;
            let write = CanonicalWrite {
                checked,
                id,
                expected: if_match,
                resource,
            };
            (kind.write_rank(), WriteRequest::Canonical(write))
        }
        ServedType::Stored(type_name) => {
            let operation = if method == "DELETE" {
                Operation::Delete
            } else {
                let resource = resource()?;
                let checked = check_type(served, &resource)?;
                Operation::Put {
                    checked,
                    resource,
                    method,
                }
            };
            let target = match (id, query, if_none_exist) {
                (Some(id), _, _) => Target::Id(id),
                (None, Some(query), _) => Target::Matching {
                    id: match &operation {
                        Operation::Put { resource, .. } => resource
                            .get("id")
                            .and_then(Value::as_str)
                            .map_or_else(new_id, str::to_string),
                        Operation::Delete => String::new(),
                    },
                    query: search_query(query)?,
                },
                (None, None, Some(text)) => Target::IfNoneExist {
                    id: new_id(),
                    query: search_query(text)?,
                },
                (None, None, None) => Target::New(new_id()),
            };
            let rank = match (&operation, conditional) {
                (Operation::Delete, _) => STORED_RANK,
                (_, true) => STORED_RANK + 1,
                (_, false) => STORED_RANK + 2,
            };
            let write = StoredWrite {
                type_name,
                target,
                operation,
                expected: if_match,
                message_id: None,
            };
            (rank, WriteRequest::Stored(write))
        }
    };
    Ok(Planned {
        full_url,
        method,
        rank,
        write,
    })
}

/// Write rank of the deletes of stored types: after every canonical type; their conditional
/// writes come next (what they write is known only then), and the other writes last.
const STORED_RANK: u8 = 4;

/// Replaces references to other entries' `urn:` fullUrls by what they became.
fn resolve(value: &mut Value, written: &HashMap<String, String>) -> Result<(), FhirError> {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "reference"
                    && let Value::String(reference) = child
                    && reference.starts_with("urn:")
                {
                    let location = written.get(reference.as_str()).ok_or_else(|| {
                        FhirError::invalid(format!(
                            "reference {reference} names no entry of this transaction"
                        ))
                    })?;
                    *reference = location.clone();
                } else {
                    resolve(child, written)?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                resolve(item, written)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Names the entry an error is about.
fn at_entry(mut error: FhirError, index: usize) -> FhirError {
    for issue in &mut error.issues {
        issue.diagnostics = format!("Bundle.entry[{index}]: {}", issue.diagnostics);
        issue.expression = Some(format!("Bundle.entry[{index}]"));
    }
    error
}

/// Processes a transaction or batch Bundle; answers its response Bundle. Each entry's write is
/// audited in the database transaction that makes it.
pub async fn process(
    store: &Store,
    principal: &Principal,
    bundle: &Value,
) -> Result<Value, FhirError> {
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(FhirError::invalid("POST /fhir takes a Bundle"));
    }
    let entries: &[Value] = match bundle.get("entry") {
        None => &[],
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(FhirError::invalid("Bundle.entry must be an array")),
    };
    match bundle.get("type").and_then(Value::as_str) {
        Some("transaction") => transaction(store, principal, entries).await,
        Some("batch") => Ok(batch(store, principal, entries).await),
        other => Err(FhirError::invalid(format!(
            "Bundle.type {} is not transaction or batch",
            other.unwrap_or("(missing)")
        ))),
    }
}

async fn transaction(
    store: &Store,
    principal: &Principal,
    entries: &[Value],
) -> Result<Value, FhirError> {
    let planned = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| plan(entry).map_err(|e| at_entry(e, index)))
        .collect::<Result<Vec<_>, _>>()?;
    let principal = principal.clone();
    let done = store
        .write_transaction(move |conn| {
            Box::pin(async move { transaction_on(conn, &principal, &planned).await })
        })
        .await?;
    let answers = done.iter().map(response_entry).collect();
    Ok(bundle_of("transaction-response", answers))
}

/// Writes a transaction's entries, what each wrote and their audit entries in the caller's
/// transaction; the first entry that fails fails it all.
async fn transaction_on(
    conn: &mut dyn Sql,
    principal: &Principal,
    planned: &[Planned],
) -> Result<Vec<Outcome>, FhirError> {
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| planned[i].rank);
    // Entries whose name is known before they are written may be referred to by any other.
    let mut written: HashMap<String, String> = planned
        .iter()
        .filter_map(|entry| Some((entry.full_url.clone()?, entry.known_location()?)))
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; planned.len()];
    // Which entry wrote each resource, to refuse a transaction that writes one resource twice
    // (its entries would contradict each other); what canonical entries wrote is saved together
    // before the commit.
    let mut locations: HashMap<String, usize> = HashMap::new();
    let mut writes: Vec<PendingWrite> = Vec::new();
    for index in order {
        let entry = &planned[index];
        let done = match &entry.write {
            WriteRequest::Canonical(write) => {
                let mut write = write.clone();
                resolve(&mut write.resource, &written).map_err(|err| at_entry(err, index))?;
                let (done, pending) = write_deferred(conn, &write)
                    .await
                    .map_err(|err| at_entry(err, index))?;
                writes.push(pending);
                done
            }
            WriteRequest::Stored(write) => {
                let mut write = write.clone();
                if let Operation::Put { resource, .. } = &mut write.operation {
                    resolve(resource, &written).map_err(|err| at_entry(err, index))?;
                }
                versioned::write(conn, &write)
                    .await
                    .map_err(|err| at_entry(err, index))?
            }
        };
        // A conditional delete that matched nothing wrote nothing.
        let wrote = done.version > 0;
        if wrote && let Some(first) = locations.insert(done.location.clone(), index) {
            return Err(at_entry(
                FhirError::bad_request(format!(
                    "{} is also written by Bundle.entry[{first}]; a transaction writes each resource once",
                    done.location
                )),
                index,
            ));
        }
        if let Some(full_url) = &entry.full_url {
            written.insert(full_url.clone(), done.location.clone());
        }
        outcomes[index] = Some(done);
    }
    save_writes(conn, &writes).await?;
    let done = outcomes
        .into_iter()
        .collect::<Option<Vec<Outcome>>>()
        .ok_or_else(|| FhirError::internal("a transaction entry was skipped"))?;
    let resources: Vec<String> = done.iter().map(audited_resource).collect();
    let audits: Vec<AuditRecord> = planned
        .iter()
        .zip(&done)
        .zip(&resources)
        .map(|((entry, done), resource)| audit_record(principal, entry.method, resource, done))
        .collect();
    record_audits_on(conn, &audits).await?;
    Ok(done)
}

async fn batch(store: &Store, principal: &Principal, entries: &[Value]) -> Value {
    let mut answers = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let answer = match batch_entry(store, principal, entry).await {
            Ok(done) => response_entry(&done),
            Err(err) => {
                let err = at_entry(err, index);
                json!({"response": {
                    "status": status_line(err.status),
                    "outcome": outcome(&err.issues),
                }})
            }
        };
        answers.push(answer);
    }
    bundle_of("batch-response", answers)
}

async fn batch_entry(
    store: &Store,
    principal: &Principal,
    entry: &Value,
) -> Result<Outcome, FhirError> {
    let entry = plan(entry)?;
    let principal = principal.clone();
    store
        .write_transaction(move |conn| {
            Box::pin(async move {
                let done = write_one(conn, &entry.write).await?;
                let resource = audited_resource(&done);
                let record = audit_record(&principal, entry.method, &resource, &done);
                record_audits_on(conn, &[record]).await?;
                Ok(done)
            })
        })
        .await
}

fn status_line(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default()
    )
}

fn response_entry(done: &Outcome) -> Value {
    if done.status == StatusCode::NO_CONTENT {
        return json!({"response": {"status": status_line(done.status)}});
    }
    let mut response = json!({
        "status": status_line(done.status),
        "location": format!("{}/_history/{}", done.location, done.version),
        "etag": format!("W/\"{}\"", done.version),
    });
    if !done.warnings.is_empty() {
        response["outcome"] = outcome(&done.warnings);
    }
    json!({"response": response})
}

/// What the audit log names for an entry's write.
fn audited_resource(done: &Outcome) -> String {
    format!("/fhir/{}", done.location)
}

/// Each entry of a Bundle is a write of its own in the audit log.
fn audit_record<'a>(
    principal: &'a Principal,
    method: &'a str,
    resource: &'a str,
    done: &Outcome,
) -> AuditRecord<'a> {
    AuditRecord {
        actor: Some(&principal.name),
        role: Some(principal.role.as_str()),
        action: method,
        resource,
        remote_addr: None,
        outcome: done.status.as_u16(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_references_resolve_or_are_refused() {
        let mut written = HashMap::new();
        written.insert("urn:uuid:1".to_string(), "Patient/7".to_string());
        let mut resource =
            json!({"subject": {"reference": "urn:uuid:1"}, "x": [{"reference": "Patient/2"}]});
        resolve(&mut resource, &written).unwrap();
        assert_eq!(resource["subject"]["reference"], "Patient/7");
        assert_eq!(resource["x"][0]["reference"], "Patient/2");
        let mut dangling = json!({"subject": {"reference": "urn:uuid:9"}});
        assert_eq!(resolve(&mut dangling, &written).unwrap_err().status, 422);
    }

    #[test]
    fn entries_need_a_method_and_a_url_that_fit() {
        let entry = |method: &str, url: &str| json!({"request": {"method": method, "url": url}, "resource": {"resourceType": "Patient"}});
        assert!(plan(&entry("POST", "Patient")).is_ok());
        assert!(plan(&entry("PUT", "Patient/3")).is_ok());
        assert_eq!(plan(&entry("POST", "Patient/3")).unwrap_err().status, 422);
        assert_eq!(plan(&entry("DELETE", "Patient/3")).unwrap_err().status, 405);
        assert_eq!(plan(&entry("PATCH", "Patient/3")).unwrap_err().status, 405);
        assert_eq!(plan(&entry("POST", "Bogus")).unwrap_err().status, 404);
        let observation = |method: &str, url: &str| json!({"request": {"method": method, "url": url}, "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}});
        let created = plan(&observation("POST", "Observation")).unwrap();
        assert!(
            created
                .known_location()
                .unwrap()
                .starts_with("Observation/")
        );
        assert!(created.rank > Kind::ChargeItem.write_rank());
        let deleted =
            plan(&json!({"request": {"method": "DELETE", "url": "Observation/9"}})).unwrap();
        assert!(deleted.rank < created.rank);
        assert_eq!(
            plan(&observation("DELETE", "Observation"))
                .unwrap_err()
                .status,
            422
        );
        let conditional = plan(&observation(
            "PUT",
            "Observation?code=http://loinc.org%7C1-8",
        ))
        .unwrap();
        assert_eq!(conditional.known_location(), None);
        assert!(deleted.rank < conditional.rank && conditional.rank < created.rank);
        let WriteRequest::Stored(StoredWrite {
            target: Target::Matching { query, .. },
            ..
        }) = conditional.write
        else {
            panic!("a conditional update");
        };
        assert_eq!(
            query,
            vec![("code".to_string(), "http://loinc.org|1-8".to_string())]
        );
        assert_eq!(
            plan(&entry("PUT", "Patient?identifier=1"))
                .unwrap_err()
                .status,
            405
        );
    }
}
