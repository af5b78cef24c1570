"""Time-series forecasting: statistical baselines and a DeepAR-style recurrent network."""
