//! The resources of every R4 type without a canonical table (Observation, Condition,
//! Appointment, ...), kept as validated JSON with every version: `fhir_versions` holds each
//! version (a delete is a version without JSON, a tombstone), `fhir_current` the current one.
//!
//! A write makes one version row, moves the current row to it and rewrites the resource's
//! search index, in the caller's transaction. `meta.versionId` and `meta.lastUpdated` are set
//! here and kept in the stored JSON, so every version reads back as it was served.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::index;
use super::kinds::{ServedType, stored_type};
use super::outcome::{FhirError, Issue};
use super::resources::instant;
use super::search::{DEFAULT_COUNT, MAX_COUNT, MAX_OFFSET, encode, number};
use super::service::{Checked, Outcome, check_type};
use crate::store::now_millis;
use crate::store::sql::{Row, Sql, first_row};
use crate::store::upsert::Value as SqlValue;

/// One version of a stored resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// The resource type.
    pub resource_type: String,
    /// The logical id.
    pub id: String,
    /// The version number (1, 2, ...).
    pub version: i64,
    /// The interaction that made it: POST, PUT, PATCH or DELETE.
    pub method: String,
    /// The resource as served (meta included); `None` for a delete.
    pub resource: Option<Value>,
    /// When it was made, Unix ms.
    pub updated_at: i64,
}

impl Version {
    fn from_row(row: &Row) -> Result<Version, FhirError> {
        let resource = match row.opt_text("raw")? {
            Some(raw) => Some(serde_json::from_str(&raw).map_err(FhirError::internal)?),
            None => None,
        };
        Ok(Version {
            resource_type: row.text("resource_type")?,
            id: row.text("logical_id")?,
            version: row.int("version")?,
            method: row.text("method")?,
            resource,
            updated_at: row.int("updated_at")?,
        })
    }

    /// `Type/id`.
    pub fn location(&self) -> String {
        format!("{}/{}", self.resource_type, self.id)
    }
}

/// A new server-assigned logical id: a random UUID (version 4).
pub fn new_id() -> String {
    uuid(rand::random(), 4)
}

/// `bytes` as a UUID of `version` (the RFC 9562 variant), in its hyphenated text form.
pub fn uuid(mut bytes: [u8; 16], version: u8) -> String {
    bytes[6] = (bytes[6] & 0x0f) | (version << 4);
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Checks a client's logical id: 1 to 64 of `A-Z a-z 0-9 - .` (the R4 `id` type); 400 otherwise.
pub fn check_id(id: &str) -> Result<(), FhirError> {
    let valid = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if valid {
        Ok(())
    } else {
        Err(FhirError::bad_request(format!(
            "'{id}' is not a valid id (1 to 64 letters, digits, '-' or '.')"
        )))
    }
}

const VERSION_COLUMNS: &str = "resource_type, logical_id, version, method, raw, updated_at";

/// The latest version of `type_name/id`, which may be a delete; `None` when it never existed.
pub async fn read(
    conn: &mut dyn Sql,
    type_name: &str,
    id: &str,
) -> Result<Option<Version>, FhirError> {
    let sql = "SELECT v.resource_type, v.logical_id, v.version, v.method, v.raw, v.updated_at \
               FROM fhir_current c JOIN fhir_versions v ON v.resource_type = c.resource_type \
               AND v.logical_id = c.logical_id AND v.version = c.version \
               WHERE c.resource_type = $1 AND c.logical_id = $2";
    let row = first_row(conn, sql, &[type_name.into(), id.into()]).await?;
    row.as_ref().map(Version::from_row).transpose()
}

/// The current resource `type_name/id` as served, or `None` when it does not exist or was
/// deleted.
pub async fn read_current(
    conn: &mut dyn Sql,
    type_name: &str,
    id: &str,
) -> Result<Option<Value>, FhirError> {
    Ok(read(conn, type_name, id).await?.and_then(|v| v.resource))
}

/// Version `version` of `type_name/id` (vread); `None` when there is no such version.
pub async fn read_version(
    conn: &mut dyn Sql,
    type_name: &str,
    id: &str,
    version: i64,
) -> Result<Option<Version>, FhirError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM fhir_versions \
         WHERE resource_type = $1 AND logical_id = $2 AND version = $3"
    );
    let row = first_row(conn, &sql, &[type_name.into(), id.into(), version.into()]).await?;
    row.as_ref().map(Version::from_row).transpose()
}

/// The versions inbound message `message_id` made (HL7 v2 clinical content), in the order they
/// were written.
pub async fn made_by_message(
    conn: &mut dyn Sql,
    message_id: i64,
) -> Result<Vec<Version>, FhirError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM fhir_versions WHERE message_id = $1 ORDER BY id LIMIT 1000"
    );
    let rows = conn.rows(&sql, &[message_id.into()]).await?;
    rows.iter().map(Version::from_row).collect()
}

/// Which versions a history asks for: of one resource, one type or every stored type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// The type, for type- and instance-level history.
    pub type_name: Option<&'static str>,
    /// The logical id, for instance-level history (with `type_name`).
    pub id: Option<String>,
    /// Only versions made at or after this instant (Unix ms, `_since`).
    pub since: Option<i64>,
    /// Page size (`_count`).
    pub count: i64,
    /// Versions skipped (`_offset`).
    pub offset: i64,
}

impl HistoryQuery {
    /// Reads the query string of a history interaction (`_count`, `_offset`, `_since`); other
    /// parameters are refused (400).
    pub fn parse(
        type_name: Option<&'static str>,
        id: Option<String>,
        pairs: &[(String, String)],
    ) -> Result<HistoryQuery, FhirError> {
        let mut query = HistoryQuery {
            type_name,
            id,
            since: None,
            count: DEFAULT_COUNT,
            offset: 0,
        };
        for (name, value) in pairs {
            match name.as_str() {
                "_count" => query.count = number(name, value, i64::MAX)?.clamp(0, MAX_COUNT),
                "_offset" => query.offset = number(name, value, MAX_OFFSET)?,
                "_since" => query.since = Some(parse_instant(value)?),
                "_format" if value.contains("json") => {}
                _ => {
                    return Err(FhirError::bad_request(format!(
                        "'{name}' is not a history parameter (_count, _since, _offset are)"
                    )));
                }
            }
        }
        Ok(query)
    }

    /// The query string of this history at `offset`, for paging links.
    pub fn query_string(&self, offset: i64) -> String {
        let mut pairs = vec![
            format!("_count={}", self.count),
            format!("_offset={offset}"),
        ];
        if let Some(since) = self.since {
            pairs.push(format!("_since={}", encode(&instant(since))));
        }
        pairs.join("&")
    }
}

/// A FHIR instant (`2024-05-01T10:00:00Z`, an offset or fractions allowed) as Unix ms; 400
/// otherwise.
fn parse_instant(text: &str) -> Result<i64, FhirError> {
    let parsed = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            FhirError::bad_request(format!(
                "_since '{text}' is not an instant (as 2024-05-01T10:00:00Z)"
            ))
        })?;
    i64::try_from(parsed.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| FhirError::bad_request(format!("_since '{text}' is out of range")))
}

/// The versions `query` asks for, newest first: the total and this page.
pub async fn history(
    conn: &mut dyn Sql,
    query: &HistoryQuery,
) -> Result<(i64, Vec<Version>), FhirError> {
    let mut conditions = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    let mut condition = |column: &str, value: SqlValue, operator: &str| {
        values.push(value);
        conditions.push(format!("{column} {operator} ${}", values.len()));
    };
    if let Some(type_name) = query.type_name {
        condition("resource_type", type_name.into(), "=");
    }
    if let Some(id) = &query.id {
        condition("logical_id", id.into(), "=");
    }
    if let Some(since) = query.since {
        condition("updated_at", since.into(), ">=");
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let total = first_row(
        conn,
        &format!("SELECT COUNT(*) AS total FROM fhir_versions{filter}"),
        &values,
    )
    .await?
    .map(|row| row.int("total"))
    .transpose()?
    .unwrap_or(0);
    let page = values.len();
    values.push(query.count.into());
    values.push(query.offset.into());
    let rows = conn
        .rows(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM fhir_versions{filter} ORDER BY id DESC \
                 LIMIT ${} OFFSET ${}",
                page + 1,
                page + 2
            ),
            &values,
        )
        .await?;
    let versions = rows
        .iter()
        .map(Version::from_row)
        .collect::<Result<_, _>>()?;
    Ok((total, versions))
}

/// Which resource a stored write is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A new resource, with the id the server assigned it (see [`new_id`]): assigned before
    /// the write, so a Bundle knows what its entries will be called.
    New(String),
    /// The resource with this logical id (created by an update when it does not exist).
    Id(String),
    /// A conditional create (`If-None-Exist`): a new resource called `id` unless one resource
    /// matches `query` (then that one is answered, unchanged); 412 when several match.
    IfNoneExist {
        /// The id of the resource, when it is created.
        id: String,
        /// The search that must find nothing.
        query: Vec<(String, String)>,
    },
    /// The resources matching `query`: a conditional update (the one match is updated, or
    /// `id` created when none matches; 412 when several match) or a conditional delete (every
    /// match, at most [`MAX_CONDITIONAL_DELETE`]).
    Matching {
        /// The id of the resource, when an update creates it.
        id: String,
        /// The search.
        query: Vec<(String, String)>,
    },
}

impl Target {
    /// The interaction a put of this target is: POST for a create, PUT for an update.
    pub fn method(&self) -> &'static str {
        match self {
            Target::New(_) | Target::IfNoneExist { .. } => "POST",
            Target::Id(_) | Target::Matching { .. } => "PUT",
        }
    }
}

/// Most resources one conditional delete deletes; more matches are a 412.
pub const MAX_CONDITIONAL_DELETE: usize = 100;

/// What a stored write does.
#[derive(Debug, Clone)]
pub enum Operation {
    /// Writes a resource that passed [`check_type`] as the next version.
    Put {
        /// The checked type and its warnings.
        checked: Checked,
        /// The resource.
        resource: Value,
        /// The interaction, as recorded in the version: POST, PUT or PATCH.
        method: &'static str,
    },
    /// Deletes the resource (a tombstone version).
    Delete,
}

/// One write of a stored type, as the group-commit writer and Bundles run it.
#[derive(Debug, Clone)]
pub struct StoredWrite {
    /// The type written.
    pub type_name: &'static str,
    /// The resource written.
    pub target: Target,
    /// What is done to it.
    pub operation: Operation,
    /// The version the write expects (`If-Match`): 412 when the resource is at another.
    pub expected: Option<i64>,
    /// The inbound message the resource was made from, when it came from HL7 v2.
    pub message_id: Option<i64>,
}

/// Runs a stored write in the caller's transaction.
pub async fn write(conn: &mut dyn Sql, request: &StoredWrite) -> Result<Outcome, FhirError> {
    let type_name = request.type_name;
    match (&request.operation, &request.target) {
        (Operation::Put { .. }, Target::New(id) | Target::Id(id)) => put(conn, request, id).await,
        (Operation::Put { .. }, Target::IfNoneExist { id, query }) => {
            match find(conn, type_name, query).await?.as_slice() {
                [] => put(conn, request, id).await,
                [found] => {
                    let version = current(conn, type_name, found)
                        .await?
                        .map_or(0, |(version, _)| version);
                    Ok(Outcome {
                        location: format!("{type_name}/{found}"),
                        version,
                        status: StatusCode::OK,
                        warnings: Vec::new(),
                    })
                }
                several => Err(several_match(type_name, several.len(), "If-None-Exist")),
            }
        }
        (Operation::Put { resource, .. }, Target::Matching { id, query }) => {
            match find(conn, type_name, query).await?.as_slice() {
                [] => put(conn, request, id).await,
                [found] => {
                    if let Some(sent) = resource.get("id").and_then(Value::as_str)
                        && sent != found
                    {
                        return Err(FhirError::bad_request(format!(
                            "the resource's id '{sent}' differs from {type_name}/{found}, \
                             which the search matches"
                        )));
                    }
                    put(conn, request, found).await
                }
                several => Err(several_match(
                    type_name,
                    several.len(),
                    "a conditional update",
                )),
            }
        }
        (Operation::Delete, Target::Id(id)) => delete(conn, type_name, id, request.expected).await,
        (Operation::Delete, Target::Matching { query, .. }) => {
            let found = find(conn, type_name, query).await?;
            if found.len() > MAX_CONDITIONAL_DELETE {
                return Err(several_match(
                    type_name,
                    found.len(),
                    "a conditional delete",
                ));
            }
            let mut outcome = Outcome {
                location: type_name.to_string(),
                version: 0,
                status: StatusCode::NO_CONTENT,
                warnings: Vec::new(),
            };
            for id in &found {
                outcome = delete(conn, type_name, id, None).await?;
            }
            Ok(outcome)
        }
        (Operation::Delete, Target::New(_) | Target::IfNoneExist { .. }) => Err(
            FhirError::bad_request(format!("a delete of {type_name} names what it deletes")),
        ),
    }
}

/// The (name, value) pairs of the search of a conditional interaction (`name=value&...`, or
/// `Type?name=value&...`, as `If-None-Exist` and Bundle entries give it), percent-decoded.
pub fn search_query(text: &str) -> Result<Vec<(String, String)>, FhirError> {
    let query = text.split_once('?').map_or(text, |(_, query)| query);
    let uri: axum::http::Uri = format!("/?{query}")
        .parse()
        .map_err(|_| FhirError::bad_request(format!("'{text}' is not a query string")))?;
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|axum::extract::Query(pairs)| pairs)
        .map_err(|err| FhirError::bad_request(format!("'{text}': {}", err.body_text())))
}

/// The ids of the current resources of `type_name` matching `query`; 400 on an empty query,
/// which would match them all.
async fn find(
    conn: &mut dyn Sql,
    type_name: &str,
    query: &[(String, String)],
) -> Result<Vec<String>, FhirError> {
    if query.is_empty() {
        return Err(FhirError::bad_request(
            "a conditional interaction needs search parameters",
        ));
    }
    index::find(conn, type_name, query).await
}

/// 412: `count` resources match the search of `what`, which needs one at most.
fn several_match(type_name: &str, count: usize, what: &str) -> FhirError {
    FhirError::new(
        StatusCode::PRECONDITION_FAILED,
        "multiple-matches",
        format!("{count} {type_name} resources match the search of {what}"),
    )
}

/// Stores a resource of a stored type made from an inbound message (`message_id`), in the
/// caller's transaction: an update of the resource with its `id`, or a create when it has none
/// or no such resource exists yet.
pub async fn put_in(
    conn: &mut dyn Sql,
    resource: &Value,
    message_id: Option<i64>,
) -> Result<Outcome, FhirError> {
    let target = match resource.get("id").and_then(Value::as_str) {
        Some(id) => Target::Id(id.to_string()),
        None => Target::New(new_id()),
    };
    write(conn, &converted(resource, target, message_id)?).await
}

/// As [`put_in`], a conditional update: the one current resource matching `query` (e.g. by
/// identifier) is updated, or the resource created when none matches; 412 when several match.
pub async fn put_matching_in(
    conn: &mut dyn Sql,
    resource: &Value,
    query: &[(String, String)],
    message_id: Option<i64>,
) -> Result<Outcome, FhirError> {
    let id = match resource.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => new_id(),
    };
    let target = Target::Matching {
        id,
        query: query.to_vec(),
    };
    write(conn, &converted(resource, target, message_id)?).await
}

/// The write of a converted resource, checked: its type must be one kept as versioned JSON.
fn converted(
    resource: &Value,
    target: Target,
    message_id: Option<i64>,
) -> Result<StoredWrite, FhirError> {
    let name = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let type_name = stored_type(name).ok_or_else(|| {
        FhirError::invalid(format!("'{name}' is not a type kept as versioned JSON"))
    })?;
    let checked = check_type(ServedType::Stored(type_name), resource)?;
    Ok(StoredWrite {
        type_name,
        operation: Operation::Put {
            checked,
            resource: resource.clone(),
            method: target.method(),
        },
        target,
        expected: None,
        message_id,
    })
}

/// The current version of a resource and whether it is deleted; `None` when it never existed.
async fn current(
    conn: &mut dyn Sql,
    type_name: &str,
    id: &str,
) -> Result<Option<(i64, bool)>, FhirError> {
    let row = first_row(
        conn,
        "SELECT version, deleted FROM fhir_current WHERE resource_type = $1 AND logical_id = $2",
        &[type_name.into(), id.into()],
    )
    .await?;
    Ok(match row {
        Some(row) => Some((row.int("version")?, row.int("deleted")? != 0)),
        None => None,
    })
}

/// 412 unless the resource is at the `expected` version.
fn precondition(
    type_name: &str,
    id: &str,
    expected: Option<i64>,
    now: Option<i64>,
) -> Result<(), FhirError> {
    match (expected, now) {
        (Some(expected), Some(now)) if expected != now => Err(FhirError::new(
            StatusCode::PRECONDITION_FAILED,
            "conflict",
            format!("{type_name}/{id} is at version {now}, not {expected}"),
        )),
        (Some(expected), None) => Err(FhirError::new(
            StatusCode::PRECONDITION_FAILED,
            "conflict",
            format!("{type_name}/{id} does not exist, so it is not at version {expected}"),
        )),
        _ => Ok(()),
    }
}

/// Writes the request's resource as the next version of `type_name/id`.
async fn put(conn: &mut dyn Sql, request: &StoredWrite, id: &str) -> Result<Outcome, FhirError> {
    let type_name = request.type_name;
    let Operation::Put {
        checked,
        resource,
        method,
    } = &request.operation
    else {
        return Err(FhirError::internal("a put without a resource"));
    };
    if checked.served() != ServedType::Stored(type_name) {
        return Err(FhirError::internal(format!(
            "{} was checked, not {type_name}",
            checked.served().name()
        )));
    }
    check_id(id)?;
    if let Target::Id(_) = request.target
        && let Some(sent) = resource.get("id").and_then(Value::as_str)
        && sent != id
    {
        return Err(FhirError::bad_request(format!(
            "the resource's id '{sent}' differs from the id '{id}' in the URL"
        )));
    }
    let now_at = current(conn, type_name, id).await?;
    precondition(type_name, id, request.expected, now_at.map(|(v, _)| v))?;
    let version = now_at.map_or(1, |(v, _)| v + 1);
    let created = now_at.is_none_or(|(_, deleted)| deleted);
    let updated_at = now_millis();
    let mut stored = resource.clone();
    stored["id"] = json!(id);
    let mut meta = stored
        .get("meta")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    meta["versionId"] = json!(version.to_string());
    meta["lastUpdated"] = json!(instant(updated_at));
    stored["meta"] = meta;
    save(
        conn,
        &Saved {
            type_name,
            id,
            version,
            method,
            resource: Some(&stored),
            updated_at,
            message_id: request.message_id,
        },
    )
    .await?;
    Ok(Outcome {
        location: format!("{type_name}/{id}"),
        version,
        status: if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        warnings: checked.warnings().to_vec(),
    })
}

/// Deletes `type_name/id` with a tombstone version: 404 when it never existed; a resource
/// already deleted stays as it is (204, no new version).
async fn delete(
    conn: &mut dyn Sql,
    type_name: &'static str,
    id: &str,
    expected: Option<i64>,
) -> Result<Outcome, FhirError> {
    let Some((version, deleted)) = current(conn, type_name, id).await? else {
        return Err(FhirError::not_found(format!(
            "{type_name}/{id} does not exist"
        )));
    };
    precondition(type_name, id, expected, Some(version))?;
    let outcome = |version| Outcome {
        location: format!("{type_name}/{id}"),
        version,
        status: StatusCode::NO_CONTENT,
        warnings: Vec::<Issue>::new(),
    };
    if deleted {
        return Ok(outcome(version));
    }
    save(
        conn,
        &Saved {
            type_name,
            id,
            version: version + 1,
            method: "DELETE",
            resource: None,
            updated_at: now_millis(),
            message_id: None,
        },
    )
    .await?;
    Ok(outcome(version + 1))
}

/// A version to save.
struct Saved<'a> {
    type_name: &'a str,
    id: &'a str,
    version: i64,
    method: &'a str,
    /// The resource as served, `None` for a delete.
    resource: Option<&'a Value>,
    updated_at: i64,
    message_id: Option<i64>,
}

/// Saves a version: its row, the current row, and the search index.
async fn save(conn: &mut dyn Sql, saved: &Saved<'_>) -> Result<(), FhirError> {
    let raw = saved.resource.map(Value::to_string);
    conn.execute(
        "INSERT INTO fhir_versions \
         (resource_type, logical_id, version, method, raw, updated_at, message_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            saved.type_name.into(),
            saved.id.into(),
            saved.version.into(),
            saved.method.into(),
            SqlValue::Text(raw.clone()),
            saved.updated_at.into(),
            saved.message_id.into(),
        ],
    )
    .await?;
    conn.execute(
        "INSERT INTO fhir_current (resource_type, logical_id, version, deleted, raw, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (resource_type, logical_id) DO UPDATE SET version = excluded.version, \
         deleted = excluded.deleted, raw = excluded.raw, updated_at = excluded.updated_at",
        &[
            saved.type_name.into(),
            saved.id.into(),
            saved.version.into(),
            i64::from(raw.is_none()).into(),
            SqlValue::Text(raw),
            saved.updated_at.into(),
        ],
    )
    .await?;
    index::reindex(conn, saved.type_name, saved.id, saved.resource).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_4_uuids_and_valid_fhir_ids() {
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(id, new_id());
        assert_eq!(check_id(&id), Ok(()));
    }

    #[test]
    fn client_ids_follow_the_id_type() {
        assert!(check_id("abc-1.2").is_ok());
        for bad in ["", "a b", "a/b", "é", &"x".repeat(65)] {
            assert_eq!(check_id(bad).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn history_parameters_are_read_or_refused() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let query = HistoryQuery::parse(
            Some("Observation"),
            None,
            &pairs(&[("_count", "500"), ("_since", "2024-05-01T10:00:00+02:00")]),
        )
        .unwrap();
        assert_eq!(query.count, MAX_COUNT);
        assert_eq!(query.since, Some(1_714_550_400_000));
        assert_eq!(
            query.query_string(10),
            "_count=200&_offset=10&_since=2024-05-01T08:00:00Z"
        );
        for bad in [("_since", "2024-05-01"), ("_count", "-1"), ("code", "x")] {
            let err = HistoryQuery::parse(None, None, &pairs(&[bad])).unwrap_err();
            assert_eq!(err.status, 400, "{bad:?}");
        }
    }

    #[test]
    fn preconditions_name_the_version() {
        assert!(precondition("Observation", "1", None, Some(3)).is_ok());
        assert!(precondition("Observation", "1", Some(3), Some(3)).is_ok());
        assert_eq!(
            precondition("Observation", "1", Some(2), Some(3))
                .unwrap_err()
                .status,
            412
        );
        assert_eq!(
            precondition("Observation", "1", Some(1), None)
                .unwrap_err()
                .status,
            412
        );
    }
}
