//! A message as a readable tree: segments, fields, repetitions and components with the names
//! the standard gives them, for the `parse` command and the message view of the API.

use serde::Serialize;

use super::names::{component_name, field_name, segment_name};
use super::parse::Message;

/// One segment of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentNode {
    /// Segment id, e.g. `PID`.
    pub id: String,
    /// Its name, when known.
    pub name: Option<&'static str>,
    /// The fields that have a value.
    pub fields: Vec<FieldNode>,
}

/// One repetition of a field that has a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldNode {
    /// Terse path, e.g. `PID-3` or `PID-3[2]` for a second repetition.
    pub path: String,
    /// The field's name, when known.
    pub name: Option<&'static str>,
    /// The decoded value.
    pub value: String,
    /// Components with a value, when the field has more than one.
    pub components: Vec<ComponentNode>,
}

/// One component with a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentNode {
    /// Terse path, e.g. `PID-5.1`.
    pub path: String,
    /// The component's name, when known.
    pub name: Option<&'static str>,
    /// The decoded value.
    pub value: String,
}

/// The tree of a parsed message.
pub fn tree(message: &Message<'_>) -> Vec<SegmentNode> {
    message
        .segments()
        .map(|segment| {
            let id = segment.id();
            let mut fields = Vec::new();
            for (index, field) in segment.fields().enumerate() {
                let number = index + 1;
                // MSH-1 and MSH-2 are the delimiters themselves: not split into repetitions.
                let single = segment.is_header() && number <= 2;
                let repetitions: Vec<_> = if single {
                    vec![None]
                } else {
                    field.repetitions().map(Some).collect()
                };
                let repeated = repetitions.len() > 1;
                for (r, repetition) in repetitions.into_iter().enumerate() {
                    let (value, components) = match &repetition {
                        None => (field.value().into_owned(), Vec::new()),
                        Some(repetition) => {
                            let components: Vec<ComponentNode> = repetition
                                .components()
                                .enumerate()
                                .filter(|(_, c)| !c.is_empty())
                                .map(|(c, component)| ComponentNode {
                                    path: format!("{id}-{number}.{}", c + 1),
                                    name: component_name(id, number, c + 1),
                                    value: component.value().into_owned(),
                                })
                                .collect();
                            let has_many = repetition.components().count() > 1;
                            (
                                repetition.value().into_owned(),
                                if has_many { components } else { Vec::new() },
                            )
                        }
                    };
                    if value.is_empty() {
                        continue;
                    }
                    let path = if repeated {
                        format!("{id}-{number}[{}]", r + 1)
                    } else {
                        format!("{id}-{number}")
                    };
                    fields.push(FieldNode {
                        path,
                        name: field_name(id, number),
                        value,
                        components,
                    });
                }
            }
            SegmentNode {
                id: id.to_string(),
                name: segment_name(id),
                fields,
            }
        })
        .collect()
}

/// The tree as indented text, one line per segment, field and component.
pub fn render(tree: &[SegmentNode]) -> String {
    let mut out = String::new();
    let label = |path: &str, name: Option<&str>| match name {
        Some(name) => format!("{path} {name}"),
        None => path.to_string(),
    };
    for segment in tree {
        out.push_str(&label(&segment.id, segment.name));
        out.push('\n');
        for field in &segment.fields {
            out.push_str(&format!(
                "  {}: {}\n",
                label(&field.path, field.name),
                field.value
            ));
            for component in &field.components {
                out.push_str(&format!(
                    "    {}: {}\n",
                    label(&component.path, component.name),
                    component.value
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_components_carry_their_names() {
        let raw = b"MSH|^~\\&|EHR|HOSP|||20261125||ADT^A01|C1|P|2.5\rPID|1||M1^^^HOSP^MR~S2^^^SSA^SS||Doe^Jane\r";
        let message = Message::parse(raw).unwrap();
        let tree = tree(&message);
        assert_eq!(tree[0].name, Some("Message Header"));
        let msh9 = tree[0].fields.iter().find(|f| f.path == "MSH-9").unwrap();
        assert_eq!(msh9.name, Some("Message Type"));
        assert_eq!(msh9.components[1].name, Some("Trigger Event"));
        assert_eq!(tree[0].fields[0].value, "|");
        let pid = &tree[1];
        let ids: Vec<&str> = pid.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(ids, ["PID-1", "PID-3[1]", "PID-3[2]", "PID-5"]);
        assert_eq!(pid.fields[3].components[0].name, Some("Family Name"));
        let text = render(&tree);
        assert!(
            text.contains("  PID-5 Patient Name: Doe^Jane\n    PID-5.1 Family Name: Doe\n"),
            "{text}"
        );
    }
}
