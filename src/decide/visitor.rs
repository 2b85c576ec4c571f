//! The shopper's own endpoints: `GET /__vitrine/whoami` (the decoded signal, when the config
//! allows it) and `POST /__vitrine/events` (client-side events, learned like server-side ones,
//! forwarded to the collector, answered `204` with the updated cookie).

use std::rc::Rc;

use super::{After, Incoming, Who};
use crate::config::Config;
use crate::events::{parse_client_events, MAX_BODY};
use crate::reply::Reply;
use crate::report::{Action, Report, HEADER};
use crate::settings::Settings;
use crate::visit::{whoami_json, NameBook};

/// A visitor at one of their endpoints.
pub struct Visitor {
    settings: Rc<Settings>,
    cfg: Rc<Config>,
    who: Who,
    path: String,
}

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// Over the endpoint's limit (413).
    TooLarge,
    /// The stream failed (400).
    Unreadable,
}

impl BodyError {
    /// The status to answer with.
    pub fn status(self) -> u16 {
        match self {
            BodyError::TooLarge => 413,
            BodyError::Unreadable => 400,
        }
    }
}

impl Visitor {
    /// Reads the visitor of an endpoint request.
    pub fn new(incoming: &Incoming, settings: &Rc<Settings>, cfg: Rc<Config>) -> Visitor {
        Visitor {
            who: Who::of(incoming, &cfg, settings),
            settings: settings.clone(),
            cfg,
            path: incoming.path().to_owned(),
        }
    }

    /// Largest body the events endpoint reads.
    pub const MAX_BODY: usize = MAX_BODY;

    /// `GET /__vitrine/whoami`.
    pub fn whoami(&self, names: &NameBook) -> Reply {
        let report = Report {
            sig: Some(self.who.visit.sig()),
            ..Report::default()
        };
        Reply::json(200, whoami_json(&self.who.visit, names), &report)
    }

    /// `POST /__vitrine/events` with this body (or why it could not be read).
    pub fn events(
        mut self,
        body: Result<Vec<u8>, BodyError>,
        now_ms: u64,
        names: &mut NameBook,
    ) -> (Reply, After) {
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                let msg = format!("body must be at most {MAX_BODY} bytes");
                return (Reply::error(e.status(), &msg), After::default());
            }
        };
        let parsed = match parse_client_events(&body) {
            Ok(events) => events,
            Err(e) => return (Reply::error(400, &e.0), After::default()),
        };
        for event in parsed {
            self.who.visit.record(event);
        }
        self.who.visit.events.iter().for_each(|e| names.note_event(e));
        let after = After::events(&self.settings, &self.who, &self.path, now_ms);
        let visit = &self.who.visit;
        let mut reply = Reply {
            status: 204,
            headers: vec![("cache-control".into(), "private, no-store".into())],
            body: Vec::new(),
        };
        if let Some(set) = visit.set_cookie(&self.cfg, self.settings.keys.as_ref()) {
            reply.headers.push(("set-cookie".into(), set));
        }
        let report = Report {
            sig: Some(visit.sig()),
            events: Some(visit.events.len()),
            ..Report::of(Action::Endpoint)
        };
        reply.headers.push((HEADER.into(), report.to_string()));
        (reply, after)
    }
}
