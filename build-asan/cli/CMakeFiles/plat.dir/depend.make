# Empty dependencies file for plat.
# This may be replaced when dependencies are built.
