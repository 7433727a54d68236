//! The Discord token: read only from the environment (`DISCORD_TOKEN`, or a file named by
//! `DISCORD_TOKEN_FILE` for container secrets), checked for shape, and never printed.

use std::fmt;

/// Why no usable token was found. Messages never contain the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Neither variable is set.
    #[error("no Discord token: set DISCORD_TOKEN or DISCORD_TOKEN_FILE")]
    Missing,
    /// The token file could not be read.
    #[error("cannot read DISCORD_TOKEN_FILE ({0})")]
    File(String),
    /// The value does not look like a bot token.
    #[error("the Discord token from {0} is malformed (expected three dot-separated parts)")]
    Malformed(&'static str),
}

/// A bot token. `Debug` and `Display` print a placeholder, never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Token {
    /// The raw value, for handing to serenity only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Checks the shape of a raw value.
    pub fn parse(raw: &str, source: &'static str) -> Result<Token, TokenError> {
        let value = raw.trim();
        let value = value.strip_prefix("Bot ").unwrap_or(value);
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            return Err(TokenError::Malformed(source));
        }
        serenity::utils::token::validate(value).map_err(|_| TokenError::Malformed(source))?;
        Ok(Token(value.to_string()))
    }

    /// Reads the token from `DISCORD_TOKEN`, else from the file `DISCORD_TOKEN_FILE` names.
    pub fn from_env() -> Result<Token, TokenError> {
        if let Ok(raw) = std::env::var("DISCORD_TOKEN") {
            return Token::parse(&raw, "DISCORD_TOKEN");
        }
        if let Some(path) = std::env::var_os("DISCORD_TOKEN_FILE") {
            let raw = std::fs::read_to_string(&path)
                .map_err(|e| TokenError::File(e.kind().to_string()))?;
            return Token::parse(&raw, "DISCORD_TOKEN_FILE");
        }
        Err(TokenError::Missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";

    #[test]
    fn accepts_well_formed_and_strips_bot_prefix() {
        assert_eq!(
            Token::parse(&format!("Bot {FAKE}\n"), "DISCORD_TOKEN")
                .unwrap()
                .expose(),
            FAKE
        );
    }

    #[test]
    fn rejects_malformed_without_echoing_it() {
        let err = Token::parse("not-a-token", "DISCORD_TOKEN").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Discord token from DISCORD_TOKEN is malformed (expected three dot-separated parts)"
        );
    }

    #[test]
    fn debug_and_display_redact() {
        let token = Token::parse(FAKE, "DISCORD_TOKEN").unwrap();
        assert_eq!(format!("{token:?} {token}"), "Token(<redacted>) <redacted>");
    }
}
