//! Page types told apart by markup: when one URL shape serves several page types (a platform
//! whose categories and products share `/{slug}.html`), page rules name a marker (a body class, a
//! template attribute) and the page's own markup decides as it streams. Each candidate type's
//! handlers are in the one pass, each behind a [`Gate`]: the first marker met chooses; a rule
//! without a marker is chosen if something of its own starts before any marker was met. Once
//! chosen, the choice stands (a region already reordered as a listing is never undone).

use std::cell::Cell;
use std::rc::Rc;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, Settings};

use crate::config::Sel;

/// Which candidate a page's markup chose (an index into the candidates), shared by their gates.
#[derive(Clone, Debug, Default)]
pub struct Choice(Rc<Cell<Option<usize>>>);

impl Choice {
    /// The candidate chosen so far.
    pub fn get(&self) -> Option<usize> {
        self.0.get()
    }
}

/// One candidate's gate.
#[derive(Clone, Debug)]
pub struct Gate {
    choice: Choice,
    index: usize,
    marker: Option<Sel>,
}

impl Gate {
    /// The gates of `markers.len()` candidates (each with its marker, if any), sharing one choice.
    pub fn all(markers: Vec<Option<Sel>>) -> Vec<Gate> {
        let choice = Choice::default();
        markers
            .into_iter()
            .enumerate()
            .map(|(index, marker)| Gate {
                choice: choice.clone(),
                index,
                marker,
            })
            .collect()
    }

    /// Whether this candidate is the page's type as far as the markup has said.
    pub fn is_open(&self) -> bool {
        match self.choice.get() {
            Some(i) => i == self.index,
            None => false,
        }
    }

    /// Whether this candidate may change the page now: it was chosen by its marker, or it has
    /// none and no marker was met yet (it is then chosen for good).
    pub fn enter(&self) -> bool {
        match self.choice.get() {
            Some(i) => i == self.index,
            None if self.marker.is_none() => {
                self.choice.0.set(Some(self.index));
                true
            }
            None => false,
        }
    }

    /// The choice these gates share.
    pub fn choice(&self) -> &Choice {
        &self.choice
    }
}

/// Handlers that choose between `gates` by their markers; add them before the candidates' own.
pub fn add_markers(mut settings: Settings<'static, 'static>, gates: &[Gate]) -> Settings<'static, 'static> {
    for gate in gates {
        let Some(marker) = gate.marker.clone() else {
            continue;
        };
        let (choice, index) = (gate.choice.clone(), gate.index);
        settings = settings.append_element_content_handler((
            marker.selector(),
            ElementContentHandlers::default().element(move |_el: &mut Element<'_, '_>| {
                if choice.0.get().is_none() {
                    choice.0.set(Some(index));
                }
                Ok(())
            }),
        ));
    }
    settings
}

/// The candidate (an index) a whole page's markup chooses: the first marker met in document
/// order, else the first candidate without a marker, else none (the page is left as it is).
pub fn choose(markers: &[Option<Sel>], html: &[u8]) -> Option<usize> {
    let gates = Gate::all(markers.to_vec());
    let settings = add_markers(Settings::new(), &gates);
    let _ = crate::rewrite::run_chunked(
        crate::rewrite::HtmlStream::new(settings, crate::rewrite::utf8()),
        html,
        &[64 * 1024],
    );
    gates
        .first()
        .and_then(|g| g.choice().get())
        .or_else(|| markers.iter().position(Option::is_none))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_marker_met_chooses_else_the_unmarked_candidate() {
        let sel = |s: &str| Some(Sel::parse(s).unwrap_or_else(|e| panic!("{e}")));
        let markers = [sel("body.product"), sel("body.category"), None];
        assert_eq!(choose(&markers, b"<body class=category><ul></ul>"), Some(1));
        assert_eq!(choose(&markers, b"<body class='x product'>"), Some(0));
        assert_eq!(choose(&markers, b"<body class=cms>"), Some(2));
        assert_eq!(choose(&markers[..2], b"<body class=cms>"), None);
        // Document order, not rule order.
        let markers = [
            sel("div.product-info"),
            sel("meta[name=template][content=collection]"),
        ];
        assert_eq!(
            choose(
                &markers,
                b"<head><meta name=template content=collection></head><div class=product-info>"
            ),
            Some(1)
        );
    }
}
