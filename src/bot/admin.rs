//! Who may run admin commands (`/gaps`, `/reload`): the application's owner (or its team
//! members, as poise fetches them at start) or a member holding a role listed in
//! `[discord] admin_roles`. Everyone else gets an ephemeral refusal.

use std::collections::HashSet;

use poise::serenity_prelude as serenity;

use super::reply::send_to_interaction;
use super::{Context, Error};
use crate::render::embed::Reply;

/// What non-admins see.
pub const REFUSAL: &str =
    "Only the bot's owner or members with an admin role can use this command.";

/// Whether a user is an admin: an owner, or a holder of one of `admin_roles`.
pub fn is_admin(
    user: serenity::UserId,
    owners: &HashSet<serenity::UserId>,
    member_roles: &[serenity::RoleId],
    admin_roles: &HashSet<u64>,
) -> bool {
    owners.contains(&user) || member_roles.iter().any(|r| admin_roles.contains(&r.get()))
}

/// Whether the command's author is an admin (nothing is sent).
pub async fn author_is_admin(ctx: Context<'_>) -> bool {
    let roles: Vec<serenity::RoleId> = ctx
        .author_member()
        .await
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    is_admin(
        ctx.author().id,
        &ctx.framework().options().owners,
        &roles,
        &ctx.data().admin_roles,
    )
}

/// Checks the command's author; a non-admin gets the ephemeral refusal and `Ok(false)`.
pub async fn require_admin(ctx: Context<'_>) -> Result<bool, Error> {
    let admin = author_is_admin(ctx).await;
    if !admin {
        send_to_interaction(ctx, &Reply::text(REFUSAL, true), None).await?;
    }
    Ok(admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_admin_role_holders_are_admins_others_are_not() {
        let owner = serenity::UserId::new(1);
        let member = serenity::UserId::new(2);
        let owners: HashSet<_> = [owner].into();
        let admin_roles: HashSet<u64> = [77].into();
        assert!(is_admin(owner, &owners, &[], &admin_roles));
        assert!(is_admin(
            member,
            &owners,
            &[serenity::RoleId::new(5), serenity::RoleId::new(77)],
            &admin_roles
        ));
        assert!(!is_admin(
            member,
            &owners,
            &[serenity::RoleId::new(5)],
            &admin_roles
        ));
        assert!(!is_admin(member, &owners, &[], &HashSet::new()));
    }
}
