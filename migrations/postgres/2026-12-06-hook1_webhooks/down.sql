DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE enterprise_api_keys;
