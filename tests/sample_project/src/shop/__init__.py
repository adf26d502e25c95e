"""A two-service checkout: quote a basket, then charge the quoted total."""
