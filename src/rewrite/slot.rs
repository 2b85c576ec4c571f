//! Markup that belongs to a slot of a grid, not to the product in it: WooCommerce's `first`/`last`
//! row classes (a float layout breaks when a `last` tile lands mid-row), analytics list positions
//! (`data-gtm4wp_product_position`), animation delays that grow with the index. A grid's config
//! names these attributes and class tokens; when tiles move, they stay with the slot: the tile
//! that lands in slot `k` gets slot `k`'s values in its start tag, and every other byte of the
//! tile is unchanged.

pub use crate::config::Slot;

/// A slot's values as its original tile had them: each slot attribute's raw value (or absence),
/// and which slot class tokens its `class` held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotValues {
    /// Per `Slot::attributes`, in order.
    pub attributes: Vec<Option<String>>,
    /// The slot class tokens present, in `Slot::classes` order.
    pub classes: Vec<String>,
}

impl SlotValues {
    /// Reads a tile's slot values with `get` (attribute name → raw value).
    pub fn read(slot: &Slot, get: impl Fn(&str) -> Option<String>) -> SlotValues {
        let class = get("class").unwrap_or_default();
        let tokens: Vec<&str> = class.split_ascii_whitespace().collect();
        SlotValues {
            attributes: slot.attributes.iter().map(|a| get(a)).collect(),
            classes: slot
                .classes
                .iter()
                .filter(|c| tokens.contains(&c.as_str()))
                .cloned()
                .collect(),
        }
    }
}

/// One attribute in a start tag: where its name starts, where the whole attribute ends, and its
/// raw value (without quotes).
struct Attr {
    name: String,
    start: usize,
    end: usize,
    value: Option<String>,
}

/// The attributes of a start tag (`<li class="a b" data-x=1 hidden>`), with their byte spans.
fn attributes(tag: &[u8]) -> Option<(Vec<Attr>, usize)> {
    let mut i = tag.iter().position(|b| *b == b'<')? + 1;
    while tag
        .get(i)
        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>' && *b != b'/')
    {
        i += 1;
    }
    let mut attrs = Vec::new();
    loop {
        while tag.get(i).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
            i += 1;
        }
        match tag.get(i) {
            None => return None,
            Some(b'>') => return Some((attrs, i)),
            Some(_) => {}
        }
        let start = i;
        while tag
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !b"=>/".contains(b))
        {
            i += 1;
        }
        let name = String::from_utf8_lossy(tag.get(start..i)?).to_ascii_lowercase();
        let mut j = i;
        while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let mut value = None;
        if tag.get(j) == Some(&b'=') {
            j += 1;
            while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            match tag.get(j) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let close = tag.get(j + 1..)?.iter().position(|b| *b == q)? + j + 1;
                    value = Some(String::from_utf8_lossy(tag.get(j + 1..close)?).into_owned());
                    i = close + 1;
                }
                _ => {
                    let from = j;
                    while tag.get(j).is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>') {
                        j += 1;
                    }
                    value = Some(String::from_utf8_lossy(tag.get(from..j)?).into_owned());
                    i = j;
                }
            }
        }
        attrs.push(Attr {
            name,
            start,
            end: i,
            value,
        });
    }
}

fn quoted(name: &str, value: &str) -> String {
    format!("{name}=\"{}\"", value.replace('"', "&quot;"))
}

/// The tile's start tag `tag` with slot `values` instead of its own; `None` when the tag cannot be
/// read (then the tile moves unchanged).
pub fn rebind(tag: &[u8], slot: &Slot, values: &SlotValues) -> Option<Vec<u8>> {
    let (attrs, close) = attributes(tag)?;
    // Edits as (start, end, replacement), applied back to front.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut append = Vec::new();
    for (name, want) in slot.attributes.iter().zip(&values.attributes) {
        match (attrs.iter().find(|a| &a.name == name), want) {
            (Some(a), Some(v)) if a.value.as_deref() != Some(v.as_str()) => {
                edits.push((a.start, a.end, quoted(name, v)))
            }
            (Some(a), None) => {
                // Remove it with the whitespace before it.
                let mut s = a.start;
                while s > 0 && tag.get(s - 1).is_some_and(u8::is_ascii_whitespace) {
                    s -= 1;
                }
                edits.push((s, a.end, String::new()));
            }
            (None, Some(v)) => append.push(quoted(name, v)),
            _ => {}
        }
    }
    if !slot.classes.is_empty() {
        let own = attrs.iter().find(|a| a.name == "class");
        let kept: Vec<&str> = own
            .and_then(|a| a.value.as_deref())
            .unwrap_or_default()
            .split_ascii_whitespace()
            .filter(|t| !slot.classes.iter().any(|c| c == t))
            .collect();
        let mut tokens: Vec<&str> = kept;
        tokens.extend(values.classes.iter().map(String::as_str));
        let value = tokens.join(" ");
        // Unchanged when the tile already has exactly the slot's tokens (in whatever order).
        let present: Vec<&str> = own
            .and_then(|a| a.value.as_deref())
            .unwrap_or_default()
            .split_ascii_whitespace()
            .filter(|t| slot.classes.iter().any(|c| c == t))
            .collect();
        let same = present.len() == values.classes.len()
            && values.classes.iter().all(|c| present.contains(&c.as_str()));
        match own {
            Some(a) if !same => edits.push((a.start, a.end, quoted("class", &value))),
            None if !tokens.is_empty() => append.push(quoted("class", &value)),
            _ => {}
        }
    }
    if edits.is_empty() && append.is_empty() {
        return Some(tag.to_vec());
    }
    let mut out = tag.to_vec();
    if !append.is_empty() {
        // Before `>` (or `/>`).
        let at = if close > 0 && tag.get(close - 1) == Some(&b'/') {
            close - 1
        } else {
            close
        };
        let text: String = append.iter().map(|a| format!(" {a}")).collect();
        edits.push((at, at, text));
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (start, end, text) in edits {
        out.splice(start..end, text.into_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot() -> Slot {
        Slot {
            attributes: vec!["data-position".into(), "style".into()],
            classes: vec!["first".into(), "last".into()],
        }
    }

    #[test]
    fn slot_values_move_into_the_tile_that_lands_there() {
        let s = slot();
        let a = br#"<li class="product first type-x" data-position="1" data-sku='A' style="--d:0s">"#;
        let b = br#"<li class="product type-y last" data-sku=B data-position=2>"#;
        let get = |tag: &[u8]| {
            let (attrs, _) = attributes(tag).unwrap();
            move |n: &str| attrs.iter().find(|a| a.name == n).and_then(|a| a.value.clone())
        };
        let va = SlotValues::read(&s, get(a));
        let vb = SlotValues::read(&s, get(b));
        assert_eq!(va.classes, ["first"]);
        assert_eq!(vb.attributes, [Some("2".into()), None]);
        // B lands in A's slot, A in B's.
        assert_eq!(
            String::from_utf8(rebind(b, &s, &va).unwrap()).unwrap(),
            r#"<li class="product type-y first" data-sku=B data-position="1" style="--d:0s">"#
        );
        assert_eq!(
            String::from_utf8(rebind(a, &s, &vb).unwrap()).unwrap(),
            r#"<li class="product type-x last" data-position="2" data-sku='A'>"#
        );
        // A tile in its own slot is unchanged, byte for byte.
        assert_eq!(rebind(a, &s, &va).unwrap(), a.to_vec());
    }

    #[test]
    fn odd_tags_are_read_or_left_alone() {
        let s = slot();
        let v = SlotValues {
            attributes: vec![Some("3".into()), None],
            classes: vec!["last".into()],
        };
        assert_eq!(
            String::from_utf8(rebind(b"<img src=x.jpg/>", &s, &v).unwrap()).unwrap(),
            r#"<img src=x.jpg data-position="3" class="last"/>"#
        );
        assert_eq!(
            String::from_utf8(rebind(b"<li hidden data-position='x\"y'>", &s, &v).unwrap()).unwrap(),
            r#"<li hidden data-position="3" class="last">"#
        );
        assert_eq!(rebind(b"<li class=\"unterminated>", &s, &v), None);
    }
}
