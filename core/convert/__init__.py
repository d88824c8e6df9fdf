"""Conversion into accelerated images: seekable layers (zstd:chunked, eStargz) and
``<tag>_accelerated`` images."""

from core.convert._image import (
    ANNOTATION_CHUNK_SIZE,
    ANNOTATION_FORMAT,
    ANNOTATION_ORDER,
    ANNOTATION_PROFILE_DIGEST,
    ANNOTATION_SOURCE,
    ANNOTATION_SOURCE_DIGEST,
    ANNOTATION_SOURCE_LAYER,
    ConvertResult,
    ConvertStatus,
    ImageResult,
    LayerSummary,
    accelerated_reference,
    convert_image,
    load_profile,
)
from core.convert._layer import LayerResult, convert_layer, convert_layer_sync, plan_order
from core.convert._options import ConvertOptions, Limits, Order

__all__ = [
    "ANNOTATION_CHUNK_SIZE",
    "ANNOTATION_FORMAT",
    "ANNOTATION_ORDER",
    "ANNOTATION_PROFILE_DIGEST",
    "ANNOTATION_SOURCE",
    "ANNOTATION_SOURCE_DIGEST",
    "ANNOTATION_SOURCE_LAYER",
    "ConvertOptions",
    "ConvertResult",
    "ConvertStatus",
    "ImageResult",
    "LayerResult",
    "LayerSummary",
    "Limits",
    "Order",
    "accelerated_reference",
    "convert_image",
    "convert_layer",
    "convert_layer_sync",
    "load_profile",
    "plan_order",
]
