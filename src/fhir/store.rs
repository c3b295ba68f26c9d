//! The FHIR side of the store: which canonical row a logical id names, the raw JSON of what
//! clients wrote (`fhir_resources`), and resource versions.
//!
//! A resource's version follows both its FHIR writes and the changes of its canonical row
//! (from HL7 v2, X12 or the API): it is the version last written plus the canonical revisions
//! since. While the canonical row is unchanged since the last FHIR write, reads answer the
//! JSON as written; once something else changed it, reads generate it from the canonical row.

use serde_json::Value;

use super::kinds::Kind;
use super::outcome::FhirError;
use crate::store::bulk::insert_rows_or;
use crate::store::sql::{Sql, first_row};
use crate::store::upsert::Value as UpsertValue;
use crate::store::{Change, now_millis};

/// The canonical row a logical id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Its table.
    pub table: &'static str,
    /// Its id.
    pub id: i64,
    /// Extra SQL condition the row must meet (e.g. the provider kind), starting with ` AND`.
    pub condition: &'static str,
}

impl Target {
    /// The logical id of this row as a `kind`.
    pub fn logical_id(&self) -> String {
        match self.table {
            "payers" => format!("payer-{}", self.id),
            "providers" if self.condition.contains("organization") => {
                format!("provider-{}", self.id)
            }
            _ => self.id.to_string(),
        }
    }

    /// The key stored beside the raw JSON, e.g. `patients/7`.
    pub fn canonical_key(&self) -> String {
        format!("{}/{}", self.table, self.id)
    }
}

/// Condition of providers that are people.
pub const INDIVIDUAL: &str = " AND kind = 'individual'";
/// Condition of providers that are organizations.
pub const ORGANIZATION: &str = " AND kind = 'organization'";

impl Kind {
    /// The canonical row `logical_id` names, when it has the right shape.
    pub fn target(self, logical_id: &str) -> Option<Target> {
        let number = |text: &str| {
            text.parse::<i64>()
                .ok()
                .filter(|id| *id > 0 && id.to_string() == text)
        };
        let (table, id, condition) = match self {
            Kind::Organization => {
                if let Some(id) = logical_id.strip_prefix("payer-") {
                    ("payers", number(id)?, "")
                } else {
                    (
                        "providers",
                        number(logical_id.strip_prefix("provider-")?)?,
                        ORGANIZATION,
                    )
                }
            }
            Kind::Patient => ("patients", number(logical_id)?, ""),
            Kind::Encounter => ("encounters", number(logical_id)?, ""),
            Kind::Coverage => ("coverages", number(logical_id)?, ""),
            Kind::Practitioner => ("providers", number(logical_id)?, INDIVIDUAL),
            Kind::ChargeItem => ("bill_lines", number(logical_id)?, ""),
            Kind::Claim => ("claims", number(logical_id)?, ""),
            Kind::ClaimResponse | Kind::ExplanationOfBenefit => {
                ("remittance_claims", number(logical_id)?, "")
            }
        };
        Some(Target {
            table,
            id,
            condition,
        })
    }
}

/// A canonical row's revision and last change (Unix ms); `None` when there is no such row.
pub async fn canonical_state(
    conn: &mut dyn Sql,
    target: &Target,
) -> Result<Option<(i64, i64)>, FhirError> {
    let sql = format!(
        "SELECT revision, updated_at FROM {} WHERE id = $1{}",
        target.table, target.condition
    );
    let row = first_row(conn, &sql, &[UpsertValue::from(target.id)]).await?;
    Ok(match row {
        Some(row) => Some((row.int("revision")?, row.int("updated_at")?)),
        None => None,
    })
}

/// What a client last wrote for a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The version that write made.
    pub version: i64,
    /// The JSON as written (references resolved).
    pub raw: Value,
    /// The canonical row's revision right after the write.
    pub canonical_revision: i64,
}

/// What clients last wrote for `kind/logical_id`, if anything.
pub async fn written(
    conn: &mut dyn Sql,
    kind: Kind,
    logical_id: &str,
) -> Result<Option<Written>, FhirError> {
    let row = first_row(
        conn,
        "SELECT version, raw, canonical_revision FROM fhir_resources \
         WHERE resource_type = $1 AND logical_id = $2",
        &[
            UpsertValue::from(kind.name()),
            UpsertValue::from(logical_id),
        ],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Written {
        version: row.int("version")?,
        raw: serde_json::from_str(&row.text("raw")?).map_err(FhirError::internal)?,
        canonical_revision: row.int("canonical_revision")?,
    }))
}

/// The current version of a resource whose canonical row is at `revision`, and whether the
/// JSON last written still describes it.
pub fn current_version(written: Option<&Written>, revision: i64) -> (i64, bool) {
    match written {
        Some(w) if w.canonical_revision == revision => (w.version, true),
        Some(w) => (w.version + (revision - w.canonical_revision).max(1), false),
        None => (revision, false),
    }
}

/// The version of `kind/logical_id` now, or `None` when its canonical row does not exist.
pub async fn version_now(
    conn: &mut dyn Sql,
    kind: Kind,
    target: &Target,
) -> Result<Option<i64>, FhirError> {
    let Some((revision, _)) = canonical_state(conn, target).await? else {
        return Ok(None);
    };
    let written = written(conn, kind, &target.logical_id()).await?;
    Ok(Some(current_version(written.as_ref(), revision).0))
}

/// A client's write, to be saved in `fhir_resources` (see [`save_writes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingWrite {
    kind: Kind,
    logical_id: String,
    /// The version the write makes.
    pub version: i64,
    raw: String,
    canonical_key: String,
    canonical_revision: i64,
}

impl PendingWrite {
    /// The resource written, e.g. `Patient/7`.
    pub fn resource(&self) -> String {
        format!("{}/{}", self.kind.name(), self.logical_id)
    }
}

/// The record of a client's write of `raw` that did `change` to the canonical row `target`,
/// with the resource's new version; it still has to be saved.
pub async fn plan_write(
    conn: &mut dyn Sql,
    kind: Kind,
    target: &Target,
    change: Change,
    raw: &Value,
) -> Result<PendingWrite, FhirError> {
    let logical_id = target.logical_id();
    // A row the write created is at its first revision and version; only an existing row is
    // read back.
    let (revision, version) = if change == Change::Created {
        (1, 1)
    } else {
        let revision = canonical_state(conn, target)
            .await?
            .ok_or_else(|| FhirError::internal(format!("{} vanished", target.canonical_key())))?
            .0;
        let before = if change == Change::Updated {
            revision - 1
        } else {
            revision
        };
        let written = written(conn, kind, &logical_id).await?;
        (revision, current_version(written.as_ref(), before).0 + 1)
    };
    Ok(PendingWrite {
        kind,
        logical_id,
        version,
        raw: raw.to_string(),
        canonical_key: target.canonical_key(),
        canonical_revision: revision,
    })
}

/// Saves client writes in `fhir_resources`, many per statement; each resource at most once.
pub async fn save_writes(conn: &mut dyn Sql, writes: &[PendingWrite]) -> Result<(), FhirError> {
    let now = now_millis();
    let rows: Vec<Vec<UpsertValue>> = writes
        .iter()
        .map(|w| {
            vec![
                UpsertValue::from(w.kind.name()),
                UpsertValue::from(&w.logical_id),
                UpsertValue::from(w.version),
                UpsertValue::from(&w.raw),
                UpsertValue::from(&w.canonical_key),
                UpsertValue::from(w.canonical_revision),
                UpsertValue::from(now),
            ]
        })
        .collect();
    insert_rows_or(
        conn,
        "fhir_resources",
        &[
            "resource_type",
            "logical_id",
            "version",
            "raw",
            "canonical_key",
            "canonical_revision",
            "updated_at",
        ],
        &rows,
        "ON CONFLICT (resource_type, logical_id) DO UPDATE SET version = excluded.version, \
         raw = excluded.raw, canonical_key = excluded.canonical_key, \
         canonical_revision = excluded.canonical_revision, updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}

/// The version of a resource kept as JSON that row `row_id` of `fhir_versions` holds, as served:
/// its JSON with `id` and `meta` (`versionId`, `lastUpdated`). A deleted version has no
/// `resourceType`, only `id` and `meta`. `None` when there is no such row.
pub async fn version_by_row(conn: &mut dyn Sql, row_id: i64) -> Result<Option<Value>, FhirError> {
    let Some(row) = first_row(
        conn,
        "SELECT logical_id, version, raw, updated_at FROM fhir_versions WHERE id = $1",
        &[UpsertValue::from(row_id)],
    )
    .await?
    else {
        return Ok(None);
    };
    served_json(
        row.opt_text("raw")?.as_deref(),
        &row.text("logical_id")?,
        row.int("version")?,
        row.int("updated_at")?,
    )
    .map(Some)
}

/// A version of a resource kept as JSON, as served: its stored JSON (`None` for a deletion)
/// with `id` and `meta.versionId`/`meta.lastUpdated` set.
pub fn served_json(
    raw: Option<&str>,
    logical_id: &str,
    version: i64,
    updated_at: i64,
) -> Result<Value, FhirError> {
    let mut resource = match raw {
        Some(raw) => serde_json::from_str(raw).map_err(FhirError::internal)?,
        None => Value::Object(Default::default()),
    };
    resource["id"] = Value::String(logical_id.to_string());
    let mut meta = resource
        .get("meta")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Default::default()));
    meta["versionId"] = Value::String(version.to_string());
    meta["lastUpdated"] = Value::String(super::resources::instant(updated_at));
    resource["meta"] = meta;
    Ok(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_name_their_rows() {
        let payer = Kind::Organization.target("payer-3").unwrap();
        assert_eq!((payer.table, payer.id), ("payers", 3));
        assert_eq!(payer.logical_id(), "payer-3");
        let provider = Kind::Organization.target("provider-4").unwrap();
        assert_eq!(provider.logical_id(), "provider-4");
        assert_eq!(Kind::Practitioner.target("4").unwrap().logical_id(), "4");
        for bad in ["", "x", "-1", "0", "+5", "007", "payer-", "1.5"] {
            assert_eq!(Kind::Patient.target(bad), None, "{bad}");
        }
        assert_eq!(Kind::Organization.target("7"), None);
    }

    #[test]
    fn versions_follow_writes_and_canonical_changes() {
        let w = Written {
            version: 3,
            raw: Value::Null,
            canonical_revision: 2,
        };
        assert_eq!(current_version(Some(&w), 2), (3, true));
        assert_eq!(current_version(Some(&w), 4), (5, false));
        assert_eq!(current_version(None, 4), (4, false));
    }
}
