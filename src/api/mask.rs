//! `X-Fields` masks as Flask-RESTX reads them: `id,title`, `{id,title,members{user{id}}}`,
//! `*` for every field. A malformed mask is a client error (400); fields the object does not
//! have are left out.

use serde_json::{Map, Value};

/// A parsed mask: the selected fields, each with an optional nested mask.
#[derive(Debug, Clone, PartialEq)]
pub struct Mask {
    fields: Vec<(String, Option<Mask>)>,
    all: bool,
}

/// Why a mask could not be parsed or applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskError(pub String);

const MAX_MASK_LEN: usize = 4096;
const MAX_DEPTH: usize = 16;

impl Mask {
    pub fn parse(input: &str) -> Result<Mask, MaskError> {
        if input.len() > MAX_MASK_LEN {
            return Err(MaskError("Mask parse error: mask too long".into()));
        }
        let trimmed = input.trim();
        let inner = match trimmed.strip_prefix('{') {
            Some(rest) => rest
                .strip_suffix('}')
                .ok_or_else(|| MaskError("Mask parse error: unbalanced braces".into()))?,
            None => trimmed,
        };
        let mut chars = inner.chars().peekable();
        let mask = parse_fields(&mut chars, 0)?;
        if chars.next().is_some() {
            return Err(MaskError(
                "Mask parse error: unexpected closing brace".into(),
            ));
        }
        if mask.fields.is_empty() && !mask.all {
            return Err(MaskError("Mask parse error: empty mask".into()));
        }
        Ok(mask)
    }

    /// Whether the mask names `field` at its top level.
    pub fn names(&self, field: &str) -> bool {
        self.fields.iter().any(|(name, _)| name == field)
    }

    /// Applies the mask to a JSON value: objects keep the selected fields, arrays are masked
    /// item by item, scalars pass through.
    pub fn apply(&self, value: Value) -> Result<Value, MaskError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .map(|v| self.apply(v))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Value::Object(mut object) => {
                if self.all && self.fields.is_empty() {
                    return Ok(Value::Object(object));
                }
                let mut out = Map::new();
                for (name, nested) in &self.fields {
                    let Some(field) = object.remove(name) else {
                        continue;
                    };
                    let field = match nested {
                        Some(mask) => match field {
                            Value::Object(_) | Value::Array(_) | Value::Null => {
                                mask.apply(field)?
                            }
                            _ => {
                                return Err(MaskError(
                                    "Mask error: Mask is inconsistent with model".into(),
                                ));
                            }
                        },
                        None => field,
                    };
                    out.insert(name.clone(), field);
                }
                if self.all {
                    for (name, field) in object {
                        out.entry(name).or_insert(field);
                    }
                }
                Ok(Value::Object(out))
            }
            other => Ok(other),
        }
    }
}

fn parse_fields(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    depth: usize,
) -> Result<Mask, MaskError> {
    if depth > MAX_DEPTH {
        return Err(MaskError("Mask parse error: nested too deeply".into()));
    }
    let mut mask = Mask {
        fields: Vec::new(),
        all: false,
    };
    let mut name = String::new();
    loop {
        match chars.peek().copied() {
            None | Some('}') => {
                push_field(&mut mask, &mut name, None)?;
                return Ok(mask);
            }
            Some(',') => {
                chars.next();
                push_field(&mut mask, &mut name, None)?;
            }
            Some('{') => {
                chars.next();
                if name.trim().is_empty() {
                    return Err(MaskError(
                        "Mask parse error: nested mask without a field name".into(),
                    ));
                }
                let nested = parse_fields(chars, depth + 1)?;
                if chars.next() != Some('}') {
                    return Err(MaskError("Mask parse error: unbalanced braces".into()));
                }
                push_field(&mut mask, &mut name, Some(nested))?;
                if let Some(',') = chars.peek() {
                    chars.next();
                }
            }
            Some(c) => {
                chars.next();
                name.push(c);
            }
        }
    }
}

fn push_field(mask: &mut Mask, name: &mut String, nested: Option<Mask>) -> Result<(), MaskError> {
    let field = name.trim().to_owned();
    name.clear();
    if field.is_empty() {
        return match nested {
            Some(_) => Err(MaskError(
                "Mask parse error: nested mask without a field name".into(),
            )),
            None => Ok(()),
        };
    }
    if field == "*" {
        mask.all = true;
        return Ok(());
    }
    if field.contains(char::is_whitespace) {
        return Err(MaskError(format!(
            "Mask parse error: invalid field name {field:?}"
        )));
    }
    mask.fields.push((field, nested));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_nested_fields() {
        let mask = Mask::parse("{id,title,members{user{id}}}").unwrap();
        let value = json!({"id": 1, "title": "t", "other": 2,
            "members": [{"role": "admin", "user": {"id": "u", "slug": "s"}}]});
        assert_eq!(
            mask.apply(value).unwrap(),
            json!({"id": 1, "title": "t", "members": [{"user": {"id": "u"}}]})
        );
    }

    #[test]
    fn star_keeps_everything_else() {
        let mask = Mask::parse("members{role},*").unwrap();
        let value = json!({"id": 1, "members": [{"role": "admin", "since": "x"}]});
        assert_eq!(
            mask.apply(value).unwrap(),
            json!({"members": [{"role": "admin"}], "id": 1})
        );
    }

    #[test]
    fn malformed_masks_are_errors() {
        for bad in ["{id", "id}", "{}", "a{", "{a{b}", "a b", "{b}c}", ""] {
            assert!(Mask::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn traversing_a_scalar_is_an_error() {
        let mask = Mask::parse("id{x}").unwrap();
        assert!(mask.apply(json!({"id": 3})).is_err());
    }
}
