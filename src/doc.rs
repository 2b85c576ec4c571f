//! Reading an untrusted JSON document into typed values, field by field, with every problem
//! reported at once, each with its path (`rules[3].pin.position: must be a whole number`).
//!
//! Configs, catalogs, client events and preview requests are read with it. Unlike a derived
//! deserializer it does not stop at the first wrong type, and it keeps the worker small: one
//! reader over `serde_json::Value` instead of a visitor per type (the derived deserializers and
//! their path tracking were a quarter of the wasm).
//!
//! Every reader queries each of its fields once, present or not; [`Obj::finish`] then reports the
//! fields nobody asked for as unknown, listing the expected ones.
//!
//! A leaf: imports nothing of vitrine's.

use serde_json::{Map, Value};

/// One problem in a document: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path, e.g. `site.pages[2].path`.
    pub path: String,
    /// Plain message, lowercase, no trailing period.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: &str) -> Self {
        Problem {
            path: path.into(),
            message: message.to_owned(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The problems found so far, in document order.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Records a problem at `path`.
    pub fn add(&mut self, path: impl Into<String>, message: &str) {
        self.0.push(Problem::new(path, message));
    }

    /// `Ok(value)` when nothing was found, else every problem.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }

    /// Checks that `value` lies in `range`, else records `path: must be <lo> to <hi>`.
    pub fn in_range<T: PartialOrd + std::fmt::Display>(
        &mut self,
        path: impl Into<String>,
        value: T,
        range: std::ops::RangeInclusive<T>,
    ) -> bool {
        let ok = range.contains(&value);
        if !ok {
            self.add(path, &format!("must be {} to {}", range.start(), range.end()));
        }
        ok
    }

    /// Checks that a list has at most `max` entries, else records `path: must have at most <max>
    /// entries`; returns how many to read.
    pub fn at_most(&mut self, path: impl Into<String>, len: usize, max: usize) -> usize {
        if len > max {
            self.add(path, &format!("must have at most {max} entries"));
        }
        len.min(max)
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Parses JSON text; a syntax error is one problem that says where (`(line 3, column 7)`).
pub fn parse(text: &str) -> Result<Value, Problem> {
    serde_json::from_str(text).map_err(|e| syntax_problem(&e))
}

/// A JSON syntax (or shape) error as a problem that says where: `(line 3, column 7)`.
pub fn syntax_problem(e: &serde_json::Error) -> Problem {
    let message = e.to_string();
    // serde_json appends " at line L column C": the path says where.
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    Problem {
        path: format!("(line {}, column {})", e.line(), e.column()),
        message,
    }
}

/// `at.field`, or `field` at the top.
pub fn join(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    }
}

/// Reads `v` as an object at `at` with `read`, then reports the fields `read` did not ask for.
pub fn object<'a, T>(
    v: &'a Value,
    at: &str,
    p: &mut Problems,
    read: impl FnOnce(&mut Obj<'a>, &mut Problems) -> Option<T>,
) -> Option<T> {
    let mut o = Obj::of(v, at, p)?;
    let out = read(&mut o, p);
    o.finish(p);
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A string, or a problem at `at`.
pub fn string(v: &Value, at: &str, p: &mut Problems) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        other => {
            p.add(at, &format!("must be a string, not {}", kind(other)));
            None
        }
    }
}

/// One JSON object being read.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    at: String,
    asked: Vec<&'static str>,
    lenient: bool,
}

impl<'a> Obj<'a> {
    /// `v` as an object at `at` (`""` for the top); a problem otherwise.
    pub fn of(v: &'a Value, at: &str, p: &mut Problems) -> Option<Obj<'a>> {
        match v {
            Value::Object(map) => Some(Obj {
                map,
                at: at.to_owned(),
                asked: Vec::new(),
                lenient: false,
            }),
            other => {
                p.add(
                    if at.is_empty() { "(document)" } else { at },
                    &format!("must be an object, not {}", kind(other)),
                );
                None
            }
        }
    }

    /// The path of a field of this object.
    pub fn path(&self, field: &str) -> String {
        join(&self.at, field)
    }

    /// A field's value (`None` when absent or null). Marks the field as expected.
    pub fn value(&mut self, field: &'static str) -> Option<&'a Value> {
        self.asked.push(field);
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn required(&mut self, field: &'static str, p: &mut Problems) -> Option<&'a Value> {
        let v = self.value(field);
        if v.is_none() {
            p.add(self.path(field), "is required");
        }
        v
    }

    /// An optional string field.
    pub fn string(&mut self, field: &'static str, p: &mut Problems) -> Option<String> {
        let v = self.value(field)?;
        string(v, &self.path(field), p)
    }

    /// A required string field.
    pub fn req_string(&mut self, field: &'static str, p: &mut Problems) -> Option<String> {
        let v = self.required(field, p)?;
        string(v, &self.path(field), p)
    }

    /// An optional boolean field.
    pub fn bool(&mut self, field: &'static str, p: &mut Problems) -> Option<bool> {
        match self.value(field)? {
            Value::Bool(b) => Some(*b),
            other => {
                p.add(
                    self.path(field),
                    &format!("must be true or false, not {}", kind(other)),
                );
                None
            }
        }
    }

    /// An optional number field.
    pub fn f64(&mut self, field: &'static str, p: &mut Problems) -> Option<f64> {
        match self.value(field)? {
            Value::Number(n) => n.as_f64(),
            other => {
                p.add(
                    self.path(field),
                    &format!("must be a number, not {}", kind(other)),
                );
                None
            }
        }
    }

    /// An optional whole-number field in `T`'s range.
    pub fn int<T: TryFrom<i64>>(&mut self, field: &'static str, p: &mut Problems) -> Option<T> {
        let v = self.value(field)?;
        let n = v.as_i64().and_then(|n| T::try_from(n).ok());
        if n.is_none() {
            let what = match v {
                Value::Number(_) => "a number".to_owned(),
                other => kind(other).to_owned(),
            };
            p.add(
                self.path(field),
                &format!("must be a whole number in range, not {what}"),
            );
        }
        n
    }

    /// A required whole-number field.
    pub fn req_int<T: TryFrom<i64>>(&mut self, field: &'static str, p: &mut Problems) -> Option<T> {
        self.required(field, p)?;
        self.int(field, p)
    }

    /// An optional list field, each item read by `item` (with its path).
    pub fn list<T>(
        &mut self,
        field: &'static str,
        p: &mut Problems,
        mut item: impl FnMut(&'a Value, String, &mut Problems) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = self.value(field) else {
            return Vec::new();
        };
        let at = self.path(field);
        match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| item(v, format!("{at}[{i}]"), p))
                .collect(),
            other => {
                p.add(at, &format!("must be a list, not {}", kind(other)));
                Vec::new()
            }
        }
    }

    /// An optional list of strings.
    pub fn strings(&mut self, field: &'static str, p: &mut Problems) -> Vec<String> {
        self.list(field, p, |v, at, p| string(v, &at, p))
    }

    /// An optional object field, read by `read`; its unknown fields are reported.
    pub fn object<T>(
        &mut self,
        field: &'static str,
        p: &mut Problems,
        read: impl FnOnce(&mut Obj<'a>, &mut Problems) -> Option<T>,
    ) -> Option<T> {
        let v = self.value(field)?;
        object(v, &self.path(field), p, read)
    }

    /// A required object field.
    pub fn req_object<T>(
        &mut self,
        field: &'static str,
        p: &mut Problems,
        read: impl FnOnce(&mut Obj<'a>, &mut Problems) -> Option<T>,
    ) -> Option<T> {
        let v = self.required(field, p)?;
        object(v, &self.path(field), p, read)
    }

    /// An optional list of objects, each read by `read`.
    pub fn objects<T>(
        &mut self,
        field: &'static str,
        p: &mut Problems,
        read: impl Fn(&mut Obj<'a>, &mut Problems) -> Option<T>,
    ) -> Vec<T> {
        self.list(field, p, |v, at, p| object(v, &at, p, &read))
    }

    /// A required list of strings.
    pub fn req_strings(&mut self, field: &'static str, p: &mut Problems) -> Option<Vec<String>> {
        self.required(field, p)?;
        Some(self.strings(field, p))
    }

    /// An optional list of strings, `None` when absent (unlike [`Obj::strings`]).
    pub fn opt_strings(&mut self, field: &'static str, p: &mut Problems) -> Option<Vec<String>> {
        self.value(field)?;
        Some(self.strings(field, p))
    }

    /// A required list of objects, each read by `read`.
    pub fn req_list<T>(
        &mut self,
        field: &'static str,
        p: &mut Problems,
        read: impl Fn(&mut Obj<'a>, &mut Problems) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.required(field, p)?;
        Some(self.objects(field, p, read))
    }

    /// Stops checking for unknown fields: the object was wrong in a way already reported (an
    /// unknown `source`), and what its other fields mean is not known.
    pub fn ignore_rest(&mut self) {
        self.lenient = true;
    }

    /// A required number field.
    pub fn req_f64(&mut self, field: &'static str, p: &mut Problems) -> Option<f64> {
        self.required(field, p)?;
        self.f64(field, p)
    }

    /// An optional map of string to `T` (read by `item`).
    pub fn map<T>(
        &mut self,
        field: &'static str,
        p: &mut Problems,
        mut item: impl FnMut(&'a Value, String, &mut Problems) -> Option<T>,
    ) -> Vec<(String, T)> {
        let Some(v) = self.value(field) else {
            return Vec::new();
        };
        let at = self.path(field);
        match v {
            Value::Object(m) => m
                .iter()
                .filter_map(|(k, v)| item(v, join(&at, k), p).map(|t| (k.clone(), t)))
                .collect(),
            other => {
                p.add(at, &format!("must be an object, not {}", kind(other)));
                Vec::new()
            }
        }
    }

    /// Reports the fields no reader asked for.
    pub fn finish(mut self, p: &mut Problems) {
        if self.lenient {
            return;
        }
        let mut seen = std::collections::HashSet::new();
        self.asked.retain(|a| seen.insert(*a));
        for key in self.map.keys() {
            if !self.asked.iter().any(|a| a == key) {
                let expected: Vec<String> = self.asked.iter().map(|a| format!("`{a}`")).collect();
                let message = format!("unknown field `{key}`, expected one of {}", expected.join(", "));
                p.add(join(&self.at, key), &message);
            }
        }
    }
}

/// Reads a whole document with `read` (the top object); the value, or every problem.
pub fn read_document<'a, T>(
    value: &'a Value,
    read: impl FnOnce(&mut Obj<'a>, &mut Problems) -> Option<T>,
) -> Result<T, Vec<Problem>> {
    let mut p = Problems::default();
    let out = object(value, "", &mut p, read);
    match out {
        Some(out) if p.is_empty() => Ok(out),
        _ => Err(p.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Pin {
        product: Option<String>,
        position: Option<u32>,
        tags: Vec<String>,
    }

    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Pin> {
        Some(Pin {
            product: o.req_string("product", p),
            position: o.int("position", p),
            tags: o.strings("tags", p),
        })
    }

    fn problems(json: &str) -> Vec<String> {
        read_document(&parse(json).unwrap(), read)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_problem_at_once_with_paths() {
        let pin = read_document(
            &parse(r#"{"product":"A","position":2,"tags":["x"]}"#).unwrap(),
            read,
        );
        assert_eq!(
            pin,
            Ok(Pin {
                product: Some("A".into()),
                position: Some(2),
                tags: vec!["x".into()]
            })
        );
        assert_eq!(
            problems(r#"{"position":"first","tags":["x",3],"colour":"red"}"#),
            [
                "product: is required",
                "position: must be a whole number in range, not a string",
                "tags[1]: must be a string, not a number",
                "colour: unknown field `colour`, expected one of `product`, `position`, `tags`",
            ]
        );
        assert_eq!(
            problems(r#"{"product":"A","position":-1}"#),
            ["position: must be a whole number in range, not a number"]
        );
        assert_eq!(problems("[1]"), ["(document): must be an object, not a list"]);
        let e = parse("{\n  \"a\": }").unwrap_err();
        assert_eq!(e.path, "(line 2, column 8)");
        assert!(e.message.starts_with("expected value"), "{e}");
        // null is absent
        assert_eq!(
            problems(r#"{"product":"A","position":null}"#),
            Vec::<String>::new()
        );
    }
}
