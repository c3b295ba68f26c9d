//! MDM^T02/T04 to a DocumentReference: the document's identity, type, status, dates and
//! authors (TXA), and its content (the OBXs after TXA: text lines as one `text/plain`
//! attachment, each encapsulated document as an attachment of its own type).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::tables::DOCUMENT_TYPES;
use super::v2::{Rep, entity_identifier, first, practitioner, reps, table_concept};
use super::{
    BundleBuilder, ConvertError, Subject, expect, field, finish, text, with_patient_and_visit,
};
use crate::hl7v2::{Message, Segment};
use crate::mapping::Records;

/// MDM triggers the converter takes: the original document and a status change, each with
/// its content.
pub(super) const TRIGGERS: [&str; 2] = ["T02", "T04"];

/// The transaction Bundle of an MDM^T02/T04: the Patient of `records` (and the visit, when PV1
/// is there) and the DocumentReference of the TXA with its content.
pub(super) fn document_bundle(
    records: &Records,
    message: &Message<'_>,
) -> Result<Value, ConvertError> {
    expect(message, "MDM", &TRIGGERS)?;
    let (mut bundle, subject) = with_patient_and_visit(records, message)?;
    let txa = message
        .segment("TXA")
        .ok_or_else(|| ConvertError("the MDM has no TXA segment".into()))?;
    let mut content = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut after_txa = false;
    let mut count = 0;
    for segment in message.segments() {
        match segment.id() {
            "TXA" => after_txa = true,
            "OBX" => {
                count += 1;
                if !after_txa {
                    continue;
                }
                let label = format!("OBX[{count}]");
                match text(&segment, 2, 1, 1).as_deref() {
                    Some("TX" | "ST" | "FT") => {
                        if let Some(value) = field(&segment, 5) {
                            lines.extend(value.repetitions().map(|r| r.value().to_string()));
                        }
                    }
                    Some("ED") => {
                        if let Some(rep) = first(&segment, 5) {
                            content.push(json!({"attachment": encapsulated(&rep, &label)?}));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !lines.is_empty() {
        let text = lines.join("\n");
        content.insert(
            0,
            json!({"attachment": {
                "contentType": "text/plain; charset=utf-8",
                "data": STANDARD.encode(text.as_bytes()),
            }}),
        );
    }
    if content.is_empty() {
        return Err(ConvertError(
            "the MDM has no document content: no OBX of type TX, ST, FT or ED after TXA".into(),
        ));
    }
    let (resource, identifier) = document(&txa, &mut bundle, &subject, content)?;
    bundle.update(resource, &identifier, "TXA");
    finish(bundle, message, &subject)
}

/// The DocumentReference of `txa` with `content`, and the identifier a conditional update
/// finds it by: the unique document number (TXA-12) as master identifier, the type (TXA-2,
/// table 0270), the availability (TXA-19) as status and the completion (TXA-17) as document
/// status, the origination time (TXA-6, else the activity's TXA-4) as date, the originator
/// (TXA-9) and the provider (TXA-5) as authors, the authenticator (TXA-10).
fn document(
    txa: &Segment<'_>,
    bundle: &mut BundleBuilder,
    subject: &Subject,
    content: Vec<Value>,
) -> Result<(Value, Value), ConvertError> {
    let master = first(txa, 12).and_then(|rep| {
        let mut identifier = entity_identifier(|n| rep.get(n), "FILL")?;
        identifier["type"] = Value::Null;
        Some(identifier)
    });
    let identifier = match &master {
        Some(master) => master.clone(),
        None => subject.message_identifier("TXA")?,
    };
    let status = match text(txa, 19, 1, 1).as_deref() {
        Some("OB") => "superseded",
        Some("CA") => "entered-in-error",
        _ => "current",
    };
    let doc_status = match text(txa, 17, 1, 1).as_deref() {
        Some("AU" | "LA") => Some("final"),
        Some("DI" | "DO" | "IP" | "IN" | "PA") => Some("preliminary"),
        _ => None,
    };
    let date = match subject.instant(txa, 6, "TXA")? {
        Some(date) => Some(date),
        None => subject.instant(txa, 4, "TXA")?,
    };
    let mut authors = Vec::new();
    for field in [9, 5] {
        for rep in reps(txa, field) {
            if let Some((resource, query)) = practitioner(&rep) {
                authors.push(bundle.add_shared(resource, query, &format!("TXA-{field}")));
            }
        }
    }
    let authenticator = first(txa, 10)
        .and_then(|rep| practitioner(&rep))
        .map(|(resource, query)| bundle.add_shared(resource, query, "TXA-10"));
    let resource = json!({
        "resourceType": "DocumentReference",
        "masterIdentifier": master,
        "identifier": [identifier],
        "status": status,
        "docStatus": doc_status,
        "type": text(txa, 2, 1, 1).map(|code| table_concept(
            "http://terminology.hl7.org/CodeSystem/v2-0270",
            &code,
            &DOCUMENT_TYPES,
        )),
        "subject": subject.patient,
        "date": date,
        "author": authors,
        "authenticator": authenticator,
        "content": content,
        "context": subject.encounter.as_ref().map(|visit| json!({"encounter": [visit]})),
    });
    Ok((resource, identifier))
}

/// An ED (source ^ type of data ^ subtype ^ encoding ^ data) as an Attachment: its MIME type
/// of the type (a MIME top-level type, or table 0191) and subtype, its data as base64 from the
/// encoding (A: text, Hex, Base64).
fn encapsulated(rep: &Rep<'_>, label: &str) -> Result<Value, ConvertError> {
    let kind = rep.get(2).map(|k| k.to_ascii_lowercase());
    let subtype = rep.get(3).map(|s| s.to_ascii_lowercase());
    let top = match kind.as_deref() {
        Some(
            mime @ ("application" | "text" | "image" | "audio" | "video" | "multipart" | "model"),
        ) => mime,
        Some("tx" | "ft") => "text",
        Some("im" | "si" | "ns") => "image",
        Some("au") => "audio",
        _ => "application",
    };
    let content_type = match (top, subtype) {
        (top, Some(subtype)) => format!("{top}/{subtype}"),
        ("text", None) => "text/plain".to_string(),
        (_, None) => "application/octet-stream".to_string(),
    };
    let data = match rep.get(5) {
        None => None,
        Some(data) => {
            let encoding = rep.get(4).unwrap_or_else(|| "A".to_string());
            let bytes = match encoding.to_ascii_lowercase().as_str() {
                "a" => Ok(data.into_bytes()),
                "hex" => hex::decode(data.trim()).map_err(|e| e.to_string()),
                "base64" => {
                    let compact: String = data.split_whitespace().collect();
                    STANDARD.decode(compact).map_err(|e| e.to_string())
                }
                other => {
                    return Err(ConvertError(format!(
                        "{label}-5.4: '{other}' is not an encoding of encapsulated data (A, Hex, \
                         Base64)"
                    )));
                }
            }
            .map_err(|why| {
                ConvertError(format!("{label}-5.5: the data is not {encoding}: {why}"))
            })?;
            Some(STANDARD.encode(bytes))
        }
    };
    Ok(json!({"contentType": content_type, "data": data}))
}
