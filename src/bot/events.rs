//! Gateway events that are not commands: questions in chat (mentions, DMs, answer channels),
//! edits of those questions, and the answer buttons. [`answer_message`] is the one path of a
//! chat question, live or found by the catch-up ([`super::catch_up`]).

use std::time::Instant;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::{CreateInteractionResponse, FullEvent, Interaction};
use tracing::{debug, warn};

use super::answering::{
    answer_in, answer_question, count_error, log_answer, new_answer_id, rate_check, reply_for,
    reply_in, slow_down_reply, Outcome, Question,
};
use super::conversations;
use super::limiter::Verdict;
use super::reply::{
    edit_message, interaction_message, send_to_channel, send_to_thread, with_retries,
};
use super::sessions::{custom_id, TrackedReply};
use super::{Data, Error};
use crate::render::embed::{self, Reply};
use crate::source::Source;
use crate::store::channels::Cursor;

/// Entry point for every gateway event poise hands us.
pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data().await;
    match event {
        FullEvent::Message { new_message } => {
            on_message(ctx, new_message, framework.bot_id(), data).await
        }
        FullEvent::MessageUpdate { event, .. } => {
            on_edit(ctx, event, framework.bot_id(), data).await
        }
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(component),
        } => on_button(ctx, component, data).await,
        _ => Ok(()),
    }
}

/// The question in a message addressed to the bot, or `None` if the bot should stay quiet.
pub fn question_in(
    content: &str,
    mentions_bot: bool,
    is_dm: bool,
    in_answer_channel: bool,
    bot_id: serenity::UserId,
) -> Option<String> {
    if !(mentions_bot || is_dm || in_answer_channel) {
        return None;
    }
    let id = bot_id.get();
    let question = content
        .replace(&format!("<@{id}>"), " ")
        .replace(&format!("<@!{id}>"), " ");
    Some(question.trim().to_string())
}

/// Whether a message replies to one of the bot's: that addresses the bot, mention or not.
fn replies_to_bot(message: &serenity::Message, bot_id: serenity::UserId) -> bool {
    message
        .referenced_message
        .as_ref()
        .is_some_and(|m| m.author.id == bot_id)
}

fn mentions(content: &str, mentioned: &[serenity::User], bot_id: serenity::UserId) -> bool {
    let id = bot_id.get();
    mentioned.iter().any(|u| u.id == bot_id)
        || content.contains(&format!("<@{id}>"))
        || content.contains(&format!("<@!{id}>"))
}

async fn on_message(
    ctx: &serenity::Context,
    message: &serenity::Message,
    bot_id: serenity::UserId,
    data: &Data,
) -> Result<(), Error> {
    answer_message(ctx, message, bot_id, data, Via::Gateway)
        .await
        .map(|_| ())
}

/// How a chat message reached [`answer_message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Delivered by the gateway as it was posted.
    Gateway,
    /// Found by the catch-up after a start or a fresh IDENTIFY: answered late, with a note,
    /// and waiting for the rate limit instead of being refused by it.
    CatchUp,
}

/// What [`answer_message`] did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Not a question for the bot (or one it has already taken on).
    Ignored,
    /// Answered (a passage, "no good answer", or a notice such as "too long").
    Replied,
    /// A question in an answer channel that the bot left alone (no answer, not clearly a
    /// question).
    Quiet,
    /// The rate limit refused it.
    Throttled,
}

/// The question in `message` if it is addressed to the bot (a mention, a reply to the bot, a
/// DM, a message in a channel that answers every message or in a thread the bot answered in)
/// and from a person.
pub fn question_for_bot(
    message: &serenity::Message,
    bot_id: serenity::UserId,
    data: &Data,
) -> Option<String> {
    if message.author.bot || message.author.id == bot_id || message.webhook_id.is_some() {
        return None;
    }
    let channel = message.channel_id.get();
    let in_thread = data.conversations.lock().is_thread(channel, Instant::now());
    let addressed =
        mentions(&message.content, &message.mentions, bot_id) || replies_to_bot(message, bot_id);
    let answers_all = data.channels.answers_all(channel);
    let question = question_in(
        &message.content,
        addressed,
        message.guild_id.is_none(),
        answers_all || in_thread,
        bot_id,
    )?;
    // A message in the bot's thread that does not mention it arrives without text when the
    // bot did not ask for message text (threads turned on by `/channel` since the start), and
    // an image alone is no question either: nothing to answer, and no reply asking for one.
    if question.is_empty() && in_thread && !addressed && !answers_all {
        return None;
    }
    Some(question)
}

/// The one path of a chat question (a mention, a DM, an answer-channel message), live or
/// from the catch-up: filters, the rate check, the answer, the reply, the question log and
/// the metrics. A failure is counted as an error of the question's source.
pub async fn answer_message(
    ctx: &serenity::Context,
    message: &serenity::Message,
    bot_id: serenity::UserId,
    data: &Data,
    via: Via,
) -> Result<Handled, Error> {
    let mut source = None;
    let result = answer_message_inner(ctx, message, bot_id, data, via, &mut source).await;
    if let (Err(_), Some(source)) = (&result, source) {
        count_error(source);
    }
    result
}

/// [`answer_message`]'s work; sets `source` once the message is known to be a question. A
/// question is read with its conversation's last exchange
/// ([`conversations::Conversations`]), and where threads are on (`[discord] threads`, or
/// `/channel threads` for the channel) a new question is answered in a thread started from it.
async fn answer_message_inner(
    ctx: &serenity::Context,
    message: &serenity::Message,
    bot_id: serenity::UserId,
    data: &Data,
    via: Via,
    source: &mut Option<Source>,
) -> Result<Handled, Error> {
    let Some(question) = question_for_bot(message, bot_id, data) else {
        return Ok(Handled::Ignored);
    };
    let channel = message.channel_id.get();
    let guild = message.guild_id.map(|g| g.get());
    if via == Via::Gateway {
        // The newest message seen here: a catch-up after a restart reads on from it.
        if let Some(store) = &data.store {
            store.record_cursor(Cursor {
                channel,
                guild,
                last_message: message.id.get(),
            });
        }
    }
    // Live and catch-up may both meet a question posted around a READY: the first takes it.
    if !data.claimed.lock().claim(message.id.get()) {
        return Ok(Handled::Ignored);
    }
    let mentioned =
        mentions(&message.content, &message.mentions, bot_id) || replies_to_bot(message, bot_id);
    let is_dm = guild.is_none();
    let in_thread = data.conversations.lock().is_thread(channel, Instant::now());
    // In an answer channel, chatter that is not addressed to the bot gets an answer only when
    // there is one, or when it was clearly a question.
    let addressed = mentioned || is_dm || in_thread || question.contains('?');
    let started = Instant::now();
    let chat = match via {
        Via::Gateway => chat_source(is_dm, mentioned),
        Via::CatchUp => Source::CatchUp,
    };
    *source = Some(chat);
    let mut asked = Question {
        text: &question,
        source: chat,
        guild,
        channel,
        user: message.author.id.get(),
        answer_id: None,
    };
    let verdict = match via {
        Via::Gateway => rate_check(data, message.author.id.get(), channel),
        Via::CatchUp => wait_for_rate(data, message.author.id.get(), channel).await,
    };
    if verdict != Verdict::Allow && addressed {
        log_answer(data, &asked, None, started);
    }
    match (verdict, via) {
        (Verdict::Allow, _) => {}
        (Verdict::SlowDown, Via::Gateway) => {
            send_to_channel(ctx, message, &slow_down_reply(false), None).await?;
            return Ok(Handled::Throttled);
        }
        _ => return Ok(Handled::Throttled),
    }
    let _answering = data.in_flight.enter();
    let place = conversations::Asked {
        channel,
        user: message.author.id.get(),
        reply_to: [
            message
                .message_reference
                .as_ref()
                .and_then(|r| r.message_id)
                .map(|m| m.get()),
            message
                .referenced_message
                .as_ref()
                .and_then(|m| m.message_reference.as_ref())
                .and_then(|r| r.message_id)
                .map(|m| m.get()),
        ],
    };
    // A late question (catch-up) is read on its own: its conversation has moved on.
    let previous = match via {
        Via::Gateway => data.conversations.lock().context(&place, Instant::now()),
        Via::CatchUp => None,
    };
    let (outcome, turn) = answer_in(data, &question, channel, previous).await?;
    let quiet = !addressed
        && match &outcome {
            Outcome::Answered(response) => response.answer.is_none(),
            Outcome::Empty => true,
            Outcome::TooLong { .. } => false,
        };
    if quiet {
        return Ok(Handled::Quiet);
    }
    asked.answer_id = new_answer_id(data);
    let (reply, key) = reply_in(data, &outcome, turn.as_ref(), false, asked.answer_id);
    let reply = match via {
        Via::Gateway => reply,
        Via::CatchUp => embed::late(reply),
    };
    // A new question (not one in a thread, not a DM) opens a thread when configured.
    let thread = if via == Via::Gateway
        && !is_dm
        && !in_thread
        && turn.is_some()
        && data.channels.threads(channel)
    {
        start_thread(ctx, message, &question, data).await
    } else {
        None
    };
    // Remembered before the reply goes out: the next question may follow it at once.
    if let Some(turn) = &turn {
        let now = Instant::now();
        let mut conversations = data.conversations.lock();
        let messages = [message.id.get()];
        if let Some(thread) = thread {
            conversations.add_thread(thread.get(), now);
            let in_thread = conversations::Asked {
                channel: thread.get(),
                ..place
            };
            conversations.record(&in_thread, &messages, turn.clone(), now);
        }
        conversations.record(&place, &messages, turn.clone(), now);
    }
    data.sessions.lock().begin(message.id.get());
    let sent = match thread {
        Some(thread) => send_to_thread(ctx, thread, &reply, key).await,
        None => send_to_channel(ctx, message, &reply, key).await,
    };
    {
        let mut sessions = data.sessions.lock();
        sessions.finish(message.id.get());
        if let Ok(sent) = &sent {
            sessions.track(
                message.id.get(),
                TrackedReply {
                    channel: sent.channel_id.get(),
                    message: sent.id.get(),
                },
            );
        }
    }
    let sent = sent?;
    if let Some(turn) = turn {
        data.conversations
            .lock()
            .record_message(sent.id.get(), turn, Instant::now());
    }
    log_answer(data, &asked, Some(&outcome), started);
    Ok(Handled::Replied)
}
/// Discord's longest channel (thread) name.
const THREAD_NAME_CHARS: usize = 100;

/// Starts a public thread from the question message, named after the question, or `None`
/// when that fails: the answer then goes to the channel. A missing permission is logged
/// once per run and not asked again in that channel (it will not fix itself), any other
/// failure each time.
async fn start_thread(
    ctx: &serenity::Context,
    message: &serenity::Message,
    question: &str,
    data: &Data,
) -> Option<serenity::ChannelId> {
    if data.no_threads.lock().contains(&message.channel_id.get()) {
        return None;
    }
    let name = crate::text::truncate_words(question.trim(), THREAD_NAME_CHARS);
    let builder = serenity::CreateThread::new(name).kind(serenity::ChannelType::PublicThread);
    let created = with_retries("start thread", || {
        message
            .channel_id
            .create_thread_from_message(&ctx.http, message.id, builder.clone())
    })
    .await;
    match created {
        Ok(thread) => Some(thread.id),
        Err(failed) if matches!(failed.error.status(), Some(403)) => {
            let first = {
                let mut refused = data.no_threads.lock();
                let first = refused.is_empty();
                refused.insert(message.channel_id.get());
                first
            };
            if first {
                warn!(
                    channel = %message.channel_id,
                    error = %failed.error,
                    "cannot start threads (grant Create Public Threads and Send Messages in \
                     Threads); answering in the channel"
                );
            }
            None
        }
        Err(failed) => {
            warn!(error = %failed, "cannot start a thread; answering in the channel");
            None
        }
    }
}

/// Longest a catch-up question waits for the rate limit (the asker has waited already; a
/// burst of late questions should go out at the normal pace, not be refused).
const CATCH_UP_RATE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The rate check for a late question: waits for the buckets to refill, up to
/// [`CATCH_UP_RATE_WAIT`].
async fn wait_for_rate(data: &Data, user: u64, channel: u64) -> Verdict {
    let deadline = Instant::now() + CATCH_UP_RATE_WAIT;
    loop {
        let verdict = rate_check(data, user, channel);
        if verdict == Verdict::Allow || Instant::now() >= deadline {
            return verdict;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// How a chat question reached the bot.
fn chat_source(is_dm: bool, mentioned: bool) -> Source {
    if is_dm {
        Source::Dm
    } else if mentioned {
        Source::Mention
    } else {
        Source::Channel
    }
}

/// The reply to a question, waiting (briefly) if that reply is still being sent: an edit can
/// arrive while the first answer is in flight.
async fn tracked_reply(data: &Data, question: u64) -> Option<TrackedReply> {
    for _ in 0..100 {
        let (tracked, pending) = {
            let sessions = data.sessions.lock();
            (sessions.reply_to(question), sessions.is_pending(question))
        };
        if tracked.is_some() || !pending {
            return tracked;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    None
}

/// An edited question re-answers into the bot's existing reply.
async fn on_edit(
    ctx: &serenity::Context,
    event: &serenity::MessageUpdateEvent,
    bot_id: serenity::UserId,
    data: &Data,
) -> Result<(), Error> {
    let Some(content) = &event.content else {
        return Ok(()); // embed-only update (link previews)
    };
    if event
        .author
        .as_ref()
        .is_some_and(|a| a.bot || a.id == bot_id)
    {
        return Ok(());
    }
    let Some(tracked) = tracked_reply(data, event.id.get()).await else {
        debug!(message = %event.id, "edit of a message the bot did not answer");
        return Ok(());
    };
    let question = question_in(content, true, false, false, bot_id).unwrap_or_default();
    let user = event.author.as_ref().map_or(0, |a| a.id.get());
    if rate_check(data, user, event.channel_id.get()) != Verdict::Allow {
        return Ok(());
    }
    let started = Instant::now();
    let source = chat_source(
        event.guild_id.is_none(),
        !data.channels.answers_all(event.channel_id.get()),
    );
    let outcome = answer_question(data, &question, event.channel_id.get())
        .await
        .inspect_err(|_| count_error(source))?;
    let asked = Question {
        text: &question,
        source,
        guild: event.guild_id.map(|g| g.get()),
        channel: event.channel_id.get(),
        user,
        answer_id: new_answer_id(data),
    };
    let (reply, key) = reply_for(data, &outcome, false, asked.answer_id);
    let channel = serenity::ChannelId::new(tracked.channel);
    let message = serenity::MessageId::new(tracked.message);
    with_retries("edit reply", || {
        channel.edit_message(&ctx.http, message, edit_message(&reply, key))
    })
    .await
    .inspect_err(|_| count_error(source))
    .with_context(|| format!("cannot edit reply {message} after a question edit"))?;
    log_answer(data, &asked, Some(&outcome), started);
    Ok(())
}

/// "Next match" and "Post publicly".
async fn on_button(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let Some(parsed) = custom_id::parse(&component.data.custom_id) else {
        // Discord sends a click only to the app that made the button: one from an older
        // version, or a malformed id. It still gets its response (no "did not respond").
        debug!(custom_id = %component.data.custom_id, "unknown button");
        let reply = Reply::text("This button no longer works. Ask again with `/ask`.", true);
        let response = CreateInteractionResponse::Message(interaction_message(&reply, None, 0));
        if let Err(error) = with_retries("button response", || {
            component.create_response(&ctx.http, response.clone())
        })
        .await
        {
            warn!(%error, "cannot answer a button click");
        }
        return Ok(());
    };
    let (key, shown) = match parsed {
        custom_id::Parsed::Next { key, shown } | custom_id::Parsed::Public { key, shown } => {
            (key, shown)
        }
        custom_id::Parsed::Vote { answer, helpful } => {
            return on_vote(ctx, component, data, answer, helpful).await;
        }
    };
    let (stored, answer_id) = {
        let sessions = data.sessions.lock();
        (sessions.get(key), sessions.answer_id(key))
    };
    let feedback = |reply: Reply| match answer_id {
        Some(id) => embed::with_feedback(reply, id),
        None => reply,
    };
    let response = match stored {
        Some(response) => {
            let was_ephemeral = component
                .message
                .flags
                .is_some_and(|f| f.contains(serenity::MessageFlags::EPHEMERAL));
            match parsed {
                custom_id::Parsed::Next { .. } => {
                    let reply = feedback(embed::answer_reply(&response, shown, was_ephemeral));
                    CreateInteractionResponse::UpdateMessage(interaction_message(
                        &reply,
                        Some(key),
                        shown,
                    ))
                }
                custom_id::Parsed::Public { .. } | custom_id::Parsed::Vote { .. } => {
                    let reply = feedback(embed::answer_reply(&response, shown, false));
                    CreateInteractionResponse::Message(interaction_message(
                        &reply,
                        Some(key),
                        shown,
                    ))
                }
            }
        }
        None => {
            let reply = Reply::text("This answer has expired. Ask again with `/ask`.", true);
            CreateInteractionResponse::Message(interaction_message(&reply, None, 0))
        }
    };
    if let Err(error) = with_retries("button response", || {
        component.create_response(&ctx.http, response.clone())
    })
    .await
    {
        warn!(%error, "cannot answer a button click");
    }
    Ok(())
}

/// "Helpful" / "Not helpful": records the clicker's vote (a second click replaces it) and
/// thanks them privately; the answer itself stays as it is.
async fn on_vote(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    data: &Data,
    answer: u64,
    helpful: bool,
) -> Result<(), Error> {
    let reply = match &data.store {
        Some(store) => {
            store.record_vote(
                answer,
                component.user.id.get(),
                helpful,
                component.guild_id.map(|g| g.get()),
            );
            embed::vote_thanks(helpful)
        }
        None => Reply::text("Votes are not being recorded right now.", true),
    };
    let response = CreateInteractionResponse::Message(interaction_message(&reply, None, 0));
    if let Err(error) = with_retries("vote response", || {
        component.create_response(&ctx.http, response.clone())
    })
    .await
    {
        warn!(%error, "cannot answer a vote");
    }
    Ok(())
}
