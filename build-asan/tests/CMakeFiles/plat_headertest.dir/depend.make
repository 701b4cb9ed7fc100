# Empty dependencies file for plat_headertest.
# This may be replaced when dependencies are built.
