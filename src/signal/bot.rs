//! Bots get the canonical page: no cookie, no learning, no personalization. Crawlers must see
//! what every visitor could see (and a signal minted for a crawler would only be noise).
//!
//! Recognised: an empty or missing `User-Agent`, the common crawler and tool tokens, and
//! speculative loads (`Sec-Purpose: prefetch`, `Purpose: prefetch`), which must not mint a visitor
//! id either: the real navigation that may follow would mint a second one.

/// Lowercase substrings of crawler and HTTP-tool user agents.
const BOT_TOKENS: [&str; 24] = [
    "bot",
    "crawl",
    "spider",
    "slurp",
    "mediapartners",
    "facebookexternalhit",
    "embedly",
    "quora link",
    "whatsapp",
    "pinterest",
    "bingpreview",
    "lighthouse",
    "headlesschrome",
    "phantomjs",
    "python-requests",
    "python-urllib",
    "curl/",
    "wget/",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "httpclient",
    "scrapy",
];

/// Whether a request should be treated as automated (or speculative): no signal for it.
pub fn is_automated(user_agent: Option<&str>, purpose: Option<&str>) -> bool {
    if purpose.is_some_and(|p| p.to_ascii_lowercase().contains("prefetch")) {
        return true;
    }
    let Some(ua) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else {
        return true;
    };
    let ua = ua.to_ascii_lowercase();
    BOT_TOKENS.iter().any(|t| ua.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawlers_and_tools_are_bots_browsers_are_not() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "",
        ] {
            assert!(is_automated(Some(ua), None), "{ua}");
        }
        assert!(is_automated(None, None));
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        assert!(!is_automated(Some(chrome), None));
        assert!(is_automated(Some(chrome), Some("prefetch;prerender")));
        assert!(!is_automated(
            Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"),
            None
        ));
    }
}
