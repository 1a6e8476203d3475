DROP TABLE work_order_imports;
