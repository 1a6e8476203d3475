//! `odrdesk outbox …`: inspect and flush the mail outbox of a (possibly running) server.

use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::sender::{BATCH, MailTransport, deliver_due};
use crate::config::Settings;
use crate::store::outbox::{self, OutboxRow};
use crate::store::{self, StoreError};

#[derive(Debug, Clone, Subcommand)]
pub enum OutboxCommand {
    /// Show how many messages wait and list the latest ones.
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
            let pending = outbox::pending_count(&mut conn).map_err(StoreError::from)?;
            let rows = outbox::list(&mut conn, !all, (*limit).max(0)).map_err(StoreError::from)?;
            println!("待发送邮件：{pending} 封");
            for row in &rows {
                println!("{}", status_line(row));
            }
            Ok(())
        }
        OutboxCommand::Send => {
            let transport = MailTransport::from_settings(settings)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let mut total = super::DeliveryReport::default();
            runtime.block_on(async {
                loop {
                    let report = deliver_due(&pool, &transport, now, BATCH).await?;
                    total.sent += report.sent;
                    total.failed += report.failed;
                    if report.handled() < BATCH {
                        return anyhow::Ok(());
                    }
                }
            })?;
            let mut conn = pool.get().map_err(StoreError::from)?;
            let pending = outbox::pending_count(&mut conn).map_err(StoreError::from)?;
            println!(
                "已发送 {} 封，失败 {} 封（稍后重试），待发送 {pending} 封；发送方式：{}",
                total.sent,
                total.failed,
                transport.describe()
            );
            Ok(())
        }
    }
}

fn status_line(row: &OutboxRow) -> String {
    let state = match (row.sent_at, &row.last_error) {
        (Some(at), _) => format!("已发送 {at}"),
        (None, Some(error)) => format!("待重试 {}，最近错误：{error}", row.next_attempt_at),
        (None, None) => format!("待发送 {}", row.next_attempt_at),
    };
    format!(
        "#{} {} → {} 尝试{}次 {state}",
        row.id, row.dedupe_key, row.to_addr, row.attempts
    )
}
