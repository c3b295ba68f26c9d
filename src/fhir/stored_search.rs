//! Search over the resource types kept as JSON: a query checked against the type's
//! specification parameters and answered as a searchset Bundle. Chains reach other stored types
//! through the reference index and canonical types through their own search; `_include`,
//! `_revinclude`, `_sort`, `_elements` and `_summary=count` shape the Bundle. The conditions
//! themselves are built by `fhir::index`.

use std::collections::HashSet;

use serde_json::json;

use crate::config::engine::BillingConfig;
use crate::fhir::bundle::{Page, entry, searchset_page};
use crate::fhir::index::{
    Binds, Resolved, chain_link, condition, conditions, current, current_rows, index_table,
    parse_raw, revinclude,
};
use crate::fhir::kinds::{Kind, stored_type};
use crate::fhir::outcome::FhirError;
use crate::fhir::params::{self, ParamType};
use crate::fhir::search::{
    DEFAULT_COUNT, MAX_COUNT, MAX_OFFSET, Search, encode, number, revinclude_of,
};
use crate::fhir::service::read_resource;
use crate::store::Store;
use crate::store::sql::{Placeholders, Sql};
use crate::store::upsert::Value;

/// Most canonical resources a chained parameter may match (`patient.name=...`).
const CHAIN_LIMIT: i64 = 1000;

/// The tag `_elements` puts on the resources it cuts down.
const SUBSETTED: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

/// A checked search of a type kept as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSearch {
    /// The type searched.
    pub resource_type: &'static str,
    /// The filtering parameters (name, value), in the order given: all must match.
    filters: Vec<(String, String)>,
    /// `_sort` keys: `_id`, `_lastUpdated` or a parameter code, and whether descending.
    sort: Vec<(String, bool)>,
    /// Page size.
    count: i64,
    /// Results skipped.
    offset: i64,
    /// `_summary=count`: the total only.
    summary_count: bool,
    /// `_elements`: the top-level elements kept.
    elements: Option<Vec<String>>,
    /// `_include`s: reference parameter codes and, when given, the target type.
    includes: Vec<(String, Option<String>)>,
    /// `_revinclude`s: source type and reference parameter.
    revincludes: Vec<(&'static str, String)>,
    /// The parameters that shape results, as given, for paging links.
    shaping: Vec<(String, String)>,
}

impl StoredSearch {
    /// Checks a query string for `resource_type` (a type [`stored_type`] names); unknown
    /// parameters and bad values are refused (400) naming them.
    pub fn parse(
        resource_type: &'static str,
        pairs: &[(String, String)],
    ) -> Result<StoredSearch, FhirError> {
        let mut search = StoredSearch {
            resource_type,
            filters: Vec::new(),
            sort: Vec::new(),
            count: DEFAULT_COUNT,
            offset: 0,
            summary_count: false,
            elements: None,
            includes: Vec::new(),
            revincludes: Vec::new(),
            shaping: Vec::new(),
        };
        for (name, value) in pairs {
            let bad = |why: &str| {
                FhirError::bad_request(format!("search parameter '{name}': '{value}' {why}"))
            };
            match name.as_str() {
                "_count" => {
                    search.count = number(name, value, i64::MAX)?.clamp(0, MAX_COUNT);
                    continue;
                }
                "_offset" => {
                    search.offset = number(name, value, MAX_OFFSET)?;
                    continue;
                }
                "_sort" => {
                    for key in value.split(',') {
                        let (code, descending) = match key.strip_prefix('-') {
                            Some(code) => (code, true),
                            None => (key, false),
                        };
                        let known = matches!(code, "_id" | "_lastUpdated")
                            || params::param(resource_type, code).is_some();
                        if !known {
                            return Err(bad("names no search parameter to sort by"));
                        }
                        search.sort.push((code.to_string(), descending));
                    }
                }
                "_summary" => match value.as_str() {
                    "count" => search.summary_count = true,
                    "false" => {}
                    _ => return Err(bad("is not supported (count or false)")),
                },
                "_elements" => {
                    let names: Vec<String> = value.split(',').map(str::to_string).collect();
                    if names.iter().any(|n| n.is_empty() || n.contains('.')) {
                        return Err(bad("is not a list of top-level element names"));
                    }
                    search.elements = Some(names);
                }
                "_include" => search.includes.push(include_of(resource_type, value)?),
                "_revinclude" => search.revincludes.push(revinclude_of(value)?),
                "_total" => {}
                "_format" if value.contains("json") => {}
                _ => {
                    search.filters.push((name.clone(), value.clone()));
                    continue;
                }
            }
            search.shaping.push((name.clone(), value.clone()));
        }
        // Every filter is checked now, so a bad one is refused before anything runs (chains
        // into canonical types are checked when they run).
        let mut binds = Binds::new(Placeholders::Numbered);
        for (name, value) in &search.filters {
            if !name.contains('.') {
                condition(resource_type, name, value, None, &mut binds)?;
            }
        }
        Ok(search)
    }

    /// The query string of this search at `offset`, for paging links.
    fn query_string(&self, offset: i64) -> String {
        self.filters
            .iter()
            .chain(&self.shaping)
            .map(|(name, value)| (name.clone(), value.clone()))
            .chain([
                ("_count".to_string(), self.count.to_string()),
                ("_offset".to_string(), offset.to_string()),
            ])
            .map(|(name, value)| format!("{}={}", encode(&name), encode(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Runs the search: the searchset Bundle, its links under `base`.
    pub async fn run(
        &self,
        store: &Store,
        billing: Option<&BillingConfig>,
        base: &str,
    ) -> Result<serde_json::Value, FhirError> {
        let resolved = self.resolve_chains(store).await?;
        let mut conn = store.pool().acquire().await?;
        let statements = self.statements(conn.placeholders(), &resolved)?;
        let total = conn
            .rows(
                &statements.count,
                &statements.values[..statements.count_values],
            )
            .await?
            .first()
            .map(|row| row.int("total"))
            .transpose()?
            .unwrap_or(0);
        let mut page = Page {
            total,
            offset: self.offset,
            count: self.count,
        };
        let mut entries = Vec::new();
        if self.summary_count {
            page.count = 0;
        } else {
            let rows = conn.rows(&statements.page, &statements.values).await?;
            let mut ids = Vec::new();
            let mut seen = HashSet::new();
            for row in rows {
                let id = row.text("logical_id")?;
                let mut resource = parse_raw(self.resource_type, &id, &row.text("raw")?)?;
                if let Some(elements) = &self.elements {
                    resource = subset(resource, elements);
                }
                entries.push(entry(base, self.resource_type, &id, &resource, "match"));
                seen.insert(format!("{}/{id}", self.resource_type));
                ids.push(id);
            }
            let mut found = self.included(&mut *conn, store, billing, &ids).await?;
            for (source, param) in &self.revincludes {
                let resources =
                    revinclude(&mut *conn, source, param, self.resource_type, &ids).await?;
                found.extend(
                    resources
                        .into_iter()
                        .map(|(id, r)| (source.to_string(), id, r)),
                );
            }
            for (kind, id, resource) in found {
                if seen.insert(format!("{kind}/{id}")) {
                    entries.push(entry(base, &kind, &id, &resource, "include"));
                }
            }
        }
        Ok(searchset_page(
            base,
            self.resource_type,
            page,
            &|offset| self.query_string(offset),
            entries,
        ))
    }

    /// The count and page statements of this search, `resolved` giving the canonical matches of
    /// its chains.
    fn statements(
        &self,
        style: Placeholders,
        resolved: &Resolved,
    ) -> Result<Statements, FhirError> {
        let mut binds = Binds::new(style);
        let mut tests = vec![current_rows(self.resource_type, &mut binds)];
        tests.extend(conditions(
            self.resource_type,
            &self.filters,
            Some(resolved),
            &mut binds,
        )?);
        let filter = tests.join(" AND ");
        let count = format!("SELECT COUNT(*) AS total FROM fhir_current c WHERE {filter}");
        let count_values = binds.values().len();
        let order = self.order_by(&mut binds);
        let page = format!(
            "SELECT c.logical_id, c.raw FROM fhir_current c WHERE {filter} ORDER BY {order} \
             LIMIT {} OFFSET {}",
            binds.bind(self.count),
            binds.bind(self.offset)
        );
        Ok(Statements {
            count,
            page,
            values: binds.into_values(),
            count_values,
        })
    }

    /// Runs the canonical searches the chained filters need.
    async fn resolve_chains(&self, store: &Store) -> Result<Resolved, FhirError> {
        let mut resolved = Resolved::new();
        for (name, value) in &self.filters {
            let Some((link, rest)) = name.split_once('.') else {
                continue;
            };
            let (_, targets) = chain_link(self.resource_type, name, link)?;
            let explicit = link.contains(':');
            for target in targets {
                let Some(kind) = Kind::parse(&target) else {
                    continue;
                };
                let mut search = match Search::parse(kind, &[(rest.to_string(), value.clone())]) {
                    Ok(search) => search,
                    Err(err) if explicit => return Err(err),
                    Err(_) => continue,
                };
                search.count = CHAIN_LIMIT;
                let (total, keys) = search.run(store).await?;
                if total > CHAIN_LIMIT {
                    return Err(FhirError::bad_request(format!(
                        "search parameter '{name}' matches {total} {}s, more than {CHAIN_LIMIT}: narrow it",
                        kind.name()
                    )));
                }
                resolved.insert((name.clone(), value.clone(), kind.name()), keys);
            }
        }
        Ok(resolved)
    }

    /// `ORDER BY` of the `_sort` keys, then the logical id (missing values last).
    fn order_by(&self, binds: &mut Binds) -> String {
        let mut keys = Vec::new();
        for (code, descending) in &self.sort {
            let direction = if *descending { "DESC" } else { "ASC" };
            let expression = match code.as_str() {
                "_id" => "c.logical_id".to_string(),
                "_lastUpdated" => "c.updated_at".to_string(),
                _ => {
                    let Some(def) = params::param(self.resource_type, code) else {
                        continue;
                    };
                    let pick = if *descending { "MAX" } else { "MIN" };
                    let column = match def.kind {
                        ParamType::Token => "i.code",
                        ParamType::Date if *descending => "i.high",
                        ParamType::Date => "i.low",
                        ParamType::Reference => "i.target_id",
                        _ => "i.value",
                    };
                    // Twice: once for where missing values go, once for the order. The
                    // parameter is picked inside the aggregate so that the only index the
                    // rows can be found by is the resource's own, whatever the statistics.
                    let mut sub = || {
                        format!(
                            "(SELECT {pick}(CASE WHEN i.param = {} THEN {column} END) FROM {} i \
                             WHERE i.resource_type = c.resource_type AND i.logical_id = c.logical_id)",
                            binds.bind(code.as_str()),
                            index_table(def.kind)
                        )
                    };
                    let first = sub();
                    let second = sub();
                    keys.push(format!("CASE WHEN {first} IS NULL THEN 1 ELSE 0 END"));
                    keys.push(format!("{second} {direction}"));
                    continue;
                }
            };
            keys.push(format!("{expression} {direction}"));
        }
        keys.push("c.logical_id".to_string());
        keys.join(", ")
    }

    /// The resources the page's `_include`s name: (type, id, resource).
    async fn included(
        &self,
        conn: &mut dyn Sql,
        store: &Store,
        billing: Option<&BillingConfig>,
        ids: &[String],
    ) -> Result<Vec<(String, String, serde_json::Value)>, FhirError> {
        if self.includes.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = Binds::new(conn.placeholders());
        let kind = binds.bind(self.resource_type);
        let every = self.includes.iter().any(|(code, _)| code == "*");
        let codes: Vec<String> = params::params(self.resource_type)
            .into_iter()
            .filter(|def| def.kind == ParamType::Reference)
            .filter(|def| every || self.includes.iter().any(|(code, _)| *code == def.code))
            .map(|def| binds.bind(def.code.as_str()))
            .collect();
        let id_list: Vec<String> = ids.iter().map(|id| binds.bind(id.as_str())).collect();
        let sql = format!(
            "SELECT DISTINCT i.param, i.target_type, i.target_id FROM fhir_index_reference i \
             WHERE i.resource_type = {kind} AND i.param IN ({}) AND i.logical_id IN ({}) \
             AND i.target_id IS NOT NULL ORDER BY i.target_type, i.target_id",
            codes.join(", "),
            id_list.join(", ")
        );
        let mut found = Vec::new();
        for row in conn.rows(&sql, binds.values()).await? {
            let (param, target, id) = (
                row.text("param")?,
                row.text("target_type")?,
                row.text("target_id")?,
            );
            let wanted = self.includes.iter().any(|(code, only)| {
                (code == "*" || *code == param) && only.as_ref().is_none_or(|only| *only == target)
            });
            if !wanted || found.iter().any(|(t, i, _)| *t == target && *i == id) {
                continue;
            }
            let resource = if let Some(stored) = stored_type(&target) {
                current(conn, stored, &id).await?
            } else if let Some(kind) = Kind::parse(&target) {
                read_resource(store, billing, kind, &id)
                    .await?
                    .map(|served| served.resource)
            } else {
                None
            };
            if let Some(resource) = resource {
                found.push((target, id, resource));
            }
        }
        Ok(found)
    }
}

/// The statements a search runs: the count, then the page, over one list of values.
struct Statements {
    /// `SELECT COUNT(*) AS total ...`, binding the first `count_values` values.
    count: String,
    /// `SELECT c.logical_id, c.raw ...` of the page, binding all the values.
    page: String,
    /// The values bound.
    values: Vec<Value>,
    /// How many of `values` the count binds.
    count_values: usize,
}

/// `Type:param[:target]` of `resource_type`'s reference parameters, `*` or `Type:*` for all.
fn include_of(resource_type: &str, value: &str) -> Result<(String, Option<String>), FhirError> {
    let bad = || {
        FhirError::bad_request(format!(
            "_include '{value}' is not {resource_type}:parameter[:Type] of a reference parameter"
        ))
    };
    if value == "*" || value == format!("{resource_type}:*") {
        return Ok(("*".to_string(), None));
    }
    let mut parts = value.split(':');
    let (Some(source), Some(code), target) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let def = params::param(resource_type, code)
        .filter(|def| source == resource_type && def.kind == ParamType::Reference)
        .ok_or_else(bad)?;
    if let Some(target) = target
        && !def.targets.iter().any(|t| t == target)
    {
        return Err(bad());
    }
    Ok((code.to_string(), target.map(str::to_string)))
}

/// `resource` cut down to `id`, `meta`, `resourceType` and `elements`, tagged SUBSETTED.
fn subset(resource: serde_json::Value, elements: &[String]) -> serde_json::Value {
    let serde_json::Value::Object(object) = resource else {
        return resource;
    };
    let mut kept: serde_json::Map<String, serde_json::Value> = object
        .into_iter()
        .filter(|(key, _)| {
            matches!(key.as_str(), "resourceType" | "id" | "meta") || elements.contains(key)
        })
        .collect();
    let meta = kept.entry("meta").or_insert_with(|| json!({}));
    if let Some(meta) = meta.as_object_mut() {
        let tags = meta.entry("tag").or_insert_with(|| json!([]));
        if let Some(tags) = tags.as_array_mut() {
            tags.push(json!({"system": SUBSETTED, "code": "SUBSETTED"}));
        }
    }
    serde_json::Value::Object(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    /// The plan SQLite makes for a search by patient: through the reference index, never a scan
    /// of every stored resource (what keeps it fast over 100,000 Observations).
    #[tokio::test]
    async fn a_search_by_patient_walks_the_reference_index() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let store = Store::connect(&url, 1).await.expect("open SQLite");
        store.migrate().await.expect("migrate");
        let search = StoredSearch::parse(
            "Observation",
            &pairs(&[
                ("patient", "Patient/7"),
                ("_sort", "-date"),
                ("_count", "10"),
            ]),
        )
        .expect("a search");
        let statements = search
            .statements(Placeholders::Anonymous, &Resolved::new())
            .expect("statements");
        let mut conn = store.pool().acquire().await.expect("a connection");
        let count_values = &statements.values[..statements.count_values];
        for (sql, values) in [
            (&statements.count, count_values),
            (&statements.page, &statements.values[..]),
        ] {
            let plan = conn
                .rows(&format!("EXPLAIN QUERY PLAN {sql}"), values)
                .await
                .expect("a plan");
            let details: Vec<String> = plan
                .iter()
                .map(|row| row.text("detail").expect("a detail"))
                .collect();
            assert!(
                details
                    .iter()
                    .any(|d| d.contains("USING INDEX fhir_index_reference_target")),
                "{sql}: {details:?}"
            );
            assert!(
                !details.iter().any(|d| d.starts_with("SCAN c")),
                "{sql}: {details:?}"
            );
        }
    }

    #[test]
    fn elements_keep_identity_and_tag_the_subset() {
        let resource = json!({"resourceType": "Observation", "id": "o", "meta": {"versionId": "2"},
                              "status": "final", "code": {"text": "x"}, "note": [{"text": "n"}]});
        let cut = subset(resource, &["status".to_string()]);
        assert_eq!(
            cut,
            json!({"resourceType": "Observation", "id": "o", "status": "final",
                   "meta": {"versionId": "2", "tag": [{"system": SUBSETTED, "code": "SUBSETTED"}]}})
        );
    }

    #[test]
    fn includes_name_reference_parameters_of_the_type() {
        assert_eq!(
            include_of("Observation", "Observation:subject:Patient").expect("an include"),
            ("subject".to_string(), Some("Patient".to_string()))
        );
        assert_eq!(
            include_of("Observation", "*").expect("all"),
            ("*".to_string(), None)
        );
        for bad in [
            "Condition:subject",
            "Observation:code",
            "Observation:subject:Claim",
            "x",
        ] {
            assert!(include_of("Observation", bad).is_err(), "{bad}");
        }
    }
}
