//! The storefront's search API answered at the edge: the query checked, the unpersonalized answer
//! found through [`crate::search::ApiFlow`] (edge cache, budget, circuit, fallbacks), then
//! re-ranked for the visitor within the rules with each hit's bytes kept, and the search learned.

use std::rc::Rc;

use super::{After, Incoming, Who};
use crate::config::rules::normalize_query;
use crate::config::{Config, PageKind};
use crate::product::Item;
use crate::rank::{self, in_holdout};
use crate::reply::Reply;
use crate::report::{Report, SearchNote, HEADER};
use crate::rewrite::personalize::Plan;
use crate::search::{Answered, ApiFlow, Query};
use crate::settings::Settings;
use crate::signal::Event;
use crate::visit::NameBook;

/// A search API request.
pub struct SearchApi {
    flow: Option<Result<ApiFlow, Reply>>,
    settings: Rc<Settings>,
    cfg: Rc<Config>,
    who: Who,
    path: String,
    started_ms: u64,
}

impl SearchApi {
    /// Plans a search request; `names` resolves the visitor's interests to names.
    pub fn new(incoming: &Incoming, settings: &Rc<Settings>, cfg: Rc<Config>, who: Who) -> SearchApi {
        let flow = match (cfg.search.as_ref(), settings.origin.as_ref()) {
            (Some(sc), Ok(origin)) => match Query::read(
                sc,
                |n| incoming.param(n),
                incoming.param_names().iter().map(String::as_str),
            ) {
                // Only the normalized query goes to the search API (its answer is shared through
                // the edge cache); the visitor's interests act here, in the re-ranking.
                Ok(query) => Ok(ApiFlow::new(sc, query, |p| origin.url_for(p))),
                Err(e) => Err(refused(e.0)),
            },
            _ => Err(refused("search is not configured")),
        };
        SearchApi {
            flow: Some(flow),
            settings: settings.clone(),
            cfg,
            who,
            path: incoming.path().to_owned(),
            started_ms: incoming.now_ms,
        }
    }

    /// The flow to carry out, or the reply for a refused query (once).
    pub fn take_flow(&mut self) -> Result<ApiFlow, Reply> {
        self.flow
            .take()
            .unwrap_or_else(|| Err(Reply::error(500, "the search flow was already taken")))
    }

    /// The reply for the unpersonalized answer the flow found: re-ranked for this visitor, with
    /// the search learned. `now_ms`: when the answer was in hand.
    pub fn answered(
        mut self,
        answered: Answered,
        query: &Query,
        now_ms: u64,
        names: &mut NameBook,
    ) -> (Reply, After) {
        let latency = now_ms.saturating_sub(self.started_ms);
        let Answered {
            status,
            mut body,
            served,
            answer,
            ..
        } = answered;
        let mut results = None;
        let mut reranked = false;
        if let Some(answer) = answer {
            results = Some(
                answer
                    .total
                    .unwrap_or(answer.keys.len() as u64)
                    .min(u64::from(u32::MAX)) as u32,
            );
            let plan = self.plan(query, now_ms);
            let find = crate::catalog::lookup(&self.cfg, self.settings.packed.as_deref());
            let items: Vec<Item> = answer
                .items
                .iter()
                .map(|it| Item::from_catalog(&find, it.key.as_deref(), it.clone()))
                .collect();
            let ranking = rank::rank(&self.cfg, &items, &plan.context(), false);
            if ranking.changed(items.len()) {
                if let Some(spliced) = crate::rewrite::json::splice(&body, &answer.spans, &ranking.order) {
                    body = spliced;
                    reranked = true;
                }
            }
        }
        let visit = &mut self.who.visit;
        visit.record(Event::Search {
            query: query.text.chars().take(128).collect(),
            results,
            served: Some(served.token().to_owned()),
            latency_ms: Some(u32::try_from(latency).unwrap_or(u32::MAX)),
            next: None,
        });
        visit.events.iter().for_each(|e| names.note_event(e));
        let mut reply = Reply {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("cache-control".into(), crate::proxy::NO_STORE.into()),
            ],
            body,
        };
        if let Some(set) = visit.set_cookie(&self.cfg, self.settings.keys.as_ref()) {
            reply.headers.push(("set-cookie".into(), set));
        }
        let report = Report {
            sig: Some(visit.sig()),
            search: Some(SearchNote::Api {
                served,
                ms: latency,
                results,
                reranked,
            }),
            cfg: Some(self.settings.status.clone()),
            ..Report::default()
        };
        reply.headers.push((HEADER.into(), report.to_string()));
        reply.headers.push((
            "server-timing".into(),
            format!("search;dur={latency};desc=\"{}\"", served.token()),
        ));
        let after = After::events(&self.settings, &self.who, &self.path, now_ms);
        (reply, after)
    }

    fn plan(&self, query: &Query, now_ms: u64) -> Plan {
        let signal = self.who.visit.signal.clone();
        Plan {
            packed: self.settings.packed.clone(),
            category: query.category.as_ref().map(|c| c.to_lowercase()),
            query: Some(normalize_query(&query.text)),
            holdout: signal
                .as_ref()
                .is_some_and(|s| in_holdout(&s.id, self.cfg.holdout)),
            signal,
            consent: self.who.visit.consent.allows_profile(),
            country: self.who.country.clone(),
            device: self.who.device,
            now: now_ms / 1000,
            ..Plan::new(self.cfg.clone(), PageKind::Search)
        }
    }
}

fn refused(message: &str) -> Reply {
    let body = serde_json::json!({ "error": message }).to_string();
    Reply {
        status: 400,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            (
                HEADER.into(),
                Report {
                    search: Some(SearchNote::Refused),
                    ..Report::default()
                }
                .to_string(),
            ),
        ],
        body: body.into_bytes(),
    }
}
