//! `/gaps` (admins only): the questions people in this server asked most that the article
//! could not answer, from the question log, shown privately.

use crate::bot::admin::require_admin;
use crate::bot::reply::send_to_interaction;
use crate::bot::{Context, Error};
use crate::render::embed::{self, Reply};
use crate::store::report::Filter;

/// Show this server's most frequent unanswered questions (admins only)
#[poise::command(slash_command, guild_only)]
pub async fn gaps(ctx: Context<'_>) -> Result<(), Error> {
    if !require_admin(ctx).await? {
        return Ok(());
    }
    let Some(store) = ctx.data().store.clone() else {
        let reply = Reply::text(
            "The question log is off (`[store] enabled = false`), so there is nothing to show.",
            true,
        );
        return send_to_interaction(ctx, &reply, None).await;
    };
    let filter = Filter {
        since: None,
        guild: ctx.guild_id().map(|g| g.get()),
    };
    let reply = match store.top_unanswered(filter).await {
        Ok(gaps) => {
            let gaps: Vec<(String, u64)> =
                gaps.into_iter().map(|g| (g.question, g.count)).collect();
            embed::gaps_reply(&gaps)
        }
        Err(error) => {
            tracing::warn!(%error, "cannot read the question log for /gaps");
            Reply::text(
                "I cannot read the question log right now; please try again later.",
                true,
            )
        }
    };
    send_to_interaction(ctx, &reply, None).await
}
