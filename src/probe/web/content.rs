//! `http.mixed_content`: the app page, and the scripts and styles it loads from its own origin,
//! load nothing over plain `http://`. Browsers block active content (scripts, styles, frames)
//! loaded that way on an HTTPS page — the page breaks — and flag passive content (images,
//! media). A small tolerant HTML tag reader finds what the page loads; no full HTML parser is
//! needed for attributes.

use url::Url;

use super::{Site, result};
use crate::result::{Evidence, ProbeResult, Status};

const ID: &str = "http.mixed_content";
/// Same-origin scripts and styles read at most.
const MAX_ASSETS: usize = 8;
/// Loads listed in the evidence at most.
const MAX_SHOWN: usize = 8;

/// How bad one plain-HTTP load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A URL in a script that may be loaded (it cannot be known without running it).
    Maybe,
    /// An image or media: browsers upgrade or flag it.
    Passive,
    /// A script, style, frame, object or a form sent over plain HTTP: blocked or unsafe.
    Active,
}

/// One thing loaded over plain HTTP, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Load {
    kind: Kind,
    what: String,
    url: String,
}

/// One tag with its lower-case name and attributes (names lower-case, values as written).
#[derive(Debug, Default)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The tags of `html`, with the text of each `<style>` element, tolerant of broken markup.
/// Script element bodies are skipped (they are not tags).
fn tags(html: &str) -> (Vec<Tag>, Vec<String>) {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut styles = Vec::new();
    let mut i = 0;
    while let Some(off) = html.get(i..).and_then(|rest| rest.find('<')) {
        i += off + 1;
        let rest = html.get(i..).unwrap_or_default();
        if rest.starts_with("!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if name_len == 0 {
            continue;
        }
        let mut tag = Tag {
            name: rest.get(..name_len).unwrap_or_default().to_ascii_lowercase(),
            attrs: Vec::new(),
        };
        i += name_len;
        // Attributes until '>'.
        loop {
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
                i += 1;
            }
            match bytes.get(i) {
                None => break,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let start = i;
            while bytes
                .get(i)
                .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
            {
                i += 1;
            }
            let name = html.get(start..i).unwrap_or_default().to_ascii_lowercase();
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                if let Some(q @ (b'"' | b'\'')) = bytes.get(i) {
                    let q = char::from(*q);
                    let from = i + 1;
                    let end = html
                        .get(from..)
                        .and_then(|r| r.find(q))
                        .map_or(html.len(), |e| from + e);
                    value = html.get(from..end).unwrap_or_default().to_string();
                    i = end + 1;
                } else {
                    let from = i;
                    while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>') {
                        i += 1;
                    }
                    value = html.get(from..i).unwrap_or_default().to_string();
                }
            }
            if name.is_empty() {
                i += 1;
            } else {
                tag.attrs.push((name, value));
            }
        }
        // Raw text elements: skip to their end tag (keeping a style's text).
        if matches!(tag.name.as_str(), "script" | "style") {
            let close = format!("</{}", tag.name);
            let rest = html.get(i..).unwrap_or_default();
            let end = find_ascii_ci(rest, &close).unwrap_or(rest.len());
            if tag.name == "style" {
                styles.push(rest.get(..end).unwrap_or_default().to_string());
            }
            i += end;
        }
        out.push(tag);
    }
    (out, styles)
}

/// Where `needle` (ASCII) starts in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h.get(i..i + n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))
}

fn plain(url: &str) -> bool {
    let url = url.trim();
    url.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://"))
}

/// What the page's tags load over plain HTTP.
fn page_loads(html: &str) -> (Vec<Load>, Vec<Tag>) {
    let (tags, styles) = tags(html);
    let mut loads = Vec::new();
    let mut push = |kind, what: String, url: &str| {
        loads.push(Load {
            kind,
            what,
            url: crate::probe::shorten(url.trim(), 120),
        });
    };
    for tag in &tags {
        let rel = tag.attr("rel").unwrap_or_default().to_ascii_lowercase();
        let wanted: &[(&str, Kind)] = match tag.name.as_str() {
            "script" | "iframe" | "frame" | "embed" => &[("src", Kind::Active)],
            "object" => &[("data", Kind::Active)],
            "form" => &[("action", Kind::Active)],
            "link" if rel.contains("stylesheet") || rel.contains("preload") || rel.contains("modulepreload") => {
                &[("href", Kind::Active)]
            }
            "link" if rel.contains("icon") => &[("href", Kind::Passive)],
            "img" | "source" => &[("src", Kind::Passive), ("srcset", Kind::Passive)],
            "audio" | "video" | "track" | "input" => &[("src", Kind::Passive), ("poster", Kind::Passive)],
            _ => &[],
        };
        for (attr, kind) in wanted {
            if let Some(value) = tag.attr(attr) {
                let urls: Vec<&str> = if *attr == "srcset" {
                    value.split(',').filter_map(|c| c.split_whitespace().next()).collect()
                } else {
                    vec![value]
                };
                for url in urls.into_iter().filter(|u| plain(u)) {
                    push(*kind, format!("<{} {attr}>", tag.name), url);
                }
            }
        }
        if let Some(style) = tag.attr("style") {
            for url in css_loads(style) {
                push(Kind::Passive, format!("<{} style>", tag.name), &url);
            }
        }
    }
    for style in styles {
        for url in css_loads(&style) {
            push(Kind::Active, "<style>".into(), &url);
        }
    }
    (loads, tags)
}

/// Plain-HTTP URLs in CSS: `url(…)` and `@import`.
fn css_loads(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(at) = find_ascii_ci(rest, "url(") {
        let after = rest.get(at + 4..).unwrap_or_default();
        let end = after.find(')').unwrap_or(after.len());
        let inner = after.get(..end).unwrap_or_default().trim().trim_matches(['"', '\'']);
        if plain(inner) {
            out.push(inner.to_string());
        }
        rest = after.get(end..).unwrap_or_default();
    }
    let mut rest = css;
    while let Some(at) = find_ascii_ci(rest, "@import") {
        let after = rest.get(at + 7..).unwrap_or_default().trim_start();
        let inner = after.trim_start_matches(['"', '\'']);
        if plain(inner) {
            let end = inner.find(['"', '\'', ';', ' ', ')']).unwrap_or(inner.len());
            out.push(inner.get(..end).unwrap_or_default().to_string());
        }
        rest = after;
    }
    out
}

/// Hosts whose `http://` URLs are names, not loads (XML namespaces, schemas, examples).
const NOT_LOADS: &[&str] = &[
    "www.w3.org",
    "w3.org",
    "schema.org",
    "purl.org",
    "ns.adobe.com",
    "xmlns.com",
    "localhost",
    "127.0.0.1",
    "example.com",
    "example.org",
    "example.net",
    "www.example.com",
    "json-schema.org",
    "react.dev",
    "reactjs.org",
    "fb.me",
];

/// `http://` URLs written as string literals in a script: perhaps loaded.
fn script_urls(js: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = js;
    while let Some(at) = find_ascii_ci(rest, "http://") {
        let quoted = at > 0 && matches!(rest.as_bytes().get(at - 1), Some(b'"' | b'\'' | b'`'));
        let after = rest.get(at..).unwrap_or_default();
        let end = after
            .find(|c: char| matches!(c, '"' | '\'' | '`' | ' ' | ')' | '\\') || c.is_control())
            .unwrap_or(after.len());
        let url = after.get(..end).unwrap_or_default();
        let host = url
            .get(7..)
            .unwrap_or_default()
            .split(['/', ':', '?', '#'])
            .next()
            .unwrap_or_default();
        if quoted
            && host.contains('.')
            && !NOT_LOADS.contains(&host.to_ascii_lowercase().as_str())
            && !out.iter().any(|u| u == url)
        {
            out.push(url.to_string());
        }
        rest = after.get(end.max(7)..).unwrap_or_default();
        if out.len() >= 50 {
            break;
        }
    }
    out
}

pub(crate) async fn mixed_content(site: &Site<'_>) -> ProbeResult {
    let Some(chain) = site.app_page().await else {
        return result(
            ID,
            Status::Skipped,
            "The target names no site address, so there is no page to read.",
            Vec::new(),
            Some("Add app_url = \"https://your-product.example\" under [target].".into()),
        );
    };
    if let super::Ending::Answer(Err(e)) = &chain.ending
        && let Some(skipped) = site.no_site(ID, e)
    {
        return skipped;
    }
    let Some(page) = chain.page().cloned() else {
        let why = chain.lines().last().cloned().unwrap_or_else(|| "no answer".into());
        return result(
            ID,
            Status::Error,
            format!(
                "The app page {} could not be read ({why}), so nothing was decided.",
                chain.start
            ),
            chain
                .lines()
                .into_iter()
                .map(|l| Evidence::new("redirect", l))
                .collect(),
            Some("Check that the app address answers, then run the check again.".into()),
        );
    };
    let mut evidence = vec![Evidence::new("page", format!("{} → {}", page.url, page.status))];
    if page.url.scheme() != "https" {
        return result(
            ID,
            Status::Fail,
            format!(
                "The app page {} is itself served over plain HTTP, so everything it loads travels unencrypted.",
                page.url
            ),
            evidence,
            Some("Serve the app over HTTPS and redirect plain HTTP to it.".into()),
        );
    }
    let html_type = page
        .header("content-type")
        .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
    if !html_type {
        return result(
            ID,
            Status::Skipped,
            format!(
                "The app address answers {} rather than a web page, so there is no page to check.",
                page.header("content-type").unwrap_or("something")
            ),
            evidence,
            Some("Set app_url to the address of the page your users open in the browser.".into()),
        );
    }
    let html = page.text();
    let (mut loads, tags) = page_loads(&html);
    if page.truncated {
        evidence.push(Evidence::new(
            "note",
            "the page is larger than launchready reads; only its start was checked",
        ));
    }
    // Same-origin scripts and styles, read and searched too.
    let origin = page.url.origin();
    let assets: Vec<(Url, bool)> = tags
        .iter()
        .filter_map(|t| match t.name.as_str() {
            "script" => t.attr("src").map(|s| (s, true)),
            "link"
                if t.attr("rel")
                    .is_some_and(|r| r.to_ascii_lowercase().contains("stylesheet")) =>
            {
                t.attr("href").map(|h| (h, false))
            }
            _ => None,
        })
        .filter_map(|(s, script)| page.url.join(s.trim()).ok().map(|u| (u, script)))
        .filter(|(u, _)| u.origin() == origin)
        .take(MAX_ASSETS)
        .collect();
    let fetched = futures_util::future::join_all(assets.iter().map(|(u, _)| site.page(u))).await;
    let mut read = 0;
    for ((url, script), got) in assets.iter().zip(fetched) {
        let short = url.path().to_string();
        match got {
            Ok(asset) if asset.status == 200 => {
                read += 1;
                let text = asset.text();
                if *script {
                    for u in script_urls(&text) {
                        loads.push(Load {
                            kind: Kind::Maybe,
                            what: format!("script {short}"),
                            url: crate::probe::shorten(&u, 120),
                        });
                    }
                } else {
                    for u in css_loads(&text) {
                        loads.push(Load {
                            kind: Kind::Active,
                            what: format!("style {short}"),
                            url: crate::probe::shorten(&u, 120),
                        });
                    }
                }
            }
            Ok(asset) => evidence.push(Evidence::new("not read", format!("{short} → {}", asset.status))),
            Err(e) => evidence.push(Evidence::new("not read", format!("{short}: {e}"))),
        }
    }
    evidence.push(Evidence::new(
        "read",
        format!(
            "the page and {read} of its own scripts and styles (of {} found)",
            assets.len()
        ),
    ));
    loads.sort_by_key(|l| std::cmp::Reverse(l.kind));
    for load in loads.iter().take(MAX_SHOWN) {
        let label = match load.kind {
            Kind::Active => "blocked by browsers",
            Kind::Passive => "flagged by browsers",
            Kind::Maybe => "plain-HTTP address in a script",
        };
        evidence.push(Evidence::new(label, format!("{} {}", load.what, load.url)));
    }
    if loads.len() > MAX_SHOWN {
        evidence.push(Evidence::new(
            "more",
            format!("{} more not shown", loads.len() - MAX_SHOWN),
        ));
    }
    let count = |k: Kind| loads.iter().filter(|l| l.kind == k).count();
    let (active, passive, maybe) = (count(Kind::Active), count(Kind::Passive), count(Kind::Maybe));
    let (status, summary, fix) = if active > 0 {
        (
            Status::Fail,
            format!(
                "The app page loads {active} script, style, frame or form address over plain HTTP: browsers block them, so parts of the page break, and they could be tampered with on the way."
            ),
            Some(
                "Change every http:// address the page loads to https:// (or a relative address), and add the header Content-Security-Policy: upgrade-insecure-requests as a safety net.",
            ),
        )
    } else if passive > 0 {
        (
            Status::Warn,
            format!(
                "The app page loads {passive} image or media address over plain HTTP: browsers flag the page as not fully secure."
            ),
            Some("Change those http:// addresses to https://."),
        )
    } else if maybe > 0 {
        (
            Status::Warn,
            format!(
                "The app's own scripts contain {maybe} plain-HTTP address(es) they may load; check that none is used at run time."
            ),
            Some("Change those http:// addresses to https:// in the code that builds the scripts."),
        )
    } else {
        (
            Status::Pass,
            format!("The app page and {read} of its own scripts and styles load nothing over plain HTTP."),
            None,
        )
    };
    result(ID, status, summary, evidence, fix.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_reader_finds_what_a_page_loads() {
        let html = r#"<!doctype html><html><head>
            <!-- <script src="http://commented.example/x.js"></script> -->
            <link rel="stylesheet" href="http://cdn.example/site.css">
            <link rel=icon href=http://cdn.example/favicon.ico>
            <script>var s = "<img src='http://inside.script.example/a.png'>";</script>
            <style>body { background: url("http://img.example/bg.png") } @import 'http://css.example/more.css';</style>
            </head><body>
            <img srcset="https://ok.example/a.png 1x, http://img.example/b.png 2x" src="/local.png">
            <IFRAME SRC="http://frame.example/"></IFRAME>
            <form action="http://forms.example/submit"><input type=submit></form>
            <div style="background-image:url(http://img.example/c.png)"></div>
            <a href="http://link.example/">links are not loads</a>
            </body></html>"#;
        let (loads, _) = page_loads(html);
        let urls: Vec<(&str, Kind)> = loads.iter().map(|l| (l.url.as_str(), l.kind)).collect();
        assert!(
            urls.contains(&("http://cdn.example/site.css", Kind::Active)),
            "{urls:?}"
        );
        assert!(urls.contains(&("http://cdn.example/favicon.ico", Kind::Passive)));
        assert!(urls.contains(&("http://img.example/bg.png", Kind::Active)));
        assert!(urls.contains(&("http://css.example/more.css", Kind::Active)));
        assert!(urls.contains(&("http://img.example/b.png", Kind::Passive)));
        assert!(urls.contains(&("http://frame.example/", Kind::Active)));
        assert!(urls.contains(&("http://forms.example/submit", Kind::Active)));
        assert!(urls.contains(&("http://img.example/c.png", Kind::Passive)));
        assert!(
            !urls
                .iter()
                .any(|(u, _)| u.contains("commented") || u.contains("inside.script") || u.contains("link.example"))
        );
        assert_eq!(loads.len(), 8, "{urls:?}");
    }

    #[test]
    fn a_clean_page_loads_nothing_plain() {
        let html = r#"<script src="/app.js"></script><link rel="stylesheet" href="https://cdn.example/a.css">
            <img src="data:image/png;base64,AAAA"><svg xmlns="http://www.w3.org/2000/svg"></svg>"#;
        assert!(page_loads(html).0.is_empty());
    }

    #[test]
    fn script_urls_skip_namespaces_and_unquoted_text() {
        let js = r#"const ns="http://www.w3.org/2000/svg"; fetch("http://api.old.example/v1"); // see http://docs.example
            const u = 'http://cdn.plain.example/x.js';"#;
        assert_eq!(
            script_urls(js),
            ["http://api.old.example/v1", "http://cdn.plain.example/x.js"]
        );
    }

    #[test]
    fn broken_markup_never_panics() {
        for html in [
            "<",
            "<a",
            "<a href=",
            "<a href='",
            "<script",
            "<style>url(",
            "<!--",
            "<img src=\"http://x",
            "<<<>>>",
            "<é à=ü>",
        ] {
            let _ = page_loads(html);
            let _ = css_loads(html);
            let _ = script_urls(html);
        }
        for text in crate::probe::garbled(
            7,
            400,
            &[
                "<", ">", "script", "style", "=", "'", "\"", " ", "http://", "url(", "@import", "é", "/",
            ],
            30,
        ) {
            let _ = page_loads(&text);
            let _ = css_loads(&text);
            let _ = script_urls(&text);
        }
    }
}
