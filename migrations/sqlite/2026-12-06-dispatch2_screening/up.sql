-- Order 121 Art. 17 screening flags, found at intake and read only by the staff handling the
-- case; and the purchase quantity they are partly judged from.
CREATE TABLE case_screening (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    factors TEXT NOT NULL,
    purchase_quantity INTEGER CHECK (purchase_quantity >= 0)
);
-- The same complainant by ID number or address, newest cases first (the phone has its index).
CREATE INDEX case_parties_id_number_case ON case_parties (id_number, role, case_id);
CREATE INDEX case_parties_address_case ON case_parties (address, role, case_id);
