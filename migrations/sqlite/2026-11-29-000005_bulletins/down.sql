DROP TABLE history_aggregates;
DROP TABLE bulletins;
