"""The services: what each AWS operation does, with no knowledge of HTTP."""
