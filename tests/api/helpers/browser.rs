//! What a browser does that tests check by hand: a cookie jar without redirects, and reading
//! forms, links and cookies out of responses.
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, redirect};

use super::TestApp;

/// A client that behaves like one browser: it keeps cookies and does not follow redirects,
/// so tests can see each one.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// The value of `name="csrf_token"` in a page.
pub fn csrf_in(html: &str) -> String {
    hidden_field(html, "csrf_token").expect("page has no CSRF field")
}

pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `name=value` part of the response's Set-Cookie for `name`.
pub fn set_cookie(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The `token` parameter of a link.
pub fn token_in(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("no token in the link")
        .to_owned()
}

impl TestApp {
    /// The CSRF token this browser's forms carry.
    pub async fn csrf(&self) -> String {
        csrf_in(&self.get_html("/forgot-password").await)
    }

    /// Sends a request with exactly this Cookie header and no cookie jar.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Response {
        Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .expect("client")
            .get(self.url(path))
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("GET failed")
    }
}

/// The path of a list page's "next page" link, unescaped.
pub fn pager_href(html: &str) -> Option<String> {
    let href = html
        .split(r#"<p class="pager"><a href=""#)
        .nth(1)?
        .split('"')
        .next()?;
    Some(href.replace("&amp;", "&").replace("&#38;", "&"))
}
