//! What the 270/271, 276/277 and 278 sets share: the named parties of their first levels
//! (payer, provider, submitter) and the member's NM1*IL, read and written the same way.

use serde::{Deserialize, Serialize};

use super::common::EntityName;
use super::reader::Segment;
use super::writer::{WriteError, X12Writer};

/// A named party with an identifier: the payer (NM1*PR, `PI`) or the provider (NM1*1P, `XX`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedParty {
    /// NM103: organization name (or last name).
    pub name: String,
    /// NM108: identification code qualifier.
    pub id_qualifier: String,
    /// NM109: identifier.
    pub id: String,
}

impl NamedParty {
    /// The party an NM1 segment names.
    pub(crate) fn from_nm1(segment: &Segment<'_>) -> Self {
        let entity = EntityName::from_nm1(segment);
        NamedParty {
            name: entity.last_or_organization.unwrap_or_default(),
            id_qualifier: entity.id_qualifier.unwrap_or_default(),
            id: entity.id.unwrap_or_default(),
        }
    }

    /// Writes the party as an organization's NM1 with entity code `code` (`PR`, `1P`...).
    pub(crate) fn write_nm1(&self, w: &mut X12Writer, code: &str) -> Result<(), WriteError> {
        w.segment(
            "NM1",
            &[
                code,
                "2",
                &self.name,
                "",
                "",
                "",
                "",
                &self.id_qualifier,
                &self.id,
            ],
        )
    }
}

/// The member an NM1*IL names: member id (NM109), last name (NM103), first name (NM104).
pub(crate) fn read_member(segment: &Segment<'_>) -> (String, Option<String>, Option<String>) {
    let entity = EntityName::from_nm1(segment);
    (
        entity.id.unwrap_or_default(),
        entity.last_or_organization,
        entity.first,
    )
}

/// Writes the member's NM1*IL: a person (`[last, first]` name), with their member id (`MI`).
pub(crate) fn write_member(
    w: &mut X12Writer,
    member_id: &str,
    [last, first]: [&Option<String>; 2],
) -> Result<(), WriteError> {
    w.segment(
        "NM1",
        &[
            "IL",
            "1",
            last.as_deref().unwrap_or_default(),
            first.as_deref().unwrap_or_default(),
            "",
            "",
            "",
            "MI",
            member_id,
        ],
    )
}
