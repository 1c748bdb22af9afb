//! Small value types shared by several formats: Kubernetes' `IntOrString` and `Quantity`.

use std::borrow::Cow;
use std::fmt;

use compact_str::ToCompactString;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::Str;

/// A port or similar value that is either a number or a name, as Kubernetes' `IntOrString`
/// (`httpGet.port: 8080` or `httpGet.port: http`).
///
/// Deserializes from a JSON integer (within `i32`) or a string, and serializes back to the same
/// kind. Any other JSON type is a type error whose expected type reads "an integer or a string".
///
/// # Examples
///
/// ```
/// use podspec::wire::IntOrString;
/// let p: IntOrString = serde_json::from_str("8080").unwrap();
/// assert_eq!(p, IntOrString::Int(8080));
/// let p: IntOrString = serde_json::from_str("\"http\"").unwrap();
/// assert_eq!(p, IntOrString::String("http".into()));
/// assert!(serde_json::from_str::<IntOrString>("true").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// A number (a port number, for ports).
    Int(i32),
    /// A name (a named container port, for ports).
    String(Str),
}

impl Default for IntOrString {
    fn default() -> Self {
        Self::Int(0)
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(n) => write!(f, "{n}"),
            Self::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(n) => serializer.serialize_i32(*n),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IntOrString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(IntOrString::String(Str::from(v)))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(IntOrString::String(Str::from(v)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for IntOrString {
    fn schema_name() -> Cow<'static, str> {
        "IntOrString".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An integer (int32) or a string.",
            "anyOf": [
                { "type": "integer", "format": "int32",
                  "minimum": i32::MIN, "maximum": i32::MAX },
                { "type": "string" }
            ]
        })
    }
}

/// A Kubernetes resource quantity (`500m`, `128Mi`, `1`), kept as the text the user wrote.
///
/// Kubernetes accepts a JSON number as well as a string for a quantity; so do we, and a number is
/// kept as its decimal text (`1` becomes `"1"`, `0.5` becomes `"0.5"`). Serialization always
/// writes a string. Parsing the quantity's value is the converter's job.
///
/// # Examples
///
/// ```
/// use podspec::wire::Quantity;
/// let q: Quantity = serde_json::from_str("\"128Mi\"").unwrap();
/// assert_eq!(q.as_str(), "128Mi");
/// let q: Quantity = serde_json::from_str("2").unwrap();
/// assert_eq!(q, Quantity::from("2"));
/// assert_eq!(serde_json::to_string(&q).unwrap(), "\"2\"");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quantity(pub Str);

impl Quantity {
    /// The quantity's text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::wire::Quantity::from("500m").as_str(), "500m");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Quantity {
    fn from(s: &str) -> Self {
        Self(Str::from(s))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a quantity (a string such as \"128Mi\", or a number)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Quantity(v.to_compact_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Quantity(v.to_compact_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Quantity(v.to_compact_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Quantity(Str::from(v)))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Quantity(Str::from(v)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Kubernetes quantity such as \"500m\" or \"128Mi\", or a number.",
            "type": ["string", "number"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_or_string_rejects_out_of_range_int() {
        assert!(serde_json::from_str::<IntOrString>("4294967296").is_err());
    }

    #[test]
    fn int_or_string_round_trips_kind() {
        for text in ["80", "\"http\""] {
            let v: IntOrString = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), text);
        }
    }

    #[test]
    fn quantity_keeps_float_text() {
        let q: Quantity = serde_json::from_str("0.5").unwrap();
        assert_eq!(q.as_str(), "0.5");
    }

    #[test]
    fn quantity_rejects_bool() {
        let e = serde_json::from_str::<Quantity>("true").unwrap_err();
        assert!(e.to_string().contains("expected a quantity"), "{e}");
    }
}
