"""JSON Schemas of the streams, one data file each, read by the SDK's `SchemaDirectory`."""
