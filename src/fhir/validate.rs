//! Reading a resource from a request: JSON syntax, the resource type, the FHIR model (codes,
//! dates, cardinalities, through `fhir-sdk`), and the elements the model does not know.
//!
//! `fhir-sdk` drops elements it does not know without a word. So the typed resource is
//! serialised back and compared with what was sent: every element that did not survive is
//! reported as a warning; the raw JSON is what the store keeps.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::kinds::Kind;
use super::outcome::{FhirError, Issue, Severity};
use fhir_sdk::r4b::resources as r4;

/// Parses a request body as a JSON object; 400 when it is not one.
pub fn parse_json(body: &[u8]) -> Result<Value, FhirError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| FhirError::bad_request(format!("the body is not valid JSON: {err}")))?;
    if !value.is_object() {
        return Err(FhirError::bad_request("the body is not a JSON object"));
    }
    Ok(value)
}

/// Checks that `resource` is a valid `kind`; answers the warnings (unknown elements), or 422.
pub fn validate(kind: Kind, resource: &Value) -> Result<Vec<Issue>, FhirError> {
    validate_type(kind.name(), resource)
}

/// Checks that `resource` is a valid R4 resource of the type named `type_name` (any type the
/// model knows, canonical or stored); answers the warnings (unknown elements), or 422 with the
/// path of what is wrong.
pub fn validate_type(type_name: &str, resource: &Value) -> Result<Vec<Issue>, FhirError> {
    match resource.get("resourceType").and_then(Value::as_str) {
        Some(name) if name == type_name => {}
        Some(name) => {
            return Err(FhirError::invalid(format!(
                "resourceType is '{name}' where {type_name} is expected"
            )));
        }
        None => return Err(FhirError::invalid("resourceType is missing")),
    }
    let kept = round_trip_any(type_name, resource)?;
    let mut unknown = Vec::new();
    unknown_elements(resource, &kept, type_name, &mut unknown);
    Ok(unknown
        .into_iter()
        .map(|path| Issue {
            severity: Severity::Warning,
            code: "structure",
            diagnostics: format!(
                "unknown element '{path}': not part of {type_name} R4; kept as sent but not interpreted"
            ),
            expression: Some(path),
        })
        .collect())
}

/// Checks a resource the HL7 v2 converter emits, of any type the model knows. Unknown elements
/// are errors here, since the resource was made by us.
pub fn validate_emitted(resource: &Value) -> Result<(), FhirError> {
    let name = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let warnings = validate_type(name, resource)?;
    match warnings.first() {
        Some(issue) => Err(FhirError::invalid(issue.diagnostics.clone())),
        None => Ok(()),
    }
}

/// Defines, from one list of the model's resource types, [`MODEL_TYPES`] and
/// `round_trip_any`.
macro_rules! model_types {
    ($($name:ident)*) => {
        /// Every resource type the R4 model knows, by name.
        pub const MODEL_TYPES: &[&str] = &[$(stringify!($name)),*];

        /// Reads `resource` as the model's type named `type_name` and writes it back; 422 with
        /// the path when it does not read. Each type is read by its own struct rather than
        /// through the model's `Resource` enum, whose internal tag would lose the path of an
        /// error.
        fn round_trip_any(type_name: &str, resource: &Value) -> Result<Value, FhirError> {
            match type_name {
                $(stringify!($name) => round_trip::<r4::$name>(resource),)*
                _ => Err(FhirError::invalid(format!(
                    "'{type_name}' is not an R4 resource type"
                ))),
            }
        }
    };
}

model_types!(
    Account ActivityDefinition AdministrableProductDefinition AdverseEvent AllergyIntolerance
    Appointment AppointmentResponse AuditEvent Basic Binary BiologicallyDerivedProduct
    BodyStructure Bundle CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem
    ChargeItemDefinition Citation Claim ClaimResponse ClinicalImpression ClinicalUseDefinition
    CodeSystem Communication CommunicationRequest CompartmentDefinition Composition ConceptMap
    Condition Consent Contract Coverage CoverageEligibilityRequest CoverageEligibilityResponse
    DetectedIssue Device DeviceDefinition DeviceMetric DeviceRequest DeviceUseStatement
    DiagnosticReport DocumentManifest DocumentReference Encounter Endpoint EnrollmentRequest
    EnrollmentResponse EpisodeOfCare EventDefinition Evidence EvidenceReport EvidenceVariable
    ExampleScenario ExplanationOfBenefit FamilyMemberHistory Flag Goal GraphDefinition Group
    GuidanceResponse HealthcareService ImagingStudy Immunization ImmunizationEvaluation
    ImmunizationRecommendation ImplementationGuide Ingredient InsurancePlan Invoice Library
    Linkage List Location ManufacturedItemDefinition Measure MeasureReport Media Medication
    MedicationAdministration MedicationDispense MedicationKnowledge MedicationRequest
    MedicationStatement MedicinalProductDefinition MessageDefinition MessageHeader
    MolecularSequence NamingSystem NutritionOrder NutritionProduct Observation
    ObservationDefinition OperationDefinition OperationOutcome Organization
    OrganizationAffiliation PackagedProductDefinition Parameters Patient PaymentNotice
    PaymentReconciliation Person PlanDefinition Practitioner PractitionerRole Procedure
    Provenance Questionnaire QuestionnaireResponse RegulatedAuthorization RelatedPerson
    RequestGroup ResearchDefinition ResearchElementDefinition ResearchStudy ResearchSubject
    RiskAssessment Schedule SearchParameter ServiceRequest Slot Specimen SpecimenDefinition
    StructureDefinition StructureMap Subscription SubscriptionStatus SubscriptionTopic Substance
    SubstanceDefinition SupplyDelivery SupplyRequest Task TerminologyCapabilities TestReport
    TestScript ValueSet VerificationResult VisionPrescription
);

/// The resource as the typed model reads it and writes it back.
fn round_trip<T: DeserializeOwned + Serialize>(resource: &Value) -> Result<Value, FhirError> {
    let typed: T = serde_path_to_error::deserialize(resource).map_err(|err| {
        let path = err.path().to_string();
        let mut error = FhirError::invalid(format!("{path}: {}", err.inner()));
        if let Some(issue) = error.issues.first_mut() {
            issue.expression = Some(path);
        }
        error
    })?;
    serde_json::to_value(&typed).map_err(FhirError::internal)
}

/// Paths of the elements of `sent` that are not in `kept`.
fn unknown_elements(sent: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match (sent, kept) {
        (Value::Object(sent), Value::Object(kept)) => {
            for (key, value) in sent {
                let child = format!("{path}.{key}");
                match kept.get(key) {
                    Some(kept_value) => unknown_elements(value, kept_value, &child, out),
                    None => out.push(child),
                }
            }
        }
        (Value::Array(sent), Value::Array(kept)) => {
            for (index, value) in sent.iter().enumerate() {
                let child = format!("{path}[{index}]");
                match kept.get(index) {
                    Some(kept_value) => unknown_elements(value, kept_value, &child, out),
                    None => out.push(child),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_valid_patient_has_no_warnings() {
        let patient = json!({
            "resourceType": "Patient",
            "identifier": [{"system": "urn:mrn", "value": "1"}],
            "name": [{"family": "Lovelace", "given": ["Ada"]}],
            "gender": "female",
            "birthDate": "1815-12-10"
        });
        assert_eq!(validate(Kind::Patient, &patient), Ok(vec![]));
    }

    #[test]
    fn unknown_elements_are_warnings_with_their_path() {
        let patient = json!({
            "resourceType": "Patient",
            "favouriteColour": "green",
            "name": [{"family": "Lovelace", "nickname": "Ada"}]
        });
        let warnings = validate(Kind::Patient, &patient).unwrap();
        let paths: Vec<_> = warnings
            .iter()
            .filter_map(|w| w.expression.clone())
            .collect();
        assert_eq!(
            paths,
            vec!["Patient.favouriteColour", "Patient.name[0].nickname"]
        );
        assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
    }

    #[test]
    fn bad_codes_dates_and_types_are_refused() {
        for (kind, resource) in [
            (
                Kind::Patient,
                json!({"resourceType": "Patient", "gender": "m"}),
            ),
            (
                Kind::Patient,
                json!({"resourceType": "Patient", "birthDate": "1980-13-45"}),
            ),
            (Kind::Patient, json!({"resourceType": "Encounter"})),
            (Kind::Encounter, json!({"resourceType": "Encounter"})),
        ] {
            let err = validate(kind, &resource).unwrap_err();
            assert_eq!(err.status.as_u16(), 422, "{resource}");
        }
    }

    #[test]
    fn every_stored_type_is_read_by_its_model() {
        let observation = json!({
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
            "subject": {"reference": "Patient/7"},
            "valueQuantity": {"value": 5.5, "unit": "mmol/L"},
            "colour": "red"
        });
        let warnings = validate_type("Observation", &observation).unwrap();
        let paths: Vec<_> = warnings
            .iter()
            .filter_map(|w| w.expression.clone())
            .collect();
        assert_eq!(paths, vec!["Observation.colour"]);
        let bad = json!({"resourceType": "Condition", "subject": {"reference": "Patient/1"}, "clinicalStatus": {"coding": "x"}});
        let err = validate_type("Condition", &bad).unwrap_err();
        assert_eq!(err.status.as_u16(), 422);
        assert_eq!(
            err.issues[0].expression.as_deref(),
            Some("clinicalStatus.coding")
        );
        let unknown = validate_type("Nothing", &json!({"resourceType": "Nothing"}));
        assert_eq!(unknown.unwrap_err().status.as_u16(), 422);
    }

    #[test]
    fn every_model_type_is_dispatched() {
        use fhir_sdk::r4b::resources::ResourceType;
        use std::str::FromStr;
        // Every name listed is one the model parses, and one the dispatch reads (an empty
        // resource of most types is valid; what matters is that none is refused as unknown).
        for name in [
            "Account",
            "Observation",
            "VisionPrescription",
            "SubscriptionTopic",
        ] {
            assert!(ResourceType::from_str(name).is_ok());
            let answer = round_trip_any(name, &json!({"resourceType": name}));
            assert!(
                !matches!(&answer, Err(e) if e.issues[0].diagnostics.contains("not an R4 resource type")),
                "{name}"
            );
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert_eq!(parse_json(b"{\"a\":").unwrap_err().status.as_u16(), 400);
        assert_eq!(parse_json(b"[1]").unwrap_err().status.as_u16(), 400);
    }
}
