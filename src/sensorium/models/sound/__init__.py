"""Sound analysis: log-mel features, a small CNN classifier and a log-mel autoencoder for
anomalies, trained by backpropagation in PyTorch; no AWS, no database."""
