-- The city's unified intake unit (Order 121 Art. 41) signs in with the role `dispatcher`.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'supervisor', 'mediator', 'analyst', 'enterprise', 'dispatcher'));
