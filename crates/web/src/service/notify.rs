//! Sending what the outbox holds. Case actions write their notices in the same transaction as
//! the change; this worker sends them afterwards and retries with growing pauses, so a message
//! is neither lost when a gateway is down nor sent for a change that was rolled back.
//!
//! Senders: e-mail over SMTP when a relay is configured, SMS through a webhook of the local SMS
//! gateway when one is configured; otherwise the message is written to the log (the default, so a
//! fresh installation loses nothing and needs no gateway).

use chrono::{DateTime, Utc};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use onewindow_store::{OutboxMessage, Store};
use serde::Deserialize;
use std::time::Duration;

/// Where messages go. Every field may be left out.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// SMTP relay host for e-mail (plain SMTP on a closed network, e.g. the government relay).
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    /// Sender address, e.g. `一窗通 <noreply@zwfw.example.gov.cn>`.
    pub smtp_from: Option<String>,
    /// The SMS gateway's webhook: receives `POST` JSON `{id, channel, recipient, subject, body}`
    /// and answers 2xx when it has taken the message.
    pub sms_webhook: Option<String>,
}

/// Pauses between attempts; after the last the message is marked failed.
const BACKOFF_MINUTES: [i64; 7] = [1, 5, 15, 60, 180, 360, 720];

pub struct Notifier {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, String)>,
    webhook: Option<(reqwest::Client, String)>,
}

impl Notifier {
    pub fn new(c: &NotifyConfig) -> Result<Notifier, String> {
        let smtp = match (&c.smtp_host, &c.smtp_from) {
            (Some(host), Some(from)) => {
                from.parse::<lettre::message::Mailbox>()
                    .map_err(|e| format!("smtp_from '{from}': {e}"))?;
                let t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(c.smtp_port.unwrap_or(25))
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                Some((t, from.clone()))
            }
            (Some(_), None) => return Err("smtp_host needs smtp_from".into()),
            _ => None,
        };
        let webhook = match &c.sms_webhook {
            Some(url) => {
                url::Url::parse(url).map_err(|e| format!("sms_webhook '{url}': {e}"))?;
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .map_err(|e| e.to_string())?;
                Some((client, url.clone()))
            }
            None => None,
        };
        Ok(Notifier { smtp, webhook })
    }

    /// Sends one message through the sender for its channel.
    pub async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        match (m.channel.as_str(), &self.smtp, &self.webhook) {
            ("email", Some((t, from)), _) => {
                let msg = Message::builder()
                    .from(from.parse().map_err(|e| format!("{e}"))?)
                    .to(m.recipient.parse().map_err(|e| format!("recipient: {e}"))?)
                    .subject(m.subject.clone())
                    .body(m.body.clone())
                    .map_err(|e| e.to_string())?;
                t.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
            }
            ("sms", _, Some((client, url))) => {
                let res = client
                    .post(url)
                    .json(&serde_json::json!({
                        "id": m.id,
                        "channel": m.channel,
                        "recipient": m.recipient,
                        "subject": m.subject,
                        "body": m.body,
                    }))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("gateway answered {}", res.status()))
                }
            }
            _ => {
                tracing::info!(
                    target: "onewindow::notify",
                    id = m.id,
                    channel = %m.channel,
                    recipient = %mask(&m.recipient),
                    subject = %m.subject,
                    body = %m.body,
                    "notice"
                );
                Ok(())
            }
        }
    }
}

/// Recipients in the log: enough to tell them apart, not enough to contact them.
fn mask(r: &str) -> String {
    if let Some((user, host)) = r.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{host}");
    }
    onewindow_core::validate::mobile::mask(r)
}

/// When to try again after `attempts` failed attempts; `None`: give up.
pub fn retry_at(now: DateTime<Utc>, attempts: i64) -> Option<DateTime<Utc>> {
    let i = usize::try_from(attempts).ok()?;
    BACKOFF_MINUTES
        .get(i)
        .map(|m| now + chrono::Duration::minutes(*m))
}

/// Sends what is due, each message taken for `lease` so that no other instance sends it too;
/// returns (sent, failed this round).
pub async fn run_once(
    store: &dyn Store,
    n: &Notifier,
    now: DateTime<Utc>,
    lease: Duration,
) -> (usize, usize) {
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(2));
    let due = match store.outbox_claim(now, until, 100).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the outbox");
            return (0, 0);
        }
    };
    let (mut sent, mut failed) = (0, 0);
    for m in due {
        let r = n.send(&m).await;
        let retry = if r.is_err() {
            retry_at(now, m.attempts)
        } else {
            None
        };
        match &r {
            Ok(()) => sent += 1,
            Err(e) => {
                failed += 1;
                tracing::warn!(id = m.id, error = %e, gives_up = retry.is_none(), "notice not sent");
            }
        }
        if let Err(e) = store.outbox_attempted(m.id, r, retry).await {
            tracing::error!(error = %e, "cannot record a sending attempt");
        }
    }
    (sent, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_give_up() {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
        assert_eq!(retry_at(t, 0), Some(t + chrono::Duration::minutes(1)));
        assert_eq!(retry_at(t, 6), Some(t + chrono::Duration::minutes(720)));
        assert_eq!(retry_at(t, 7), None);
    }

    #[test]
    fn logs_do_not_carry_whole_addresses() {
        assert_eq!(mask("13812345678"), "138****5678");
        assert_eq!(mask("li@example.com"), "l***@example.com");
    }

    #[test]
    fn configuration_is_checked() {
        assert!(
            Notifier::new(&NotifyConfig {
                smtp_host: Some("relay".into()),
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            Notifier::new(&NotifyConfig {
                sms_webhook: Some("not a url".into()),
                ..Default::default()
            })
            .is_err()
        );
        assert!(Notifier::new(&NotifyConfig::default()).is_ok());
    }
}
