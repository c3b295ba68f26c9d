//! The resource types the server knows: which interactions each supports, its search
//! parameters and `_include`s. The router dispatches on this table and the CapabilityStatement
//! is generated from it, so the two cannot disagree.

/// A resource type the server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A canonical patient.
    Patient,
    /// A canonical visit.
    Encounter,
    /// A canonical coverage.
    Coverage,
    /// A payer, or a provider that is an organization.
    Organization,
    /// A provider that is a person.
    Practitioner,
    /// A bill line.
    ChargeItem,
    /// A claim we built (read-only).
    Claim,
    /// A payer's answer to a claim, from an 835 (read-only).
    ClaimResponse,
    /// The same answer as an explanation of benefit for the patient (read-only).
    ExplanationOfBenefit,
}

/// How a search parameter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Case-insensitive prefix of a text column.
    Prefix(&'static str),
    /// Case-insensitive substring of a text column.
    Contains(&'static str),
    /// Exact value of a text column.
    Exact(&'static str),
    /// `[system|]value`: `value` column, and the `system` column when a system is given.
    Token {
        /// Column with the system.
        system: &'static str,
        /// Column with the value.
        value: &'static str,
    },
    /// `[system|]value` of a patient identifier.
    PatientIdentifier,
    /// ISO date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) with an optional `eq|ge|gt|le|lt` prefix,
    /// against an ISO text column.
    Date(&'static str),
    /// The same, against a Unix-milliseconds column.
    Millis(&'static str),
    /// A reference (`Type/id` or `id`) to `target`; the column holds the canonical id.
    Reference {
        /// Column with the canonical id.
        column: &'static str,
        /// Resource type referred to.
        target: Kind,
    },
}

impl Filter {
    /// The FHIR search parameter type.
    pub fn fhir_type(self) -> &'static str {
        match self {
            Filter::Prefix(_) | Filter::Contains(_) => "string",
            Filter::Exact(_) | Filter::Token { .. } | Filter::PatientIdentifier => "token",
            Filter::Date(_) | Filter::Millis(_) => "date",
            Filter::Reference { .. } => "reference",
        }
    }
}

/// One search parameter of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchParam {
    /// Its name in the query string.
    pub name: &'static str,
    /// How it matches.
    pub filter: Filter,
    /// What it means.
    pub doc: &'static str,
}

/// An `_include` of a type: the references found at `path` (JSON pointer, arrays expanded
/// where a step is `*`) are added to the search result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    /// The parameter name, as in `Encounter:patient`.
    pub name: &'static str,
    /// Steps to the Reference elements.
    pub path: &'static [&'static str],
}

impl Kind {
    /// Every type served, in the order the CapabilityStatement lists them.
    pub const ALL: [Kind; 9] = [
        Kind::Patient,
        Kind::Encounter,
        Kind::Coverage,
        Kind::Organization,
        Kind::Practitioner,
        Kind::ChargeItem,
        Kind::Claim,
        Kind::ClaimResponse,
        Kind::ExplanationOfBenefit,
    ];

    /// The FHIR type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Patient => "Patient",
            Kind::Encounter => "Encounter",
            Kind::Coverage => "Coverage",
            Kind::Organization => "Organization",
            Kind::Practitioner => "Practitioner",
            Kind::ChargeItem => "ChargeItem",
            Kind::Claim => "Claim",
            Kind::ClaimResponse => "ClaimResponse",
            Kind::ExplanationOfBenefit => "ExplanationOfBenefit",
        }
    }

    /// The type with this FHIR name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// True when clients may create and update it (and it carries a version).
    pub fn writable(self) -> bool {
        !matches!(
            self,
            Kind::Claim | Kind::ClaimResponse | Kind::ExplanationOfBenefit
        )
    }

    /// The interactions it supports, as CapabilityStatement codes.
    pub fn interactions(self) -> &'static [&'static str] {
        if self.deletable() {
            &["read", "search-type", "create", "update", "delete"]
        } else if self.writable() {
            &["read", "search-type", "create", "update"]
        } else {
            &["read", "search-type"]
        }
    }

    /// True when clients may delete it: only charges, while their bill is open. Patients,
    /// visits, coverages and parties feed claims and the audit trail, so they stay.
    pub fn deletable(self) -> bool {
        self == Kind::ChargeItem
    }

    /// Order in which a transaction writes its entries, so references point backwards.
    pub fn write_rank(self) -> u8 {
        match self {
            Kind::Organization | Kind::Practitioner => 0,
            Kind::Patient => 1,
            Kind::Encounter | Kind::Coverage => 2,
            Kind::ChargeItem | Kind::Claim | Kind::ClaimResponse | Kind::ExplanationOfBenefit => 3,
        }
    }

    /// The SQL rows searched: a `key` (the logical id), a `sort` order, and the columns the
    /// search parameters name.
    pub fn search_source(self) -> &'static str {
        match self {
            Kind::Patient => {
                "SELECT CAST(id AS TEXT) AS key, id AS sort, family_name, given_name, birth_date, gender \
                 FROM patients"
            }
            Kind::Encounter => {
                "SELECT CAST(id AS TEXT) AS key, id AS sort, patient_id, status, admitted_at FROM encounters"
            }
            Kind::Coverage => {
                "SELECT CAST(id AS TEXT) AS key, id AS sort, patient_id, payer_id, member_id FROM coverages"
            }
            Kind::Organization => {
                "SELECT 'payer-' || CAST(id AS TEXT) AS key, id * 2 AS sort, name, payer_id AS identifier, \
                 'urn:switchboard:payer-id' AS identifier_system FROM payers \
                 UNION ALL SELECT 'provider-' || CAST(id AS TEXT), id * 2 + 1, name, npi, \
                 'http://hl7.org/fhir/sid/us-npi' FROM providers WHERE kind = 'organization'"
            }
            Kind::Practitioner => {
                "SELECT CAST(id AS TEXT) AS key, id AS sort, name, npi AS identifier, \
                 'http://hl7.org/fhir/sid/us-npi' AS identifier_system FROM providers WHERE kind = 'individual'"
            }
            Kind::ChargeItem => {
                "SELECT CAST(l.id AS TEXT) AS key, l.id AS sort, b.patient_id, b.encounter_id \
                 FROM bill_lines l JOIN bills b ON b.id = l.bill_id"
            }
            Kind::Claim => {
                "SELECT CAST(c.id AS TEXT) AS key, c.id AS sort, b.patient_id, c.payer_id, c.created_at, \
                 CASE WHEN c.status IN ('voided', 'replaced') THEN 'cancelled' ELSE 'active' END AS status \
                 FROM claims c JOIN bills b ON b.id = c.bill_id"
            }
            Kind::ClaimResponse | Kind::ExplanationOfBenefit => {
                "SELECT CAST(rc.id AS TEXT) AS key, rc.id AS sort, rc.claim_id, b.patient_id, r.created_at \
                 FROM remittance_claims rc JOIN remittances r ON r.id = rc.remittance_id \
                 JOIN claims c ON c.id = rc.claim_id JOIN bills b ON b.id = c.bill_id"
            }
        }
    }

    /// Its search parameters.
    pub fn search_params(self) -> &'static [SearchParam] {
        const PATIENT: Filter = Filter::Reference {
            column: "patient_id",
            target: Kind::Patient,
        };
        match self {
            Kind::Patient => &[
                SearchParam {
                    name: "identifier",
                    filter: Filter::PatientIdentifier,
                    doc: "an identifier, `system|value` or `value`",
                },
                SearchParam {
                    name: "family",
                    filter: Filter::Prefix("family_name"),
                    doc: "start of the family name, any case",
                },
                SearchParam {
                    name: "given",
                    filter: Filter::Prefix("given_name"),
                    doc: "start of the given name, any case",
                },
                SearchParam {
                    name: "birthdate",
                    filter: Filter::Date("birth_date"),
                    doc: "date of birth, with an optional eq/ge/gt/le/lt prefix",
                },
                SearchParam {
                    name: "gender",
                    filter: Filter::Exact("gender"),
                    doc: "male, female, other or unknown",
                },
            ],
            Kind::Encounter => &[
                SearchParam {
                    name: "patient",
                    filter: PATIENT,
                    doc: "the patient",
                },
                SearchParam {
                    name: "date",
                    filter: Filter::Date("admitted_at"),
                    doc: "start of the visit, with an optional eq/ge/gt/le/lt prefix",
                },
                SearchParam {
                    name: "status",
                    filter: Filter::Exact("status"),
                    doc: "the visit status",
                },
            ],
            Kind::Coverage => &[
                SearchParam {
                    name: "patient",
                    filter: PATIENT,
                    doc: "the beneficiary",
                },
                SearchParam {
                    name: "beneficiary",
                    filter: PATIENT,
                    doc: "the beneficiary",
                },
                SearchParam {
                    name: "payor",
                    filter: Filter::Reference {
                        column: "payer_id",
                        target: Kind::Organization,
                    },
                    doc: "the payer (Organization/payer-N)",
                },
                SearchParam {
                    name: "subscriber-id",
                    filter: Filter::Exact("member_id"),
                    doc: "the member id",
                },
            ],
            Kind::Organization | Kind::Practitioner => &[
                SearchParam {
                    name: "identifier",
                    filter: Filter::Token {
                        system: "identifier_system",
                        value: "identifier",
                    },
                    doc: "payer id or NPI, `system|value` or `value`",
                },
                SearchParam {
                    name: "name",
                    filter: Filter::Contains("name"),
                    doc: "part of the name, any case",
                },
            ],
            Kind::ChargeItem => &[
                SearchParam {
                    name: "patient",
                    filter: PATIENT,
                    doc: "the patient",
                },
                SearchParam {
                    name: "encounter",
                    filter: Filter::Reference {
                        column: "encounter_id",
                        target: Kind::Encounter,
                    },
                    doc: "the visit billed",
                },
            ],
            Kind::Claim => &[
                SearchParam {
                    name: "patient",
                    filter: PATIENT,
                    doc: "the patient",
                },
                SearchParam {
                    name: "status",
                    filter: Filter::Exact("status"),
                    doc: "active, or cancelled once voided or replaced",
                },
                SearchParam {
                    name: "created",
                    filter: Filter::Millis("created_at"),
                    doc: "day the claim was built (UTC), with an optional eq/ge/gt/le/lt prefix",
                },
                SearchParam {
                    name: "insurer",
                    filter: Filter::Reference {
                        column: "payer_id",
                        target: Kind::Organization,
                    },
                    doc: "the payer (Organization/payer-N)",
                },
            ],
            Kind::ClaimResponse => &[
                SearchParam {
                    name: "request",
                    filter: Filter::Reference {
                        column: "claim_id",
                        target: Kind::Claim,
                    },
                    doc: "the claim answered",
                },
                SearchParam {
                    name: "patient",
                    filter: PATIENT,
                    doc: "the patient",
                },
            ],
            Kind::ExplanationOfBenefit => &[
                SearchParam {
                    name: "patient",
                    filter: PATIENT,
                    doc: "the patient",
                },
                SearchParam {
                    name: "claim",
                    filter: Filter::Reference {
                        column: "claim_id",
                        target: Kind::Claim,
                    },
                    doc: "the claim explained",
                },
                SearchParam {
                    name: "created",
                    filter: Filter::Millis("created_at"),
                    doc: "day the remittance was imported (UTC), with an optional eq/ge/gt/le/lt prefix",
                },
            ],
        }
    }

    /// Its `_include`s.
    pub fn includes(self) -> &'static [Include] {
        match self {
            Kind::Encounter => &[
                Include {
                    name: "patient",
                    path: &["subject"],
                },
                Include {
                    name: "practitioner",
                    path: &["participant", "*", "individual"],
                },
            ],
            Kind::Coverage => &[
                Include {
                    name: "payor",
                    path: &["payor", "*"],
                },
                Include {
                    name: "beneficiary",
                    path: &["beneficiary"],
                },
            ],
            Kind::ChargeItem => &[
                Include {
                    name: "patient",
                    path: &["subject"],
                },
                Include {
                    name: "encounter",
                    path: &["context"],
                },
            ],
            Kind::Claim => &[
                Include {
                    name: "patient",
                    path: &["patient"],
                },
                Include {
                    name: "insurer",
                    path: &["insurer"],
                },
            ],
            Kind::ClaimResponse => &[
                Include {
                    name: "request",
                    path: &["request"],
                },
                Include {
                    name: "patient",
                    path: &["patient"],
                },
            ],
            Kind::ExplanationOfBenefit => &[
                Include {
                    name: "claim",
                    path: &["claim"],
                },
                Include {
                    name: "patient",
                    path: &["patient"],
                },
            ],
            Kind::Patient | Kind::Organization | Kind::Practitioner => &[],
        }
    }
}

/// The R4 resource type named `name` when it is kept in the versioned JSON store: every type the
/// FHIR model knows that is not a [`Kind`] (those have canonical tables). `None` for a canonical
/// type or a name that is no resource type.
pub fn stored_type(name: &str) -> Option<&'static str> {
    use fhir_sdk::r4b::resources::ResourceType;
    if Kind::parse(name).is_some() {
        return None;
    }
    let parsed: ResourceType = name.parse().ok()?;
    // The model's own spelling, so callers hold a static name.
    Some(parsed.as_str())
}

#[cfg(test)]
mod stored_type_tests {
    use super::stored_type;

    #[test]
    fn clinical_types_are_stored_and_canonical_ones_are_not() {
        assert_eq!(stored_type("Observation"), Some("Observation"));
        assert_eq!(
            stored_type("AllergyIntolerance"),
            Some("AllergyIntolerance")
        );
        assert_eq!(stored_type("Patient"), None);
        assert_eq!(stored_type("ChargeItem"), None);
        assert_eq!(stored_type("observation"), None);
        assert_eq!(stored_type("NoSuchType"), None);
    }
}
