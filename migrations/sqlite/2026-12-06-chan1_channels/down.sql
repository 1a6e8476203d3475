DROP TABLE wechat_grants;
ALTER TABLE case_parties DROP COLUMN sms_notices;
DROP INDEX outbox_recipient;
ALTER TABLE outbox DROP COLUMN expires_at;
ALTER TABLE outbox DROP COLUMN dead_at;
ALTER TABLE outbox DROP COLUMN payload;
ALTER TABLE outbox DROP COLUMN channel;
