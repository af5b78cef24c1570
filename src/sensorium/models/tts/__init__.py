"""Text to speech: voice discovery, text normalisation, SSML, Piper synthesis, encoding.

Nothing here knows about Polly or HTTP; the Polly service builds on these pieces.
"""
