"""Amazon Rekognition."""
