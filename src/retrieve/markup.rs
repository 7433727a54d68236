//! Question normalisation: removes the chat markup people type around a question (user, role
//! and channel mentions, custom emoji, timestamps, formatting characters) before analysis, so
//! what is ranked is plain words. Questions arrive from Discord and from the console alike; this
//! reads text only and knows no Discord types. It is the one place below `render` that knows
//! Discord's markup syntax (see the crate documentation).

/// Strips mentions (`<@1>`, `<@!1>`, `<@&1>`, `<#1>`), custom emoji (`<:name:1>`,
/// `<a:name:1>`), timestamps (`<t:1:R>`), and formatting (`**`, `__`, `*`, `_`, `~~`,
/// `||`, backticks, quote markers).
pub fn strip_discord_markup(text: &str) -> std::borrow::Cow<'_, str> {
    const MARKUP: &[char] = &['<', '*', '_', '~', '|', '`', '>'];
    if !text.contains(MARKUP) {
        // Most questions are plain words: nothing to copy.
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        match tail.find('>') {
            Some(close) if is_discord_entity(&tail[1..close]) => {
                out.push(' ');
                rest = &tail[close + 1..];
            }
            _ => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    let cleaned: String = out
        .chars()
        .map(|c| match c {
            '*' | '_' | '~' | '|' | '`' | '>' => ' ',
            c => c,
        })
        .collect();
    std::borrow::Cow::Owned(cleaned)
}

/// The inside of `<…>` is a Discord entity: a mention, an emoji or a timestamp.
fn is_discord_entity(inner: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.len() <= 24 && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(id) = inner
        .strip_prefix("@!")
        .or_else(|| inner.strip_prefix("@&"))
        .or_else(|| inner.strip_prefix('@'))
        .or_else(|| inner.strip_prefix('#'))
    {
        return digits(id);
    }
    if let Some(emoji) = inner.strip_prefix("a:").or_else(|| inner.strip_prefix(':')) {
        return emoji
            .rsplit_once(':')
            .is_some_and(|(name, id)| !name.is_empty() && name.len() <= 32 && digits(id));
    }
    if let Some(stamp) = inner.strip_prefix("t:") {
        let number = stamp.split(':').next().unwrap_or("");
        return digits(number.trim_start_matches('-'));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        strip_discord_markup(text)
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn removes_mentions_emoji_and_timestamps() {
        assert_eq!(
            words("<@123> <@!456> <@&7> <#89> hi <:pog:1234> <a:dance:55> at <t:1600000000:R>"),
            vec!["hi", "at"]
        );
    }

    #[test]
    fn removes_formatting_but_keeps_words() {
        assert_eq!(
            words("**bold** _it_ `code` ~~gone~~ ||spoiler|| > quoted"),
            vec!["bold", "it", "code", "gone", "spoiler", "quoted"]
        );
    }

    #[test]
    fn leaves_ordinary_angle_brackets() {
        assert_eq!(
            words("a < b and <not a mention>"),
            vec!["a", "<", "b", "and", "<not", "a", "mention"]
        );
    }
}
