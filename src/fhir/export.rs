//! Bulk export (the FHIR Bulk Data Access `$export` operation), without HTTP: a kick-off makes
//! a job, a background task writes one NDJSON file per resource type under the data
//! directory's `exports/JOB/`, and the job's row says how far it is and, once done, which files
//! it wrote. The HTTP face is `api::fhir_export`.
//!
//! A system export holds every resource of the store (canonical types generated from their
//! records, the other types as kept); a patient export holds the patients and what belongs to
//! them: the canonical types that hang off a patient (visits, coverages, charges, claims and
//! their answers) and every resource kept as JSON that refers to a patient. `_since` keeps the
//! resources changed at or after an instant; `_type` names the types.
//!
//! A job that stops without finishing (the engine stopped) is reported as failed once its
//! heartbeat is older than [`STALE_MILLIS`]; a new kick-off starts it again.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::kinds::{Kind, stored_type};
use super::outcome::FhirError;
use super::resources::instant;
use super::search::Search;
use super::service::read_resource;
use crate::store::sql::{Sql, first_row};
use crate::store::upsert::Value as SqlValue;
use crate::store::{Store, now_millis};

/// Resources read from the store at a time.
const PAGE: i64 = 500;
/// A running job's row is touched at least this often; one older than [`STALE_MILLIS`] stopped.
const STALE_MILLIS: i64 = 60_000;
/// The output formats a kick-off may ask for; all mean NDJSON.
const FORMATS: [&str; 3] = ["application/fhir+ndjson", "application/ndjson", "ndjson"];
/// The canonical types of a patient export: every canonical type that belongs to a patient.
const PATIENT_KINDS: [Kind; 7] = [
    Kind::Patient,
    Kind::Encounter,
    Kind::Coverage,
    Kind::ChargeItem,
    Kind::Claim,
    Kind::ClaimResponse,
    Kind::ExplanationOfBenefit,
];

/// What an export covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `GET /fhir/$export`: the whole store.
    System,
    /// `GET /fhir/Patient/$export`: the patients and what belongs to them.
    Patients,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::System => "system",
            Scope::Patients => "patient",
        }
    }
}

/// A checked kick-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// What it covers.
    pub scope: Scope,
    /// The types asked for (`_type`); empty: every type.
    pub types: Vec<String>,
    /// `_since`, as Unix ms.
    pub since: Option<i64>,
    /// The kick-off URL, for the manifest.
    pub url: String,
}

impl ExportRequest {
    /// Checks a kick-off's parameters; 400 names the one refused.
    pub fn parse(
        scope: Scope,
        pairs: &[(String, String)],
        url: &str,
    ) -> Result<ExportRequest, FhirError> {
        let mut request = ExportRequest {
            scope,
            types: Vec::new(),
            since: None,
            url: url.to_string(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                "_outputFormat" if FORMATS.contains(&value.as_str()) => {}
                "_outputFormat" => {
                    return Err(FhirError::bad_request(format!(
                        "_outputFormat '{value}' is not served: only {}",
                        FORMATS.join(", ")
                    )));
                }
                "_type" => {
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        let known = Kind::parse(name)
                            .map(Kind::name)
                            .or_else(|| stored_type(name))
                            .ok_or_else(|| {
                                FhirError::bad_request(format!(
                                    "_type '{name}' is not a resource type"
                                ))
                            })?;
                        if !request.types.iter().any(|t| t == known) {
                            request.types.push(known.to_string());
                        }
                    }
                }
                "_since" => {
                    request.since = Some(parse_instant(value).ok_or_else(|| {
                        FhirError::bad_request(format!(
                            "_since '{value}' is not an instant (e.g. 2026-01-31T00:00:00Z)"
                        ))
                    })?);
                }
                other => {
                    return Err(FhirError::bad_request(format!(
                        "export parameter '{other}' is not supported (use _type, _since, _outputFormat)"
                    )));
                }
            }
        }
        Ok(request)
    }
}

/// An RFC 3339 instant as Unix ms.
fn parse_instant(text: &str) -> Option<i64> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportStatus {
    /// Still writing; what it has done so far.
    InProgress(String),
    /// Done: the manifest, with file paths relative to the FHIR base (`$export-file/...`).
    Completed(Value),
    /// Stopped; why.
    Failed(String),
}

/// The export jobs of one engine: their rows in the store, their files under `dir`.
#[derive(Clone)]
pub struct Exports {
    store: Store,
    dir: PathBuf,
}

impl Exports {
    /// Jobs over `store`, with files under `dir` (the data directory's `exports`).
    pub fn new(store: Store, dir: PathBuf) -> Exports {
        Exports { store, dir }
    }

    /// Starts a job for `request`; its id. The files are written in the background.
    pub async fn start(&self, request: ExportRequest) -> Result<String, FhirError> {
        let id = hex::encode(rand::random::<[u8; 16]>());
        let now = now_millis();
        self.store
            .write_execute(
                sqlx::query(
                    "INSERT INTO fhir_exports (id, request, scope, types, since, status, \
                     created_at, heartbeat_at, progress) \
                     VALUES ($1, $2, $3, $4, $5, 'in-progress', $6, $6, '')",
                )
                .bind(id.clone())
                .bind(request.url.clone())
                .bind(request.scope.name())
                .bind(request.types.join(","))
                .bind(request.since)
                .bind(now),
            )
            .await?;
        let job = Job {
            exports: self.clone(),
            id: id.clone(),
            request,
            started: now,
        };
        tokio::spawn(job.run());
        Ok(id)
    }

    /// Where job `id` is; `None` when there is no such job (or it was deleted).
    pub async fn status(&self, id: &str) -> Result<Option<ExportStatus>, FhirError> {
        let mut conn = self.store.pool().acquire().await.map_err(FhirError::from)?;
        let Some(row) = first_row(
            &mut *conn,
            "SELECT status, progress, output, error, heartbeat_at FROM fhir_exports WHERE id = $1",
            &[SqlValue::from(id)],
        )
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(match row.text("status")?.as_str() {
            "completed" => {
                let output = row.opt_text("output")?.unwrap_or_default();
                ExportStatus::Completed(serde_json::from_str(&output).map_err(FhirError::internal)?)
            }
            "failed" => ExportStatus::Failed(row.opt_text("error")?.unwrap_or_default()),
            _ if now_millis() - row.int("heartbeat_at")? > STALE_MILLIS => ExportStatus::Failed(
                "the export stopped before it finished (the engine stopped); start it again"
                    .to_string(),
            ),
            _ => ExportStatus::InProgress(row.text("progress")?),
        }))
    }

    /// Deletes job `id` and its files (a running job stops at its next page); false when
    /// there is no such job.
    pub async fn delete(&self, id: &str) -> Result<bool, FhirError> {
        let deleted = self
            .store
            .write_execute(
                sqlx::query("DELETE FROM fhir_exports WHERE id = $1").bind(id.to_string()),
            )
            .await?;
        if let Some(folder) = self.folder(id) {
            match tokio::fs::remove_dir_all(&folder).await {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(FhirError::internal(err)),
            }
        }
        Ok(deleted > 0)
    }

    /// The path of file `name` of job `id` (see [`job_file`]).
    pub fn file(&self, id: &str, name: &str) -> Option<PathBuf> {
        job_file(&self.dir, id, name)
    }

    fn folder(&self, id: &str) -> Option<PathBuf> {
        job_folder(&self.dir, id)
    }
}

/// The path of file `name` of job `id` under `dir`, when both are well-formed names (a job id,
/// a resource type and `.ndjson`); the path may not exist. Names are checked so that no request
/// reaches outside the job's folder.
fn job_file(dir: &Path, id: &str, name: &str) -> Option<PathBuf> {
    let stem = name.strip_suffix(".ndjson")?;
    let type_known = Kind::parse(stem).is_some() || stored_type(stem).is_some();
    type_known.then(|| job_folder(dir, id).map(|folder| folder.join(name)))?
}

/// The folder of job `id` under `dir`, when `id` is a job id (32 hex digits).
fn job_folder(dir: &Path, id: &str) -> Option<PathBuf> {
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| dir.join(id))
}

/// One running job.
struct Job {
    exports: Exports,
    id: String,
    request: ExportRequest,
    started: i64,
}

/// One file written: its type and how many resources it holds.
struct Written {
    kind: String,
    count: u64,
}

impl Job {
    /// Writes the files and records the outcome.
    async fn run(self) {
        let result = self.write_all().await;
        let (status, output, error) = match result {
            Ok(Some(files)) => {
                let output: Vec<Value> = files
                    .iter()
                    .map(|file| {
                        json!({
                            "type": file.kind,
                            "url": format!("$export-file/{}/{}.ndjson", self.id, file.kind),
                            "count": file.count,
                        })
                    })
                    .collect();
                let manifest = json!({
                    "transactionTime": instant(self.started),
                    "request": self.request.url,
                    "requiresAccessToken": true,
                    "output": output,
                    "error": [],
                });
                ("completed", Some(manifest.to_string()), None)
            }
            // Deleted while it ran.
            Ok(None) => return,
            Err(err) => {
                tracing::error!(job = %self.id, "bulk export failed: {err}");
                ("failed", None, Some(err.to_string()))
            }
        };
        let query = sqlx::query(
            "UPDATE fhir_exports SET status = $2, output = $3, error = $4, heartbeat_at = $5 \
             WHERE id = $1",
        )
        .bind(self.id.clone())
        .bind(status)
        .bind(output)
        .bind(error)
        .bind(now_millis());
        if let Err(err) = self.exports.store.write_execute(query).await {
            tracing::error!(job = %self.id, "cannot record the end of a bulk export: {err}");
        }
    }

    /// Writes one file per type that has resources; `None` when the job was deleted meanwhile.
    async fn write_all(&self) -> Result<Option<Vec<Written>>, FhirError> {
        let Some(folder) = self.exports.folder(&self.id) else {
            return Err(FhirError::internal("bad job id"));
        };
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(FhirError::internal)?;
        let mut files = Vec::new();
        for kind in self.types().await? {
            let path = folder.join(format!("{kind}.ndjson"));
            let count = match Kind::parse(&kind) {
                Some(canonical) => self.write_canonical(canonical, &path).await?,
                None => self.write_stored(&kind, &path).await?,
            };
            let Some(count) = count else {
                return Ok(None);
            };
            if count == 0 {
                let _ = tokio::fs::remove_file(&path).await;
            } else {
                files.push(Written { kind, count });
            }
        }
        Ok(Some(files))
    }

    /// The types to write: those asked for, else every canonical type of the scope and every
    /// type kept as JSON that has a resource.
    async fn types(&self) -> Result<Vec<String>, FhirError> {
        if !self.request.types.is_empty() {
            return Ok(self.request.types.clone());
        }
        let mut types: Vec<String> = match self.request.scope {
            Scope::System => Kind::ALL.iter().map(|k| k.name().to_string()).collect(),
            Scope::Patients => PATIENT_KINDS.iter().map(|k| k.name().to_string()).collect(),
        };
        let mut conn = self
            .exports
            .store
            .pool()
            .acquire()
            .await
            .map_err(FhirError::from)?;
        let rows = conn
            .rows(
                "SELECT DISTINCT resource_type FROM fhir_current WHERE deleted = 0 \
                 ORDER BY resource_type",
                &[],
            )
            .await?;
        for row in rows {
            types.push(row.text("resource_type")?);
        }
        Ok(types)
    }

    /// Records progress and tells whether the job still exists.
    async fn beat(&self, progress: &str) -> Result<bool, FhirError> {
        let changed = self
            .exports
            .store
            .write_execute(
                sqlx::query(
                    "UPDATE fhir_exports SET progress = $2, heartbeat_at = $3 WHERE id = $1",
                )
                .bind(self.id.clone())
                .bind(progress.to_string())
                .bind(now_millis()),
            )
            .await?;
        Ok(changed > 0)
    }

    /// Writes the resources of a canonical type, generated from their records; the count, or
    /// `None` when the job was deleted.
    async fn write_canonical(&self, kind: Kind, path: &Path) -> Result<Option<u64>, FhirError> {
        if self.request.scope == Scope::Patients && !PATIENT_KINDS.contains(&kind) {
            return Ok(Some(0));
        }
        let mut file = NdjsonFile::create(path).await?;
        let mut offset = 0;
        loop {
            let pairs = [
                (
                    "_count".to_string(),
                    crate::fhir::search::MAX_COUNT.to_string(),
                ),
                ("_offset".to_string(), offset.to_string()),
            ];
            let (_, keys) = Search::parse(kind, &pairs)?
                .run(&self.exports.store)
                .await?;
            if keys.is_empty() {
                break;
            }
            offset += keys.len() as i64;
            for key in keys {
                let Some(served) = read_resource(&self.exports.store, None, kind, &key).await?
                else {
                    continue;
                };
                if self.changed_since(&served.resource) {
                    file.write(&served.resource).await?;
                }
            }
            if !self
                .beat(&format!("{}: {} resources", kind.name(), file.count))
                .await?
            {
                return Ok(None);
            }
        }
        file.finish().await.map(Some)
    }

    /// Whether a served resource changed at or after `_since` (always, without one).
    fn changed_since(&self, resource: &Value) -> bool {
        let Some(since) = self.request.since else {
            return true;
        };
        resource
            .pointer("/meta/lastUpdated")
            .and_then(Value::as_str)
            .and_then(parse_instant)
            .is_none_or(|at| at >= since)
    }

    /// Writes the current resources of a type kept as JSON, by logical id; the count, or
    /// `None` when the job was deleted.
    async fn write_stored(&self, kind: &str, path: &Path) -> Result<Option<u64>, FhirError> {
        let mut file = NdjsonFile::create(path).await?;
        let patients_only = match self.request.scope {
            Scope::System => "",
            Scope::Patients => {
                " AND logical_id IN (SELECT r.logical_id FROM fhir_index_reference r \
                  WHERE r.resource_type = $1 AND r.target_type = 'Patient')"
            }
        };
        let sql = format!(
            "SELECT logical_id, version, raw, updated_at FROM fhir_current \
             WHERE resource_type = $1 AND deleted = 0 AND updated_at >= $2 AND logical_id > $3{patients_only} \
             ORDER BY logical_id LIMIT {PAGE}"
        );
        let mut after = String::new();
        loop {
            let rows = {
                let mut conn = self
                    .exports
                    .store
                    .pool()
                    .acquire()
                    .await
                    .map_err(FhirError::from)?;
                conn.rows(
                    &sql,
                    &[
                        SqlValue::from(kind),
                        SqlValue::from(self.request.since.unwrap_or(i64::MIN)),
                        SqlValue::from(after.as_str()),
                    ],
                )
                .await?
            };
            let Some(last) = rows.last() else {
                break;
            };
            after = last.text("logical_id")?;
            for row in &rows {
                let resource = super::store::served_json(
                    row.opt_text("raw")?.as_deref(),
                    &row.text("logical_id")?,
                    row.int("version")?,
                    row.int("updated_at")?,
                )?;
                file.write(&resource).await?;
            }
            if !self
                .beat(&format!("{kind}: {} resources", file.count))
                .await?
            {
                return Ok(None);
            }
        }
        file.finish().await.map(Some)
    }
}

/// An NDJSON file being written.
struct NdjsonFile {
    writer: tokio::io::BufWriter<tokio::fs::File>,
    count: u64,
}

impl NdjsonFile {
    async fn create(path: &Path) -> Result<NdjsonFile, FhirError> {
        let file = tokio::fs::File::create(path)
            .await
            .map_err(FhirError::internal)?;
        Ok(NdjsonFile {
            writer: tokio::io::BufWriter::new(file),
            count: 0,
        })
    }

    async fn write(&mut self, resource: &Value) -> Result<(), FhirError> {
        let mut line = serde_json::to_vec(resource).map_err(FhirError::internal)?;
        line.push(b'\n');
        self.writer
            .write_all(&line)
            .await
            .map_err(FhirError::internal)?;
        self.count += 1;
        Ok(())
    }

    async fn finish(mut self) -> Result<u64, FhirError> {
        self.writer.flush().await.map_err(FhirError::internal)?;
        self.writer
            .get_ref()
            .sync_all()
            .await
            .map_err(FhirError::internal)?;
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_kick_off_is_checked_parameter_by_parameter() {
        let request = ExportRequest::parse(
            Scope::Patients,
            &pairs(&[
                ("_type", "Observation,Patient,Observation"),
                ("_since", "2026-01-01T00:00:00Z"),
                ("_outputFormat", "application/fhir+ndjson"),
            ]),
            "http://h/fhir/Patient/$export",
        )
        .expect("a valid kick-off");
        assert_eq!(request.types, vec!["Observation", "Patient"]);
        assert_eq!(request.since, Some(1_767_225_600_000));
        let refused = |list: &[(&str, &str)]| {
            ExportRequest::parse(Scope::System, &pairs(list), "u")
                .unwrap_err()
                .to_string()
        };
        assert!(refused(&[("_type", "Nothing")]).contains("'Nothing'"));
        assert!(refused(&[("_since", "yesterday")]).contains("_since"));
        assert!(refused(&[("_outputFormat", "text/csv")]).contains("text/csv"));
        assert!(refused(&[("_typeFilter", "x")]).contains("_typeFilter"));
    }

    #[test]
    fn file_names_stay_inside_the_job_folder() {
        let dir = Path::new("/data/exports");
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            job_file(dir, id, "Observation.ndjson"),
            Some(PathBuf::from(format!(
                "/data/exports/{id}/Observation.ndjson"
            )))
        );
        assert_eq!(job_file(dir, id, "../secret.ndjson"), None);
        assert_eq!(job_file(dir, id, "Observation.json"), None);
        assert_eq!(job_file(dir, "../../etc", "Patient.ndjson"), None);
    }
}
