DROP TABLE warnings;
