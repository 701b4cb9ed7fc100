# Empty compiler generated dependencies file for plat_util.
# This may be replaced when dependencies are built.
