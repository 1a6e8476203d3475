DROP TABLE document_templates;
DROP TABLE document_counters;
DROP TABLE documents;
DROP FUNCTION documents_frozen();
