"""Who is calling: access keys, accounts, and SigV4 verification."""
