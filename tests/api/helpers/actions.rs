//! The things people do, one method each: sign up, verify, sign in, found and join
//! organizations, recover an account.
use reqwest::{Response, StatusCode};

use super::{PASSWORD, TestApp, location, token_in};

impl TestApp {
    /// Signs up and waits for the email it sends, so that the newest mail is that one.
    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> Response {
        let seen = self.mails_to(&email.trim().to_lowercase()).len();
        let fields = [("name", name), ("email", email), ("password", password)];
        let res = self.post("/signup", &fields).await;
        if res.status() == StatusCode::OK {
            self.await_mail(email, seen).await;
        }
        res
    }

    /// Opens a link from an email and presses its confirm button.
    pub async fn follow_verification(&self, link: &str) -> Response {
        let token = link.split("token=").nth(1).expect("token in link");
        let page = self.client.get(link).send().await.expect("GET link");
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "verification page did not open"
        );
        self.post("/verify-email", &[("token", token)]).await
    }

    /// Opens a verification link and presses its button; the status of whatever answers
    /// (the page of a dead link is 410 at either step).
    pub async fn follow_verification_status(&self, link: &str) -> StatusCode {
        let page = self.client.get(link).send().await.expect("GET link");
        if page.status() != StatusCode::OK {
            return page.status();
        }
        self.post("/verify-email", &[("token", &token_in(link))])
            .await
            .status()
    }

    /// Signs up and verifies an account; the browser ends up signed in.
    pub async fn create_verified_user(&self, name: &str, email: &str, password: &str) {
        assert_eq!(
            self.sign_up(name, email, password).await.status(),
            StatusCode::OK
        );
        let mail = self
            .last_mail_with_subject(email, "Verify your email")
            .await;
        let res = self
            .follow_verification(&mail.link_to("/verify-email"))
            .await;
        assert_eq!(location(&res), "/account");
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post("/login", &[("email", email)]).await;
        self.post(
            "/login/password",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn sign_out(&self) -> Response {
        self.post("/logout", &[]).await
    }

    /// True when this browser's session reaches the account page.
    pub async fn is_signed_in(&self) -> bool {
        self.get("/account").await.status() == StatusCode::OK
    }

    /// Creates the first operator through the setup link; this browser is then signed in as it.
    pub async fn become_operator(&self) {
        let link = self.operator_setup_link.clone().expect("setup link");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let fields = [
            ("token", token.as_str()),
            ("name", "Olga Operator"),
            ("email", "olga@example.com"),
            ("password", PASSWORD),
        ];
        let res = self.post("/setup/operator", &fields).await;
        assert_eq!(location(&res), "/admin", "operator setup failed");
    }

    /// The operator creates an organization (this browser must be the operator's).
    pub async fn create_org(
        &self,
        name: &str,
        slug: &str,
        mode: &str,
        self_signup: bool,
    ) -> Response {
        let mut fields = vec![("name", name), ("slug", slug), ("mode", mode)];
        if self_signup {
            fields.push(("self_signup", "on"));
        }
        self.post("/admin/orgs/new", &fields).await
    }

    /// The operator invites `email` as owner of the organization.
    /// Waits until the invitation email has arrived, so that the newest mail is this one.
    pub async fn invite_owner(&self, slug: &str, email: &str) -> Response {
        let seen = self.mails_to(&email.trim().to_lowercase()).len();
        let res = self
            .post(&format!("/admin/orgs/{slug}/invite"), &[("email", email)])
            .await;
        if res.status() == StatusCode::SEE_OTHER {
            self.next_mail_to(email, seen).await;
        }
        res
    }

    /// Accepts the newest invitation mailed to `email` by creating an account.
    pub async fn accept_invitation_as_new(
        &self,
        email: &str,
        name: &str,
        password: &str,
    ) -> Response {
        let mail = self.last_mail_with_subject(email, "invited").await;
        let link = mail.link_to("/invitations/");
        let path = link.replace(&self.address, "");
        assert_eq!(self.get(&path).await.status(), StatusCode::OK);
        self.post(&path, &[("name", name), ("password", password)])
            .await
    }

    /// Asks for a reset link at `forgot_path` and returns the token of the email that arrives.
    pub async fn reset_token_via(&self, forgot_path: &str, email: &str) -> String {
        let seen = self.mails_to(email).len();
        let res = self.post(forgot_path, &[("email", email)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mail = self.next_mail_to(email, seen).await;
        assert!(
            mail.subject.contains("Reset your password"),
            "{}",
            mail.subject
        );
        token_in(&mail.link_to("/reset-password"))
    }

    pub async fn reset_token(&self, email: &str) -> String {
        self.reset_token_via("/forgot-password", email).await
    }

    /// Signs in on an organization's own sign-in page.
    pub async fn sign_in_at(&self, slug: &str, email: &str, password: &str) -> Response {
        self.post(&format!("/o/{slug}/login"), &[("email", email)])
            .await;
        self.post(
            &format!("/o/{slug}/login/password"),
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Signs up on an organization's own sign-up page.
    pub async fn sign_up_at(
        &self,
        slug: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Response {
        let seen = self.mails_to(&email.trim().to_lowercase()).len();
        let fields = [("name", name), ("email", email), ("password", password)];
        let res = self.post(&format!("/o/{slug}/signup"), &fields).await;
        if res.status() == StatusCode::OK {
            self.await_mail(email, seen).await;
        }
        res
    }
}
