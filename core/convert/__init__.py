"""Conversion into accelerated images: seekable layers (zstd:chunked, eStargz) and
``<tag>_accelerated`` images."""

from core.convert._layer import LayerResult, convert_layer, convert_layer_sync, plan_order
from core.convert._options import DEFAULT_CHUNK_SIZE, ConvertOptions, Limits, Order
from core.convert._source import Compression, compression_of_media_type, sniff

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Compression",
    "ConvertOptions",
    "LayerResult",
    "Limits",
    "Order",
    "compression_of_media_type",
    "convert_layer",
    "convert_layer_sync",
    "plan_order",
    "sniff",
]
