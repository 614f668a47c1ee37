"""Assessment of included studies: data extraction and risk of bias, with consensus."""
