//! The platform operator's portal under `/admin` (organizations, applications, users, imports,
//! the audit log), and the one-time link that creates the first operator.
pub mod apps;
pub mod directory;
pub mod home;
pub mod imports;
pub mod legacy;
pub mod orgs;
pub mod setup;

use actix_web::web;

use super::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::Operator.pattern(), web::get().to(home::get))
        .route(Urls::OperatorOrgs.pattern(), web::get().to(orgs::list))
        .service(
            web::resource(Urls::OperatorNewOrg.pattern())
                .get(orgs::new_form)
                .post(orgs::create),
        )
        .route(Urls::OperatorOrg.pattern(), web::get().to(orgs::show))
        .route(
            Urls::OperatorSuspend.pattern(),
            web::post().to(orgs::suspend),
        )
        .route(
            Urls::OperatorOrgLanding.pattern(),
            web::post().to(orgs::set_landing),
        )
        .route(
            Urls::OperatorReactivate.pattern(),
            web::post().to(orgs::reactivate),
        )
        .route(
            Urls::OperatorInvite.pattern(),
            web::post().to(orgs::invite_owner),
        )
        .route(
            Urls::OperatorUsers.pattern(),
            web::get().to(directory::users),
        )
        .route(
            Urls::OperatorBlockUser.pattern(),
            web::post().to(directory::block),
        )
        .route(
            Urls::OperatorUnblockUser.pattern(),
            web::post().to(directory::unblock),
        )
        .route(
            Urls::OperatorAudit.pattern(),
            web::get().to(directory::audit),
        )
        .configure(apps::configure)
        .configure(imports::configure)
        .configure(legacy::configure)
        .service(
            web::resource(Urls::OperatorSetup.pattern())
                .get(setup::get)
                .post(setup::post),
        );
}
