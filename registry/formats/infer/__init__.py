"""Schemas from sample events, and the smallest widening of a schema that rejects some.

* :func:`infer_json_schema`: draft 2020-12 JSON Schema built with genson, with formats, enums
  and (on request) closed objects proposed only when every sample agrees (``json_schema``);
* :func:`infer_avro`: an Avro record read off the same structure (``avro_schema``), one that
  encodes the samples as they are, so ISO timestamps stay strings and only ``uuid`` is a
  logical type;
* :func:`widen`: which samples an existing schema rejects, with the registry's own validator,
  and a proposal that accepts them all (``widen``, ``widen_json``, ``widen_avro``).

Bad input (no samples, a non-object event for Avro, a place Avro cannot express) raises
``InvalidInput`` naming the sample or the place. Pure: no terminal, files or network.
"""

from __future__ import annotations

from registry.formats.infer.avro_schema import infer_avro
from registry.formats.infer.json_schema import infer_json_schema
from registry.formats.infer.widen import Rejection, Widening, rejections, widen

__all__ = ["Rejection", "Widening", "infer_avro", "infer_json_schema", "rejections", "widen"]
