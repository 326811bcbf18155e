"""The REST API: Confluent Schema Registry's wire protocol at the root path."""
