//! The mini-program reports the subscription templates a consumer accepted
//! (`wx.requestSubscribeMessage`): each becomes one grant, used by one message.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::ServiceError;
use crate::notify::wechat;
use crate::store::{Db, wechat_grants};

/// Most template ids in one report (WeChat asks for at most three at a time).
pub const MAX_PER_REPORT: usize = 10;
/// Unused grants kept per consumer and template; more are not recorded.
pub const MAX_UNUSED: i64 = 50;

/// Records the grants and returns the unused grants per reported template. Template ids the
/// bureau did not configure are refused: no message would ever use them.
pub fn record(
    conn: &mut Db,
    notices: Option<&wechat::WechatNotices>,
    openid: &str,
    template_ids: &[String],
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, i64>, ServiceError> {
    if template_ids.is_empty() || template_ids.len() > MAX_PER_REPORT {
        return Err(ServiceError::invalid_field(
            "template_ids",
            "template_ids_count",
            format!("请提交 1 至 {MAX_PER_REPORT} 个订阅消息模板"),
        ));
    }
    if let Some(unknown) = template_ids
        .iter()
        .find(|t| !wechat::is_template(notices, t))
    {
        return Err(ServiceError::invalid_field(
            "template_ids",
            "template_unknown",
            format!(
                "未配置的订阅消息模板：{}",
                unknown.chars().take(64).collect::<String>()
            ),
        ));
    }
    conn.transaction(|conn| {
        let mut unused = BTreeMap::new();
        for id in template_ids {
            let mut count = wechat_grants::unused(conn, openid, id)?;
            if count < MAX_UNUSED {
                wechat_grants::record(conn, openid, id, now.naive_utc())?;
                count += 1;
            }
            unused.insert(id.clone(), count);
        }
        Ok(unused)
    })
}
