"""Schema-to-schema conversions: one schema's meaning written in another dialect or format.

Cloud registries accept fewer dialects than this one: EventBridge stores only JSON Schema
draft-04, so newer drafts are rewritten (``draft4``), and Avro can be described as the JSON Schema
of its plain JSON form (``avro_to_jsonschema``). A schema with no exact form in the other dialect
raises :class:`~registry.errors.NotConvertible` with the reason, rather than being written with a
looser meaning. The conversions read each format's own facts (the JSON Schema format's draft
detection, the Avro primitive table) instead of spelling them again.
"""
