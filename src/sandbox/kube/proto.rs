//! Decoding `application/vnd.kubernetes.protobuf` request bodies into JSON.
//!
//! kubectl's typed clients (`kubectl create secret tls`, `create ingress`,
//! `create namespace`, `create service`) send new objects as protobuf: the `k8s\0`
//! magic, a `runtime.Unknown` envelope (`typeMeta`, `raw`), and the object encoded per
//! `k8s.io/api/**/generated.proto`. This module knows the field numbers of the served
//! kinds and turns such a body into the JSON the rest of the server works on; fields it
//! does not know are skipped (their JSON never existed). Responses are always JSON,
//! which every client here accepts.

use base64::Engine;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Int,
    Bool,
    Time,
    IntOrStr,
    MapStr,
    MapBytes,
    Msg(&'static str),
    /// An embedded struct whose fields are inlined into the parent in JSON.
    Inline(&'static str),
    RepStr,
    RepMsg(&'static str),
}

type Fields = &'static [(u64, &'static str, Kind)];

fn message(name: &str) -> Option<Fields> {
    use Kind::*;
    Some(match name {
        "ObjectMeta" => &[
            (1, "name", Str),
            (2, "generateName", Str),
            (3, "namespace", Str),
            (5, "uid", Str),
            (6, "resourceVersion", Str),
            (7, "generation", Int),
            (8, "creationTimestamp", Time),
            (9, "deletionTimestamp", Time),
            (10, "deletionGracePeriodSeconds", Int),
            (11, "labels", MapStr),
            (12, "annotations", MapStr),
            (13, "ownerReferences", RepMsg("OwnerReference")),
            (14, "finalizers", RepStr),
        ],
        "OwnerReference" => &[
            (1, "kind", Str),
            (3, "name", Str),
            (4, "uid", Str),
            (5, "apiVersion", Str),
            (6, "controller", Bool),
            (7, "blockOwnerDeletion", Bool),
        ],
        "Secret" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "data", MapBytes),
            (3, "type", Str),
            (4, "stringData", MapStr),
            (5, "immutable", Bool),
        ],
        "Namespace" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "spec", Msg("NamespaceSpec")),
        ],
        "NamespaceSpec" => &[(1, "finalizers", RepStr)],
        "Service" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "spec", Msg("ServiceSpec")),
        ],
        "ServiceSpec" => &[
            (1, "ports", RepMsg("ServicePort")),
            (2, "selector", MapStr),
            (3, "clusterIP", Str),
            (4, "type", Str),
            (5, "externalIPs", RepStr),
            (7, "sessionAffinity", Str),
            (8, "loadBalancerIP", Str),
            (9, "loadBalancerSourceRanges", RepStr),
            (10, "externalName", Str),
            (11, "externalTrafficPolicy", Str),
            (12, "healthCheckNodePort", Int),
            (13, "publishNotReadyAddresses", Bool),
            (17, "ipFamilyPolicy", Str),
            (18, "clusterIPs", RepStr),
            (19, "ipFamilies", RepStr),
            (20, "allocateLoadBalancerNodePorts", Bool),
            (21, "loadBalancerClass", Str),
            (22, "internalTrafficPolicy", Str),
        ],
        "ServicePort" => &[
            (1, "name", Str),
            (2, "protocol", Str),
            (3, "port", Int),
            (4, "targetPort", IntOrStr),
            (5, "nodePort", Int),
            (6, "appProtocol", Str),
        ],
        "Ingress" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "spec", Msg("IngressSpec")),
        ],
        "IngressSpec" => &[
            (1, "defaultBackend", Msg("IngressBackend")),
            (2, "tls", RepMsg("IngressTLS")),
            (3, "rules", RepMsg("IngressRule")),
            (4, "ingressClassName", Str),
        ],
        "IngressBackend" => &[
            (3, "resource", Msg("TypedLocalObjectReference")),
            (4, "service", Msg("IngressServiceBackend")),
        ],
        "TypedLocalObjectReference" => &[(1, "apiGroup", Str), (2, "kind", Str), (3, "name", Str)],
        "IngressServiceBackend" => &[(1, "name", Str), (2, "port", Msg("ServiceBackendPort"))],
        "ServiceBackendPort" => &[(1, "name", Str), (2, "number", Int)],
        "IngressTLS" => &[(1, "hosts", RepStr), (2, "secretName", Str)],
        "IngressRule" => &[(1, "host", Str), (2, "", Inline("IngressRuleValue"))],
        "IngressRuleValue" => &[(1, "http", Msg("HTTPIngressRuleValue"))],
        "HTTPIngressRuleValue" => &[(1, "paths", RepMsg("HTTPIngressPath"))],
        "HTTPIngressPath" => &[
            (1, "path", Str),
            (2, "backend", Msg("IngressBackend")),
            (3, "pathType", Str),
        ],
        "IngressClass" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "spec", Msg("IngressClassSpec")),
        ],
        "IngressClassSpec" => &[(1, "controller", Str)],
        "Unknown" => &[],
        _ => return None,
    })
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or("truncated varint")?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = usize::try_from(self.varint()?).map_err(|_| "length too large")?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|e| *e <= self.buf.len())
            .ok_or("truncated field")?;
        let b = &self.buf[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    fn skip(&mut self, wire: u64) -> Result<(), String> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.advance(8),
            2 => self.bytes().map(|_| ()),
            5 => self.advance(4),
            w => Err(format!("unsupported wire type {w}")),
        }
    }

    fn advance(&mut self, n: usize) -> Result<(), String> {
        if self.pos + n > self.buf.len() {
            return Err("truncated field".into());
        }
        self.pos += n;
        Ok(())
    }

    /// Every (field number, wire type, payload) in the buffer.
    fn fields(buf: &'a [u8]) -> Result<Vec<(u64, Field<'a>)>, String> {
        let mut r = Reader { buf, pos: 0 };
        let mut out = Vec::new();
        while r.pos < r.buf.len() {
            let tag = r.varint()?;
            let (num, wire) = (tag >> 3, tag & 7);
            match wire {
                0 => out.push((num, Field::Varint(r.varint()?))),
                2 => out.push((num, Field::Bytes(r.bytes()?))),
                w => r.skip(w)?,
            }
        }
        Ok(out)
    }
}

enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn text(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 in string field".to_string())
}

fn map_entry(b: &[u8], bytes_value: bool) -> Result<(String, Value), String> {
    let mut key = String::new();
    let mut value = Value::String(String::new());
    for (num, f) in Reader::fields(b)? {
        if let Field::Bytes(b) = f {
            match num {
                1 => key = text(b)?,
                2 if bytes_value => {
                    value = json!(base64::engine::general_purpose::STANDARD.encode(b))
                }
                2 => value = json!(text(b)?),
                _ => {}
            }
        }
    }
    Ok((key, value))
}

fn decode_message(name: &str, buf: &[u8], out: &mut Map<String, Value>) -> Result<(), String> {
    let fields = message(name).ok_or_else(|| format!("no protobuf schema for {name}"))?;
    for (num, f) in Reader::fields(buf)? {
        let Some((_, json_name, kind)) = fields.iter().find(|(n, _, _)| *n == num) else {
            continue;
        };
        let key = json_name.to_string();
        match (kind, f) {
            (Kind::Int, Field::Varint(v)) => {
                out.insert(key, json!(v as i64));
            }
            (Kind::Bool, Field::Varint(v)) => {
                out.insert(key, json!(v != 0));
            }
            (Kind::Str, Field::Bytes(b)) => {
                out.insert(key, json!(text(b)?));
            }
            (Kind::RepStr, Field::Bytes(b)) => push(out, key, json!(text(b)?)),
            (Kind::MapStr | Kind::MapBytes, Field::Bytes(b)) => {
                let (k, v) = map_entry(b, matches!(kind, Kind::MapBytes))?;
                let entry = out.entry(key).or_insert_with(|| json!({}));
                entry[k] = v;
            }
            (Kind::Time, Field::Bytes(b)) => {
                let secs = Reader::fields(b)?
                    .into_iter()
                    .find_map(|(n, f)| match (n, f) {
                        (1, Field::Varint(v)) => Some(v as i64),
                        _ => None,
                    })
                    .unwrap_or(0);
                let t =
                    time::OffsetDateTime::from_unix_timestamp(secs).map_err(|e| e.to_string())?;
                let s = t
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|e| e.to_string())?;
                out.insert(key, json!(s));
            }
            (Kind::IntOrStr, Field::Bytes(b)) => {
                let mut v = Value::Null;
                let mut is_string = false;
                for (n, f) in Reader::fields(b)? {
                    match (n, f) {
                        (1, Field::Varint(t)) => is_string = t == 1,
                        (2, Field::Varint(i)) if !is_string => v = json!(i as i64),
                        (3, Field::Bytes(s)) if is_string => v = json!(text(s)?),
                        _ => {}
                    }
                }
                out.insert(key, v);
            }
            (Kind::Msg(m), Field::Bytes(b)) => {
                let mut child = Map::new();
                decode_message(m, b, &mut child)?;
                out.insert(key, Value::Object(child));
            }
            (Kind::Inline(m), Field::Bytes(b)) => decode_message(m, b, out)?,
            (Kind::RepMsg(m), Field::Bytes(b)) => {
                let mut child = Map::new();
                decode_message(m, b, &mut child)?;
                push(out, key, Value::Object(child));
            }
            _ => return Err(format!("wrong wire type for field {name}.{json_name}")),
        }
    }
    Ok(())
}

fn push(out: &mut Map<String, Value>, key: String, v: Value) {
    if let Some(Value::Array(a)) = out.get_mut(&key) {
        a.push(v);
    } else {
        out.insert(key, Value::Array(vec![v]));
    }
}

/// Decodes a protobuf-encoded object (with its `k8s\0` envelope) into JSON.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let inner = body
        .strip_prefix(b"k8s\0")
        .ok_or("missing protobuf envelope magic")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (num, f) in Reader::fields(inner)? {
        match (num, f) {
            (1, Field::Bytes(tm)) => {
                for (n, f) in Reader::fields(tm)? {
                    match (n, f) {
                        (1, Field::Bytes(b)) => api_version = text(b)?,
                        (2, Field::Bytes(b)) => kind = text(b)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let mut obj = Map::new();
    decode_message(&kind, raw, &mut obj)?;
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(kind));
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn field(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint(num << 3 | 2, &mut out);
        varint(payload.len() as u64, &mut out);
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn decodes_a_tls_secret() {
        let meta = [
            field(1, b"site"),
            field(3, b"prod"),
            field(11, &[field(1, b"app"), field(2, b"web")].concat()),
        ]
        .concat();
        let secret = [
            field(1, &meta),
            field(2, &[field(1, b"tls.crt"), field(2, b"CRT")].concat()),
            field(2, &[field(1, b"tls.key"), field(2, b"KEY")].concat()),
            field(3, b"kubernetes.io/tls"),
        ]
        .concat();
        let envelope = [
            field(1, &[field(1, b"v1"), field(2, b"Secret")].concat()),
            field(2, &secret),
        ]
        .concat();
        let body = [b"k8s\0".as_slice(), &envelope].concat();
        let v = decode(&body).unwrap();
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": "site", "namespace": "prod", "labels": {"app": "web"}},
                "data": {"tls.crt": "Q1JU", "tls.key": "S0VZ"}})
        );
        assert!(decode(b"{}").is_err());
    }

    #[test]
    fn inlines_rule_values() {
        let path = [field(1, b"/"), field(3, b"Prefix")].concat();
        let rule = [
            field(1, b"a.example.com"),
            field(2, &field(1, &field(1, &path))),
        ]
        .concat();
        let spec = field(3, &rule);
        let mut out = Map::new();
        decode_message("IngressSpec", &spec, &mut out).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"rules": [{"host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix"}]}}]})
        );
    }
}
