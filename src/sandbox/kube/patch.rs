//! The three PATCH body types the API server accepts for built-in types, applied to a
//! JSON object: JSON merge patch (RFC 7386), strategic merge patch, and JSON patch
//! (RFC 6902).
//!
//! Strategic merge follows the Go struct tags of the fields the sandbox serves: maps
//! merge recursively, `metadata.finalizers` is a merged set of primitives
//! (`patchStrategy:"merge"`, removed with `$deleteFromPrimitiveList/finalizers`),
//! `metadata.ownerReferences` merges by `uid`, a Service's `spec.ports` by `port`,
//! `status.conditions` by `type`; every other list is replaced. The directives
//! `$patch: delete|replace|merge` and `$retainKeys` are honoured; `$setElementOrder/…`
//! is accepted and ignored (it only orders lists). Nothing here validates the result.

use serde_json::{Map, Value};

/// How a list field is patched strategically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListStrategy {
    Replace,
    MergePrimitive,
    MergeKey(&'static str),
}

fn list_strategy(resource: &str, path: &str) -> ListStrategy {
    match (resource, path) {
        (_, "metadata.finalizers") => ListStrategy::MergePrimitive,
        (_, "metadata.ownerReferences") => ListStrategy::MergeKey("uid"),
        ("services", "spec.ports") => ListStrategy::MergeKey("port"),
        (_, "status.conditions") => ListStrategy::MergeKey("type"),
        _ => ListStrategy::Replace,
    }
}

/// Applies an RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// Applies a strategic merge patch for an object of `resource` (plural name).
pub fn strategic_merge(target: &mut Value, patch: &Value, resource: &str) -> Result<(), String> {
    smp(target, patch, resource, "")
}

fn smp(target: &mut Value, patch: &Value, resource: &str, path: &str) -> Result<(), String> {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    match p.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            *target = strip_directives(patch);
            return Ok(());
        }
        Some("delete") => {
            *target = Value::Object(Map::new());
            return Ok(());
        }
        Some("merge") | None => {}
        Some(other) => return Err(format!("Unknown patch type: {other}")),
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else {
        return Ok(());
    };
    for (k, v) in p {
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            let remove: Vec<&Value> = v.as_array().map(|a| a.iter().collect()).unwrap_or_default();
            if let Some(Value::Array(list)) = t.get_mut(field) {
                list.retain(|item| !remove.contains(&item));
                if list.is_empty() {
                    t.remove(field);
                }
            }
            continue;
        }
        if k.starts_with('$') {
            // `$patch` handled above; `$setElementOrder/…` only orders lists and
            // `$retainKeys` is applied after the merge.
            continue;
        }
        let child_path = join(path, k);
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(m) if m.get("$patch").and_then(Value::as_str) == Some("delete") => {
                t.remove(k);
            }
            Value::Object(_) => {
                smp(
                    t.entry(k.clone()).or_insert(Value::Null),
                    v,
                    resource,
                    &child_path,
                )?;
            }
            Value::Array(items) => {
                let merged = merge_list(
                    t.get(k),
                    items,
                    list_strategy(resource, &child_path),
                    resource,
                    &child_path,
                )?;
                t.insert(k.clone(), merged);
            }
            scalar => {
                t.insert(k.clone(), scalar.clone());
            }
        }
    }
    if let Some(Value::Array(keep)) = p.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        t.retain(|k, _| keep.contains(&k.as_str()));
    }
    Ok(())
}

fn merge_list(
    current: Option<&Value>,
    items: &[Value],
    strategy: ListStrategy,
    resource: &str,
    path: &str,
) -> Result<Value, String> {
    let replace_directive = items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"));
    let current: Vec<Value> = current
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if replace_directive || strategy == ListStrategy::Replace {
        return Ok(Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .map(strip_directives)
                .collect(),
        ));
    }
    let mut out = current;
    match strategy {
        ListStrategy::MergePrimitive => {
            for item in items {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
        }
        ListStrategy::MergeKey(key) => {
            for item in items {
                let Some(id) = item.get(key) else {
                    return Err(format!(
                        "map: {item} does not contain declared merge key: {key}"
                    ));
                };
                let pos = out.iter().position(|o| o.get(key) == Some(id));
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                match (pos, delete) {
                    (Some(i), true) => {
                        out.remove(i);
                    }
                    (None, true) => {}
                    (Some(i), false) => smp(&mut out[i], item, resource, path)?,
                    (None, false) => out.push(strip_directives(item)),
                }
            }
        }
        ListStrategy::Replace => {}
    }
    Ok(Value::Array(out))
}

/// Why a JSON patch failed.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonPatchError {
    /// The body is not a valid patch document (400).
    Decode(String),
    /// An operation could not be applied, or a `test` failed (422).
    Apply(String),
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn pointer_parts(path: &str) -> Result<Vec<String>, JsonPatchError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(JsonPatchError::Apply(format!(
            "invalid JSON pointer: {path:?}"
        )));
    };
    Ok(rest.split('/').map(unescape).collect())
}

fn get_mut<'a>(doc: &'a mut Value, parts: &[String]) -> Option<&'a mut Value> {
    parts.iter().try_fold(doc, |v, p| match v {
        Value::Object(m) => m.get_mut(p),
        Value::Array(a) => p.parse::<usize>().ok().and_then(move |i| a.get_mut(i)),
        _ => None,
    })
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), JsonPatchError> {
    let parts = pointer_parts(path)?;
    let Some((last, parent)) = parts.split_last() else {
        *doc = value;
        return Ok(());
    };
    let missing = || {
        JsonPatchError::Apply(format!(
            "add operation does not apply: doc is missing path: {path:?}: missing value"
        ))
    };
    match get_mut(doc, parent).ok_or_else(missing)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
        }
        Value::Array(a) => {
            let idx = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= a.len())
                    .ok_or_else(|| {
                        JsonPatchError::Apply(format!(
                            "Unable to access invalid index: {last}: invalid index referenced"
                        ))
                    })?
            };
            a.insert(idx, value);
        }
        _ => return Err(missing()),
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &str, op: &str) -> Result<Value, JsonPatchError> {
    let parts = pointer_parts(path)?;
    let missing = || {
        JsonPatchError::Apply(format!(
            "{op} operation does not apply: doc is missing path: {path:?}: missing value"
        ))
    };
    let Some((last, parent)) = parts.split_last() else {
        return Err(missing());
    };
    match get_mut(doc, parent).ok_or_else(missing)? {
        Value::Object(m) => m.remove(last).ok_or_else(missing),
        Value::Array(a) => {
            let i = last
                .parse::<usize>()
                .ok()
                .filter(|i| *i < a.len())
                .ok_or_else(missing)?;
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

/// Applies an RFC 6902 JSON patch document.
pub fn json_patch(doc: &mut Value, patch: &Value) -> Result<(), JsonPatchError> {
    let Value::Array(ops) = patch else {
        return Err(JsonPatchError::Decode(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch".into(),
        ));
    };
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default();
        let path = op["path"]
            .as_str()
            .ok_or_else(|| JsonPatchError::Apply(format!("{kind} operation is missing path")))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| JsonPatchError::Apply(format!("{kind} operation is missing value")))
        };
        match kind {
            "add" => add(doc, path, value()?)?,
            "remove" => {
                remove(doc, path, "remove")?;
            }
            "replace" => {
                let parts = pointer_parts(path)?;
                let slot = get_mut(doc, &parts).ok_or_else(|| {
                    JsonPatchError::Apply(format!("replace operation does not apply: doc is missing key: {path}: missing value"))
                })?;
                *slot = value()?;
            }
            "move" | "copy" => {
                let from = op["from"].as_str().ok_or_else(|| {
                    JsonPatchError::Apply(format!("{kind} operation is missing from"))
                })?;
                let v = if kind == "move" {
                    remove(doc, from, "move")?
                } else {
                    let parts = pointer_parts(from)?;
                    get_mut(doc, &parts).cloned().ok_or_else(|| {
                        JsonPatchError::Apply(format!("copy operation does not apply: doc is missing from path: {from:?}: missing value"))
                    })?
                };
                add(doc, path, v)?;
            }
            "test" => {
                let parts = pointer_parts(path)?;
                let actual = get_mut(doc, &parts)
                    .map(|v| v.clone())
                    .unwrap_or(Value::Null);
                if actual != value()? {
                    return Err(JsonPatchError::Apply(format!(
                        "testing value {path} failed: test failed"
                    )));
                }
            }
            other => return Err(JsonPatchError::Decode(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_nulls_delete() {
        let mut t = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge_patch(&mut t, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(t, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn strategic_finalizers_merge_and_delete() {
        let mut t = json!({"metadata": {"finalizers": ["a/x", "b/y"], "labels": {"k": "v"}}, "spec": {"rules": [1, 2]}});
        strategic_merge(&mut t, &json!({"metadata": {"finalizers": ["c/z"], "$setElementOrder/finalizers": ["a/x", "b/y", "c/z"]}, "spec": {"rules": [3]}}), "ingresses").unwrap();
        assert_eq!(t["metadata"]["finalizers"], json!(["a/x", "b/y", "c/z"]));
        assert_eq!(t["spec"]["rules"], json!([3]), "other lists are replaced");
        strategic_merge(&mut t, &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a/x", "b/y", "c/z"], "labels": {"$patch": "delete"}}}), "ingresses").unwrap();
        assert_eq!(t["metadata"], json!({}));
    }

    #[test]
    fn strategic_merge_keys_and_replace() {
        let mut svc = json!({"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}});
        strategic_merge(&mut svc, &json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "$patch": "delete"}]}}), "services").unwrap();
        assert_eq!(
            svc["spec"]["ports"],
            json!([{"port": 80, "name": "http", "targetPort": 8080}])
        );
        let mut m = json!({"metadata": {"annotations": {"a": "1", "b": "2"}}});
        strategic_merge(
            &mut m,
            &json!({"metadata": {"annotations": {"$patch": "replace", "c": "3"}}}),
            "ingresses",
        )
        .unwrap();
        assert_eq!(m["metadata"]["annotations"], json!({"c": "3"}));
    }

    #[test]
    fn json_patch_ops() {
        let mut d = json!({"metadata": {"labels": {"a": "1"}, "finalizers": ["x"]}});
        json_patch(
            &mut d,
            &json!([
                {"op": "test", "path": "/metadata/labels/a", "value": "1"},
                {"op": "add", "path": "/metadata/labels/b~1c", "value": "2"},
                {"op": "add", "path": "/metadata/finalizers/-", "value": "y"},
                {"op": "replace", "path": "/metadata/labels/a", "value": "3"},
                {"op": "copy", "from": "/metadata/labels/a", "path": "/metadata/labels/d"},
                {"op": "move", "from": "/metadata/labels/d", "path": "/metadata/labels/e"},
                {"op": "remove", "path": "/metadata/finalizers/0"}
            ]),
        )
        .unwrap();
        assert_eq!(
            d,
            json!({"metadata": {"labels": {"a": "3", "b/c": "2", "e": "3"}, "finalizers": ["y"]}})
        );
        let err = json_patch(
            &mut d,
            &json!([{"op": "test", "path": "/metadata/labels/a", "value": "9"}]),
        )
        .unwrap_err();
        assert_eq!(
            err,
            JsonPatchError::Apply("testing value /metadata/labels/a failed: test failed".into())
        );
        assert!(matches!(
            json_patch(&mut d, &json!([{"op": "remove", "path": "/nope"}])),
            Err(JsonPatchError::Apply(_))
        ));
        assert!(matches!(
            json_patch(&mut d, &json!({"op": "add"})),
            Err(JsonPatchError::Decode(_))
        ));
    }
}
