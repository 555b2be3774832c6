//! A JSON document that keeps its objects' keys in file order, so rewriting the docker CLI's
//! config.json changes only the entry Berth meant to change (serde_json's own `Map` sorts keys,
//! and its `preserve_order` feature would change every map in the workspace).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Json {
    /// A string, number, boolean or null, as serde_json reads it.
    Leaf(Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.entries()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn entries(&self) -> Option<&Vec<(String, Json)>> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn entries_mut(&mut self) -> Option<&mut Vec<(String, Json)>> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The object under `key`, added at the end when missing; None when `key` holds no object.
    pub fn object_mut(&mut self, key: &str) -> Option<&mut Vec<(String, Json)>> {
        let entries = self.entries_mut()?;
        let at = match entries.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                entries.push((key.to_string(), Json::Object(Vec::new())));
                entries.len() - 1
            }
        };
        entries[at].1.entries_mut()
    }

    /// Sets `key`, in place when it exists, else at the end.
    pub fn set(&mut self, key: &str, value: Json) {
        let Some(entries) = self.entries_mut() else { return };
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => entries.push((key.to_string(), value)),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Leaf(v) => v.as_str(),
            _ => None,
        }
    }

    /// As serde_json's value, for reading (key order is irrelevant there).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Leaf(v) => v.clone(),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Leaf(v) => v.serialize(s),
            Json::Array(items) => items.serialize(s),
            Json::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

/// Scalars become serde_json values, so numbers and strings read and print as serde_json does.
macro_rules! leaf {
    ($($name:ident($ty:ty)),*) => {$(
        fn $name<E: serde::de::Error>(self, v: $ty) -> Result<Json, E> {
            Ok(Json::Leaf(Value::from(v)))
        }
    )*};
}

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    leaf!(visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_f64(f64), visit_str(&str), visit_string(String));

    fn visit_unit<E: serde::de::Error>(self) -> Result<Json, E> {
        Ok(Json::Leaf(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            // A repeated key: the last wins, at its first place (as Go's decoder leaves it).
            match entries.iter_mut().find(|(key, _)| *key == k) {
                Some((_, old)) => *old = v,
                None => entries.push((k, v)),
            }
        }
        Ok(Json::Object(entries))
    }
}
