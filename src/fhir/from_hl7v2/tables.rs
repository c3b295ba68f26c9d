//! HL7 v2 code tables and the FHIR codes they become, for the ADT conversion. Only the codes
//! with a known FHIR counterpart are listed; others are kept as the sender coded them.

/// HL7 table 0203 (identifier type): code and display, as in `v2-0203`.
pub(super) const IDENTIFIER_TYPES: [(&str, &str); 36] = [
    ("AN", "Account number"),
    ("ANC", "Account number Creditor"),
    ("AND", "Account number debitor"),
    ("ANON", "Anonymous identifier"),
    ("BA", "Bank Account Number"),
    ("BC", "Bank Card Number"),
    ("BR", "Birth registry number"),
    ("DI", "Diner’s Club card"),
    ("DL", "Driver's license number"),
    ("DN", "Doctor number"),
    ("EI", "Employee number"),
    ("EN", "Employer number"),
    ("FI", "Facility ID"),
    ("JHN", "Jurisdictional health number (Canada)"),
    ("LR", "Local Registry ID"),
    ("MA", "Patient Medicaid number"),
    ("MB", "Member Number"),
    ("MC", "Patient's Medicare number"),
    ("MI", "Military ID number"),
    ("MR", "Medical record number"),
    ("NH", "National Health Plan Identifier"),
    ("NI", "National unique individual identifier"),
    ("NIIP", "National Insurance Payor Identifier (Payor)"),
    ("NPI", "National provider identifier"),
    ("PI", "Patient internal identifier"),
    ("PN", "Person number"),
    ("PPN", "Passport number"),
    ("PRN", "Provider number"),
    ("PT", "Patient external identifier"),
    ("SB", "Social Beneficiary Identifier"),
    ("SN", "Subscriber Number"),
    ("SS", "Social Security number"),
    ("TAX", "Tax ID number"),
    ("U", "Unspecified identifier"),
    ("VN", "Visit number"),
    ("XX", "Organization identifier"),
];

/// HL7 table 0200 (name type) to FHIR name-use.
pub(super) const NAME_USES: [(&str, &str); 10] = [
    ("L", "official"),
    ("R", "official"),
    ("D", "usual"),
    ("M", "maiden"),
    ("N", "nickname"),
    ("MSK", "anonymous"),
    ("S", "anonymous"),
    ("NAV", "temp"),
    ("TEMP", "temp"),
    ("BAD", "old"),
];

/// HL7 table 0190 (address type) to FHIR address use and type.
pub(super) const ADDRESS_TYPES: [(&str, Option<&str>, Option<&str>); 10] = [
    ("H", Some("home"), None),
    ("B", Some("work"), None),
    ("O", Some("work"), None),
    ("C", Some("temp"), None),
    ("V", Some("temp"), None),
    ("BA", Some("old"), None),
    ("BI", Some("billing"), None),
    ("M", None, Some("postal")),
    ("SH", None, Some("postal")),
    ("P", None, Some("physical")),
];

/// HL7 table 0201 (telecommunication use) to FHIR contact-point-use.
pub(super) const TELECOM_USES: [(&str, &str); 4] = [
    ("PRN", "home"),
    ("ORN", "home"),
    ("WPN", "work"),
    ("VHN", "temp"),
];

/// HL7 table 0202 (telecommunication equipment) to FHIR contact-point-system.
pub(super) const TELECOM_SYSTEMS: [(&str, &str); 11] = [
    ("PH", "phone"),
    ("CP", "phone"),
    ("FX", "fax"),
    ("Internet", "email"),
    ("X.400", "email"),
    ("BP", "pager"),
    ("MD", "other"),
    ("TDD", "other"),
    ("TTY", "other"),
    ("SAT", "other"),
    ("URL", "url"),
];

/// HL7 table 0002 (marital status) to v3 MaritalStatus: code and display.
pub(super) const MARITAL_STATUSES: [(&str, &str, &str); 12] = [
    ("A", "L", "Legally Separated"),
    ("E", "L", "Legally Separated"),
    ("B", "U", "unmarried"),
    ("C", "C", "Common Law"),
    ("D", "D", "Divorced"),
    ("I", "I", "Interlocutory"),
    ("M", "M", "Married"),
    ("N", "A", "Annulled"),
    ("P", "T", "Domestic partner"),
    ("R", "T", "Domestic partner"),
    ("S", "S", "Never Married"),
    ("W", "W", "Widowed"),
];

/// ISO 639-2 language codes (as HL7 table 0296 holds them) to BCP 47, with the display.
pub(super) const LANGUAGES: [(&str, &str, &str); 36] = [
    ("amh", "am", "Amharic"),
    ("ara", "ar", "Arabic"),
    ("ben", "bn", "Bengali"),
    ("chi", "zh", "Chinese"),
    ("zho", "zh", "Chinese"),
    ("dan", "da", "Danish"),
    ("dut", "nl", "Dutch"),
    ("nld", "nl", "Dutch"),
    ("eng", "en", "English"),
    ("fin", "fi", "Finnish"),
    ("fre", "fr", "French"),
    ("fra", "fr", "French"),
    ("ger", "de", "German"),
    ("deu", "de", "German"),
    ("gre", "el", "Greek"),
    ("ell", "el", "Greek"),
    ("hat", "ht", "Haitian"),
    ("heb", "he", "Hebrew"),
    ("hin", "hi", "Hindi"),
    ("ita", "it", "Italian"),
    ("jpn", "ja", "Japanese"),
    ("kor", "ko", "Korean"),
    ("nor", "no", "Norwegian"),
    ("per", "fa", "Persian"),
    ("fas", "fa", "Persian"),
    ("pol", "pl", "Polish"),
    ("por", "pt", "Portuguese"),
    ("rus", "ru", "Russian"),
    ("som", "so", "Somali"),
    ("spa", "es", "Spanish"),
    ("swe", "sv", "Swedish"),
    ("tgl", "tl", "Tagalog"),
    ("tur", "tr", "Turkish"),
    ("ukr", "uk", "Ukrainian"),
    ("urd", "ur", "Urdu"),
    ("vie", "vi", "Vietnamese"),
];

/// HL7 table 0063 (relationship) to FHIR: the system, code and display of the
/// RelatedPerson.relationship coding (v3 RoleCode for family, v2-0131 for roles).
pub(super) const RELATIONSHIPS: [(&str, &str, &str, &str); 20] = [
    ("SPO", ROLE_CODE, "SPS", "spouse"),
    ("CHD", ROLE_CODE, "CHILD", "child"),
    ("PAR", ROLE_CODE, "PRN", "parent"),
    ("MTH", ROLE_CODE, "MTH", "mother"),
    ("FTH", ROLE_CODE, "FTH", "father"),
    ("SIB", ROLE_CODE, "SIB", "sibling"),
    ("BRO", ROLE_CODE, "BRO", "brother"),
    ("SIS", ROLE_CODE, "SIS", "sister"),
    ("GRP", ROLE_CODE, "GRPRN", "grandparent"),
    ("GRD", ROLE_CODE, "GUARD", "guardian"),
    ("FND", ROLE_CODE, "FRND", "unrelated friend"),
    ("DOM", ROLE_CODE, "DOMPART", "domestic partner"),
    ("EXF", ROLE_CODE, "FAMMEMB", "family member"),
    ("FCH", ROLE_CODE, "CHLDFOST", "foster child"),
    ("SCH", ROLE_CODE, "STPCHLD", "step child"),
    ("SEL", ROLE_CODE, "ONESELF", "self"),
    ("EMC", CONTACT_ROLE, "C", "Emergency Contact"),
    ("EMR", CONTACT_ROLE, "E", "Employer"),
    ("OTH", CONTACT_ROLE, "O", "Other"),
    ("UNK", CONTACT_ROLE, "U", "Unknown"),
];

/// HL7 table 0131 (contact role), as `v2-0131` displays it.
pub(super) const CONTACT_ROLES: [(&str, &str); 8] = [
    ("C", "Emergency Contact"),
    ("E", "Employer"),
    ("F", "Federal Agency"),
    ("I", "Insurance Company"),
    ("N", "Next-of-Kin"),
    ("O", "Other"),
    ("S", "State Agency"),
    ("U", "Unknown"),
];

/// The v3 RoleCode system.
pub(super) const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
/// The v2 contact role system (table 0131).
pub(super) const CONTACT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/v2-0131";

/// HL7 table 0007 (admission type), as `v2-0007` displays it.
pub(super) const ADMISSION_TYPES: [(&str, &str); 7] = [
    ("A", "Accident"),
    ("C", "Elective"),
    ("E", "Emergency"),
    ("L", "Labor and Delivery"),
    ("N", "Newborn (Birth in healthcare facility)"),
    ("R", "Routine"),
    ("U", "Urgent"),
];

/// HL7 table 0069 (hospital service), as `v2-0069` displays it.
pub(super) const HOSPITAL_SERVICES: [(&str, &str); 5] = [
    ("CAR", "Cardiac Service"),
    ("MED", "Medical Service"),
    ("PUL", "Pulmonary Service"),
    ("SUR", "Surgical Service"),
    ("URO", "Urology Service"),
];

/// HL7 table 0217 (visit priority) to v3 ActPriority: code and display.
pub(super) const PRIORITIES: [(&str, &str, &str); 3] = [
    ("1", "EM", "emergency"),
    ("2", "UR", "urgent"),
    ("3", "EL", "elective"),
];

/// HL7 table 0430 (mode of arrival), as `v2-0430` displays it.
pub(super) const ARRIVAL_MODES: [(&str, &str); 7] = [
    ("A", "Ambulance"),
    ("C", "Car"),
    ("F", "On foot"),
    ("H", "Helicopter"),
    ("O", "Other"),
    ("P", "Public Transport"),
    ("U", "Unknown"),
];

/// FHIR subscriber-relationship codes and their displays.
pub(super) const SUBSCRIBER_RELATIONSHIPS: [(&str, &str); 7] = [
    ("self", "Self"),
    ("spouse", "Spouse"),
    ("child", "Child"),
    ("parent", "Parent"),
    ("common", "Common Law Spouse"),
    ("other", "Other"),
    ("injured", "Injured Party"),
];

/// HL7 table 0001 (administrative sex) to FHIR gender, as the shipped mapping reads PID-8.
pub(super) const GENDERS: [(&str, &str); 6] = [
    ("M", "male"),
    ("F", "female"),
    ("O", "other"),
    ("A", "other"),
    ("U", "unknown"),
    ("N", "unknown"),
];

/// The entry of `code` in a table keyed by its first column.
pub(super) fn lookup<T: Copy>(table: &[(&str, T)], code: &str) -> Option<T> {
    table.iter().find(|(key, _)| *key == code).map(|(_, v)| *v)
}

/// HL7 table 0127 (allergen type) to the AllergyIntolerance category (when one fits) and
/// whether it is an allergy (else an intolerance or contraindication).
pub(super) const ALLERGY_CATEGORIES: [(&str, (Option<&str>, bool)); 8] = [
    ("DA", (Some("medication"), true)),
    ("FA", (Some("food"), true)),
    ("EA", (Some("environment"), true)),
    ("AA", (Some("environment"), true)),
    ("PA", (Some("environment"), true)),
    ("LA", (Some("environment"), true)),
    ("MA", (None, true)),
    ("MC", (None, false)),
];

/// HL7 table 0128 (allergy severity) to the AllergyIntolerance criticality and the severity
/// of its reaction.
pub(super) const ALLERGY_SEVERITIES: [(&str, (&str, Option<&str>)); 4] = [
    ("SV", ("high", Some("severe"))),
    ("MO", ("low", Some("moderate"))),
    ("MI", ("low", Some("mild"))),
    ("U", ("unable-to-assess", None)),
];

/// HL7 table 0276 (appointment reason), as `v2-0276` displays it.
pub(super) const APPOINTMENT_REASONS: [(&str, &str); 5] = [
    ("CHECKUP", "A routine check-up, such as an annual physical"),
    ("EMERGENCY", "Emergency appointment"),
    ("FOLLOWUP", "A follow up visit from a previous appointment"),
    ("ROUTINE", "Routine appointment - default if not valued"),
    ("WALKIN", "A previously unscheduled walk-in visit"),
];

/// HL7 table 0270 (document type), as `v2-0270` displays it.
pub(super) const DOCUMENT_TYPES: [(&str, &str); 14] = [
    ("AR", "Autopsy report"),
    ("CD", "Cardiodiagnostics"),
    ("CN", "Consultation"),
    ("DI", "Diagnostic imaging"),
    ("DS", "Discharge summary"),
    ("ED", "Emergency department report"),
    ("HP", "History and physical examination"),
    ("OP", "Operative report"),
    ("PC", "Psychiatric consultation"),
    ("PH", "Psychiatric history and physical examination"),
    ("PN", "Procedure note"),
    ("PR", "Progress note"),
    ("SP", "Surgical pathology"),
    ("TS", "Transfer summary"),
];
