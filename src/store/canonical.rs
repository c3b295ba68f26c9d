//! Repositories for the canonical records: idempotent upserts keyed by natural keys, and reads.
//!
//! This file is long because every canonical record's upsert (patients and identifiers, visits and
//! diagnoses, coverages, providers, payers, bills) follows the same natural-key and explicit-null
//! rules, written once here.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use sqlx::Row;

use super::sql::{Sql, first_row};
use super::upsert::{TextField, Upsert, Value};
use super::{Change, Store, StoreError, Upserted};
use crate::canonical::{
    Bill, BillLine, Contract, Coverage, Encounter, FieldState, Identifier, PATIENT_FIELDS, Patient,
    Payer, Provider, join_codes,
};

/// A stored patient, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPatient {
    /// Store id.
    pub id: i64,
    /// Number of changes since creation, starting at 1.
    pub revision: i64,
    /// The patient.
    #[serde(flatten)]
    pub patient: Patient,
}

/// Search criteria for patients; absent criteria match everything.
#[derive(Debug, Clone, Default)]
pub struct PatientQuery {
    /// Family name, case-insensitive prefix.
    pub family_name: Option<String>,
    /// Identifier value (any system).
    pub identifier: Option<String>,
    /// Birth date `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Maximum rows.
    pub limit: i64,
}

const PATIENT_COLUMNS: &str = "id, revision, family_name, given_name, middle_name, birth_date, gender, phone, address_line, city, state, postal_code, country";

/// The values of a patient's fields, in the order of their columns, [`PATIENT_FIELDS`].
fn patient_values<F: FieldState + TextField>(patient: &Patient<F>) -> [Value; 11] {
    let address = &patient.address;
    [
        patient.family_name.value(),
        patient.given_name.value(),
        patient.middle_name.value(),
        patient.birth_date.value(),
        patient.gender.value(),
        patient.phone.value(),
        address.line.value(),
        address.city.value(),
        address.state.value(),
        address.postal_code.value(),
        address.country.value(),
    ]
}

impl Store {
    /// Creates or updates a patient found by any of its identifiers; adds new identifiers.
    pub async fn upsert_patient(&self, patient: &Patient) -> Result<Upserted, StoreError> {
        if patient.identifiers.is_empty() {
            return Err(StoreError::Invalid(
                "a patient needs at least one identifier".into(),
            ));
        }
        // Two writers creating the same new patient race on the identifier's unique index;
        // the loser rolls back and finds the winner's row on the second pass.
        for _ in 0..2 {
            let mut tx = self.begin_write().await?;
            if let Some(result) = upsert_patient_in(&mut *tx, patient).await? {
                tx.commit().await?;
                return Ok(result);
            }
            tx.rollback().await?;
        }
        Err(StoreError::Invalid(
            "patient identifiers are claimed by a concurrent writer; retry".into(),
        ))
    }

    /// Reads one patient with its identifiers.
    pub async fn patient(&self, id: i64) -> Result<Option<StoredPatient>, StoreError> {
        let sql = format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE id = $1");
        let Some(row) = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let mut found = patient_from_row(&row)?;
        found.patient.identifiers = self.patient_identifiers(id).await?;
        Ok(Some(found))
    }

    /// Finds patients by name, identifier or birth date, newest first.
    pub async fn search_patients(
        &self,
        query: &PatientQuery,
    ) -> Result<Vec<StoredPatient>, StoreError> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(family) = &query.family_name {
            values.push(Value::Text(Some(format!("{}%", family.to_lowercase()))));
            conditions.push(format!("LOWER(family_name) LIKE ${}", values.len()));
        }
        if let Some(identifier) = &query.identifier {
            values.push(Value::from(identifier));
            conditions.push(format!(
                "id IN (SELECT patient_id FROM patient_identifiers WHERE value = ${})",
                values.len()
            ));
        }
        if let Some(birth_date) = &query.birth_date {
            values.push(Value::from(birth_date));
            conditions.push(format!("birth_date = ${}", values.len()));
        }
        values.push(Value::Int(Some(query.limit.clamp(1, 1000))));
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {PATIENT_COLUMNS} FROM patients {filter} ORDER BY id DESC LIMIT ${}",
            values.len()
        );
        let rows = super::upsert::bind_all(sqlx::query(AssertSqlSafe(sql)), &values)
            .fetch_all(self.pool())
            .await?;
        let mut patients = Vec::with_capacity(rows.len());
        for row in rows {
            let mut found = patient_from_row(&row)?;
            found.patient.identifiers = self.patient_identifiers(found.id).await?;
            patients.push(found);
        }
        Ok(patients)
    }

    async fn patient_identifiers(&self, patient_id: i64) -> Result<Vec<Identifier>, StoreError> {
        identifiers_on(&mut *self.pool().acquire().await?, patient_id).await
    }

    /// Creates or updates a provider by NPI.
    pub async fn upsert_provider(&self, provider: &Provider) -> Result<Upserted, StoreError> {
        let mut conn = self.pool().acquire().await?;
        upsert_provider_on(&mut *conn, provider).await
    }

    /// Creates or updates a payer by payer id.
    pub async fn upsert_payer(&self, payer: &Payer) -> Result<Upserted, StoreError> {
        let mut conn = self.pool().acquire().await?;
        upsert_payer_on(&mut *conn, payer).await
    }

    /// Creates or updates a payer contract by (payer, name), with its fee schedule.
    /// The contract counts as updated when any fee changed.
    pub async fn upsert_contract(&self, contract: &Contract) -> Result<Upserted, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut result = Upsert {
            table: "payer_contracts",
            keys: &[
                ("payer_id", Value::from(contract.payer_id)),
                ("name", Value::from(&contract.name)),
            ],
            fields: &[
                ("effective_from", Value::from(&contract.effective_from)),
                ("effective_to", Value::from(&contract.effective_to)),
                ("deductible_cents", Value::from(contract.deductible_cents)),
                ("copay_cents", Value::from(contract.copay_cents)),
                (
                    "coinsurance_basis_points",
                    Value::from(contract.coinsurance_basis_points),
                ),
                (
                    "timely_filing_days",
                    Value::from(contract.timely_filing_days),
                ),
            ],
        }
        .run(&mut *tx)
        .await?;
        for fee in &contract.fees {
            let fee_result = Upsert {
                table: "contract_fees",
                keys: &[
                    ("contract_id", Value::from(result.id)),
                    ("procedure_code", Value::from(&fee.procedure_code)),
                    ("modifiers", Value::from(&join_codes(&fee.modifiers))),
                ],
                fields: &[("allowed_cents", Value::from(fee.allowed_cents))],
            }
            .run(&mut *tx)
            .await?;
            if result.change == Change::Unchanged && fee_result.change != Change::Unchanged {
                result.change = Change::Updated;
            }
        }
        tx.commit().await?;
        Ok(result)
    }

    /// Creates or updates an encounter by visit number.
    pub async fn upsert_encounter(&self, encounter: &Encounter) -> Result<Upserted, StoreError> {
        let mut conn = self.pool().acquire().await?;
        upsert_encounter_on(&mut *conn, encounter).await
    }

    /// Creates or updates a coverage by (patient, payer, member id).
    pub async fn upsert_coverage(&self, coverage: &Coverage) -> Result<Upserted, StoreError> {
        let mut conn = self.pool().acquire().await?;
        upsert_coverage_on(&mut *conn, coverage).await
    }

    /// Creates or updates the bill of an encounter.
    pub async fn upsert_bill(&self, bill: &Bill) -> Result<Upserted, StoreError> {
        let mut conn = self.pool().acquire().await?;
        upsert_bill_on(&mut *conn, bill).await
    }

    /// Creates or updates a charge on a bill by (bill, line key).
    pub async fn upsert_bill_line(&self, line: &BillLine) -> Result<Upserted, StoreError> {
        let mut conn = self.pool().acquire().await?;
        upsert_bill_line_on(&mut *conn, line).await
    }
}

/// One attempt at a patient upsert inside a transaction; `None` when a concurrent writer won.
/// A whole patient (`Patient`) replaces the stored fields; an update (`Patient<FieldValue>`)
/// changes only the fields it sends, clearing the cleared ones.
pub async fn upsert_patient_in<F: FieldState + TextField>(
    conn: &mut dyn Sql,
    patient: &Patient<F>,
) -> Result<Option<Upserted>, StoreError> {
    let mut existing = None;
    for identifier in &patient.identifiers {
        if let Some(id) = patient_by_identifier_on(conn, identifier).await? {
            existing = Some(id);
            break;
        }
    }
    let now = super::now_millis();
    let fields = patient_values(patient);
    let (id, mut change) = match existing {
        None => {
            let mut values = fields.to_vec();
            values.push(Value::from(now));
            let placeholders: Vec<String> = (1..=fields.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO patients ({}, created_at, updated_at) VALUES ({}, ${now}, ${now}) RETURNING id",
                PATIENT_FIELDS.join(", "),
                placeholders.join(", "),
                now = fields.len() + 1,
            );
            let row = first_row(conn, &sql, &values)
                .await?
                .ok_or_else(|| StoreError::NotFound("the patient just inserted".into()))?;
            (row.int("id")?, Change::Created)
        }
        Some(id) => {
            let written: Vec<(&str, Value)> = PATIENT_FIELDS
                .into_iter()
                .zip(fields)
                .filter(|(_, value)| value.is_written())
                .collect();
            let change = if written.is_empty() {
                Change::Unchanged
            } else {
                let set: Vec<String> = (1..)
                    .zip(&written)
                    .map(|(i, (column, _))| format!("{column} = ${i}"))
                    .collect();
                let differs: Vec<String> = (1..)
                    .zip(&written)
                    .map(|(i, (column, _))| format!("{column} IS DISTINCT FROM ${i}"))
                    .collect();
                let sql = format!(
                    "UPDATE patients SET {}, updated_at = ${now}, revision = revision + 1 \
                     WHERE id = ${id} AND ({})",
                    set.join(", "),
                    differs.join(" OR "),
                    now = written.len() + 1,
                    id = written.len() + 2,
                );
                let mut values: Vec<Value> = written.into_iter().map(|(_, v)| v).collect();
                values.extend([Value::from(now), Value::from(id)]);
                if conn.execute(&sql, &values).await? > 0 {
                    Change::Updated
                } else {
                    Change::Unchanged
                }
            };
            (id, change)
        }
    };
    // A message may repeat an identifier (PID-3 with the same CX twice): it is one identifier.
    let mut seen = std::collections::HashSet::new();
    for identifier in &patient.identifiers {
        if !seen.insert((&identifier.system, &identifier.value)) {
            continue;
        }
        let inserted = conn
            .execute(
                "INSERT INTO patient_identifiers (patient_id, system, value, type_code) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (system, value) DO NOTHING",
                &[
                    Value::from(id),
                    Value::from(&identifier.system),
                    Value::from(&identifier.value),
                    Value::from(&identifier.type_code),
                ],
            )
            .await?;
        if inserted == 0 && change == Change::Created {
            // Someone else created this patient between our lookup and insert.
            return Ok(None);
        }
        if inserted > 0 && change == Change::Unchanged {
            change = Change::Updated;
        }
    }
    Ok(Some(Upserted { id, change }))
}

fn patient_from_row(row: &sqlx::any::AnyRow) -> Result<StoredPatient, StoreError> {
    Ok(StoredPatient {
        id: row.try_get("id")?,
        revision: row.try_get("revision")?,
        patient: Patient {
            identifiers: Vec::new(),
            family_name: row.try_get("family_name")?,
            given_name: row.try_get("given_name")?,
            middle_name: row.try_get("middle_name")?,
            birth_date: row.try_get("birth_date")?,
            gender: row.try_get("gender")?,
            phone: row.try_get("phone")?,
            address: crate::canonical::Address {
                line: row.try_get("address_line")?,
                city: row.try_get("city")?,
                state: row.try_get("state")?,
                postal_code: row.try_get("postal_code")?,
                country: row.try_get("country")?,
            },
        },
    })
}

/// Store ids of what [`Store::upsert_records`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordIds {
    /// The patient.
    pub patient: Option<Upserted>,
    /// The encounter.
    pub encounter: Option<Upserted>,
    /// The encounter's bill.
    pub bill: Option<Upserted>,
    /// Coverages.
    pub coverages: Vec<Upserted>,
    /// Bill lines.
    pub bill_lines: Vec<Upserted>,
}

impl Store {
    /// Upserts one message's records in dependency order: patient, attending provider,
    /// encounter and its bill, payers and coverages, bill lines. One commit.
    pub async fn upsert_records(
        &self,
        records: &crate::mapping::Records,
    ) -> Result<RecordIds, StoreError> {
        if records.patient.is_none() {
            return Ok(RecordIds::default());
        }
        let mut tx = self.begin_write().await?;
        let ids = upsert_records_on(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The store id of the patient with this identifier.
    pub async fn patient_by_identifier(
        &self,
        identifier: &Identifier,
    ) -> Result<Option<i64>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        patient_by_identifier_on(&mut *conn, identifier).await
    }

    /// Merges patient `from` into patient `into` (ADT^A40): identifiers, encounters, bills and
    /// coverages move over (a coverage `into` already has is dropped), and `from` is deleted.
    pub async fn merge_patients(&self, from: i64, into: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        merge_patients_on(&mut *tx, from, into).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Upserts one message's canonical records on `conn`, inside the caller's transaction (the
/// `store` destination's batches): the ids of what was upserted.
pub async fn upsert_records_on(
    conn: &mut dyn Sql,
    records: &crate::mapping::Records,
) -> Result<RecordIds, StoreError> {
    let mut ids = RecordIds::default();
    let Some(patient) = &records.patient else {
        return Ok(ids);
    };
    let patient = upsert_patient_in(conn, patient).await?.ok_or_else(|| {
        StoreError::Busy("the patient's identifiers were claimed by a concurrent writer".into())
    })?;
    ids.patient = Some(patient);
    for identifier in &records.merged_identifiers {
        if let Some(merged) = patient_by_identifier_on(conn, identifier).await?
            && merged != patient.id
        {
            merge_patients_on(conn, merged, patient.id).await?;
        }
    }
    if let Some(encounter) = &records.encounter {
        let attending = match encounter.attending_npi.known() {
            Some(npi) => Some(
                upsert_provider_on(
                    conn,
                    &Provider {
                        name: encounter
                            .attending_name
                            .known()
                            .unwrap_or_else(|| npi.clone()),
                        npi,
                        kind: "individual".to_string(),
                        tax_id: None,
                        taxonomy: None,
                    },
                )
                .await?
                .id,
            ),
            None => None,
        };
        let stored = upsert_encounter_on(conn, &encounter.encounter(patient.id, attending)).await?;
        ids.encounter = Some(stored);
        if !records.charges.is_empty() {
            let bill = bill_for_encounter_on(conn, stored.id, patient.id).await?;
            ids.bill = Some(bill);
            for charge in &records.charges {
                ids.bill_lines
                    .push(upsert_bill_line_on(conn, &charge.bill_line(bill.id)).await?);
            }
        }
    }
    for coverage in &records.coverages {
        let payer = payer_for_coverage_on(conn, coverage).await?;
        ids.coverages
            .push(upsert_coverage_on(conn, &coverage.coverage(patient.id, payer)).await?);
    }
    Ok(ids)
}

/// A visit as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EncounterView {
    /// Store id.
    pub id: i64,
    /// Visit number.
    pub visit_number: String,
    /// Class.
    pub class: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Admission time.
    pub admitted_at: Option<String>,
    /// Discharge time.
    pub discharged_at: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Diagnoses.
    pub diagnosis_codes: Vec<String>,
    /// Whether the patient pays the visit themself; `None` when not known.
    pub self_pay: Option<bool>,
}

/// A coverage as read back, with its payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    /// Store id.
    pub id: i64,
    /// The payer's id.
    pub payer_id: String,
    /// The payer's name.
    pub payer_name: String,
    /// Member id.
    pub member_id: String,
    /// Plan.
    pub plan_name: Option<String>,
    /// Group number.
    pub group_number: Option<String>,
    /// Relationship to the subscriber.
    pub relationship: Option<String>,
    /// 1 primary, 2 secondary...
    pub priority: i64,
    /// What the payer last answered when asked whether the member is covered (270/271).
    pub eligibility: Option<super::inquiries::CoverageEligibility>,
    /// The prior authorizations asked for the member (278), newest first.
    pub authorizations: Vec<super::inquiries::CoverageAuthorization>,
}

/// A bill line as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BillLineView {
    /// Store id.
    pub id: i64,
    /// Key in its source.
    pub line_key: String,
    /// Date of service.
    pub service_date: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Modifiers.
    pub modifiers: Vec<String>,
    /// Diagnoses.
    pub diagnosis_codes: Vec<String>,
    /// Units in thousandths.
    pub units_thousandths: i64,
    /// Charge in cents.
    pub charge_cents: i64,
    /// Description.
    pub description: Option<String>,
}

/// A bill as read back, with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BillView {
    /// Store id.
    pub id: i64,
    /// The visit it bills.
    pub visit_number: String,
    /// Status.
    pub status: String,
    /// Sum of the lines' charges, in cents.
    pub total_cents: i64,
    /// The lines.
    pub lines: Vec<BillLineView>,
}

/// Everything the store knows about one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientRecord {
    /// The patient.
    #[serde(flatten)]
    pub patient: StoredPatient,
    /// Visits, newest first.
    pub encounters: Vec<EncounterView>,
    /// Coverages, by priority.
    pub coverages: Vec<CoverageView>,
    /// Bills, newest first.
    pub bills: Vec<BillView>,
}

impl Store {
    /// A patient with visits, coverages and bills.
    pub async fn patient_record(&self, id: i64) -> Result<Option<PatientRecord>, StoreError> {
        let Some(patient) = self.patient(id).await? else {
            return Ok(None);
        };
        let encounters = sqlx::query(
            "SELECT id, visit_number, class, status, admitted_at, discharged_at, location, diagnosis_codes, \
             self_pay FROM encounters WHERE patient_id = $1 ORDER BY id DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            let codes: String = row.try_get("diagnosis_codes")?;
            Ok(EncounterView {
                id: row.try_get("id")?,
                visit_number: row.try_get("visit_number")?,
                class: row.try_get("class")?,
                status: row.try_get("status")?,
                admitted_at: row.try_get("admitted_at")?,
                discharged_at: row.try_get("discharged_at")?,
                location: row.try_get("location")?,
                diagnosis_codes: crate::canonical::split_codes(&codes),
                self_pay: row.try_get::<Option<i64>, _>("self_pay")?.map(|v| v != 0),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let coverages = sqlx::query(
            "SELECT c.id, p.payer_id, p.name, c.member_id, c.plan_name, c.group_number, c.relationship, c.priority \
             FROM coverages c JOIN payers p ON p.id = c.payer_id WHERE c.patient_id = $1 ORDER BY c.priority, c.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(CoverageView {
                id: row.try_get("id")?,
                payer_id: row.try_get("payer_id")?,
                payer_name: row.try_get("name")?,
                member_id: row.try_get("member_id")?,
                plan_name: row.try_get("plan_name")?,
                group_number: row.try_get("group_number")?,
                relationship: row.try_get("relationship")?,
                priority: row.try_get("priority")?,
                eligibility: None,
                authorizations: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let mut coverages = coverages;
        for coverage in &mut coverages {
            coverage.eligibility = self
                .latest_eligibility(&coverage.payer_id, &coverage.member_id)
                .await?;
            coverage.authorizations = self
                .member_authorizations(&coverage.payer_id, &coverage.member_id)
                .await?;
        }
        let mut bills = Vec::new();
        let rows = sqlx::query(
            "SELECT b.id, e.visit_number, b.status FROM bills b JOIN encounters e ON e.id = b.encounter_id \
             WHERE b.patient_id = $1 ORDER BY b.id DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            let bill_id: i64 = row.try_get("id")?;
            let lines = sqlx::query(
                "SELECT id, line_key, service_date, procedure_code, modifiers, diagnosis_codes, units_thousandths, \
                 charge_cents, description FROM bill_lines WHERE bill_id = $1 ORDER BY id",
            )
            .bind(bill_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|line| {
                let modifiers: String = line.try_get("modifiers")?;
                let codes: String = line.try_get("diagnosis_codes")?;
                Ok(BillLineView {
                    id: line.try_get("id")?,
                    line_key: line.try_get("line_key")?,
                    service_date: line.try_get("service_date")?,
                    procedure_code: line.try_get("procedure_code")?,
                    modifiers: crate::canonical::split_codes(&modifiers),
                    diagnosis_codes: crate::canonical::split_codes(&codes),
                    units_thousandths: line.try_get("units_thousandths")?,
                    charge_cents: line.try_get("charge_cents")?,
                    description: line.try_get("description")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            bills.push(BillView {
                id: bill_id,
                visit_number: row.try_get("visit_number")?,
                status: row.try_get("status")?,
                total_cents: lines.iter().map(|l| l.charge_cents).sum(),
                lines,
            });
        }
        Ok(Some(PatientRecord {
            patient,
            encounters,
            coverages,
            bills,
        }))
    }
}

/// Creates or updates a provider by NPI. On a given connection or transaction.
pub async fn upsert_provider_on(
    conn: &mut dyn Sql,
    provider: &Provider,
) -> Result<Upserted, StoreError> {
    Upsert {
        table: "providers",
        keys: &[("npi", Value::from(&provider.npi))],
        fields: &[
            ("name", Value::from(&provider.name)),
            ("kind", Value::from(&provider.kind)),
            ("tax_id", Value::from(&provider.tax_id)),
            ("taxonomy", Value::from(&provider.taxonomy)),
        ],
    }
    .run(conn)
    .await
}

/// Creates or updates a payer by payer id. On a given connection or transaction.
pub async fn upsert_payer_on(conn: &mut dyn Sql, payer: &Payer) -> Result<Upserted, StoreError> {
    Upsert {
        table: "payers",
        keys: &[("payer_id", Value::from(&payer.payer_id))],
        fields: &[
            ("name", Value::from(&payer.name)),
            ("claim_type", Value::from(&payer.claim_type)),
            ("receiver_id", Value::from(&payer.receiver_id)),
            ("receiver_qualifier", Value::from(&payer.receiver_qualifier)),
        ],
    }
    .run(conn)
    .await
}

/// Creates or updates an encounter by visit number. On a given connection or transaction.
/// An encounter without diagnoses keeps the ones stored: a charge message or a FHIR Encounter
/// without reasons does not erase what an ADT's DG1 segments said; nor does one that does not
/// know whether the visit is self-pay. An update (`Encounter<FieldValue>`) changes only the
/// fields it sends, and keeps the attending when it names none.
pub async fn upsert_encounter_on<F: FieldState + TextField>(
    conn: &mut dyn Sql,
    encounter: &Encounter<F>,
) -> Result<Upserted, StoreError> {
    let attending = match encounter.attending_provider_id {
        None if F::UPDATE => Value::Keep,
        id => Value::from(id),
    };
    let diagnoses = if encounter.diagnosis_codes.is_empty() {
        Value::Keep
    } else {
        Value::from(&join_codes(&encounter.diagnosis_codes))
    };
    let self_pay = encounter
        .self_pay
        .map_or(Value::Keep, |paid| Value::from(i64::from(paid)));
    Upsert {
        table: "encounters",
        keys: &[("visit_number", Value::from(&encounter.visit_number))],
        fields: &[
            ("patient_id", Value::from(encounter.patient_id)),
            ("class", encounter.class.value()),
            ("status", encounter.status.value()),
            ("admitted_at", encounter.admitted_at.value()),
            ("discharged_at", encounter.discharged_at.value()),
            ("location", encounter.location.value()),
            ("facility", encounter.facility.value()),
            ("attending_provider_id", attending),
            ("diagnosis_codes", diagnoses),
            ("self_pay", self_pay),
        ],
    }
    .run(conn)
    .await
}

/// Creates or updates a coverage by (patient, payer, member id). On a given connection or
/// transaction. An update (`Coverage<FieldValue>`) changes only the fields it sends.
pub async fn upsert_coverage_on<F: FieldState + TextField>(
    conn: &mut dyn Sql,
    coverage: &Coverage<F>,
) -> Result<Upserted, StoreError> {
    Upsert {
        table: "coverages",
        keys: &[
            ("patient_id", Value::from(coverage.patient_id)),
            ("payer_id", Value::from(coverage.payer_id)),
            ("member_id", Value::from(&coverage.member_id)),
        ],
        fields: &[
            ("plan_name", coverage.plan_name.value()),
            ("group_number", coverage.group_number.value()),
            ("subscriber_name", coverage.subscriber_name.value()),
            ("relationship", coverage.relationship.value()),
            ("priority", Value::from(coverage.priority)),
            ("effective_from", coverage.effective_from.value()),
            ("effective_to", coverage.effective_to.value()),
        ],
    }
    .run(conn)
    .await
}

/// Creates or updates the bill of an encounter. On a given connection or transaction.
async fn upsert_bill_on(conn: &mut dyn Sql, bill: &Bill) -> Result<Upserted, StoreError> {
    Upsert {
        table: "bills",
        keys: &[("encounter_id", Value::from(bill.encounter_id))],
        fields: &[
            ("patient_id", Value::from(bill.patient_id)),
            ("status", Value::from(&bill.status)),
        ],
    }
    .run(conn)
    .await
}

/// Creates or updates a charge on a bill by (bill, line key). On a given connection or transaction.
pub async fn upsert_bill_line_on(
    conn: &mut dyn Sql,
    line: &BillLine,
) -> Result<Upserted, StoreError> {
    if line.charge_cents < 0 || line.units_thousandths <= 0 {
        return Err(StoreError::Invalid(format!(
            "bill line '{}': charge must not be negative and units must be positive",
            line.line_key
        )));
    }
    Upsert {
        table: "bill_lines",
        keys: &[
            ("bill_id", Value::from(line.bill_id)),
            ("line_key", Value::from(&line.line_key)),
        ],
        fields: &[
            ("service_date", Value::from(&line.service_date)),
            ("procedure_code", Value::from(&line.procedure_code)),
            ("modifiers", Value::from(&join_codes(&line.modifiers))),
            ("revenue_code", Value::from(&line.revenue_code)),
            (
                "diagnosis_codes",
                Value::from(&join_codes(&line.diagnosis_codes)),
            ),
            ("units_thousandths", Value::from(line.units_thousandths)),
            ("charge_cents", Value::from(line.charge_cents)),
            ("description", Value::from(&line.description)),
        ],
    }
    .run(conn)
    .await
}

/// The store id of the patient with this identifier, on a connection.
pub async fn patient_by_identifier_on(
    conn: &mut dyn Sql,
    identifier: &Identifier,
) -> Result<Option<i64>, StoreError> {
    first_row(
        conn,
        "SELECT patient_id FROM patient_identifiers WHERE system = $1 AND value = $2",
        &[
            Value::from(&identifier.system),
            Value::from(&identifier.value),
        ],
    )
    .await?
    .map(|row| row.int("patient_id"))
    .transpose()
}

/// The visit with store id `id`, on a connection.
pub async fn encounter_on(conn: &mut dyn Sql, id: i64) -> Result<Option<Encounter>, StoreError> {
    let Some(row) = first_row(
        conn,
        "SELECT visit_number, patient_id, class, status, admitted_at, discharged_at, location, facility, \
         attending_provider_id, diagnosis_codes, self_pay FROM encounters WHERE id = $1",
        &[Value::from(id)],
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Encounter {
        visit_number: row.text("visit_number")?,
        patient_id: row.int("patient_id")?,
        class: row.opt_text("class")?,
        status: row.opt_text("status")?,
        admitted_at: row.opt_text("admitted_at")?,
        discharged_at: row.opt_text("discharged_at")?,
        location: row.opt_text("location")?,
        facility: row.opt_text("facility")?,
        attending_provider_id: row.opt_int("attending_provider_id")?,
        diagnosis_codes: crate::canonical::split_codes(&row.text("diagnosis_codes")?),
        self_pay: row.opt_int("self_pay")?.map(|v| v != 0),
    }))
}

/// The coverage with store id `id`, on a connection.
pub async fn coverage_on(conn: &mut dyn Sql, id: i64) -> Result<Option<Coverage>, StoreError> {
    let Some(row) = first_row(
        conn,
        "SELECT patient_id, payer_id, member_id, plan_name, group_number, subscriber_name, relationship, \
         priority, effective_from, effective_to FROM coverages WHERE id = $1",
        &[Value::from(id)],
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Coverage {
        patient_id: row.int("patient_id")?,
        payer_id: row.int("payer_id")?,
        member_id: row.text("member_id")?,
        plan_name: row.opt_text("plan_name")?,
        group_number: row.opt_text("group_number")?,
        subscriber_name: row.opt_text("subscriber_name")?,
        relationship: row.opt_text("relationship")?,
        priority: row.int("priority")?,
        effective_from: row.opt_text("effective_from")?,
        effective_to: row.opt_text("effective_to")?,
    }))
}

/// The identifiers of a patient, in the order they were added, on a connection.
pub async fn identifiers_on(
    conn: &mut dyn Sql,
    patient_id: i64,
) -> Result<Vec<Identifier>, StoreError> {
    let rows = conn
        .rows(
            "SELECT system, value, type_code FROM patient_identifiers WHERE patient_id = $1 ORDER BY id",
            &[Value::from(patient_id)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Identifier {
                system: row.text("system")?,
                value: row.text("value")?,
                type_code: row.opt_text("type_code")?,
            })
        })
        .collect()
}

/// Moves everything of patient `from` to `into` and deletes `from`, inside a transaction.
async fn merge_patients_on(conn: &mut dyn Sql, from: i64, into: i64) -> Result<(), StoreError> {
    let merged = identifiers_on(conn, from).await?;
    let statements = [
        "DELETE FROM coverages WHERE patient_id = $1 AND EXISTS (SELECT 1 FROM coverages kept \
         WHERE kept.patient_id = $2 AND kept.payer_id = coverages.payer_id AND kept.member_id = coverages.member_id)",
        "UPDATE coverages SET patient_id = $2 WHERE patient_id = $1",
        "UPDATE patient_identifiers SET patient_id = $2 WHERE patient_id = $1",
        "UPDATE encounters SET patient_id = $2 WHERE patient_id = $1",
        "UPDATE bills SET patient_id = $2 WHERE patient_id = $1",
    ];
    for statement in statements {
        conn.execute(statement, &[Value::from(from), Value::from(into)])
            .await?;
    }
    conn.execute("DELETE FROM patients WHERE id = $1", &[Value::from(from)])
        .await?;
    conn.execute(
        "UPDATE patients SET revision = revision + 1, updated_at = $1 WHERE id = $2",
        &[Value::from(super::now_millis()), Value::from(into)],
    )
    .await?;
    super::outbox::record_merge_on(conn, into, &merged).await
}

/// The encounter's bill, created open when it has none; an existing bill keeps its status.
pub async fn bill_for_encounter_on(
    conn: &mut dyn Sql,
    encounter_id: i64,
    patient_id: i64,
) -> Result<Upserted, StoreError> {
    let existing = first_row(
        conn,
        "SELECT id FROM bills WHERE encounter_id = $1",
        &[Value::from(encounter_id)],
    )
    .await?;
    match existing {
        Some(row) => Ok(Upserted {
            id: row.int("id")?,
            change: Change::Unchanged,
        }),
        None => {
            upsert_bill_on(
                conn,
                &Bill {
                    encounter_id,
                    patient_id,
                    status: "open".to_string(),
                },
            )
            .await
        }
    }
}

/// The payer a coverage names, created when unknown (configured payers keep their settings).
async fn payer_for_coverage_on(
    conn: &mut dyn Sql,
    coverage: &crate::mapping::CoverageRecord,
) -> Result<i64, StoreError> {
    let existing = first_row(
        conn,
        "SELECT id FROM payers WHERE payer_id = $1",
        &[Value::from(&coverage.payer_id)],
    )
    .await?;
    match existing {
        Some(row) => Ok(row.int("id")?),
        None => Ok(upsert_payer_on(
            conn,
            &Payer {
                payer_id: coverage.payer_id.clone(),
                name: coverage
                    .payer_name
                    .known()
                    .unwrap_or_else(|| coverage.payer_id.clone()),
                claim_type: "837P".to_string(),
                receiver_id: None,
                receiver_qualifier: None,
            },
        )
        .await?
        .id),
    }
}
