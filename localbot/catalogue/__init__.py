"""The product catalogue and knowledge documents: import, validation, index and hybrid search."""
