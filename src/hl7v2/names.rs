//! HL7 v2 segment, field and component names, used to print messages as
//! readable trees (`PID-5 Patient Name`, `PID-5.1 Family Name`) in the CLI
//! and the web console.
//!
//! The file is long because it is a table: one line per segment field.
//!
//! The dictionary follows HL7 v2.5.1. Field numbers are 1-based exactly as
//! the standard numbers them, so `MSH-1` is the field separator itself and
//! `MSH-2` the encoding characters; a parser that splits an MSH segment on
//! its field separator must shift MSH positions by one before asking here.
//!
//! Segment identifiers are matched exactly (upper case, as they appear on
//! the wire). Z-segments and anything not listed here yield `None`.
//!
//! The data is organised by data type: each segment table gives, per field,
//! its number, name and data type code, and component names are kept once
//! per composite data type (XPN, CX, XAD, ...). Adding a field is one line
//! in its segment table; its components come from the data type table.
//! Every lookup is a binary search over static, sorted tables and never
//! allocates.

/// One field of a segment: its 1-based number, its name and, where the
/// standard gives one, its data type code.
struct Field {
    num: u8,
    name: &'static str,
    data_type: Option<&'static str>,
}

/// A typed field.
const fn f(num: u8, name: &'static str, data_type: &'static str) -> Field {
    Field {
        num,
        name,
        data_type: Some(data_type),
    }
}

/// A field that the standard lists without a data type (withdrawn or
/// reserved positions).
const fn u(num: u8, name: &'static str) -> Field {
    Field {
        num,
        name,
        data_type: None,
    }
}

/// A segment: identifier, name and field table (empty when only the
/// segment name is known here).
struct Segment {
    id: &'static str,
    name: &'static str,
    fields: &'static [Field],
}

const fn s(id: &'static str, name: &'static str, fields: &'static [Field]) -> Segment {
    Segment { id, name, fields }
}

/// Returns the name of a segment, e.g. `"PID"` gives
/// `"Patient Identification"`. Unknown and Z-segments give `None`.
pub fn segment_name(id: &str) -> Option<&'static str> {
    find_segment(id).map(|seg| seg.name)
}

/// Returns the name of a field, numbered from 1 as in the standard, e.g.
/// `("MSH", 9)` gives `"Message Type"` and `("PID", 5)` gives
/// `"Patient Name"`. Unknown segments, Z-segments and unknown field numbers
/// give `None`.
pub fn field_name(segment: &str, field: usize) -> Option<&'static str> {
    find_field(segment, field).map(|fld| fld.name)
}

/// Returns the data type code of a field as the standard gives it, e.g.
/// `("PID", 5)` gives `"XPN"`, `("PID", 7)` gives `"TS"` and `("OBX", 5)`
/// gives `"varies"`. Fields the standard leaves untyped (withdrawn or
/// reserved) give `None`.
pub fn data_type(segment: &str, field: usize) -> Option<&'static str> {
    find_field(segment, field).and_then(|fld| fld.data_type)
}

/// Returns the name of a component (1-based) of a field whose data type is
/// a composite known here, e.g. `("PID", 5, 1)` gives `"Family Name"` and
/// `("MSH", 9, 2)` gives `"Trigger Event"`. Primitive data types, unknown
/// composites and out-of-range components give `None`.
pub fn component_name(segment: &str, field: usize, component: usize) -> Option<&'static str> {
    let code = data_type(segment, field)?;
    let names = components_of(code)?;
    names.get(component.checked_sub(1)?).copied()
}

fn find_segment(id: &str) -> Option<&'static Segment> {
    SEGMENTS
        .binary_search_by(|seg| seg.id.cmp(id))
        .ok()
        .map(|idx| &SEGMENTS[idx])
}

fn find_field(segment: &str, field: usize) -> Option<&'static Field> {
    let num = u8::try_from(field).ok()?;
    let fields = find_segment(segment)?.fields;
    fields
        .binary_search_by(|fld| fld.num.cmp(&num))
        .ok()
        .map(|idx| &fields[idx])
}

fn components_of(code: &str) -> Option<&'static [&'static str]> {
    COMPONENTS
        .binary_search_by(|(dt, _)| dt.cmp(&code))
        .ok()
        .map(|idx| COMPONENTS[idx].1)
}

// ---------------------------------------------------------------------------
// Segments, sorted by identifier (checked by a test).
// ---------------------------------------------------------------------------

static SEGMENTS: &[Segment] = &[
    s("ABS", "Abstract", &[]),
    s("ACC", "Accident", &[]),
    s("ADD", "Addendum", &[]),
    s("AIG", "Appointment Information - General Resource", &[]),
    s("AIL", "Appointment Information - Location Resource", &[]),
    s("AIP", "Appointment Information - Personnel Resource", &[]),
    s("AIS", "Appointment Information", &[]),
    s("AL1", "Patient Allergy Information", AL1),
    s("APR", "Appointment Preferences", &[]),
    s("ARQ", "Appointment Request", &[]),
    s("AUT", "Authorization Information", &[]),
    s("BHS", "Batch Header", BHS),
    s("BLG", "Billing", &[]),
    s("BTS", "Batch Trailer", BTS),
    s("CON", "Consent Segment", &[]),
    s("CTD", "Contact Data", &[]),
    s("CTI", "Clinical Trial Identification", &[]),
    s("DB1", "Disability", &[]),
    s("DG1", "Diagnosis", DG1),
    s("DRG", "Diagnosis Related Group", &[]),
    s("DSC", "Continuation Pointer", &[]),
    s("DSP", "Display Data", &[]),
    s("ERR", "Error", ERR),
    s("EVN", "Event Type", EVN),
    s("FHS", "File Header", FHS),
    s("FT1", "Financial Transaction", FT1),
    s("FTS", "File Trailer", FTS),
    s("GOL", "Goal Detail", &[]),
    s("GT1", "Guarantor", GT1),
    s("IAM", "Patient Adverse Reaction Information", &[]),
    s("IN1", "Insurance", IN1),
    s("IN2", "Insurance Additional Information", IN2),
    s(
        "IN3",
        "Insurance Additional Information, Certification",
        IN3,
    ),
    s("INV", "Inventory Detail", &[]),
    s("LAN", "Language Detail", &[]),
    s("LOC", "Location Identification", &[]),
    s("MFA", "Master File Acknowledgment", &[]),
    s("MFE", "Master File Entry", &[]),
    s("MFI", "Master File Identification", &[]),
    s("MRG", "Merge Patient Information", MRG),
    s("MSA", "Message Acknowledgment", MSA),
    s("MSH", "Message Header", MSH),
    s("NK1", "Next of Kin / Associated Parties", NK1),
    s("NPU", "Bed Status Update", &[]),
    s("NTE", "Notes and Comments", NTE),
    s("OBR", "Observation Request", OBR),
    s("OBX", "Observation/Result", OBX),
    s("ODS", "Dietary Orders, Supplements, and Preferences", &[]),
    s("ODT", "Diet Tray Instructions", &[]),
    s("OM1", "General Segment", &[]),
    s("ORC", "Common Order", ORC),
    s("OVR", "Override Segment", &[]),
    s("PD1", "Patient Additional Demographic", PD1),
    s("PDA", "Patient Death and Autopsy", &[]),
    s("PID", "Patient Identification", PID),
    s("PR1", "Procedures", PR1),
    s("PRA", "Practitioner Detail", &[]),
    s("PRB", "Problem Details", &[]),
    s("PRD", "Provider Data", &[]),
    s("PTH", "Pathway", &[]),
    s("PV1", "Patient Visit", PV1),
    s("PV2", "Patient Visit - Additional Information", PV2),
    s("QAK", "Query Acknowledgment", &[]),
    s("QPD", "Query Parameter Definition", &[]),
    s("QRD", "Original-Style Query Definition", &[]),
    s("QRF", "Original Style Query Filter", &[]),
    s("RCP", "Response Control Parameter", &[]),
    s("RF1", "Referral Information", &[]),
    s("RGS", "Resource Group", &[]),
    s("ROL", "Role", ROL),
    s("RXA", "Pharmacy/Treatment Administration", RXA),
    s("RXC", "Pharmacy/Treatment Component Order", &[]),
    s("RXD", "Pharmacy/Treatment Dispense", &[]),
    s("RXE", "Pharmacy/Treatment Encoded Order", RXE),
    s("RXG", "Pharmacy/Treatment Give", &[]),
    s("RXO", "Pharmacy/Treatment Order", &[]),
    s("RXR", "Pharmacy/Treatment Route", &[]),
    s("SAC", "Specimen Container Detail", &[]),
    s("SCH", "Scheduling Activity Information", &[]),
    s("SFT", "Software Segment", SFT),
    s("SPM", "Specimen", SPM),
    s("STF", "Staff Identification", &[]),
    s("TQ1", "Timing/Quantity", &[]),
    s("TQ2", "Timing/Quantity Relationship", &[]),
    s("TXA", "Transcription Document Header", TXA),
    s("UB1", "UB82", &[]),
    s("UB2", "Uniform Billing Data", &[]),
];

// ---------------------------------------------------------------------------
// Field tables, one per segment, in field order (checked by a test).
// ---------------------------------------------------------------------------

static AL1: &[Field] = &[
    f(1, "Set ID - AL1", "SI"),
    f(2, "Allergen Type Code", "CE"),
    f(3, "Allergen Code/Mnemonic/Description", "CE"),
    f(4, "Allergy Severity Code", "CE"),
    f(5, "Allergy Reaction Code", "ST"),
    f(6, "Identification Date", "DT"),
];

static BHS: &[Field] = &[
    f(1, "Batch Field Separator", "ST"),
    f(2, "Batch Encoding Characters", "ST"),
    f(3, "Batch Sending Application", "HD"),
    f(4, "Batch Sending Facility", "HD"),
    f(5, "Batch Receiving Application", "HD"),
    f(6, "Batch Receiving Facility", "HD"),
    f(7, "Batch Creation Date/Time", "TS"),
    f(8, "Batch Security", "ST"),
    f(9, "Batch Name/ID/Type", "ST"),
    f(10, "Batch Comment", "ST"),
    f(11, "Batch Control ID", "ST"),
    f(12, "Reference Batch Control ID", "ST"),
];

static BTS: &[Field] = &[
    f(1, "Batch Message Count", "ST"),
    f(2, "Batch Comment", "ST"),
    f(3, "Batch Totals", "NM"),
];

static DG1: &[Field] = &[
    f(1, "Set ID - DG1", "SI"),
    f(2, "Diagnosis Coding Method", "ID"),
    f(3, "Diagnosis Code - DG1", "CE"),
    f(4, "Diagnosis Description", "ST"),
    f(5, "Diagnosis Date/Time", "TS"),
    f(6, "Diagnosis Type", "IS"),
    f(7, "Major Diagnostic Category", "CE"),
    f(8, "Diagnostic Related Group", "CE"),
    f(9, "DRG Approval Indicator", "ID"),
    f(10, "DRG Grouper Review Code", "IS"),
    f(11, "Outlier Type", "CE"),
    f(12, "Outlier Days", "NM"),
    f(13, "Outlier Cost", "CP"),
    f(14, "Grouper Version And Type", "ST"),
    f(15, "Diagnosis Priority", "ID"),
    f(16, "Diagnosing Clinician", "XCN"),
    f(17, "Diagnosis Classification", "IS"),
    f(18, "Confidential Indicator", "ID"),
    f(19, "Attestation Date/Time", "TS"),
    f(20, "Diagnosis Identifier", "EI"),
    f(21, "Diagnosis Action Code", "ID"),
];

static ERR: &[Field] = &[
    f(1, "Error Code and Location", "ELD"),
    f(2, "Error Location", "ERL"),
    f(3, "HL7 Error Code", "CWE"),
    f(4, "Severity", "ID"),
    f(5, "Application Error Code", "CWE"),
    f(6, "Application Error Parameter", "ST"),
    f(7, "Diagnostic Information", "TX"),
    f(8, "User Message", "TX"),
    f(9, "Inform Person Indicator", "IS"),
    f(10, "Override Type", "CWE"),
    f(11, "Override Reason Code", "CWE"),
    f(12, "Help Desk Contact Point", "XTN"),
];

static EVN: &[Field] = &[
    f(1, "Event Type Code", "ID"),
    f(2, "Recorded Date/Time", "TS"),
    f(3, "Date/Time Planned Event", "TS"),
    f(4, "Event Reason Code", "IS"),
    f(5, "Operator ID", "XCN"),
    f(6, "Event Occurred", "TS"),
    f(7, "Event Facility", "HD"),
];

static FHS: &[Field] = &[
    f(1, "File Field Separator", "ST"),
    f(2, "File Encoding Characters", "ST"),
    f(3, "File Sending Application", "HD"),
    f(4, "File Sending Facility", "HD"),
    f(5, "File Receiving Application", "HD"),
    f(6, "File Receiving Facility", "HD"),
    f(7, "File Creation Date/Time", "TS"),
    f(8, "File Security", "ST"),
    f(9, "File Name/ID", "ST"),
    f(10, "File Header Comment", "ST"),
    f(11, "File Control ID", "ST"),
    f(12, "Reference File Control ID", "ST"),
];

static FT1: &[Field] = &[
    f(1, "Set ID - FT1", "SI"),
    f(2, "Transaction ID", "ST"),
    f(3, "Transaction Batch ID", "ST"),
    f(4, "Transaction Date", "DR"),
    f(5, "Transaction Posting Date", "TS"),
    f(6, "Transaction Type", "IS"),
    f(7, "Transaction Code", "CE"),
    f(8, "Transaction Description", "ST"),
    f(9, "Transaction Description - Alt", "ST"),
    f(10, "Transaction Quantity", "NM"),
    f(11, "Transaction Amount - Extended", "CP"),
    f(12, "Transaction Amount - Unit", "CP"),
    f(13, "Department Code", "CE"),
    f(14, "Insurance Plan ID", "CE"),
    f(15, "Insurance Amount", "CP"),
    f(16, "Assigned Patient Location", "PL"),
    f(17, "Fee Schedule", "IS"),
    f(18, "Patient Type", "IS"),
    f(19, "Diagnosis Code - FT1", "CE"),
    f(20, "Performed By Code", "XCN"),
    f(21, "Ordered By Code", "XCN"),
    f(22, "Unit Cost", "CP"),
    f(23, "Filler Order Number", "EI"),
    f(24, "Entered By Code", "XCN"),
    f(25, "Procedure Code", "CE"),
    f(26, "Procedure Code Modifier", "CE"),
    f(27, "Advanced Beneficiary Notice Code", "CE"),
    f(28, "Medically Necessary Duplicate Procedure Reason", "CWE"),
    f(29, "NDC Code", "CNE"),
    f(30, "Payment Reference ID", "CX"),
    f(31, "Transaction Reference Key", "SI"),
];

static FTS: &[Field] = &[
    f(1, "File Batch Count", "NM"),
    f(2, "File Trailer Comment", "ST"),
];

static GT1: &[Field] = &[
    f(1, "Set ID - GT1", "SI"),
    f(2, "Guarantor Number", "CX"),
    f(3, "Guarantor Name", "XPN"),
    f(4, "Guarantor Spouse Name", "XPN"),
    f(5, "Guarantor Address", "XAD"),
    f(6, "Guarantor Ph Num - Home", "XTN"),
    f(7, "Guarantor Ph Num - Business", "XTN"),
    f(8, "Guarantor Date/Time Of Birth", "TS"),
    f(9, "Guarantor Administrative Sex", "IS"),
    f(10, "Guarantor Type", "IS"),
    f(11, "Guarantor Relationship", "CE"),
    f(12, "Guarantor SSN", "ST"),
    f(13, "Guarantor Date - Begin", "DT"),
    f(14, "Guarantor Date - End", "DT"),
    f(15, "Guarantor Priority", "NM"),
    f(16, "Guarantor Employer Name", "XPN"),
    f(17, "Guarantor Employer Address", "XAD"),
    f(18, "Guarantor Employer Phone Number", "XTN"),
    f(19, "Guarantor Employee ID Number", "CX"),
    f(20, "Guarantor Employment Status", "IS"),
    f(21, "Guarantor Organization Name", "XON"),
    f(22, "Guarantor Billing Hold Flag", "ID"),
    f(23, "Guarantor Credit Rating Code", "CE"),
    f(24, "Guarantor Death Date And Time", "TS"),
    f(25, "Guarantor Death Flag", "ID"),
    f(26, "Guarantor Charge Adjustment Code", "CE"),
    f(27, "Guarantor Household Annual Income", "CP"),
    f(28, "Guarantor Household Size", "NM"),
    f(29, "Guarantor Employer ID Number", "CX"),
    f(30, "Guarantor Marital Status Code", "CE"),
    f(31, "Guarantor Hire Effective Date", "DT"),
    f(32, "Employment Stop Date", "DT"),
    f(33, "Living Dependency", "IS"),
    f(34, "Ambulatory Status", "IS"),
    f(35, "Citizenship", "CE"),
    f(36, "Primary Language", "CE"),
    f(37, "Living Arrangement", "IS"),
    f(38, "Publicity Code", "CE"),
    f(39, "Protection Indicator", "ID"),
    f(40, "Student Indicator", "IS"),
    f(41, "Religion", "CE"),
    f(42, "Mother's Maiden Name", "XPN"),
    f(43, "Nationality", "CE"),
    f(44, "Ethnic Group", "CE"),
    f(45, "Contact Person's Name", "XPN"),
    f(46, "Contact Person's Telephone Number", "XTN"),
    f(47, "Contact Reason", "CE"),
    f(48, "Contact Relationship", "IS"),
    f(49, "Job Title", "ST"),
    f(50, "Job Code/Class", "JCC"),
    f(51, "Guarantor Employer's Organization Name", "XON"),
    f(52, "Handicap", "IS"),
    f(53, "Job Status", "IS"),
    f(54, "Guarantor Financial Class", "FC"),
    f(55, "Guarantor Race", "CE"),
    f(56, "Guarantor Birth Place", "ST"),
    f(57, "VIP Indicator", "IS"),
];

static IN1: &[Field] = &[
    f(1, "Set ID - IN1", "SI"),
    f(2, "Insurance Plan ID", "CE"),
    f(3, "Insurance Company ID", "CX"),
    f(4, "Insurance Company Name", "XON"),
    f(5, "Insurance Company Address", "XAD"),
    f(6, "Insurance Co Contact Person", "XPN"),
    f(7, "Insurance Co Phone Number", "XTN"),
    f(8, "Group Number", "ST"),
    f(9, "Group Name", "XON"),
    f(10, "Insured's Group Emp ID", "CX"),
    f(11, "Insured's Group Emp Name", "XON"),
    f(12, "Plan Effective Date", "DT"),
    f(13, "Plan Expiration Date", "DT"),
    f(14, "Authorization Information", "AUI"),
    f(15, "Plan Type", "IS"),
    f(16, "Name Of Insured", "XPN"),
    f(17, "Insured's Relationship To Patient", "CE"),
    f(18, "Insured's Date Of Birth", "TS"),
    f(19, "Insured's Address", "XAD"),
    f(20, "Assignment Of Benefits", "IS"),
    f(21, "Coordination Of Benefits", "IS"),
    f(22, "Coord Of Ben. Priority", "ST"),
    f(23, "Notice Of Admission Flag", "ID"),
    f(24, "Notice Of Admission Date", "DT"),
    f(25, "Report Of Eligibility Flag", "ID"),
    f(26, "Report Of Eligibility Date", "DT"),
    f(27, "Release Information Code", "IS"),
    f(28, "Pre-Admit Cert (PAC)", "ST"),
    f(29, "Verification Date/Time", "TS"),
    f(30, "Verification By", "XCN"),
    f(31, "Type Of Agreement Code", "IS"),
    f(32, "Billing Status", "IS"),
    f(33, "Lifetime Reserve Days", "NM"),
    f(34, "Delay Before L.R. Day", "NM"),
    f(35, "Company Plan Code", "IS"),
    f(36, "Policy Number", "ST"),
    f(37, "Policy Deductible", "CP"),
    f(38, "Policy Limit - Amount", "CP"),
    f(39, "Policy Limit - Days", "NM"),
    f(40, "Room Rate - Semi-Private", "CP"),
    f(41, "Room Rate - Private", "CP"),
    f(42, "Insured's Employment Status", "CE"),
    f(43, "Insured's Administrative Sex", "IS"),
    f(44, "Insured's Employer's Address", "XAD"),
    f(45, "Verification Status", "ST"),
    f(46, "Prior Insurance Plan ID", "IS"),
    f(47, "Coverage Type", "IS"),
    f(48, "Handicap", "IS"),
    f(49, "Insured's ID Number", "CX"),
    f(50, "Signature Code", "IS"),
    f(51, "Signature Code Date", "DT"),
    f(52, "Insured's Birth Place", "ST"),
    f(53, "VIP Indicator", "IS"),
];

static IN2: &[Field] = &[
    f(1, "Insured's Employee ID", "CX"),
    f(2, "Insured's Social Security Number", "ST"),
    f(3, "Insured's Employer's Name and ID", "XCN"),
    f(4, "Employer Information Data", "IS"),
    f(5, "Mail Claim Party", "IS"),
    f(6, "Medicare Health Ins Card Number", "ST"),
    f(7, "Medicaid Case Name", "XPN"),
    f(8, "Medicaid Case Number", "ST"),
    f(9, "Military Sponsor Name", "XPN"),
    f(10, "Military ID Number", "ST"),
    f(11, "Dependent Of Military Recipient", "CE"),
    f(12, "Military Organization", "ST"),
    f(13, "Military Station", "ST"),
    f(14, "Military Service", "IS"),
    f(15, "Military Rank/Grade", "IS"),
    f(16, "Military Status", "IS"),
    f(17, "Military Retire Date", "DT"),
    f(18, "Military Non-Avail Cert On File", "ID"),
    f(19, "Baby Coverage", "ID"),
    f(20, "Combine Baby Bill", "ID"),
    f(21, "Blood Deductible", "ST"),
    f(22, "Special Coverage Approval Name", "XPN"),
    f(23, "Special Coverage Approval Title", "ST"),
    f(24, "Non-Covered Insurance Code", "IS"),
    f(25, "Payor ID", "CX"),
    f(26, "Payor Subscriber ID", "CX"),
    f(27, "Eligibility Source", "IS"),
    f(28, "Room Coverage Type/Amount", "RMC"),
    f(29, "Policy Type/Amount", "PTA"),
    f(30, "Daily Deductible", "DDI"),
    f(31, "Living Dependency", "IS"),
    f(32, "Ambulatory Status", "IS"),
    f(33, "Citizenship", "CE"),
    f(34, "Primary Language", "CE"),
    f(35, "Living Arrangement", "IS"),
    f(36, "Publicity Code", "CE"),
    f(37, "Protection Indicator", "ID"),
    f(38, "Student Indicator", "IS"),
    f(39, "Religion", "CE"),
    f(40, "Mother's Maiden Name", "XPN"),
    f(41, "Nationality", "CE"),
    f(42, "Ethnic Group", "CE"),
    f(43, "Marital Status", "CE"),
    f(44, "Insured's Employment Start Date", "DT"),
    f(45, "Employment Stop Date", "DT"),
    f(46, "Job Title", "ST"),
    f(47, "Job Code/Class", "JCC"),
    f(48, "Job Status", "IS"),
    f(49, "Employer Contact Person Name", "XPN"),
    f(50, "Employer Contact Person Phone Number", "XTN"),
    f(51, "Employer Contact Reason", "IS"),
    f(52, "Insured's Contact Person's Name", "XPN"),
    f(53, "Insured's Contact Person Phone Number", "XTN"),
    f(54, "Insured's Contact Person Reason", "IS"),
    f(55, "Relationship to the Patient Start Date", "DT"),
    f(56, "Relationship to the Patient Stop Date", "DT"),
    f(57, "Insurance Co. Contact Reason", "IS"),
    f(58, "Insurance Co Contact Phone Number", "XTN"),
    f(59, "Policy Scope", "IS"),
    f(60, "Policy Source", "IS"),
    f(61, "Patient Member Number", "CX"),
    f(62, "Guarantor's Relationship To Insured", "CE"),
    f(63, "Insured's Phone Number - Home", "XTN"),
    f(64, "Insured's Employer Phone Number", "XTN"),
    f(65, "Military Handicapped Program", "CE"),
    f(66, "Suspend Flag", "ID"),
    f(67, "Copay Limit Flag", "ID"),
    f(68, "Stoploss Limit Flag", "ID"),
    f(69, "Insured Organization Name and ID", "XON"),
    f(70, "Insured Employer Organization Name and ID", "XON"),
    f(71, "Race", "CE"),
    f(72, "CMS Patient's Relationship to Insured", "CE"),
];

static IN3: &[Field] = &[
    f(1, "Set ID - IN3", "SI"),
    f(2, "Certification Number", "CX"),
    f(3, "Certified By", "XCN"),
    f(4, "Certification Required", "ID"),
    f(5, "Penalty", "MOP"),
    f(6, "Certification Date/Time", "TS"),
    f(7, "Certification Modify Date/Time", "TS"),
    f(8, "Operator", "XCN"),
    f(9, "Certification Begin Date", "DT"),
    f(10, "Certification End Date", "DT"),
];

static MRG: &[Field] = &[
    f(1, "Prior Patient Identifier List", "CX"),
    f(2, "Prior Alternate Patient ID", "CX"),
    f(3, "Prior Patient Account Number", "CX"),
    f(4, "Prior Patient ID", "CX"),
    f(5, "Prior Visit Number", "CX"),
    f(6, "Prior Alternate Visit ID", "CX"),
    f(7, "Prior Patient Name", "XPN"),
];

static MSA: &[Field] = &[
    f(1, "Acknowledgment Code", "ID"),
    f(2, "Message Control ID", "ST"),
    f(3, "Text Message", "ST"),
    f(4, "Expected Sequence Number", "NM"),
    u(5, "Delayed Acknowledgment Type"),
    f(6, "Error Condition", "CE"),
];

static MSH: &[Field] = &[
    f(1, "Field Separator", "ST"),
    f(2, "Encoding Characters", "ST"),
    f(3, "Sending Application", "HD"),
    f(4, "Sending Facility", "HD"),
    f(5, "Receiving Application", "HD"),
    f(6, "Receiving Facility", "HD"),
    f(7, "Date/Time Of Message", "TS"),
    f(8, "Security", "ST"),
    f(9, "Message Type", "MSG"),
    f(10, "Message Control ID", "ST"),
    f(11, "Processing ID", "PT"),
    f(12, "Version ID", "VID"),
    f(13, "Sequence Number", "NM"),
    f(14, "Continuation Pointer", "ST"),
    f(15, "Accept Acknowledgment Type", "ID"),
    f(16, "Application Acknowledgment Type", "ID"),
    f(17, "Country Code", "ID"),
    f(18, "Character Set", "ID"),
    f(19, "Principal Language Of Message", "CE"),
    f(20, "Alternate Character Set Handling Scheme", "ID"),
    f(21, "Message Profile Identifier", "EI"),
];

static NK1: &[Field] = &[
    f(1, "Set ID - NK1", "SI"),
    f(2, "NK Name", "XPN"),
    f(3, "Relationship", "CE"),
    f(4, "Address", "XAD"),
    f(5, "Phone Number", "XTN"),
    f(6, "Business Phone Number", "XTN"),
    f(7, "Contact Role", "CE"),
    f(8, "Start Date", "DT"),
    f(9, "End Date", "DT"),
    f(10, "Next of Kin / Associated Parties Job Title", "ST"),
    f(11, "Next of Kin / Associated Parties Job Code/Class", "JCC"),
    f(12, "Next of Kin / Associated Parties Employee Number", "CX"),
    f(13, "Organization Name - NK1", "XON"),
    f(14, "Marital Status", "CE"),
    f(15, "Administrative Sex", "IS"),
    f(16, "Date/Time of Birth", "TS"),
    f(17, "Living Dependency", "IS"),
    f(18, "Ambulatory Status", "IS"),
    f(19, "Citizenship", "CE"),
    f(20, "Primary Language", "CE"),
    f(21, "Living Arrangement", "IS"),
    f(22, "Publicity Code", "CE"),
    f(23, "Protection Indicator", "ID"),
    f(24, "Student Indicator", "IS"),
    f(25, "Religion", "CE"),
    f(26, "Mother's Maiden Name", "XPN"),
    f(27, "Nationality", "CE"),
    f(28, "Ethnic Group", "CE"),
    f(29, "Contact Reason", "CE"),
    f(30, "Contact Person's Name", "XPN"),
    f(31, "Contact Person's Telephone Number", "XTN"),
    f(32, "Contact Person's Address", "XAD"),
    f(33, "Next of Kin/Associated Party's Identifiers", "CX"),
    f(34, "Job Status", "IS"),
    f(35, "Race", "CE"),
    f(36, "Handicap", "IS"),
    f(37, "Contact Person Social Security Number", "ST"),
    f(38, "Next of Kin Birth Place", "ST"),
    f(39, "VIP Indicator", "IS"),
];

static NTE: &[Field] = &[
    f(1, "Set ID - NTE", "SI"),
    f(2, "Source of Comment", "ID"),
    f(3, "Comment", "FT"),
    f(4, "Comment Type", "CE"),
];

static OBR: &[Field] = &[
    f(1, "Set ID - OBR", "SI"),
    f(2, "Placer Order Number", "EI"),
    f(3, "Filler Order Number", "EI"),
    f(4, "Universal Service Identifier", "CE"),
    f(5, "Priority - OBR", "ID"),
    f(6, "Requested Date/Time", "TS"),
    f(7, "Observation Date/Time", "TS"),
    f(8, "Observation End Date/Time", "TS"),
    f(9, "Collection Volume", "CQ"),
    f(10, "Collector Identifier", "XCN"),
    f(11, "Specimen Action Code", "ID"),
    f(12, "Danger Code", "CE"),
    f(13, "Relevant Clinical Information", "ST"),
    f(14, "Specimen Received Date/Time", "TS"),
    f(15, "Specimen Source", "SPS"),
    f(16, "Ordering Provider", "XCN"),
    f(17, "Order Callback Phone Number", "XTN"),
    f(18, "Placer Field 1", "ST"),
    f(19, "Placer Field 2", "ST"),
    f(20, "Filler Field 1", "ST"),
    f(21, "Filler Field 2", "ST"),
    f(22, "Results Rpt/Status Chng - Date/Time", "TS"),
    f(23, "Charge to Practice", "MOC"),
    f(24, "Diagnostic Serv Sect ID", "ID"),
    f(25, "Result Status", "ID"),
    f(26, "Parent Result", "PRL"),
    f(27, "Quantity/Timing", "TQ"),
    f(28, "Result Copies To", "XCN"),
    f(29, "Parent", "EIP"),
    f(30, "Transportation Mode", "ID"),
    f(31, "Reason for Study", "CE"),
    f(32, "Principal Result Interpreter", "NDL"),
    f(33, "Assistant Result Interpreter", "NDL"),
    f(34, "Technician", "NDL"),
    f(35, "Transcriptionist", "NDL"),
    f(36, "Scheduled Date/Time", "TS"),
    f(37, "Number of Sample Containers", "NM"),
    f(38, "Transport Logistics of Collected Sample", "CE"),
    f(39, "Collector's Comment", "CE"),
    f(40, "Transport Arrangement Responsibility", "CE"),
    f(41, "Transport Arranged", "ID"),
    f(42, "Escort Required", "ID"),
    f(43, "Planned Patient Transport Comment", "CE"),
    f(44, "Procedure Code", "CE"),
    f(45, "Procedure Code Modifier", "CE"),
    f(46, "Placer Supplemental Service Information", "CE"),
    f(47, "Filler Supplemental Service Information", "CE"),
    f(48, "Medically Necessary Duplicate Procedure Reason", "CWE"),
    f(49, "Result Handling", "IS"),
    f(50, "Parent Universal Service Identifier", "CWE"),
];

static OBX: &[Field] = &[
    f(1, "Set ID - OBX", "SI"),
    f(2, "Value Type", "ID"),
    f(3, "Observation Identifier", "CE"),
    f(4, "Observation Sub-ID", "ST"),
    f(5, "Observation Value", "varies"),
    f(6, "Units", "CE"),
    f(7, "References Range", "ST"),
    f(8, "Abnormal Flags", "IS"),
    f(9, "Probability", "NM"),
    f(10, "Nature of Abnormal Test", "ID"),
    f(11, "Observation Result Status", "ID"),
    f(12, "Effective Date of Reference Range", "TS"),
    f(13, "User Defined Access Checks", "ST"),
    f(14, "Date/Time of the Observation", "TS"),
    f(15, "Producer's ID", "CE"),
    f(16, "Responsible Observer", "XCN"),
    f(17, "Observation Method", "CE"),
    f(18, "Equipment Instance Identifier", "EI"),
    f(19, "Date/Time of the Analysis", "TS"),
    u(20, "Reserved for harmonization with V2.6"),
    u(21, "Reserved for harmonization with V2.6"),
    u(22, "Reserved for harmonization with V2.6"),
    f(23, "Performing Organization Name", "XON"),
    f(24, "Performing Organization Address", "XAD"),
    f(25, "Performing Organization Medical Director", "XCN"),
];

static ORC: &[Field] = &[
    f(1, "Order Control", "ID"),
    f(2, "Placer Order Number", "EI"),
    f(3, "Filler Order Number", "EI"),
    f(4, "Placer Group Number", "EI"),
    f(5, "Order Status", "ID"),
    f(6, "Response Flag", "ID"),
    f(7, "Quantity/Timing", "TQ"),
    f(8, "Parent Order", "EIP"),
    f(9, "Date/Time of Transaction", "TS"),
    f(10, "Entered By", "XCN"),
    f(11, "Verified By", "XCN"),
    f(12, "Ordering Provider", "XCN"),
    f(13, "Enterer's Location", "PL"),
    f(14, "Call Back Phone Number", "XTN"),
    f(15, "Order Effective Date/Time", "TS"),
    f(16, "Order Control Code Reason", "CE"),
    f(17, "Entering Organization", "CE"),
    f(18, "Entering Device", "CE"),
    f(19, "Action By", "XCN"),
    f(20, "Advanced Beneficiary Notice Code", "CE"),
    f(21, "Ordering Facility Name", "XON"),
    f(22, "Ordering Facility Address", "XAD"),
    f(23, "Ordering Facility Phone Number", "XTN"),
    f(24, "Ordering Provider Address", "XAD"),
    f(25, "Order Status Modifier", "CWE"),
    f(26, "Advanced Beneficiary Notice Override Reason", "CWE"),
    f(27, "Filler's Expected Availability Date/Time", "TS"),
    f(28, "Confidentiality Code", "CWE"),
    f(29, "Order Type", "CWE"),
    f(30, "Enterer Authorization Mode", "CNE"),
    f(31, "Parent Universal Service Identifier", "CWE"),
];

static PD1: &[Field] = &[
    f(1, "Living Dependency", "IS"),
    f(2, "Living Arrangement", "IS"),
    f(3, "Patient Primary Facility", "XON"),
    f(4, "Patient Primary Care Provider Name & ID No.", "XCN"),
    f(5, "Student Indicator", "IS"),
    f(6, "Handicap", "IS"),
    f(7, "Living Will Code", "IS"),
    f(8, "Organ Donor Code", "IS"),
    f(9, "Separate Bill", "ID"),
    f(10, "Duplicate Patient", "CX"),
    f(11, "Publicity Code", "CE"),
    f(12, "Protection Indicator", "ID"),
    f(13, "Protection Indicator Effective Date", "DT"),
    f(14, "Place of Worship", "XON"),
    f(15, "Advance Directive Code", "CE"),
    f(16, "Immunization Registry Status", "IS"),
    f(17, "Immunization Registry Status Effective Date", "DT"),
    f(18, "Publicity Code Effective Date", "DT"),
    f(19, "Military Branch", "IS"),
    f(20, "Military Rank/Grade", "IS"),
    f(21, "Military Status", "IS"),
];

static PID: &[Field] = &[
    f(1, "Set ID - PID", "SI"),
    f(2, "Patient ID", "CX"),
    f(3, "Patient Identifier List", "CX"),
    f(4, "Alternate Patient ID - PID", "CX"),
    f(5, "Patient Name", "XPN"),
    f(6, "Mother's Maiden Name", "XPN"),
    f(7, "Date/Time of Birth", "TS"),
    f(8, "Administrative Sex", "IS"),
    f(9, "Patient Alias", "XPN"),
    f(10, "Race", "CE"),
    f(11, "Patient Address", "XAD"),
    f(12, "County Code", "IS"),
    f(13, "Phone Number - Home", "XTN"),
    f(14, "Phone Number - Business", "XTN"),
    f(15, "Primary Language", "CE"),
    f(16, "Marital Status", "CE"),
    f(17, "Religion", "CE"),
    f(18, "Patient Account Number", "CX"),
    f(19, "SSN Number - Patient", "ST"),
    f(20, "Driver's License Number - Patient", "DLN"),
    f(21, "Mother's Identifier", "CX"),
    f(22, "Ethnic Group", "CE"),
    f(23, "Birth Place", "ST"),
    f(24, "Multiple Birth Indicator", "ID"),
    f(25, "Birth Order", "NM"),
    f(26, "Citizenship", "CE"),
    f(27, "Veterans Military Status", "CE"),
    f(28, "Nationality", "CE"),
    f(29, "Patient Death Date and Time", "TS"),
    f(30, "Patient Death Indicator", "ID"),
    f(31, "Identity Unknown Indicator", "ID"),
    f(32, "Identity Reliability Code", "IS"),
    f(33, "Last Update Date/Time", "TS"),
    f(34, "Last Update Facility", "HD"),
    f(35, "Species Code", "CE"),
    f(36, "Breed Code", "CE"),
    f(37, "Strain", "ST"),
    f(38, "Production Class Code", "CE"),
    f(39, "Tribal Citizenship", "CWE"),
];

static PR1: &[Field] = &[
    f(1, "Set ID - PR1", "SI"),
    f(2, "Procedure Coding Method", "IS"),
    f(3, "Procedure Code", "CE"),
    f(4, "Procedure Description", "ST"),
    f(5, "Procedure Date/Time", "TS"),
    f(6, "Procedure Functional Type", "IS"),
    f(7, "Procedure Minutes", "NM"),
    f(8, "Anesthesiologist", "XCN"),
    f(9, "Anesthesia Code", "IS"),
    f(10, "Anesthesia Minutes", "NM"),
    f(11, "Surgeon", "XCN"),
    f(12, "Procedure Practitioner", "XCN"),
    f(13, "Consent Code", "CE"),
    f(14, "Procedure Priority", "ID"),
    f(15, "Associated Diagnosis Code", "CE"),
    f(16, "Procedure Code Modifier", "CE"),
    f(17, "Procedure DRG Type", "IS"),
    f(18, "Tissue Type Code", "CE"),
    f(19, "Procedure Identifier", "EI"),
    f(20, "Procedure Action Code", "ID"),
];

static PV1: &[Field] = &[
    f(1, "Set ID - PV1", "SI"),
    f(2, "Patient Class", "IS"),
    f(3, "Assigned Patient Location", "PL"),
    f(4, "Admission Type", "IS"),
    f(5, "Preadmit Number", "CX"),
    f(6, "Prior Patient Location", "PL"),
    f(7, "Attending Doctor", "XCN"),
    f(8, "Referring Doctor", "XCN"),
    f(9, "Consulting Doctor", "XCN"),
    f(10, "Hospital Service", "IS"),
    f(11, "Temporary Location", "PL"),
    f(12, "Preadmit Test Indicator", "IS"),
    f(13, "Re-admission Indicator", "IS"),
    f(14, "Admit Source", "IS"),
    f(15, "Ambulatory Status", "IS"),
    f(16, "VIP Indicator", "IS"),
    f(17, "Admitting Doctor", "XCN"),
    f(18, "Patient Type", "IS"),
    f(19, "Visit Number", "CX"),
    f(20, "Financial Class", "FC"),
    f(21, "Charge Price Indicator", "IS"),
    f(22, "Courtesy Code", "IS"),
    f(23, "Credit Rating", "IS"),
    f(24, "Contract Code", "IS"),
    f(25, "Contract Effective Date", "DT"),
    f(26, "Contract Amount", "NM"),
    f(27, "Contract Period", "NM"),
    f(28, "Interest Code", "IS"),
    f(29, "Transfer to Bad Debt Code", "IS"),
    f(30, "Transfer to Bad Debt Date", "DT"),
    f(31, "Bad Debt Agency Code", "IS"),
    f(32, "Bad Debt Transfer Amount", "NM"),
    f(33, "Bad Debt Recovery Amount", "NM"),
    f(34, "Delete Account Indicator", "IS"),
    f(35, "Delete Account Date", "DT"),
    f(36, "Discharge Disposition", "IS"),
    f(37, "Discharged to Location", "DLD"),
    f(38, "Diet Type", "CE"),
    f(39, "Servicing Facility", "IS"),
    f(40, "Bed Status", "IS"),
    f(41, "Account Status", "IS"),
    f(42, "Pending Location", "PL"),
    f(43, "Prior Temporary Location", "PL"),
    f(44, "Admit Date/Time", "TS"),
    f(45, "Discharge Date/Time", "TS"),
    f(46, "Current Patient Balance", "NM"),
    f(47, "Total Charges", "NM"),
    f(48, "Total Adjustments", "NM"),
    f(49, "Total Payments", "NM"),
    f(50, "Alternate Visit ID", "CX"),
    f(51, "Visit Indicator", "IS"),
    f(52, "Other Healthcare Provider", "XCN"),
];

static PV2: &[Field] = &[
    f(1, "Prior Pending Location", "PL"),
    f(2, "Accommodation Code", "CE"),
    f(3, "Admit Reason", "CE"),
    f(4, "Transfer Reason", "CE"),
    f(5, "Patient Valuables", "ST"),
    f(6, "Patient Valuables Location", "ST"),
    f(7, "Visit User Code", "IS"),
    f(8, "Expected Admit Date/Time", "TS"),
    f(9, "Expected Discharge Date/Time", "TS"),
    f(10, "Estimated Length of Inpatient Stay", "NM"),
    f(11, "Actual Length of Inpatient Stay", "NM"),
    f(12, "Visit Description", "ST"),
    f(13, "Referral Source Code", "XCN"),
    f(14, "Previous Service Date", "DT"),
    f(15, "Employment Illness Related Indicator", "ID"),
    f(16, "Purge Status Code", "IS"),
    f(17, "Purge Status Date", "DT"),
    f(18, "Special Program Code", "IS"),
    f(19, "Retention Indicator", "ID"),
    f(20, "Expected Number of Insurance Plans", "NM"),
    f(21, "Visit Publicity Code", "IS"),
    f(22, "Visit Protection Indicator", "ID"),
    f(23, "Clinic Organization Name", "XON"),
    f(24, "Patient Status Code", "IS"),
    f(25, "Visit Priority Code", "IS"),
    f(26, "Previous Treatment Date", "DT"),
    f(27, "Expected Discharge Disposition", "IS"),
    f(28, "Signature on File Date", "DT"),
    f(29, "First Similar Illness Date", "DT"),
    f(30, "Patient Charge Adjustment Code", "CE"),
    f(31, "Recurring Service Code", "IS"),
    f(32, "Billing Media Code", "ID"),
    f(33, "Expected Surgery Date and Time", "TS"),
    f(34, "Military Partnership Code", "ID"),
    f(35, "Military Non-Availability Code", "ID"),
    f(36, "Newborn Baby Indicator", "ID"),
    f(37, "Baby Detained Indicator", "ID"),
    f(38, "Mode of Arrival Code", "CE"),
    f(39, "Recreational Drug Use Code", "CE"),
    f(40, "Admission Level of Care Code", "CE"),
    f(41, "Precaution Code", "CE"),
    f(42, "Patient Condition Code", "CE"),
    f(43, "Living Will Code", "IS"),
    f(44, "Organ Donor Code", "IS"),
    f(45, "Advance Directive Code", "CE"),
    f(46, "Patient Status Effective Date", "DT"),
    f(47, "Expected LOA Return Date/Time", "TS"),
    f(48, "Expected Pre-admission Testing Date/Time", "TS"),
    f(49, "Notify Clergy Code", "IS"),
];

static ROL: &[Field] = &[
    f(1, "Role Instance ID", "EI"),
    f(2, "Action Code", "ID"),
    f(3, "Role-ROL", "CE"),
    f(4, "Role Person", "XCN"),
    f(5, "Role Begin Date/Time", "TS"),
    f(6, "Role End Date/Time", "TS"),
    f(7, "Role Duration", "CE"),
    f(8, "Role Action Reason", "CE"),
    f(9, "Provider Type", "CE"),
    f(10, "Organization Unit Type", "CE"),
    f(11, "Office/Home Address/Birthplace", "XAD"),
    f(12, "Phone", "XTN"),
];

static RXA: &[Field] = &[
    f(1, "Give Sub-ID Counter", "NM"),
    f(2, "Administration Sub-ID Counter", "NM"),
    f(3, "Date/Time Start of Administration", "TS"),
    f(4, "Date/Time End of Administration", "TS"),
    f(5, "Administered Code", "CE"),
    f(6, "Administered Amount", "NM"),
    f(7, "Administered Units", "CE"),
    f(8, "Administered Dosage Form", "CE"),
    f(9, "Administration Notes", "CE"),
    f(10, "Administering Provider", "XCN"),
    f(11, "Administered-at Location", "LA2"),
    f(12, "Administered Per (Time Unit)", "ST"),
    f(13, "Administered Strength", "NM"),
    f(14, "Administered Strength Units", "CE"),
    f(15, "Substance Lot Number", "ST"),
    f(16, "Substance Expiration Date", "TS"),
    f(17, "Substance Manufacturer Name", "CE"),
    f(18, "Substance/Treatment Refusal Reason", "CE"),
    f(19, "Indication", "CE"),
    f(20, "Completion Status", "ID"),
    f(21, "Action Code - RXA", "ID"),
    f(22, "System Entry Date/Time", "TS"),
    f(23, "Administered Drug Strength Volume", "NM"),
    f(24, "Administered Drug Strength Volume Units", "CWE"),
    f(25, "Administered Barcode Identifier", "CWE"),
    f(26, "Pharmacy Order Type", "ID"),
];

static RXE: &[Field] = &[
    f(1, "Quantity/Timing", "TQ"),
    f(2, "Give Code", "CE"),
    f(3, "Give Amount - Minimum", "NM"),
    f(4, "Give Amount - Maximum", "NM"),
    f(5, "Give Units", "CE"),
    f(6, "Give Dosage Form", "CE"),
    f(7, "Provider's Administration Instructions", "CE"),
    f(8, "Deliver-To Location", "LA1"),
    f(9, "Substitution Status", "ID"),
    f(10, "Dispense Amount", "NM"),
    f(11, "Dispense Units", "CE"),
    f(12, "Number Of Refills", "NM"),
    f(13, "Ordering Provider's DEA Number", "XCN"),
    f(14, "Pharmacist/Treatment Supplier's Verifier ID", "XCN"),
    f(15, "Prescription Number", "ST"),
    f(16, "Number of Refills Remaining", "NM"),
    f(17, "Number of Refills/Doses Dispensed", "NM"),
    f(18, "D/T of Most Recent Refill or Dose Dispensed", "TS"),
    f(19, "Total Daily Dose", "CQ"),
    f(20, "Needs Human Review", "ID"),
    f(
        21,
        "Pharmacy/Treatment Supplier's Special Dispensing Instructions",
        "CE",
    ),
    f(22, "Give Per (Time Unit)", "ST"),
    f(23, "Give Rate Amount", "ST"),
    f(24, "Give Rate Units", "CE"),
    f(25, "Give Strength", "NM"),
    f(26, "Give Strength Units", "CE"),
    f(27, "Give Indication", "CE"),
    f(28, "Dispense Package Size", "NM"),
    f(29, "Dispense Package Size Unit", "CE"),
    f(30, "Dispense Package Method", "ID"),
    f(31, "Supplementary Code", "CE"),
    f(32, "Original Order Date/Time", "TS"),
    f(33, "Give Drug Strength Volume", "NM"),
    f(34, "Give Drug Strength Volume Units", "CWE"),
    f(35, "Controlled Substance Schedule", "CWE"),
    f(36, "Formulary Status", "ID"),
    f(37, "Pharmaceutical Substance Alternative", "CWE"),
    f(38, "Pharmacy of Most Recent Fill", "CWE"),
    f(39, "Initial Dispense Amount", "NM"),
    f(40, "Dispensing Pharmacy", "CWE"),
    f(41, "Dispensing Pharmacy Address", "XAD"),
    f(42, "Deliver-to Patient Location", "PL"),
    f(43, "Deliver-to Address", "XAD"),
    f(44, "Pharmacy Order Type", "ID"),
];

static SFT: &[Field] = &[
    f(1, "Software Vendor Organization", "XON"),
    f(2, "Software Certified Version or Release Number", "ST"),
    f(3, "Software Product Name", "ST"),
    f(4, "Software Binary ID", "ST"),
    f(5, "Software Product Information", "TX"),
    f(6, "Software Install Date", "TS"),
];

static SPM: &[Field] = &[
    f(1, "Set ID - SPM", "SI"),
    f(2, "Specimen ID", "EIP"),
    f(3, "Specimen Parent IDs", "EIP"),
    f(4, "Specimen Type", "CWE"),
    f(5, "Specimen Type Modifier", "CWE"),
    f(6, "Specimen Additives", "CWE"),
    f(7, "Specimen Collection Method", "CWE"),
    f(8, "Specimen Source Site", "CWE"),
    f(9, "Specimen Source Site Modifier", "CWE"),
    f(10, "Specimen Collection Site", "CWE"),
    f(11, "Specimen Role", "CWE"),
    f(12, "Specimen Collection Amount", "CQ"),
    f(13, "Grouped Specimen Count", "NM"),
    f(14, "Specimen Description", "ST"),
    f(15, "Specimen Handling Code", "CWE"),
    f(16, "Specimen Risk Code", "CWE"),
    f(17, "Specimen Collection Date/Time", "DR"),
    f(18, "Specimen Received Date/Time", "TS"),
    f(19, "Specimen Expiration Date/Time", "TS"),
    f(20, "Specimen Availability", "ID"),
    f(21, "Specimen Reject Reason", "CWE"),
    f(22, "Specimen Quality", "CWE"),
    f(23, "Specimen Appropriateness", "CWE"),
    f(24, "Specimen Condition", "CWE"),
    f(25, "Specimen Current Quantity", "CQ"),
    f(26, "Number of Specimen Containers", "NM"),
    f(27, "Container Type", "CWE"),
    f(28, "Container Condition", "CWE"),
    f(29, "Specimen Child Role", "CWE"),
];

static TXA: &[Field] = &[
    f(1, "Set ID - TXA", "SI"),
    f(2, "Document Type", "IS"),
    f(3, "Document Content Presentation", "ID"),
    f(4, "Activity Date/Time", "TS"),
    f(5, "Primary Activity Provider Code/Name", "XCN"),
    f(6, "Origination Date/Time", "TS"),
    f(7, "Transcription Date/Time", "TS"),
    f(8, "Edit Date/Time", "TS"),
    f(9, "Originator Code/Name", "XCN"),
    f(10, "Assigned Document Authenticator", "XCN"),
    f(11, "Transcriptionist Code/Name", "XCN"),
    f(12, "Unique Document Number", "EI"),
    f(13, "Parent Document Number", "EI"),
    f(14, "Placer Order Number", "EI"),
    f(15, "Filler Order Number", "EI"),
    f(16, "Unique Document File Name", "ST"),
    f(17, "Document Completion Status", "ID"),
    f(18, "Document Confidentiality Status", "ID"),
    f(19, "Document Availability Status", "ID"),
    f(20, "Document Storage Status", "ID"),
    f(21, "Document Change Reason", "ST"),
    f(22, "Authentication Person, Time Stamp", "PPN"),
    f(
        23,
        "Distributed Copies (Code and Name of Recipients)",
        "XCN",
    ),
];

// ---------------------------------------------------------------------------
// Component names per composite data type, sorted by data type code
// (checked by a test). Index 0 is component 1.
// ---------------------------------------------------------------------------

const CODED: &[&str] = &[
    "Identifier",
    "Text",
    "Name of Coding System",
    "Alternate Identifier",
    "Alternate Text",
    "Name of Alternate Coding System",
];

const CODED_WITH_VERSIONS: &[&str] = &[
    "Identifier",
    "Text",
    "Name of Coding System",
    "Alternate Identifier",
    "Alternate Text",
    "Name of Alternate Coding System",
    "Coding System Version ID",
    "Alternate Coding System Version ID",
    "Original Text",
];

static COMPONENTS: &[(&str, &[&str])] = &[
    ("AUI", &["Authorization Number", "Date", "Source"]),
    ("CE", CODED),
    ("CNE", CODED_WITH_VERSIONS),
    (
        "CP",
        &[
            "Price",
            "Price Type",
            "From Value",
            "To Value",
            "Range Units",
            "Range Type",
        ],
    ),
    ("CQ", &["Quantity", "Units"]),
    ("CWE", CODED_WITH_VERSIONS),
    (
        "CX",
        &[
            "ID Number",
            "Check Digit",
            "Check Digit Scheme",
            "Assigning Authority",
            "Identifier Type Code",
            "Assigning Facility",
            "Effective Date",
            "Expiration Date",
            "Assigning Jurisdiction",
            "Assigning Agency or Department",
        ],
    ),
    ("DLD", &["Discharge Location", "Effective Date"]),
    (
        "DLN",
        &[
            "License Number",
            "Issuing State, Province, Country",
            "Expiration Date",
        ],
    ),
    ("DR", &["Range Start Date/Time", "Range End Date/Time"]),
    (
        "EI",
        &[
            "Entity Identifier",
            "Namespace ID",
            "Universal ID",
            "Universal ID Type",
        ],
    ),
    (
        "EIP",
        &["Placer Assigned Identifier", "Filler Assigned Identifier"],
    ),
    (
        "ELD",
        &[
            "Segment ID",
            "Segment Sequence",
            "Field Position",
            "Code Identifying Error",
        ],
    ),
    (
        "ERL",
        &[
            "Segment ID",
            "Segment Sequence",
            "Field Position",
            "Field Repetition",
            "Component Number",
            "Sub-Component Number",
        ],
    ),
    ("FC", &["Financial Class Code", "Effective Date"]),
    ("HD", &["Namespace ID", "Universal ID", "Universal ID Type"]),
    ("JCC", &["Job Code", "Job Class", "Job Description Text"]),
    ("MO", &["Quantity", "Denomination"]),
    ("MOC", &["Monetary Amount", "Charge Code"]),
    (
        "MSG",
        &["Message Code", "Trigger Event", "Message Structure"],
    ),
    (
        "NDL",
        &[
            "Name",
            "Start Date/time",
            "End Date/time",
            "Point of Care",
            "Room",
            "Bed",
            "Facility",
            "Location Status",
            "Patient Location Type",
            "Building",
            "Floor",
        ],
    ),
    (
        "PL",
        &[
            "Point of Care",
            "Room",
            "Bed",
            "Facility",
            "Location Status",
            "Person Location Type",
            "Building",
            "Floor",
            "Location Description",
            "Comprehensive Location Identifier",
            "Assigning Authority for Location",
        ],
    ),
    (
        "PRL",
        &[
            "Parent Observation Identifier",
            "Parent Observation Sub-identifier",
            "Parent Observation Value Descriptor",
        ],
    ),
    ("PT", &["Processing ID", "Processing Mode"]),
    (
        "SPS",
        &[
            "Specimen Source Name or Code",
            "Additives",
            "Specimen Collection Method",
            "Body Site",
            "Site Modifier",
            "Collection Method Modifier Code",
            "Specimen Role",
        ],
    ),
    (
        "TQ",
        &[
            "Quantity",
            "Interval",
            "Duration",
            "Start Date/Time",
            "End Date/Time",
            "Priority",
            "Condition",
            "Text",
            "Conjunction",
            "Order Sequencing",
            "Occurrence Duration",
            "Total Occurrences",
        ],
    ),
    ("TS", &["Time", "Degree of Precision"]),
    (
        "VID",
        &[
            "Version ID",
            "Internationalization Code",
            "International Version ID",
        ],
    ),
    (
        "XAD",
        &[
            "Street Address",
            "Other Designation",
            "City",
            "State or Province",
            "Zip or Postal Code",
            "Country",
            "Address Type",
            "Other Geographic Designation",
            "County/Parish Code",
            "Census Tract",
            "Address Representation Code",
            "Address Validity Range",
            "Effective Date",
            "Expiration Date",
        ],
    ),
    (
        "XCN",
        &[
            "ID Number",
            "Family Name",
            "Given Name",
            "Second and Further Given Names or Initials Thereof",
            "Suffix (e.g., JR or III)",
            "Prefix (e.g., DR)",
            "Degree (e.g., MD)",
            "Source Table",
            "Assigning Authority",
            "Name Type Code",
            "Identifier Check Digit",
            "Check Digit Scheme",
            "Identifier Type Code",
            "Assigning Facility",
            "Name Representation Code",
            "Name Context",
            "Name Validity Range",
            "Name Assembly Order",
            "Effective Date",
            "Expiration Date",
            "Professional Suffix",
            "Assigning Jurisdiction",
            "Assigning Agency or Department",
        ],
    ),
    (
        "XON",
        &[
            "Organization Name",
            "Organization Name Type Code",
            "ID Number",
            "Check Digit",
            "Check Digit Scheme",
            "Assigning Authority",
            "Identifier Type Code",
            "Assigning Facility",
            "Name Representation Code",
            "Organization Identifier",
        ],
    ),
    (
        "XPN",
        &[
            "Family Name",
            "Given Name",
            "Second and Further Given Names or Initials Thereof",
            "Suffix (e.g., JR or III)",
            "Prefix (e.g., DR)",
            "Degree (e.g., MD)",
            "Name Type Code",
            "Name Representation Code",
            "Name Context",
            "Name Validity Range",
            "Name Assembly Order",
            "Effective Date",
            "Expiration Date",
            "Professional Suffix",
        ],
    ),
    (
        "XTN",
        &[
            "Telephone Number",
            "Telecommunication Use Code",
            "Telecommunication Equipment Type",
            "Email Address",
            "Country Code",
            "Area/City Code",
            "Local Number",
            "Extension",
            "Any Text",
            "Extension Prefix",
            "Speed Dial Code",
            "Unformatted Telephone number",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msh_numbering_follows_the_standard() {
        assert_eq!(field_name("MSH", 1), Some("Field Separator"));
        assert_eq!(field_name("MSH", 2), Some("Encoding Characters"));
        assert_eq!(field_name("MSH", 3), Some("Sending Application"));
        assert_eq!(field_name("MSH", 9), Some("Message Type"));
        assert_eq!(field_name("MSH", 10), Some("Message Control ID"));
        assert_eq!(data_type("MSH", 9), Some("MSG"));
        assert_eq!(data_type("MSH", 10), Some("ST"));
    }

    #[test]
    fn segment_names() {
        assert_eq!(segment_name("PID"), Some("Patient Identification"));
        assert_eq!(segment_name("FT1"), Some("Financial Transaction"));
        assert_eq!(segment_name("MSH"), Some("Message Header"));
        for id in [
            "BHS", "BTS", "FHS", "FTS", "ACC", "UB1", "UB2", "ROL", "DB1", "RF1",
        ] {
            assert!(segment_name(id).is_some(), "{id} should be named");
        }
    }

    #[test]
    fn pid_fields() {
        assert_eq!(field_name("PID", 3), Some("Patient Identifier List"));
        assert_eq!(field_name("PID", 5), Some("Patient Name"));
        assert_eq!(field_name("PID", 7), Some("Date/Time of Birth"));
        assert_eq!(field_name("PID", 8), Some("Administrative Sex"));
        assert_eq!(field_name("PID", 11), Some("Patient Address"));
        assert_eq!(data_type("PID", 3), Some("CX"));
        assert_eq!(data_type("PID", 5), Some("XPN"));
        assert_eq!(data_type("PID", 7), Some("TS"));
        assert_eq!(data_type("PID", 8), Some("IS"));
        assert_eq!(data_type("PID", 11), Some("XAD"));
    }

    #[test]
    fn visit_insurance_and_financial_fields() {
        assert_eq!(field_name("PV1", 19), Some("Visit Number"));
        assert_eq!(data_type("PV1", 19), Some("CX"));
        assert_eq!(field_name("IN1", 36), Some("Policy Number"));
        assert_eq!(data_type("IN1", 36), Some("ST"));
        assert_eq!(field_name("FT1", 7), Some("Transaction Code"));
        assert_eq!(field_name("FT1", 10), Some("Transaction Quantity"));
        assert_eq!(field_name("FT1", 11), Some("Transaction Amount - Extended"));
        assert_eq!(field_name("FT1", 25), Some("Procedure Code"));
        assert_eq!(field_name("FT1", 26), Some("Procedure Code Modifier"));
        assert_eq!(data_type("FT1", 10), Some("NM"));
        assert_eq!(data_type("FT1", 11), Some("CP"));
    }

    #[test]
    fn observation_value() {
        assert_eq!(field_name("OBX", 5), Some("Observation Value"));
        assert_eq!(data_type("OBX", 5), Some("varies"));
        assert_eq!(component_name("OBX", 5, 1), None);
        assert_eq!(
            field_name("OBX", 21),
            Some("Reserved for harmonization with V2.6")
        );
        assert_eq!(data_type("OBX", 21), None);
    }

    #[test]
    fn component_names() {
        assert_eq!(component_name("PID", 5, 1), Some("Family Name"));
        assert_eq!(component_name("PID", 5, 2), Some("Given Name"));
        assert_eq!(component_name("PID", 3, 1), Some("ID Number"));
        assert_eq!(component_name("PID", 3, 4), Some("Assigning Authority"));
        assert_eq!(component_name("PID", 11, 3), Some("City"));
        assert_eq!(component_name("PID", 13, 1), Some("Telephone Number"));
        assert_eq!(component_name("PV1", 3, 1), Some("Point of Care"));
        assert_eq!(component_name("PV1", 7, 2), Some("Family Name"));
        assert_eq!(component_name("MSH", 9, 1), Some("Message Code"));
        assert_eq!(component_name("MSH", 9, 2), Some("Trigger Event"));
        assert_eq!(component_name("MSH", 9, 3), Some("Message Structure"));
        assert_eq!(component_name("MSH", 4, 1), Some("Namespace ID"));
        assert_eq!(component_name("FT1", 7, 2), Some("Text"));
        assert_eq!(component_name("FT1", 11, 1), Some("Price"));
        assert_eq!(component_name("DG1", 3, 3), Some("Name of Coding System"));
        assert_eq!(component_name("OBX", 3, 1), Some("Identifier"));
    }

    #[test]
    fn brief_composites_resolve() {
        let cases: &[(&str, &str)] = &[
            ("XPN", "PID-5 NK1-2 IN1-16 GT1-3"),
            ("CX", "PID-2 PID-3 PID-4 PID-18"),
            ("XAD", "PID-11 NK1-4 IN1-5 GT1-5"),
            ("XCN", "PV1-7 PV1-8 PV1-9 PV1-17 FT1-20 FT1-21 OBR-16"),
            ("MSG", "MSH-9"),
            ("HD", "MSH-3 MSH-4 MSH-5 MSH-6"),
            ("CE", "FT1-7 FT1-19 FT1-25 FT1-26 DG1-3 OBX-3"),
            ("PL", "PV1-3"),
            ("CP", "FT1-11 FT1-12"),
            ("XTN", "PID-13 PID-14"),
        ];
        for (code, refs) in cases {
            for r in refs.split(' ') {
                let (seg, num) = r.split_once('-').unwrap();
                let num: usize = num.parse().unwrap();
                assert_eq!(data_type(seg, num), Some(*code), "{r}");
                assert!(component_name(seg, num, 1).is_some(), "{r}.1");
            }
        }
    }

    #[test]
    fn unknowns_are_none() {
        assert_eq!(segment_name("XYZ"), None);
        assert_eq!(segment_name(""), None);
        assert_eq!(segment_name("pid"), None);
        assert_eq!(field_name("PID", 0), None);
        assert_eq!(field_name("PID", 40), None);
        assert_eq!(field_name("PID", 100_000), None);
        assert_eq!(field_name("XYZ", 1), None);
        assert_eq!(data_type("PID", 99), None);
        assert_eq!(component_name("PID", 5, 0), None);
        assert_eq!(component_name("PID", 5, 15), None);
        assert_eq!(component_name("PID", 1, 1), None);
        assert_eq!(component_name("PID", 99, 1), None);
        // Fields of segments known by name only.
        assert_eq!(field_name("UB1", 1), None);
    }

    #[test]
    fn z_segments_are_none() {
        for id in ["ZXX", "ZPI", "ZPV", "Z01"] {
            assert_eq!(segment_name(id), None);
            assert_eq!(field_name(id, 1), None);
            assert_eq!(data_type(id, 1), None);
            assert_eq!(component_name(id, 1, 1), None);
        }
    }

    #[test]
    fn segments_sorted_and_unique() {
        for pair in SEGMENTS.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        for seg in SEGMENTS {
            assert_eq!(seg.id.len(), 3, "{}", seg.id);
            assert!(!seg.id.starts_with('Z'), "{}", seg.id);
            assert!(!seg.name.is_empty());
        }
    }

    #[test]
    fn every_field_table_is_strictly_increasing() {
        for seg in SEGMENTS {
            for pair in seg.fields.windows(2) {
                assert!(
                    pair[0].num < pair[1].num,
                    "{}: field {} then {}",
                    seg.id,
                    pair[0].num,
                    pair[1].num
                );
            }
            if let Some(first) = seg.fields.first() {
                assert!(first.num >= 1, "{} numbers from 1", seg.id);
            }
            for fld in seg.fields {
                assert!(!fld.name.is_empty(), "{}-{}", seg.id, fld.num);
                assert_eq!(fld.name.trim(), fld.name, "{}-{}", seg.id, fld.num);
                if let Some(dt) = fld.data_type {
                    assert!(!dt.is_empty(), "{}-{}", seg.id, fld.num);
                }
            }
        }
    }

    #[test]
    fn full_segments_have_no_gaps() {
        let expected: &[(&str, usize)] = &[
            ("AL1", 6),
            ("DG1", 21),
            ("ERR", 12),
            ("EVN", 7),
            ("FT1", 31),
            ("GT1", 57),
            ("IN1", 53),
            ("IN2", 72),
            ("IN3", 10),
            ("MRG", 7),
            ("MSA", 6),
            ("MSH", 21),
            ("NK1", 39),
            ("NTE", 4),
            ("OBR", 50),
            ("OBX", 25),
            ("ORC", 31),
            ("PD1", 21),
            ("PID", 39),
            ("PR1", 20),
            ("PV1", 52),
            ("PV2", 49),
            ("RXA", 26),
            ("RXE", 44),
            ("SFT", 6),
            ("SPM", 29),
            ("TXA", 23),
        ];
        for (id, count) in expected {
            let fields = find_segment(id).unwrap().fields;
            assert_eq!(fields.len(), *count, "{id}");
            for (idx, fld) in fields.iter().enumerate() {
                assert_eq!(usize::from(fld.num), idx + 1, "{id}");
            }
        }
    }

    #[test]
    fn component_tables_sorted_and_clean() {
        for pair in COMPONENTS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (code, names) in COMPONENTS {
            assert!(!names.is_empty(), "{code}");
            for name in *names {
                assert!(!name.is_empty(), "{code}");
                assert_eq!(name.trim(), *name, "{code}");
            }
        }
    }
}
