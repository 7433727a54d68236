//! Fetching a page by URL (`reqwest`, rustls): a timeout on the whole request, a cap on the
//! body (checked against `Content-Length` and while streaming), HTML content types only,
//! and decoding by the declared charset.

use super::{ImportError, Limits, Page};

/// Content types accepted as web pages.
const HTML_TYPES: &[&str] = &["text/html", "application/xhtml+xml"];

/// Fetches `url` (following up to 5 redirects) within `limits`.
pub async fn fetch(url: &str, limits: &Limits) -> Result<Page, ImportError> {
    let failed = |err: reqwest::Error| ImportError::Fetch {
        url: url.to_string(),
        // The error chain ("error sending request: connection refused") in one line.
        message: error_chain(&err),
    };
    let client = reqwest::Client::builder()
        .timeout(limits.timeout)
        .connect_timeout(limits.timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .user_agent(concat!(
            "summit-bot/",
            env!("CARGO_PKG_VERSION"),
            " (article import)"
        ))
        .build()
        .map_err(failed)?;
    let mut response = client
        .get(url.trim())
        .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        return Err(ImportError::Status {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !HTML_TYPES.contains(&mime.as_str()) {
        return Err(ImportError::ContentType {
            url: url.to_string(),
            content_type: if content_type.is_empty() {
                "none".to_string()
            } else {
                content_type
            },
        });
    }
    let too_large = || ImportError::TooLarge {
        what: url.to_string(),
        max_bytes: limits.max_bytes,
    };
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(too_large());
    }
    let final_url = response.url().to_string();
    // The length header may be missing or wrong: count while reading.
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() as u64 + chunk.len() as u64 > limits.max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Page {
        html: decode(&body, charset(&content_type)),
        url: Some(final_url),
        what: url.to_string(),
    })
}

/// `charset=` from a Content-Type value.
fn charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// Decodes a page: a byte-order mark, else the declared charset, else UTF-8 when valid,
/// else a `charset=` in the first 1,024 bytes (the `<meta>` prescan), else windows-1252
/// (what browsers assume for unlabelled pages).
pub fn decode(bytes: &[u8], declared: Option<&str>) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    if let Some(encoding) = declared.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())) {
        return encoding.decode_without_bom_handling(bytes).0.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let encoding = head
        .find("charset=")
        .map(|i| {
            head[i + 8..]
                .trim_start_matches(['"', '\''])
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap_or("")
                .to_string()
        })
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::WINDOWS_1252);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_by_declared_charset_or_utf8_or_meta() {
        assert_eq!(decode("é".as_bytes(), None), "é");
        assert_eq!(
            decode(b"\x93q\x94", Some("windows-1252")),
            "\u{201c}q\u{201d}"
        );
        assert_eq!(
            decode(b"<meta charset=\"iso-8859-1\"><p>caf\xe9", None),
            "<meta charset=\"iso-8859-1\"><p>caf\u{e9}"
        );
        assert_eq!(decode(b"<p>\x93q\x94", None), "<p>\u{201c}q\u{201d}");
        assert_eq!(charset("text/html; charset=UTF-8"), Some("UTF-8"));
        assert_eq!(charset("text/html"), None);
    }
}
