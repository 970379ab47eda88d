"""DuckDB storage: schema, validated build from CSV files, and read queries returning Polars frames."""
