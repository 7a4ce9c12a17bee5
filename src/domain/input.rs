//! Reading a client's JSON object field by field, as uData's forms do: each field of the wrong
//! type is reported under its name, absent fields stay absent, `null` is kept apart from absent.

use serde_json::{Map, Value};

use super::time::Micros;
use super::validation::FieldErrors;

/// The fields of a JSON object being read, and the errors met so far.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Fields<'a> {
    /// The body must be a JSON object.
    pub fn new(body: &'a Value) -> Result<Self, FieldErrors> {
        match body.as_object() {
            Some(map) => Ok(Fields {
                map,
                errors: FieldErrors::default(),
            }),
            None => Err(FieldErrors::single("__all__", "Expecting a JSON object.")),
        }
    }

    pub fn error(&mut self, field: &str, message: &str) {
        self.errors.add(field, message);
    }

    pub fn into_errors(self) -> FieldErrors {
        self.errors
    }

    /// The value as sent: `None` when absent, `Some(None)` when `null`.
    pub fn raw(&self, field: &str) -> Option<Option<Value>> {
        self.map
            .get(field)
            .map(|v| if v.is_null() { None } else { Some(v.clone()) })
    }

    pub fn string(&mut self, field: &str) -> Option<Option<String>> {
        match self.map.get(field)? {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            _ => {
                self.error(field, "Expecting a string.");
                None
            }
        }
    }

    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.map.get(field)? {
            Value::Null => Some(false),
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(field, "Expecting a boolean.");
                None
            }
        }
    }

    pub fn integer(&mut self, field: &str) -> Option<Option<i64>> {
        match self.map.get(field)? {
            Value::Null => Some(None),
            Value::Number(n) if n.as_i64().is_some() => Some(n.as_i64()),
            _ => {
                self.error(field, "Expecting an integer.");
                None
            }
        }
    }

    /// A date or date-time (ISO 8601); a date alone means midnight UTC.
    pub fn datetime(&mut self, field: &str) -> Option<Option<Micros>> {
        match self.map.get(field)? {
            Value::Null => Some(None),
            Value::String(s) if s.is_empty() => Some(None),
            Value::String(s) => match parse_datetime(s) {
                Some(t) => Some(Some(t)),
                None => {
                    self.error(field, "Not a valid datetime value.");
                    None
                }
            },
            _ => {
                self.error(field, "Not a valid datetime value.");
                None
            }
        }
    }

    pub fn object(&mut self, field: &str) -> Option<Map<String, Value>> {
        match self.map.get(field)? {
            Value::Null => Some(Map::new()),
            Value::Object(m) => Some(m.clone()),
            _ => {
                self.error(field, "Expecting an object.");
                None
            }
        }
    }

    pub fn list(&mut self, field: &str) -> Option<Vec<Value>> {
        match self.map.get(field)? {
            Value::Null => Some(Vec::new()),
            Value::Array(items) => Some(items.clone()),
            _ => {
                self.error(field, "Expecting a list.");
                None
            }
        }
    }

    pub fn string_list(&mut self, field: &str) -> Option<Vec<String>> {
        let items = self.list(field)?;
        let strings: Option<Vec<String>> = items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect();
        if strings.is_none() {
            self.error(field, "Expecting a list of strings.");
        }
        strings
    }

    /// A list of identifiers, each given as a string or as an object with an `id`.
    pub fn id_list(&mut self, field: &str) -> Option<Vec<String>> {
        let items = self.list(field)?;
        let ids: Option<Vec<String>> = items.iter().map(IdRef::of).collect();
        if ids.is_none() {
            self.error(field, "Expecting a list of identifiers.");
        }
        ids
    }

    /// An identifier given as a string or as an object with an `id` (as served).
    pub fn id_or_object(&mut self, field: &str) -> Option<Option<String>> {
        match self.map.get(field)? {
            Value::Null => Some(None),
            Value::String(s) if s.is_empty() => Some(None),
            other => match IdRef::of(other) {
                Some(id) => Some(Some(id)),
                None => {
                    self.error(field, "Expecting an identifier.");
                    None
                }
            },
        }
    }
}

/// An object reference as clients send it: `"id"` or `{"id": "…", …}`.
pub struct IdRef;

impl IdRef {
    pub fn of(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    }
}

/// Parses `2024-01-31`, `2024-01-31T12:00:00`, `2024-01-31T12:00:00.5+02:00` or `…Z`.
pub fn parse_datetime(s: &str) -> Option<Micros> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_micros());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(dt.and_utc().timestamp_micros());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_datetimes_parse() {
        assert_eq!(parse_datetime("1970-01-02"), Some(86_400_000_000));
        assert_eq!(parse_datetime("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(parse_datetime("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_datetime("1970-01-01T00:00:00.5"), Some(500_000));
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
