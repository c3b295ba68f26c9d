//! What the codes of an 835 mean: claim adjustment group codes, the claim adjustment reason
//! codes (CARC) and remittance advice remark codes (RARC) that payers use most, so worklists
//! and reports read as sentences. A code not listed is shown as itself.

/// Claim adjustment group codes.
const GROUPS: &[(&str, &str)] = &[
    ("CO", "Contractual obligation (provider write-off)"),
    ("CR", "Correction and reversal"),
    ("OA", "Other adjustment"),
    ("PI", "Payer-initiated reduction"),
    ("PR", "Patient responsibility"),
];

/// Claim adjustment reason codes, sorted by code.
const CARC: &[(&str, &str)] = &[
    ("1", "Deductible amount"),
    ("2", "Coinsurance amount"),
    ("3", "Co-payment amount"),
    (
        "4",
        "The procedure code is inconsistent with the modifier used, or a required modifier is missing",
    ),
    (
        "5",
        "The procedure code or bill type is inconsistent with the place of service",
    ),
    (
        "6",
        "The procedure or revenue code is inconsistent with the patient's age",
    ),
    (
        "7",
        "The procedure or revenue code is inconsistent with the patient's gender",
    ),
    ("11", "The diagnosis is inconsistent with the procedure"),
    (
        "15",
        "The authorization number is missing, invalid, or does not apply to the billed services or provider",
    ),
    (
        "16",
        "Claim or service lacks information or has submission or billing errors",
    ),
    ("18", "Exact duplicate claim or service"),
    (
        "22",
        "This care may be covered by another payer per coordination of benefits",
    ),
    (
        "23",
        "The impact of prior payer adjudication, including payments and adjustments",
    ),
    (
        "24",
        "Charges are covered under a capitation agreement or managed care plan",
    ),
    ("26", "Expenses incurred prior to coverage"),
    ("27", "Expenses incurred after coverage terminated"),
    ("29", "The time limit for filing has expired"),
    ("31", "Patient cannot be identified as our insured"),
    (
        "45",
        "Charge exceeds fee schedule or maximum allowable, or contracted or legislated fee arrangement",
    ),
    (
        "49",
        "Non-covered: a routine or preventive exam or screening done with a routine exam",
    ),
    (
        "50",
        "Non-covered: not deemed a medical necessity by the payer",
    ),
    (
        "59",
        "Processed based on multiple or concurrent procedure rules",
    ),
    ("96", "Non-covered charge(s)"),
    (
        "97",
        "The benefit for this service is included in the payment or allowance for another service already adjudicated",
    ),
    (
        "109",
        "Claim or service not covered by this payer or contractor",
    ),
    (
        "119",
        "Benefit maximum for this time period or occurrence has been reached",
    ),
    ("129", "Prior processing information appears incorrect"),
    ("131", "Claim-specific negotiated discount"),
    (
        "151",
        "Payment adjusted because the payer deems the information submitted does not support this many or this frequency of services",
    ),
    ("167", "This (these) diagnosis(es) is (are) not covered"),
    (
        "170",
        "Payment is denied when performed or billed by this type of provider",
    ),
    ("181", "Procedure code was invalid on the date of service"),
    (
        "197",
        "Precertification, authorization, notification or pre-treatment absent",
    ),
    (
        "198",
        "Precertification, notification, authorization or pre-treatment exceeded",
    ),
    (
        "204",
        "This service, equipment or drug is not covered under the patient's current benefit plan",
    ),
    (
        "226",
        "Information requested from the billing or rendering provider was not provided or was insufficient",
    ),
    (
        "242",
        "Services not provided by network or primary care providers",
    ),
    ("253", "Sequestration: reduction in federal payment"),
];

/// Remittance advice remark codes, sorted by code.
const RARC: &[(&str, &str)] = &[
    (
        "M15",
        "Separately billed services or tests have been bundled as they are considered components of the same procedure",
    ),
    ("M20", "Missing, incomplete or invalid HCPCS code"),
    ("M51", "Missing, incomplete or invalid procedure code(s)"),
    (
        "M76",
        "Missing, incomplete or invalid diagnosis or condition",
    ),
    (
        "M86",
        "Service denied because payment already made for same or similar procedure within set time frame",
    ),
    (
        "MA04",
        "Secondary payment cannot be considered without the identity of or payment information from the primary payer",
    ),
    (
        "MA130",
        "Your claim contains incomplete or invalid information, and no appeal rights are afforded; submit a new claim with the complete or correct information",
    ),
    (
        "N4",
        "Missing, incomplete or invalid prior insurance carrier explanation of benefits",
    ),
    (
        "N20",
        "Service not payable with other service rendered on the same date",
    ),
    ("N30", "Patient ineligible for this service"),
    (
        "N54",
        "Claim information is inconsistent with pre-certified or authorized services",
    ),
    (
        "N130",
        "Consult plan benefit documents or guidelines for information about restrictions for this service",
    ),
    (
        "N290",
        "Missing, incomplete or invalid rendering provider primary identifier",
    ),
    (
        "N381",
        "Consult our contractual agreement for restrictions, billing or payment information related to these charges",
    ),
    (
        "N386",
        "This decision was based on a national coverage determination",
    ),
    ("N432", "Adjustment based on a recovery audit"),
    (
        "N522",
        "Duplicate of a claim processed, or to be processed, as a crossover claim",
    ),
];

/// Reject reason codes of a 271 AAA segment (AAA03): why a payer could not answer an
/// eligibility inquiry.
const REQUEST_REJECTIONS: &[(&str, &str)] = &[
    ("15", "Required application data missing"),
    ("41", "Authorization/access restrictions"),
    ("42", "Unable to respond at current time"),
    ("43", "Invalid/missing provider identification"),
    ("58", "Invalid/missing date of birth"),
    ("62", "Date of service not within allowable inquiry period"),
    ("72", "Invalid/missing subscriber/insured ID"),
    ("73", "Invalid/missing subscriber/insured name"),
    ("75", "Subscriber/insured not found"),
    ("76", "Duplicate subscriber/insured ID"),
    ("79", "Invalid participant identification"),
];

/// Health care claim status category codes (STC01-1 of a 277).
const CLAIM_STATUS_CATEGORIES: &[(&str, &str)] = &[
    ("A0", "Acknowledgement/Forwarded"),
    ("A1", "Acknowledgement/Receipt"),
    ("A2", "Acknowledgement/Acceptance into adjudication system"),
    ("A3", "Acknowledgement/Returned as unprocessable claim"),
    ("A4", "Acknowledgement/Not Found"),
    ("A6", "Acknowledgement/Rejected for Missing Information"),
    ("A7", "Acknowledgement/Rejected for Invalid Information"),
    (
        "A8",
        "Acknowledgement/Rejected for relational field in error",
    ),
    ("D0", "Data Search Unsuccessful"),
    (
        "E0",
        "Response not possible - error on submitted request data",
    ),
    ("E1", "Response not possible - System Status"),
    ("F0", "Finalized"),
    ("F1", "Finalized/Payment"),
    ("F2", "Finalized/Denial"),
    ("F3", "Finalized/Revised"),
    (
        "F4",
        "Finalized/Adjudication Complete - No payment forthcoming",
    ),
    ("P0", "Pending: Adjudication/Details"),
    ("P1", "Pending/In Process"),
    ("P2", "Pending/Payer Review"),
    ("P3", "Pending/Provider Requested Information"),
    ("P4", "Pending/Patient Requested Information"),
    ("R0", "Requests for additional Information/General Requests"),
];

/// Health care claim status codes (STC01-2 of a 277) that payers use most.
const CLAIM_STATUS_CODES: &[(&str, &str)] = &[
    ("1", "For more detailed information, see remittance advice"),
    (
        "3",
        "Claim has been adjudicated and is awaiting payment cycle",
    ),
    ("19", "Entity acknowledges receipt of claim/encounter"),
    ("20", "Accepted for processing"),
    ("21", "Missing or invalid information"),
    ("35", "Claim/encounter not found"),
    ("65", "Claim/line has been paid"),
    (
        "88",
        "Entity not eligible for benefits for submitted dates of service",
    ),
];

fn lookup(table: &'static [(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, text)| *text)
}

/// What a claim adjustment group code means.
pub fn group_text(code: &str) -> Option<&'static str> {
    lookup(GROUPS, code)
}

/// What a claim adjustment reason code (CARC) means.
pub fn carc_text(code: &str) -> Option<&'static str> {
    lookup(CARC, code)
}

/// What a remittance advice remark code (RARC) means.
pub fn rarc_text(code: &str) -> Option<&'static str> {
    lookup(RARC, code)
}

/// What a 271 reject reason code (AAA03) means.
pub fn request_rejection_text(code: &str) -> Option<&'static str> {
    lookup(REQUEST_REJECTIONS, code)
}

/// `F1 Finalized/Payment: 65 Claim/line has been paid`: a 277's status spelled out; a code
/// not listed stays a code.
pub fn describe_claim_status(category: &str, code: &str) -> String {
    let category_text = lookup(CLAIM_STATUS_CATEGORIES, category)
        .map_or_else(|| category.to_owned(), |text| format!("{category} {text}"));
    match (code, lookup(CLAIM_STATUS_CODES, code)) {
        ("", _) => category_text,
        (_, Some(text)) => format!("{category_text}: {code} {text}"),
        (_, None) => format!("{category_text}: {code}"),
    }
}

/// `CO-45: Charge exceeds fee schedule...`, or the code alone when it is not listed.
pub fn describe_adjustment(group: &str, reason: &str) -> String {
    match carc_text(reason) {
        Some(text) => format!("{group}-{reason}: {text}"),
        None => format!("{group}-{reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_sentences_and_unknown_ones_stay_codes() {
        assert_eq!(group_text("PR"), Some("Patient responsibility"));
        assert_eq!(carc_text("3"), Some("Co-payment amount"));
        assert_eq!(
            rarc_text("N130").map(|t| t.starts_with("Consult plan")),
            Some(true)
        );
        assert_eq!(describe_adjustment("CO", "999"), "CO-999");
        assert!(describe_adjustment("CO", "45").starts_with("CO-45: Charge exceeds"));
        assert_eq!(
            request_rejection_text("75"),
            Some("Subscriber/insured not found")
        );
        assert_eq!(
            describe_claim_status("F1", "65"),
            "F1 Finalized/Payment: 65 Claim/line has been paid"
        );
        assert_eq!(describe_claim_status("Q9", "999"), "Q9: 999");
        for table in [
            GROUPS,
            CARC,
            RARC,
            REQUEST_REJECTIONS,
            CLAIM_STATUS_CATEGORIES,
            CLAIM_STATUS_CODES,
        ] {
            let codes: std::collections::HashSet<_> = table.iter().map(|(c, _)| c).collect();
            assert_eq!(codes.len(), table.len(), "a code is listed twice");
        }
    }
}
