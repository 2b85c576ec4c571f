//! What is wrong with a document: each [`Problem`] with the JSON path that names it
//! (`site.pages[2].path: must start with /`), collected so that every problem is reported at once.

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
}
