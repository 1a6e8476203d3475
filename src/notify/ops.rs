//! `odrdesk outbox …`: inspect and flush the outbox (every channel) of a (possibly running)
//! server.

use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::channel::{Channel, Channels};
use super::sender::{BATCH, deliver_due};
use crate::config::Settings;
use crate::store::outbox::{self, ChannelStats, OutboxRow};
use crate::store::{self, Db, StoreError};

#[derive(Debug, Clone, Subcommand)]
pub enum OutboxCommand {
    /// Show per channel how many messages wait, were sent or were given up (dead letters),
    /// how old the oldest waiting one is, and list the dead letters and the latest waiting.
    Status {
        /// Also list messages already sent.
        #[arg(long)]
        all: bool,
        /// How many messages to list.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Send every message that is due now, then exit.
    Send,
}

/// Runs an outbox subcommand against the data in `settings`; `now` is the time to send at.
pub fn run(settings: &Settings, command: &OutboxCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let pool = store::connect(&settings.database, 2)?;
    store::migrate(&mut *pool.get().map_err(StoreError::from)?)?;
    match command {
        OutboxCommand::Status { all, limit } => {
            let mut conn = pool.get().map_err(StoreError::from)?;
            print!("{}", status_report(&mut conn, *all, (*limit).max(0), now)?);
            Ok(())
        }
        OutboxCommand::Send => {
            let channels = Channels::from_settings(settings)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let mut total = super::DeliveryReport::default();
            runtime.block_on(async {
                loop {
                    let report = deliver_due(&pool, &channels, now, BATCH).await?;
                    total.sent += report.sent;
                    total.failed += report.failed;
                    total.deferred += report.deferred;
                    total.dead += report.dead;
                    if report.handled() < BATCH {
                        return anyhow::Ok(());
                    }
                }
            })?;
            let mut conn = pool.get().map_err(StoreError::from)?;
            let pending = outbox::pending_count(&mut conn).map_err(StoreError::from)?;
            println!(
                "已发送 {} 条，失败 {} 条（稍后重试），限频推迟 {} 条，放弃 {} 条，待发送 {pending} 条；发送方式：{}",
                total.sent,
                total.failed,
                total.deferred,
                total.dead,
                channels.describe()
            );
            Ok(())
        }
    }
}

/// The text of `odrdesk outbox status`.
pub fn status_report(
    conn: &mut Db,
    all: bool,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let mut out = String::new();
    for channel in Channel::ALL {
        let stats = outbox::channel_stats(conn, channel)?;
        out.push_str(&stats_line(channel, &stats, now));
        out.push('\n');
    }
    let dead = outbox::dead_letters(conn, limit)?;
    if !dead.is_empty() {
        out.push_str("死信（已放弃发送）：\n");
        for row in &dead {
            out.push_str(&status_line(row));
            out.push('\n');
        }
    }
    let rows = outbox::list(conn, !all, limit)?;
    if !rows.is_empty() {
        out.push_str(if all {
            "最近的消息：\n"
        } else {
            "待发送：\n"
        });
        for row in rows.iter().filter(|r| all || r.dead_at.is_none()) {
            out.push_str(&status_line(row));
            out.push('\n');
        }
    }
    Ok(out)
}

fn stats_line(channel: Channel, stats: &ChannelStats, now: DateTime<Utc>) -> String {
    let oldest = match stats.oldest_pending {
        Some(at) => {
            let age = (now.naive_utc() - at).num_seconds().max(0);
            format!("，最早待发送的已等待 {} 分 {} 秒", age / 60, age % 60)
        }
        None => String::new(),
    };
    format!(
        "{}（{}）：待发送 {}，已发送 {}，死信 {}{oldest}",
        channel.label_zh(),
        channel.as_str(),
        stats.pending,
        stats.sent,
        stats.dead
    )
}

fn status_line(row: &OutboxRow) -> String {
    let state = match (row.sent_at, row.dead_at, &row.last_error) {
        (Some(at), _, _) => format!("已发送 {at}"),
        (None, Some(at), error) => {
            format!("已放弃 {at}，最近错误：{}", error.as_deref().unwrap_or("-"))
        }
        (None, None, Some(error)) => format!("待重试 {}，最近错误：{error}", row.next_attempt_at),
        (None, None, None) => format!("待发送 {}", row.next_attempt_at),
    };
    let to = match row.channel() {
        Some(Channel::Sms) => crate::domain::mask::mask_phone(&row.to_addr),
        _ => row.to_addr.clone(),
    };
    format!(
        "#{} [{}] {} → {to} 尝试{}次 {state}",
        row.id, row.channel, row.dedupe_key, row.attempts
    )
}
