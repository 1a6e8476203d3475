-- The rights holder (权利人) who reported counterfeits or infringement of its IP: a business
-- named by its USCC, with the person the bureau contacts. Read only by staff handling the
-- report; never by the reported business (Order 121 Art. 37) nor on any public page.
CREATE TABLE case_rights_holders (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL
);
