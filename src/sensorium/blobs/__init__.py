"""S3 inputs and outputs: local bucket folders by default, any S3-compatible service by URL;
each bucket owned by one account."""

from sensorium.blobs.owned import Buckets
from sensorium.blobs.store import BlobStore, LocalBuckets, S3Buckets, parse_s3_uri

__all__ = ["BlobStore", "Buckets", "LocalBuckets", "S3Buckets", "parse_s3_uri"]
