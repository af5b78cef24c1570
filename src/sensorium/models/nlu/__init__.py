"""Natural language understanding for conversational bots: intent classification on frozen
sentence-encoder embeddings, a recurrent slot tagger, and parsers for built-in slot types."""
