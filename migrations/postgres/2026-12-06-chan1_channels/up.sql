-- Notification channels: an outbox row is an e-mail (as before), an SMS or a WeChat
-- subscription message. `to_addr` is the address, phone number or openid; `payload` holds
-- the channel's JSON (SMS: template key and ordered parameters; WeChat: template, page and
-- data), `subject` names the notice kind for non-mail rows. A row that failed too often is
-- dead-lettered (`dead_at`); a login code that was not sent in time expires (`expires_at`).
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE outbox ADD COLUMN payload TEXT;
ALTER TABLE outbox ADD COLUMN dead_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN expires_at TIMESTAMP;
CREATE INDEX outbox_recipient ON outbox (channel, to_addr, sent_at);

-- Whether the complainant or reporter asked to hear of the case by SMS (用短信通知我办理进展).
-- Parties stored before the question existed were never asked: no SMS for them.
ALTER TABLE case_parties ADD COLUMN sms_notices BOOLEAN NOT NULL DEFAULT FALSE;

-- One-time WeChat subscription grants (wx.requestSubscribeMessage): one row per accepted
-- template; sending a subscription message consumes one unused grant.
CREATE TABLE wechat_grants (
    id BIGSERIAL PRIMARY KEY,
    openid TEXT NOT NULL,
    template_id TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX wechat_grants_open ON wechat_grants (openid, template_id, used_at);
