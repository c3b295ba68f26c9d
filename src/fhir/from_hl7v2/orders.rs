//! Orders (ORM^O01, OML^O21, OMP^O09, RDE^O11) to a ServiceRequest per ORC/OBR order and a
//! MedicationRequest per pharmacy order (RXO, RXE): placer and filler numbers (ORC-2/3, else
//! OBR-2/3), status (ORC-5, else ORC-1), requester (ORC-12, else OBR-16), time (TQ1, ORC-7,
//! OBR-7), reasons (DG1), notes (NTE).

use serde_json::{Value, json};

use super::v2::{coded_quantity, concept, first, order_identifier, practitioner, reps};
use super::{
    BundleBuilder, ConvertError, Subject, add_note, checked_number, codeable, coding_of, date_time,
    finish, message_type, text, with_patient_and_visit,
};
use crate::hl7v2::{Message, Segment};
use crate::mapping::Records;

/// The order messages the converter takes: message code and trigger.
pub(super) const ORDER_TYPES: [(&str, &str); 4] = [
    ("ORM", "O01"),
    ("OML", "O21"),
    ("OMP", "O09"),
    ("RDE", "O11"),
];

/// Order statuses (table 0038, ORC-5) as ServiceRequest and MedicationRequest statuses.
const ORDER_STATUSES: [(&str, &str, &str); 9] = [
    ("A", "active", "active"),
    ("CA", "revoked", "cancelled"),
    ("CM", "completed", "completed"),
    ("DC", "revoked", "stopped"),
    ("ER", "entered-in-error", "entered-in-error"),
    ("HD", "on-hold", "on-hold"),
    ("IP", "active", "active"),
    ("RP", "revoked", "stopped"),
    ("SC", "active", "active"),
];

/// Order control codes (table 0119, ORC-1) as ServiceRequest and MedicationRequest statuses,
/// when ORC-5 says nothing.
const ORDER_CONTROLS: [(&str, &str, &str); 14] = [
    ("NW", "active", "active"),
    ("OK", "active", "active"),
    ("SC", "active", "active"),
    ("XO", "active", "active"),
    ("XX", "active", "active"),
    ("RL", "active", "active"),
    ("CA", "revoked", "cancelled"),
    ("OC", "revoked", "cancelled"),
    ("CR", "revoked", "cancelled"),
    ("DC", "revoked", "stopped"),
    ("OD", "revoked", "stopped"),
    ("DR", "revoked", "stopped"),
    ("HD", "on-hold", "on-hold"),
    ("OH", "on-hold", "on-hold"),
];

/// Priorities of TQ1-9 (table 0485) as a request priority.
const PRIORITIES: [(&str, &str); 4] = [
    ("S", "stat"),
    ("A", "asap"),
    ("R", "routine"),
    ("P", "urgent"),
];

/// The transaction Bundle of an order message: the Patient of `records` (and the visit, when
/// PV1 is there), a ServiceRequest per order with an OBR, a MedicationRequest per order with
/// an RXE or RXO.
pub(super) fn order_bundle(
    records: &Records,
    message: &Message<'_>,
) -> Result<Value, ConvertError> {
    expect_order(message)?;
    let (mut bundle, subject) = with_patient_and_visit(records, message)?;
    let mut orders: Vec<Order<'_>> = Vec::new();
    let mut counts = Counts::default();
    for segment in message.segments() {
        let id = segment.id().to_string();
        let open = orders.last_mut();
        match (id.as_str(), open) {
            ("ORC", _) => {
                counts.orc += 1;
                orders.push(Order::new(format!("ORC[{}]", counts.orc), Some(segment)));
            }
            ("OBR" | "RXO" | "RXE", open) => {
                let number = counts.next(&id);
                let label = format!("{id}[{number}]");
                // A detail segment opens an order of its own unless its ORC's order has none
                // of its kind yet (RDE: RXO then RXE in one order).
                let order = match open {
                    Some(order) if order.takes(&id) => order,
                    _ => {
                        orders.push(Order::new(label.clone(), None));
                        let Some(order) = orders.last_mut() else {
                            continue;
                        };
                        order
                    }
                };
                order.set(&id, segment, label);
            }
            ("TQ1", Some(order)) if order.tq1.is_none() => order.tq1 = Some(segment),
            ("RXR", Some(order)) if order.rxr.is_none() => order.rxr = Some(segment),
            ("DG1", Some(order)) => order
                .reasons
                .extend(first(&segment, 3).and_then(|r| coding_of(r.repetition()))),
            ("NTE", Some(order)) if order.observations == 0 => order.notes.push(segment),
            ("OBX" | "SPM", Some(order)) => order.observations += 1,
            _ => {}
        }
    }
    for order in orders {
        order.add_to(&mut bundle, &subject)?;
    }
    finish(bundle, message, &subject)
}

/// Checks that `message` is one of the order messages the converter takes.
fn expect_order(message: &Message<'_>) -> Result<(), ConvertError> {
    let (code, trigger) = message_type(message);
    if ORDER_TYPES.contains(&(code.as_str(), trigger.as_str())) {
        return Ok(());
    }
    Err(ConvertError(format!(
        "{code}^{trigger} is not an order message (ORM^O01, OML^O21, OMP^O09, RDE^O11)"
    )))
}

/// How many of each detail segment were seen, for labels.
#[derive(Default)]
struct Counts {
    orc: usize,
    obr: usize,
    rxo: usize,
    rxe: usize,
}

impl Counts {
    /// Counts one more `id` segment; answers its number.
    fn next(&mut self, id: &str) -> usize {
        let count = match id {
            "OBR" => &mut self.obr,
            "RXO" => &mut self.rxo,
            _ => &mut self.rxe,
        };
        *count += 1;
        *count
    }
}

/// One order: its ORC and the segments of its detail.
struct Order<'a> {
    label: String,
    orc: Option<Segment<'a>>,
    obr: Option<(Segment<'a>, String)>,
    rxo: Option<(Segment<'a>, String)>,
    rxe: Option<(Segment<'a>, String)>,
    tq1: Option<Segment<'a>>,
    rxr: Option<Segment<'a>>,
    reasons: Vec<Value>,
    notes: Vec<Segment<'a>>,
    /// Results and specimens sent with the order (not converted); the NTEs after them are
    /// theirs.
    observations: usize,
}

impl<'a> Order<'a> {
    fn new(label: String, orc: Option<Segment<'a>>) -> Self {
        Order {
            label,
            orc,
            obr: None,
            rxo: None,
            rxe: None,
            tq1: None,
            rxr: None,
            reasons: Vec::new(),
            notes: Vec::new(),
            observations: 0,
        }
    }

    /// Whether the detail segment `id` belongs to this order.
    fn takes(&self, id: &str) -> bool {
        match id {
            "OBR" => self.obr.is_none() && self.rxo.is_none() && self.rxe.is_none(),
            "RXO" => self.obr.is_none() && self.rxo.is_none() && self.rxe.is_none(),
            _ => self.obr.is_none() && self.rxe.is_none(),
        }
    }

    /// Sets the detail segment `id`. The route of an RXE is the RXR after it, not the one of
    /// the RXO before it.
    fn set(&mut self, id: &str, segment: Segment<'a>, label: String) {
        let slot = match id {
            "OBR" => &mut self.obr,
            "RXO" => &mut self.rxo,
            _ => {
                self.rxr = None;
                &mut self.rxe
            }
        };
        *slot = Some((segment, label));
    }

    /// The statuses of ORC-5, else ORC-1: (ServiceRequest, MedicationRequest).
    fn statuses(&self) -> (&'static str, &'static str) {
        let Some(orc) = &self.orc else {
            return ("unknown", "unknown");
        };
        let find = |table: &[(&'static str, &'static str, &'static str)], field: usize| {
            let code = text(orc, field, 1, 1)?;
            table
                .iter()
                .find(|(key, ..)| *key == code)
                .map(|(_, service, medication)| (*service, *medication))
        };
        find(&ORDER_STATUSES, 5)
            .or_else(|| find(&ORDER_CONTROLS, 1))
            .unwrap_or(("unknown", "unknown"))
    }

    /// The placer and filler numbers (ORC-2/3, else those of `detail`: OBR-2/3), placer
    /// first: the placer's stays the order's all its life.
    fn identifiers(&self, detail: Option<&Segment<'_>>) -> Vec<Value> {
        let number = |field: usize, type_code: &str| {
            self.orc
                .as_ref()
                .and_then(|orc| order_identifier(orc, field, type_code))
                .or_else(|| detail.and_then(|d| order_identifier(d, field, type_code)))
        };
        [number(2, "PLAC"), number(3, "FILL")]
            .into_iter()
            .flatten()
            .collect()
    }

    /// The requester (ORC-12, else OBR-16 of `detail`), added to `bundle`.
    fn requester(&self, bundle: &mut BundleBuilder, detail: Option<&Segment<'_>>) -> Option<Value> {
        let from_orc = self
            .orc
            .as_ref()
            .and_then(|orc| first(orc, 12))
            .map(|r| (r, "ORC-12"));
        let from_obr = detail
            .filter(|d| d.id() == "OBR")
            .and_then(|obr| first(obr, 16))
            .map(|r| (r, "OBR-16"));
        let (rep, source) = from_orc.or(from_obr)?;
        let (resource, query) = practitioner(&rep)?;
        Some(bundle.add_shared(resource, query, source))
    }

    /// The order's time: TQ1-7/8, else ORC-7's start and end (TQ), else OBR-7 of `detail`.
    fn occurrence(
        &self,
        detail: Option<&Segment<'_>>,
    ) -> Result<(Option<String>, Option<String>), ConvertError> {
        if let Some(tq1) = &self.tq1 {
            let start = date_time(tq1, 7, "TQ1")?;
            let end = date_time(tq1, 8, "TQ1")?;
            if start.is_some() || end.is_some() {
                return Ok((start, end));
            }
        }
        if let Some(timing) = self.orc.as_ref().and_then(|orc| first(orc, 7)) {
            let at = |component: usize| format!("{}-7.{component}", self.label);
            let start = super::checked_date_time(timing.get(4), &at(4))?;
            let end = super::checked_date_time(timing.get(5), &at(5))?;
            if start.is_some() || end.is_some() {
                return Ok((start, end));
            }
        }
        match detail.filter(|d| d.id() == "OBR") {
            Some(obr) => Ok((date_time(obr, 7, "OBR")?, None)),
            None => Ok((None, None)),
        }
    }

    /// Adds the order's request to `bundle`.
    fn add_to(self, bundle: &mut BundleBuilder, subject: &Subject) -> Result<(), ConvertError> {
        if let Some((obr, label)) = &self.obr {
            return self.add_service_request(bundle, subject, obr, label);
        }
        if let Some((detail, label)) = self.rxe.as_ref().or(self.rxo.as_ref()) {
            return self.add_medication_request(bundle, subject, detail, label);
        }
        Ok(())
    }

    /// Adds the ServiceRequest of the order with `obr`.
    fn add_service_request(
        &self,
        bundle: &mut BundleBuilder,
        subject: &Subject,
        obr: &Segment<'_>,
        label: &str,
    ) -> Result<(), ConvertError> {
        let mut identifiers = self.identifiers(Some(obr));
        if identifiers.is_empty() {
            identifiers.push(subject.message_identifier(label)?);
        }
        let key = identifiers.first().cloned().unwrap_or_default();
        let code = codeable(obr, 4).ok_or_else(|| {
            ConvertError(format!("{label}-4 (universal service identifier) is empty"))
        })?;
        let (start, end) = self.occurrence(Some(obr))?;
        let mut resource = json!({
            "resourceType": "ServiceRequest",
            "identifier": identifiers,
            "status": self.statuses().0,
            "intent": "order",
            "priority": self.priority(),
            "code": code,
            "subject": subject.patient,
            "encounter": subject.encounter,
            "authoredOn": self.authored()?,
            "requester": self.requester(bundle, Some(obr)),
            "reasonCode": self.reasons,
        });
        match end {
            Some(end) => resource["occurrencePeriod"] = json!({"start": start, "end": end}),
            None => resource["occurrenceDateTime"] = json!(start),
        }
        for nte in &self.notes {
            add_note(&mut resource, nte);
        }
        bundle.update(resource, &key, label);
        Ok(())
    }

    /// Adds the MedicationRequest of the order with `detail` (an RXE, else an RXO): the
    /// medication (RXE-2, RXO-1), the dosage (instructions RXE-7/RXO-7, route RXR-1, site
    /// RXR-2, dose RXE-3/RXO-2 in RXE-5/RXO-4 units), the dispense (RXE-10/RXO-11 in
    /// RXE-11/RXO-12 units, refills RXE-12/RXO-13).
    fn add_medication_request(
        &self,
        bundle: &mut BundleBuilder,
        subject: &Subject,
        detail: &Segment<'_>,
        label: &str,
    ) -> Result<(), ConvertError> {
        let encoded = detail.id() == "RXE";
        // (give code, dose, dose units, instructions, dispense, dispense units, refills)
        let fields = if encoded {
            (2, 3, 5, 7, 10, 11, 12)
        } else {
            (1, 2, 4, 7, 11, 12, 13)
        };
        let (give, dose, dose_units, instructions, dispense, dispense_units, refills) = fields;
        let mut identifiers = self.identifiers(None);
        if identifiers.is_empty() {
            identifiers.push(subject.message_identifier(label)?);
        }
        let key = identifiers.first().cloned().unwrap_or_default();
        let medication = first(detail, give)
            .and_then(|r| concept(&r))
            .ok_or_else(|| ConvertError(format!("{label}-{give} (give code) is empty")))?;
        let amount = |field: usize, units: usize| -> Result<Option<Value>, ConvertError> {
            let value = checked_number(
                first(detail, field).and_then(|r| r.get(1)),
                &format!("{label}-{field}"),
            )?;
            Ok(value.map(|value| coded_quantity(value, first(detail, units).as_ref())))
        };
        let text_lines: Vec<String> = reps(detail, instructions)
            .iter()
            .filter_map(|r| r.get(2).or_else(|| r.get(1)))
            .collect();
        let dose = amount(dose, dose_units)?;
        let dosage = json!({
            "text": (!text_lines.is_empty()).then(|| text_lines.join("\n")),
            "route": self.rxr.as_ref().and_then(|rxr| first(rxr, 1)).and_then(|r| concept(&r)),
            "site": self.rxr.as_ref().and_then(|rxr| first(rxr, 2)).and_then(|r| concept(&r)),
            "doseAndRate": dose.map(|dose| vec![json!({"doseQuantity": dose})]),
        });
        let refills = first(detail, refills).and_then(|r| r.get(1));
        let refills = match refills {
            Some(count) => Some(count.parse::<u32>().map_err(|_| {
                ConvertError(format!(
                    "{label}-{}: '{count}' is not a number of refills",
                    fields.6
                ))
            })?),
            None => None,
        };
        let dispense_request = json!({
            "quantity": amount(dispense, dispense_units)?,
            "numberOfRepeatsAllowed": refills,
        });
        let resource = json!({
            "resourceType": "MedicationRequest",
            "identifier": identifiers,
            "status": self.statuses().1,
            "intent": "order",
            "priority": self.priority(),
            "medicationCodeableConcept": medication,
            "subject": subject.patient,
            "encounter": subject.encounter,
            "authoredOn": self.authored()?,
            "requester": self.requester(bundle, None),
            "reasonCode": self.reasons,
            "dosageInstruction": [dosage],
            "dispenseRequest": dispense_request,
        });
        bundle.update(resource, &key, label);
        Ok(())
    }

    /// TQ1-9 as the request's priority.
    fn priority(&self) -> Option<&'static str> {
        let code = self.tq1.as_ref().and_then(|tq1| text(tq1, 9, 1, 1))?;
        PRIORITIES
            .iter()
            .find(|(key, _)| *key == code)
            .map(|(_, priority)| *priority)
    }

    /// ORC-9, the time of the transaction, as when the order was authored.
    fn authored(&self) -> Result<Option<String>, ConvertError> {
        match &self.orc {
            Some(orc) => date_time(orc, 9, &self.label),
            None => Ok(None),
        }
    }
}
