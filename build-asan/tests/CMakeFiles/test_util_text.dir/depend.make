# Empty dependencies file for test_util_text.
# This may be replaced when dependencies are built.
