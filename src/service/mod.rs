//! Service parts beside the front ends, free of Discord types: the process-wide metrics
//! ([`metrics`]), the health state the bot reports into ([`health`]) and the HTTP endpoint
//! that serves both ([`http`]). The bot feeds them; the core never sees them.

pub mod health;
pub mod http;
pub mod metrics;
