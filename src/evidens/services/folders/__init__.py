"""A review kept as files: the folder's declared schema, its check, its readers,
`evidens run` and `evidens folder`."""
