//! JSON Patch (RFC 6902) for `PATCH /fhir/{type}/{id}`: the operations `add`, `remove`,
//! `replace`, `move`, `copy` and `test`, applied in order to a copy of the resource, so a patch
//! that fails part way changes nothing.

use axum::http::StatusCode;
use serde_json::Value;

use super::outcome::FhirError;

/// Applies the JSON Patch document `patch` (an array of operations) to `document`. A malformed
/// patch is a 400; an operation that cannot apply (a missing path, a `test` that fails) a 422,
/// naming the operation.
pub fn apply(document: &Value, patch: &Value) -> Result<Value, FhirError> {
    let operations = patch
        .as_array()
        .ok_or_else(|| FhirError::bad_request("a JSON Patch is an array of operations"))?;
    let mut patched = document.clone();
    for (index, operation) in operations.iter().enumerate() {
        apply_one(&mut patched, operation).map_err(|mut err| {
            for issue in &mut err.issues {
                issue.diagnostics = format!("patch operation {index}: {}", issue.diagnostics);
                issue.expression = Some(format!("Patch[{index}]"));
            }
            err
        })?;
    }
    Ok(patched)
}

fn apply_one(document: &mut Value, operation: &Value) -> Result<(), FhirError> {
    let op = member(operation, "op")?;
    let path = pointer(member(operation, "path")?)?;
    match op {
        "add" => add(document, &path, value_of(operation)?.clone()),
        "remove" => remove(document, &path).map(drop),
        "replace" => {
            remove(document, &path)?;
            add(document, &path, value_of(operation)?.clone())
        }
        "move" => {
            let from = pointer(member(operation, "from")?)?;
            if path.len() > from.len() && path[..from.len()] == from[..] {
                return Err(FhirError::bad_request(
                    "'move' cannot move a value into one of its own children",
                ));
            }
            let value = remove(document, &from)?;
            add(document, &path, value)
        }
        "copy" => {
            let from = pointer(member(operation, "from")?)?;
            let value = get(document, &from)?.clone();
            add(document, &path, value)
        }
        "test" => {
            let expected = value_of(operation)?;
            let found = get(document, &path)?;
            if found == expected {
                Ok(())
            } else {
                Err(FhirError::invalid(format!(
                    "test failed: {} is {found}, not {expected}",
                    display(&path)
                )))
            }
        }
        other => Err(FhirError::bad_request(format!(
            "'{other}' is not a JSON Patch operation (add, remove, replace, move, copy, test)"
        ))),
    }
}

/// A string member of an operation; 400 when it is missing.
fn member<'a>(operation: &'a Value, name: &str) -> Result<&'a str, FhirError> {
    operation
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| FhirError::bad_request(format!("'{name}' is missing or not a string")))
}

fn value_of(operation: &Value) -> Result<&Value, FhirError> {
    operation
        .get("value")
        .ok_or_else(|| FhirError::bad_request("'value' is missing"))
}

/// The reference tokens of a JSON Pointer (RFC 6901), `~1` and `~0` unescaped.
fn pointer(text: &str) -> Result<Vec<String>, FhirError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let rest = text.strip_prefix('/').ok_or_else(|| {
        FhirError::bad_request(format!(
            "path '{text}' is not a JSON Pointer (starts with /)"
        ))
    })?;
    Ok(rest
        .split('/')
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn display(path: &[String]) -> String {
    if path.is_empty() {
        "the document".to_string()
    } else {
        format!("/{}", path.join("/"))
    }
}

fn missing(path: &[String]) -> FhirError {
    FhirError::invalid(format!("{} does not exist", display(path)))
}

/// An array index token: digits only, no leading zero.
fn index(token: &str, path: &[String]) -> Result<usize, FhirError> {
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    token
        .parse::<usize>()
        .ok()
        .filter(|_| valid)
        .ok_or_else(|| missing(path))
}

fn get<'a>(document: &'a Value, path: &[String]) -> Result<&'a Value, FhirError> {
    let mut current = document;
    for token in path {
        current = match current {
            Value::Object(map) => map.get(token),
            Value::Array(items) => items.get(index(token, path)?),
            _ => None,
        }
        .ok_or_else(|| missing(path))?;
    }
    Ok(current)
}

fn get_mut<'a>(document: &'a mut Value, path: &[String]) -> Result<&'a mut Value, FhirError> {
    let mut current = document;
    for token in path {
        current = match current {
            Value::Object(map) => map.get_mut(token),
            Value::Array(items) => {
                let at = index(token, path)?;
                items.get_mut(at)
            }
            _ => None,
        }
        .ok_or_else(|| missing(path))?;
    }
    Ok(current)
}

fn add(document: &mut Value, path: &[String], value: Value) -> Result<(), FhirError> {
    let Some((last, parent)) = path.split_last() else {
        *document = value;
        return Ok(());
    };
    match get_mut(document, parent)? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let at = if last == "-" {
                items.len()
            } else {
                index(last, path)?
            };
            if at > items.len() {
                return Err(missing(path));
            }
            items.insert(at, value);
            Ok(())
        }
        _ => Err(FhirError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!(
                "{} is inside a value that is no object or array",
                display(path)
            ),
        )),
    }
}

fn remove(document: &mut Value, path: &[String]) -> Result<Value, FhirError> {
    let Some((last, parent)) = path.split_last() else {
        return Err(FhirError::bad_request(
            "the whole document cannot be removed",
        ));
    };
    match get_mut(document, parent)? {
        Value::Object(map) => map.remove(last).ok_or_else(|| missing(path)),
        Value::Array(items) => {
            let at = index(last, path)?;
            if at >= items.len() {
                return Err(missing(path));
            }
            Ok(items.remove(at))
        }
        _ => Err(missing(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(document: Value, patch: Value) -> Result<Value, FhirError> {
        apply(&document, &patch)
    }

    #[test]
    fn the_rfc_examples_apply() {
        assert_eq!(
            patched(
                json!({"foo": "bar"}),
                json!([{"op": "add", "path": "/baz", "value": "qux"}])
            ),
            Ok(json!({"foo": "bar", "baz": "qux"}))
        );
        assert_eq!(
            patched(
                json!({"foo": ["bar", "baz"]}),
                json!([{"op": "add", "path": "/foo/1", "value": "qux"}])
            ),
            Ok(json!({"foo": ["bar", "qux", "baz"]}))
        );
        assert_eq!(
            patched(
                json!({"foo": [1]}),
                json!([{"op": "add", "path": "/foo/-", "value": 2}])
            ),
            Ok(json!({"foo": [1, 2]}))
        );
        assert_eq!(
            patched(
                json!({"a": 1, "b": 2}),
                json!([{"op": "remove", "path": "/b"}])
            ),
            Ok(json!({"a": 1}))
        );
        assert_eq!(
            patched(
                json!({"a": 1}),
                json!([{"op": "replace", "path": "/a", "value": 3}])
            ),
            Ok(json!({"a": 3}))
        );
        assert_eq!(
            patched(
                json!({"foo": {"bar": "baz"}, "q": {}}),
                json!([{"op": "move", "from": "/foo/bar", "path": "/q/bar"}])
            ),
            Ok(json!({"foo": {}, "q": {"bar": "baz"}}))
        );
        assert_eq!(
            patched(
                json!({"a": [1, 2, 3]}),
                json!([{"op": "copy", "from": "/a/0", "path": "/b"}])
            ),
            Ok(json!({"a": [1, 2, 3], "b": 1}))
        );
        assert_eq!(
            patched(
                json!({"a/b": {"m~n": 1}}),
                json!([{"op": "test", "path": "/a~1b/m~0n", "value": 1}])
            ),
            Ok(json!({"a/b": {"m~n": 1}}))
        );
    }

    #[test]
    fn a_failing_operation_changes_nothing_and_says_which() {
        let document = json!({"status": "final", "n": 1});
        let err = patched(
            document,
            json!([
                {"op": "replace", "path": "/n", "value": 2},
                {"op": "test", "path": "/status", "value": "preliminary"}
            ]),
        )
        .unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            err.issues[0]
                .diagnostics
                .starts_with("patch operation 1: test failed")
        );
        for (patch, status) in [
            (json!([{"op": "remove", "path": "/missing"}]), 422),
            (
                json!([{"op": "replace", "path": "/list/5", "value": 1}]),
                422,
            ),
            (json!([{"op": "add", "path": "/list/01", "value": 1}]), 422),
            (
                json!([{"op": "move", "from": "/list", "path": "/list/0"}]),
                400,
            ),
            (json!([{"op": "jump", "path": "/a"}]), 400),
            (json!([{"op": "add", "path": "a", "value": 1}]), 400),
            (json!([{"op": "add", "path": "/a"}]), 400),
            (json!({"op": "add"}), 400),
        ] {
            let err = patched(json!({"list": [1]}), patch.clone()).unwrap_err();
            assert_eq!(err.status.as_u16(), status, "{patch}");
        }
    }
}
