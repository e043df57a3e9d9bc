//! What a person's browser does in the flows the benchmark drives: set up the first operator
//! (the account that signs in), and sign in through an application's authorization request.
use reqwest::{Client, StatusCode, redirect};
use serde_json::Value;

pub const EMAIL: &str = "bench@example.com";
pub const PASSWORD: &str = "correct horse battery staple 42";
pub const REDIRECT_URI: &str = "http://127.0.0.1/cb";

/// A browser: keeps cookies, shows each redirect.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// The application the benchmark plays: its id and secret.
#[derive(Clone)]
pub struct App {
    pub base: String,
    pub client_id: String,
    pub secret: String,
}

async fn csrf_for(client: &Client, url: &str) -> String {
    let html = client.get(url).send().await.unwrap().text().await.unwrap();
    field(&html, "name=\"csrf_token\" value=\"").expect("no CSRF field")
}

fn field(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    Some(html[start..start + html[start..].find('"')?].to_owned())
}

async fn post(
    client: &Client,
    url: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.push(("csrf_token", token));
    client.post(url).form(&form).send().await.unwrap()
}

/// Creates the first operator through the one-time setup link: the account that signs in.
pub async fn set_up_operator(base: &str, link: &str) {
    let client = browser();
    let setup = link
        .split("token=")
        .nth(1)
        .expect("no token in the setup link");
    let token = csrf_for(&client, &format!("{base}/setup/operator?token={setup}")).await;
    let fields = [
        ("token", setup),
        ("name", "Bench Operator"),
        ("email", EMAIL),
        ("password", PASSWORD),
    ];
    let res = post(&client, &format!("{base}/setup/operator"), &token, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "operator setup failed");
}

impl App {
    fn authorize_url(&self) -> String {
        format!(
            "{}/oauth/authorize?response_type=code&client_id={}&redirect_uri={REDIRECT_URI}\
             &scope=openid%20email%20offline_access&state=s&nonce=n",
            self.base, self.client_id
        )
    }

    /// One universal-login sign-in in a new browser: authorize, the email, the password, the
    /// page that continues to the application, and the code exchanged for tokens. The browser
    /// (now signed in) and the token response.
    pub async fn sign_in(&self) -> (Client, Value) {
        let client = browser();
        let res = client.get(self.authorize_url()).send().await.unwrap();
        let login = location(&res);
        assert!(
            login.starts_with("/login"),
            "authorize did not ask to sign in"
        );
        let token = csrf_for(&client, &format!("{}{login}", self.base)).await;
        post(
            &client,
            &format!("{}/login", self.base),
            &token,
            &[("email", EMAIL)],
        )
        .await;
        let res = post(
            &client,
            &format!("{}/login/password", self.base),
            &token,
            &[("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(
            location(&res),
            "/oauth/authorize/continue",
            "sign-in failed"
        );
        let page = client
            .get(format!("{}/oauth/authorize/continue", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let back = field(&page, "content=\"0;url=").expect("no meta refresh");
        let tokens = self.exchange(&code_in(&back.replace("&#38;", "&"))).await;
        (client, tokens)
    }

    /// An authorization request answered by the browser's session, and its code exchanged.
    pub async fn single_sign_on(&self, browser: &Client) -> Value {
        let res = browser.get(self.authorize_url()).send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "single sign-on did not answer"
        );
        self.exchange(&code_in(&location(&res))).await
    }

    pub async fn exchange(&self, code: &str) -> Value {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .await
    }

    pub async fn token(&self, form: &[(&str, &str)]) -> Value {
        self.token_with(&token_client(), form).await
    }

    pub async fn token_with(&self, client: &Client, form: &[(&str, &str)]) -> Value {
        let res = client
            .post(format!("{}/oauth/token", self.base))
            .basic_auth(&self.client_id, Some(&self.secret))
            .form(form)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "token request failed: {}",
            res.status()
        );
        res.json().await.unwrap()
    }
}

/// A server-side client of the token endpoint: keep-alive, no cookies.
pub fn token_client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn code_in(url: &str) -> String {
    let query = url.split_once('?').expect("no query").1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("code="))
        .expect("no code")
        .to_owned()
}
