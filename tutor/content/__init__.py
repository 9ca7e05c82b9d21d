"""The content pipeline, pure Python (no Flask, no database): strict YAML reading, the content
model, loading and hot reload, and the import/export formats in `transfer`."""
