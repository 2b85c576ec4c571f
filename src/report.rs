//! What vitrine says about a response in its `x-vitrine` header, as a typed value rendered once.
//!
//! Grammar: `;`-separated items after an optional leading verb (`pass`, `error`, `endpoint`), so
//! later capabilities add items without breaking readers. The order is fixed by [`Report`]'s
//! fields: verb, signal, learning, search, JSON listing, hero, listing, image, config.

use std::fmt;

use crate::proxy::PassReason;
use crate::search::Served;
pub use crate::visit::Sig;

/// The response header in which vitrine says what it did to a response.
pub const HEADER: &str = "x-vitrine";

/// What vitrine did with the response as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The body went out as the origin sent it, for this reason.
    Pass(PassReason),
    /// The HTML body streams through the rewriter.
    Html,
    /// The origin could not be reached; the worker answered with a gateway error.
    OriginError,
    /// `ORIGIN` is unset or invalid: the worker cannot proxy at all.
    ConfigError,
    /// vitrine's own endpoint answered (no origin involved).
    Endpoint,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Pass(reason) => write!(f, "pass;why={}", reason.token()),
            Action::Html => f.write_str("html=stream"),
            Action::OriginError => f.write_str("error;origin=unreachable"),
            Action::ConfigError => f.write_str("error;config=origin"),
            Action::Endpoint => f.write_str("endpoint"),
        }
    }
}

/// How a page's listing grids are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// By the rules and this visitor's affinities.
    Rank,
    /// By the rules only: the visitor is in the holdout.
    Holdout,
    /// By the rules only: nothing personal is known or used (a crawler, no consent).
    Rules,
}

/// What the edge search did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchNote {
    /// The query was refused before leaving the edge.
    Refused,
    /// The search page came from this path.
    Page(Served),
    /// The search API answer: the path, the latency, the result count, whether it was re-ranked.
    Api {
        /// Which path served it.
        served: Served,
        /// Milliseconds the edge waited.
        ms: u64,
        /// Results, when the answer says.
        results: Option<u32>,
        /// Whether the visitor's order differs from the engine's.
        reranked: bool,
    },
}

/// What happened to a JSON listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonNote {
    /// Reordered; this many items shown.
    Reordered(usize),
    /// Read, and the rules left the order as it was.
    Unchanged,
    /// Passed as it came, for this reason.
    Pass(JsonPass),
}

/// Why a JSON listing passed untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonPass {
    /// No body to read.
    NoBody,
    /// Larger than the listing's cap.
    OverCap,
    /// The origin broke off mid-body.
    OriginError,
    /// Not the configured shape.
    NoItems,
    /// The reordered document could not be assembled.
    Splice,
}

impl fmt::Display for JsonNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonNote::Reordered(n) => write!(f, "json=reordered:{n}"),
            JsonNote::Unchanged => f.write_str("json=unchanged"),
            JsonNote::Pass(why) => f.write_str(match why {
                JsonPass::NoBody => "json=pass:no-body",
                JsonPass::OverCap => "json=pass:over-cap",
                JsonPass::OriginError => "json=pass:origin-error",
                JsonPass::NoItems => "json=pass:no-items",
                JsonPass::Splice => "json=pass:splice",
            }),
        }
    }
}

/// Which config is live (`cfg=<version>`, `cfg=none`, `cfg=invalid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CfgStatus {
    /// This version is live.
    Version(String),
    /// No config: vitrine is a transparent proxy.
    None,
    /// The config did not compile: vitrine is a transparent proxy.
    Invalid,
}

impl fmt::Display for CfgStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CfgStatus::Version(v) => write!(f, "cfg={v}"),
            CfgStatus::None => f.write_str("cfg=none"),
            CfgStatus::Invalid => f.write_str("cfg=invalid"),
        }
    }
}

/// The whole `x-vitrine` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The leading verb, if any.
    pub action: Option<Action>,
    /// The visitor signal.
    pub sig: Option<Sig>,
    /// What this request taught (`plp`, `pdp`, `cart`, `checkout`, `search`).
    pub learn: Vec<&'static str>,
    /// Client events accepted by the events endpoint.
    pub events: Option<usize>,
    /// Edge search.
    pub search: Option<SearchNote>,
    /// JSON listing.
    pub json: Option<JsonNote>,
    /// The hero variant chosen.
    pub hero: Option<String>,
    /// How listing grids are ranked.
    pub plp: Option<Listing>,
    /// A product page whose facts were not found within the learn window.
    pub learn_pdp_none: bool,
    /// The first-image role preferred on this product page.
    pub img: Option<String>,
    /// The live config.
    pub cfg: Option<CfgStatus>,
}

impl Report {
    /// A report with a leading verb.
    pub fn of(action: Action) -> Report {
        Report {
            action: Some(action),
            ..Report::default()
        }
    }

    /// Whether a JSON listing was reordered (the response depends on the visitor).
    pub fn json_reordered(&self) -> bool {
        matches!(self.json, Some(JsonNote::Reordered(_)))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = Vec::new();
        if let Some(a) = &self.action {
            items.push(a.to_string());
        }
        if let Some(s) = &self.sig {
            items.push(s.to_string());
        }
        if !self.learn.is_empty() {
            items.push(format!("learn={}", self.learn.join(",")));
        }
        if let Some(n) = self.events {
            items.push(format!("events={n}"));
        }
        match &self.search {
            Some(SearchNote::Refused) => items.push("search=refused".into()),
            Some(SearchNote::Page(served)) => items.push(format!("search={}", served.token())),
            Some(SearchNote::Api {
                served,
                ms,
                results,
                reranked,
            }) => {
                items.push(format!("search={}", served.token()));
                items.push(format!("ms={ms}"));
                items.push(format!(
                    "results={}",
                    results.map_or("-".into(), |r| r.to_string())
                ));
                if *reranked {
                    items.push("reranked".into());
                }
            }
            None => {}
        }
        if let Some(j) = &self.json {
            items.push(j.to_string());
        }
        if let Some(h) = &self.hero {
            items.push(format!("hero={h}"));
        }
        if let Some(listing) = self.plp {
            items.push(
                match listing {
                    Listing::Rank => "plp=rank",
                    Listing::Holdout => "plp=rank:holdout",
                    Listing::Rules => "plp=rules",
                }
                .into(),
            );
        }
        if self.learn_pdp_none {
            items.push("learn=pdp:none".into());
        }
        if let Some(i) = &self.img {
            // A decision: which role the gallery will prefer; what moved is the page's outcome.
            items.push(format!("img=prefer:{i}"));
        }
        if let Some(c) = &self.cfg {
            items.push(c.to_string());
        }
        f.write_str(&items.join(";"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::consent::Consent;
    use crate::signal::cookie::CookieErrorKind;
    use crate::visit::Status;

    #[test]
    fn a_page_report_renders_in_its_fixed_order() {
        let r = Report {
            action: Some(Action::Html),
            sig: Some(Sig {
                status: Status::Known,
                consent: Consent::DefaultGranted,
            }),
            learn: vec!["plp"],
            hero: Some("buy".into()),
            plp: Some(Listing::Rank),
            cfg: Some(CfgStatus::Version("0123456789ab".into())),
            ..Report::default()
        };
        assert_eq!(
            r.to_string(),
            "html=stream;sig=known;learn=plp;hero=buy;plp=rank;cfg=0123456789ab"
        );
        assert_eq!(
            Report::of(Action::Pass(PassReason::NotHtml)).to_string(),
            "pass;why=not-html"
        );
        assert_eq!(
            Report::of(Action::OriginError).to_string(),
            "error;origin=unreachable"
        );
    }

    #[test]
    fn search_json_and_signal_items() {
        let r = Report {
            sig: Some(Sig {
                status: Status::Fresh(CookieErrorKind::BadTag),
                consent: Consent::DefaultGranted,
            }),
            search: Some(SearchNote::Api {
                served: Served::Cache,
                ms: 4,
                results: None,
                reranked: true,
            }),
            cfg: Some(CfgStatus::None),
            ..Report::default()
        };
        assert_eq!(
            r.to_string(),
            "sig=fresh:tag;search=cache;ms=4;results=-;reranked;cfg=none"
        );
        let j = Report {
            json: Some(JsonNote::Reordered(47)),
            ..Report::default()
        };
        assert!(j.json_reordered());
        assert_eq!(j.to_string(), "json=reordered:47");
        let none = Sig {
            status: Status::NoConsent,
            consent: Consent::Gpc,
        };
        assert_eq!(none.to_string(), "sig=none:gpc");
    }
}
