//! Organizations as their people see them: the picker, an organization's own pages under
//! `/o/{slug}`, founding one at `/signup/organization`, and accepting an invitation.
pub mod admin;
pub mod brand;
pub mod home;
pub mod invitations;
pub mod picker;
pub mod signup;

use actix_web::web;

use super::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::Orgs.pattern(), web::get().to(picker::get))
        .route(Urls::OrgSwitch.pattern(), web::post().to(picker::switch))
        .service(
            web::resource(Urls::OrgSignUp.pattern())
                .get(signup::get)
                .post(signup::post),
        )
        .service(
            web::resource(Urls::Invitation.pattern())
                .get(invitations::get)
                .post(invitations::post),
        )
        .route(Urls::OrgHome.pattern(), web::get().to(home::home))
        .route(Urls::OrgMembers.pattern(), web::get().to(home::members))
        .route(Urls::OrgBrandCss.pattern(), web::get().to(brand::css))
        .route(Urls::OrgLogo.pattern(), web::get().to(brand::logo))
        .route(Urls::OrgLeave.pattern(), web::post().to(picker::leave))
        .configure(admin::configure);
}
